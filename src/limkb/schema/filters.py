"""Value filters of an analysis's ``where:``: a comparison, a range or a number.

``where:`` keeps records by their conditions (``cell: Li||Cu``) and, with any other key, by
the value of a variable (a column, a property id or a descriptor):

- ``ce: ">= 90"``: a comparison, one of ``>=``, ``>``, ``<=``, ``<``, ``=`` (also ``≥``, ``≤``);
- ``frac_o_solvent: "0.05..0.2"``: a range, both ends included;
- ``cycles_run: 100`` or ``"100"``: equal to the number (to a relative 1e-6).

Numbers are in the variable's unit as the analysis reads it (a property's unit, or the
column's), written without the unit. The grammar lives here, below the analysis stage, so
the schema can refuse a malformed filter at its place in the file.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = ["Bounds", "ValueFilter", "read_value_filter"]

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_COMPARISON = re.compile(rf"^(>=|<=|==|=|>|<|≥|≤)\s*({_NUMBER})$")
_RANGE = re.compile(rf"^({_NUMBER})\s*\.\.\s*({_NUMBER})$")
_PLAIN = re.compile(rf"^{_NUMBER}$")
_HINT = (
    "write a comparison (`>= 90`, `< 0.5`), a range with both ends included (`0.05..0.2`) or a "
    'number (`100`), in the variable\'s unit and without the unit; quote it in YAML (`ce: ">= 90"`); '
    "a condition is one of `cell`, `protocol`, `current_density`, `areal_capacity`, `temperature`, "
    "`cycles`, `source`"
)


@dataclass(frozen=True)
class Bounds:
    """What a value filter keeps: values between ``low`` and ``high`` (None is unbounded).

    ``low_strict``/``high_strict`` exclude the end itself (``> 90``). Ends compare to a
    relative 1e-6, so ``= 0.1`` keeps a value stored as 0.1000000001.
    """

    low: float | None
    high: float | None
    low_strict: bool = False
    high_strict: bool = False

    def keeps(self, value: float) -> bool:
        """Whether ``value`` passes; NaN (a missing value) never does."""
        if not math.isfinite(value):
            return False
        if self.low is not None and not _above(value, self.low, strict=self.low_strict):
            return False
        return self.high is None or _above(self.high, value, strict=self.high_strict)


def _above(value: float, end: float, *, strict: bool) -> bool:
    """``value >= end`` (``>`` when strict), with ends equal to a relative 1e-6."""
    near = math.isclose(value, end, rel_tol=1e-6, abs_tol=1e-12)
    return (value > end and not near) if strict else (value >= end or near)


def _bad(text: str, why: str) -> PydanticCustomError:
    return PydanticCustomError(
        "bad-filter", "{text!r} is not a value filter: {why}", {"text": text, "why": why, "hint": _HINT}
    )


def _finite(text: str, written: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _bad(written, f"{text} is too large a number")
    return number


def read_value_filter(written: Any) -> Bounds:
    """The bounds a filter value states; raises ``PydanticCustomError('bad-filter')`` if malformed."""
    if isinstance(written, bool) or not isinstance(written, (int, float, str)):
        raise PydanticCustomError(
            "bad-filter",
            "a value filter must be a number or text, not {what}",
            {"what": type(written).__name__, "hint": _HINT},
        )
    if not isinstance(written, str):
        number = float(written)
        if not math.isfinite(number):
            raise _bad(str(written), "the number must be finite")
        return Bounds(number, number)
    text = written.strip()
    if not text:
        raise _bad(written, "it is empty")
    if _PLAIN.match(text):
        number = _finite(text, written)
        return Bounds(number, number)
    found = _COMPARISON.match(text)
    if found:
        op, number = found.group(1), _finite(found.group(2), written)
        if op in (">", ">=", "≥"):
            return Bounds(number, None, low_strict=op == ">")
        if op in ("<", "<=", "≤"):
            return Bounds(None, number, high_strict=op == "<")
        return Bounds(number, number)
    found = _RANGE.match(text)
    if found:
        low, high = _finite(found.group(1), written), _finite(found.group(2), written)
        if low > high:
            raise _bad(written, f"the range runs backwards ({low:g} is above {high:g})")
        return Bounds(low, high)
    return _unreadable(written, text)


def _unreadable(written: str, text: str) -> Bounds:
    """The error for a filter that matches no form, saying what looks wrong."""
    if re.search(r"\d\s*[A-Za-z%°µ]", text):
        raise _bad(written, "numbers are written without their unit")
    if "," in text and re.search(r"\d,\d", text):
        raise _bad(written, "it uses a decimal comma")
    if "..." in text or (re.search(r"\d\s*-\s*\d", text) and not text.startswith("-")):
        raise _bad(written, "a range is written with two dots, `low..high`")
    if text.startswith(("!", "=>", "=<")):
        raise _bad(written, "the comparisons are `>=`, `>`, `<=`, `<` and `=`")
    raise _bad(written, "it is neither a comparison, a range nor a number")


def _checked(value: Any) -> Any:
    """A filter value as written, once it reads (the model keeps the text for ``limkb fmt``)."""
    read_value_filter(value)
    return value


ValueFilter = Annotated[
    Any,
    PlainValidator(_checked),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "maxLength": 100}, {"type": "number"}],
            "description": "Keep records whose value lies here: `>= 90`, `0.05..0.2` or a number.",
        }
    ),
]
"""A value filter: a comparison, a range or a number, checked when the entry is read."""
