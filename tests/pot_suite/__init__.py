"""POT's own tests, run against parsm.ot (see conftest.py)."""
