"""A minimal progress line on stderr for long sweeps (no dependency)."""

from __future__ import annotations

import sys
import time


class Progress:
    """Prints ``label: done/total`` on one stderr line, at most ten times a second.

    ``enabled=None`` shows it only when stderr is a terminal, so logs and pipes stay clean.
    """

    def __init__(self, label: str, total: int, enabled: bool | None = None) -> None:
        if enabled is None:
            enabled = sys.stderr.isatty()
        self.enabled = bool(enabled) and total > 1
        self.label = label
        self.total = total
        self.done = 0
        self._last = 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last >= 0.1 or self.done >= self.total:
            self._last = now
            sys.stderr.write(f"\r{self.label}: {self.done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()
