"""The mutation script's tally: what counts as killed, what is alive, and timeouts shown apart."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).parents[1] / "scripts" / "mutate.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("limkb_mutate_script", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_tally_counts_timeouts_as_killed_and_names_them() -> None:
    mutate = _script()
    codes = {"a": 1, "b": 0, "c": 36, "d": 152, "e": 5, "f": 0, "g": 37, "h": None}
    result = mutate.summarise(codes, {"f": "equivalent: a default never read"})
    assert result["killed"] == 4 and result["timed_out"] == 2
    assert result["survived"] == 2 and result["no_tests"] == 1 and result["equivalent"] == 1
    assert result["alive"] == ["b", "e"]
    assert result["other"] == {None: 1}
    assert result["score"] == round(100 * 4 / 7, 1)
