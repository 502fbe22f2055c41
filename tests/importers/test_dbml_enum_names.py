"""Bugs a stranger's DBML found outside the DBML importer: an enum named like a Python
constant or built-in class (true, none, warning) was written ``class True(enum.Enum)``, which
does not compile (tables already took ``TrueModel``); it is now ``TrueEnum``."""

from __future__ import annotations

import re

import pytest

from modeler.codegen.bundle import build_bundle
from modeler.codegen.pynames import PY_BUILTINS
from modeler.codegen.versions import VersionInput
from modeler.importers import import_dbml


@pytest.mark.parametrize("name", ["true", "false", "none", "warning", "exception"])
def test_an_enum_named_like_a_python_constant_exports_python_that_compiles(name: str) -> None:
    schema = import_dbml([("e.dbml", f'Enum "{name}" {{\n  a\n}}\nTable t {{\n  id int [pk]\n'
                                      f'  e "{name}"\n}}\n')]).schema
    files = build_bundle([VersionInput(1, "m", "a", "2026-01-01", schema, baseline=True)],
                         slug="x")
    for path, data in files.items():
        if path.endswith(".py"):
            text = data.decode()
            compile(text, path, "exec")
            shadowed = {n for n in re.findall(r"^class (\w+)\(", text, re.M)
                        if n in PY_BUILTINS}
            assert not shadowed, (path, shadowed)  # Warning, Exception: built-ins hidden
