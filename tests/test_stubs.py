"""The type stubs of the native module list exactly what it exports."""

from __future__ import annotations

import ast
from pathlib import Path

import parsm
from parsm import _core

STUB = Path(parsm.__file__).parent / "_core.pyi"


def test_stub_names_match_the_native_module():
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    constants = {
        n.target.id
        for n in tree.body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    } - {"__version__"}
    exported = {k for k in dir(_core) if not k.startswith("_")}
    assert functions | set(classes) | constants == exported
    for name, node in classes.items():
        if issubclass(getattr(_core, name), BaseException):
            assert issubclass(getattr(_core, name), ValueError), name
            continue
        stubbed = {n.name for n in node.body if isinstance(n, ast.FunctionDef)} - {"__new__"}
        public = {k for k in dir(getattr(_core, name)) if not k.startswith("_")}
        assert stubbed == public, name


def test_no_module_is_shadowed_by_a_function():
    """``parsm.<name>`` is either a module or a function, never a function hiding a module of
    the same name (so ``parsm.curve.LCurve`` and friends are reachable)."""
    import pkgutil

    modules = {m.name for m in pkgutil.iter_modules(parsm.__path__)}
    for name in modules:
        value = getattr(parsm, name, None)
        assert value is None or type(value).__name__ == "module", name
