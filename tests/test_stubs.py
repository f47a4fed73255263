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
    exported = {k for k in dir(_core) if not k.startswith("_")}
    assert functions | set(classes) == exported
    for name, node in classes.items():
        if issubclass(getattr(_core, name), BaseException):
            assert issubclass(getattr(_core, name), ValueError), name
            continue
        stubbed = {n.name for n in node.body if isinstance(n, ast.FunctionDef)} - {"__new__"}
        public = {k for k in dir(getattr(_core, name)) if not k.startswith("_")}
        assert stubbed == public, name
