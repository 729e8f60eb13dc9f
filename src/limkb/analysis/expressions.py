"""Expressions over dataset variables: a small grammar, parsed and checked, never ``eval``-ed.

An analysis's ``x`` and ``y`` are expressions::

    expression := term { ("+" | "-") term }
    term       := power { ("*" | "×" | "/") power }
    power      := unary [ ("^" | "**") unary ]
    unary      := ("-" | "+") unary | atom
    atom       := number | name | function "(" expression ")" | "(" expression ")"
    function   := log10 | ln | exp | sqrt | abs
    name       := a column (``ce``), a column of one dataset (``sei-composition-vs-ce.ce``),
                  a property id (``coulombic-efficiency``), a descriptor (``frac_f``) or a
                  constant (``pi``, ``e``)

Names may contain hyphens (property ids do), so subtraction needs blanks around its minus:
``1 - ce / 100``. Powers bind right to left (``2^3^2`` is 2^9) and tighter than a leading
minus (``-x^2`` is -(x^2)).

Units are checked from the names' units: sums and differences need one dimension (any
percentage and a plain number count as dimensionless, so ``1 - ce / 100`` is fine), the
functions need a dimensionless argument (a log of a length is an error), and an exponent
must be a plain number. :func:`evaluate` computes an expression over numpy arrays of the
names' values; an undefined value (a log of zero, a division by zero) is NaN, which the
caller leaves out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from limkb._lazy import lazy_module
from limkb.errors import TextError
from limkb.schema.ids import odd_characters
from limkb.schema.units import PERCENTAGES, UnitError, parse_unit

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")  # imported when first used: a rebuild may need none of it

__all__ = [
    "FUNCTIONS",
    "Call",
    "Expression",
    "ExpressionError",
    "Name",
    "Number",
    "Operation",
    "dimension_of",
    "evaluate",
    "invert",
    "parse",
]

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log10": lambda x: np.log10(x),
    "ln": lambda x: np.log(x),
    "log": lambda x: np.log(x),
    "exp": lambda x: np.exp(x),
    "sqrt": lambda x: np.sqrt(x),
    "abs": lambda x: np.abs(x),
}

MAX_LENGTH = 500
"""Longest expression text accepted (a formula for a variable is short)."""
MAX_DEPTH = 40
"""Deepest nesting accepted."""


class ExpressionError(TextError):
    """A mistake in an expression, at ``start``..``end`` of its text, with a fix."""


@dataclass(frozen=True)
class Number:
    value: float
    start: int
    end: int


@dataclass(frozen=True)
class Name:
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Operation:
    op: str  # + - * / ^ or "neg"
    left: Expression
    right: Expression | None
    start: int
    end: int


@dataclass(frozen=True)
class Call:
    function: str
    argument: Expression
    start: int
    end: int


Expression = Union[Number, Name, Operation, Call]  # noqa: UP007 - a runtime alias

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)"
    r"|(?P<op>\*\*|[-+*/^()×−·])"
    r")"
)


@dataclass
class _Token:
    kind: str
    text: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    at = 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            bad = text[at:].lstrip()
            start = len(text) - len(bad)
            if ord(bad[0]) >= 128:
                named = odd_characters(bad[0])[0].replace("at column 1", f"at column {start + 1}")
                raise ExpressionError(
                    f"unexpected {bad[:1]!r}: {named}",
                    start,
                    start + 1,
                    "type names in plain ASCII letters, digits and hyphens (retype the word rather than paste it)",
                )
            raise ExpressionError(
                f"unexpected {bad[:1]!r}",
                start,
                start + 1,
                "write numbers, names, + - * / ^, parentheses and functions such as log10(...)",
            )
        kind = match.lastgroup or "op"
        value = match.group(kind)
        op = {"×": "*", "·": "*", "−": "-", "**": "^"}.get(value, value)
        found.append(_Token(kind, op, match.start(kind), match.end(kind)))
        at = match.end()
    return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> None:
        """Move past the current token."""
        self.at += 1

    def end_error(self, what: str) -> ExpressionError:
        n = len(self.text)
        return ExpressionError(
            f"the expression ends where {what} should follow", n, n, f"complete it with {what}"
        )

    def descend(self, token: _Token | None) -> None:
        """One level deeper into the expression; too deep is an error at ``token``."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            start = token.start if token else len(self.text)
            raise ExpressionError(
                f"the expression nests deeper than {MAX_DEPTH} levels", start, start + 1, "simplify it"
            )

    def expression(self) -> Expression:
        self.descend(self.peek())
        left = self.term()
        while (token := self.peek()) is not None and token.text in ("+", "-") and token.kind == "op":
            self.take()
            right = self.term()
            left = Operation(token.text, left, right, _start(left), _end(right))
        self.depth -= 1
        return left

    def term(self) -> Expression:
        left = self.power()
        while (token := self.peek()) is not None and token.text in ("*", "/") and token.kind == "op":
            self.take()
            right = self.power()
            left = Operation(token.text, left, right, _start(left), _end(right))
        return left

    def power(self) -> Expression:
        base = self.unary()
        token = self.peek()
        if token is not None and token.text == "^":
            self.take()
            self.descend(token)
            exponent = self.power()  # a sign here is read by unary(), under the power
            self.depth -= 1
            return Operation("^", base, exponent, _start(base), _end(exponent))
        return base

    def unary(self) -> Expression:
        token = self.peek()
        if token is not None and token.kind == "op" and token.text in ("-", "+"):
            self.take()
            self.descend(token)
            inner = self.power()
            self.depth -= 1
            return inner if token.text == "+" else Operation("neg", inner, None, token.start, _end(inner))
        return self.atom()

    def atom(self) -> Expression:
        token = self.peek()
        if token is None:
            raise self.end_error("a number or a name")
        self.take()
        if token.kind == "number":
            value = float(token.text)
            if not math.isfinite(value):
                raise ExpressionError(
                    f"the number {token.text} is too large to compute with",
                    token.start,
                    token.end,
                    "write a number below 1e308",
                )
            return Number(value, token.start, token.end)
        if token.kind == "name":
            following = self.peek()
            if following is not None and following.text == "(":
                if token.text not in FUNCTIONS:
                    raise ExpressionError(
                        f"{token.text!r} is not a function",
                        token.start,
                        token.end,
                        f"use one of {', '.join(sorted(FUNCTIONS))}",
                    )
                self.take()
                argument = self.expression()
                closing = self.peek()
                if closing is None:
                    raise ExpressionError(
                        f"'{token.text}(' is never closed", token.start, token.end + 1, "add the missing ')'"
                    )
                if closing.text != ")":
                    raise ExpressionError(
                        f"expected ')' after the argument of {token.text}, found {closing.text!r}",
                        closing.start,
                        closing.end,
                        "close the function's parenthesis",
                    )
                self.take()
                return Call(token.text, argument, token.start, closing.end)
            if token.text in FUNCTIONS:
                raise ExpressionError(
                    f"the function {token.text} needs its argument in parentheses",
                    token.start,
                    token.end,
                    f"write {token.text}(...)",
                )
            return Name(token.text, token.start, token.end)
        if token.text == "(":
            inner = self.expression()
            closing = self.peek()
            if closing is None:
                raise ExpressionError("'(' is never closed", token.start, token.end, "add the missing ')'")
            if closing.text != ")":
                raise ExpressionError(
                    f"expected ')', found {closing.text!r}", closing.start, closing.end, "add the missing ')'"
                )
            self.take()
            return inner
        raise ExpressionError(
            f"unexpected {token.text!r}",
            token.start,
            token.end,
            "an operator needs a number, a name or a parenthesis on each side",
        )


def _start(node: Expression) -> int:
    return node.start


def _end(node: Expression) -> int:
    return node.end


def parse(text: str) -> Expression:
    """Parse an expression; raises :class:`ExpressionError` at the mistake."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long, more than {MAX_LENGTH}",
            MAX_LENGTH,
            len(text),
            "shorten it",
        )
    if not text.strip():
        raise ExpressionError("the expression is empty", 0, 0, "name a column, e.g. `ce`, or write a formula")
    parser = _Parser(text)
    node = parser.expression()
    extra = parser.peek()
    if extra is not None:
        hint = "join the parts with an operator"
        if extra.kind == "number" and extra.text.startswith(".") is False and isinstance(node, Name):
            hint = "join the parts with an operator (subtraction needs blanks: `a - 1`)"
        raise ExpressionError(f"unexpected {extra.text!r}", extra.start, extra.end, hint)
    _check_constants(node)
    return node


MAX_EXPONENT = 100.0
"""Largest exponent (in size) a written power may have: beyond it nearly every value
overflows or vanishes, which is a typing mistake, not a variable."""


def _check_constants(node: Expression) -> float | None:
    """The value of ``node`` when it holds no names (None otherwise); raises
    :class:`ExpressionError` at a part whose value is not a finite number (``10^10^10``, ``1/0``)
    or at an exponent out of range (``x ^ 10 ^ 10``)."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        if node.name in CONSTANTS:
            return CONSTANTS[node.name]
        return None
    if isinstance(node, Call):
        inner = _check_constants(node.argument)
        if inner is None:
            return None
        with np.errstate(all="ignore"):
            value = float(FUNCTIONS[node.function](np.asarray(inner, dtype=float)))
        if not math.isfinite(value):
            raise ExpressionError(
                f"{node.function}({inner:g}) is undefined",
                node.start,
                node.end,
                _UNDEFINED_HINT[node.function],
            )
        return value
    left = _check_constants(node.left)
    if node.op == "neg":
        return None if left is None else -left
    assert node.right is not None
    right = _check_constants(node.right)
    if node.op == "^" and right is not None and abs(right) > MAX_EXPONENT:
        raise ExpressionError(
            f"the exponent {right:g} is out of range",
            node.right.start,
            node.right.end,
            f"an exponent may be at most {MAX_EXPONENT:g} in size; check the powers (`a ^ b ^ c` is `a ^ (b ^ c)`)",
        )
    if node.op == "/" and right == 0:
        raise ExpressionError("a division by zero", node.start, node.end, "divide by a non-zero number")
    if left is None or right is None:
        return None
    with np.errstate(all="ignore"):
        value = float(_apply(node.op, np.float64(left), np.float64(right)))
    if not math.isfinite(value):
        raise ExpressionError(
            f"this part's value is {'too large' if math.isinf(value) else 'undefined'} ({value:g})",
            node.start,
            node.end,
            "check the numbers and the powers: the result must be a finite number",
        )
    return value


_UNDEFINED_HINT = {
    "ln": "the logarithm is defined for positive numbers only",
    "log": "the logarithm is defined for positive numbers only",
    "log10": "the logarithm is defined for positive numbers only",
    "sqrt": "the square root is defined for numbers >= 0 only",
    "exp": "exp() of this number is too large",
    "abs": "",
}


def names(node: Expression) -> list[Name]:
    """Every name the expression uses, constants excluded, in order of appearance."""
    found: list[Name] = []

    def walk(n: Expression) -> None:
        if isinstance(n, Name):
            if n.name not in CONSTANTS:
                found.append(n)
        elif isinstance(n, Operation):
            walk(n.left)
            if n.right is not None:
                walk(n.right)
        elif isinstance(n, Call):
            walk(n.argument)

    walk(node)
    return found


_INVERSE_CALLS: dict[str, tuple[str, float | None]] = {
    "log10": ("pow", 10.0),
    "ln": ("exp", None),
    "log": ("exp", None),
    "exp": ("ln", None),
    "sqrt": ("square", None),
}
"""How to undo each function: 10^y, exp(y), ln(y), y^2 (``abs`` cannot be undone)."""


def _uses(node: Expression, variable: str) -> int:
    return sum(1 for n in names(node) if n.name == variable)


def invert(node: Expression, variable: str, result: str) -> Expression:
    """The expression that gives ``variable`` back from ``result`` = ``node``.

    ``node`` must use ``variable`` exactly once, through operators and the functions
    log10, ln, exp and sqrt: ``-log10(1 - ce / 100)`` solved for ``ce`` is
    ``(1 - 10 ^ (-lce)) * 100`` (written as the equivalent nested form). Linear in the size
    of ``node``. Raises :class:`ExpressionError` when it cannot be inverted.
    """
    if _uses(node, variable) != 1:
        raise ExpressionError(
            f"the formula uses {variable!r} {_uses(node, variable)} times; it can be inverted only "
            "when it uses it once",
            node.start,
            node.end,
            "write it with the other property once, e.g. `-log10(1 - coulombic-efficiency / 100)`",
        )
    target: Expression = Name(result, 0, 0)
    while not (isinstance(node, Name) and node.name == variable):
        node, target = _peel(node, variable, target)
    return target


def _op(op: str, left: Expression, right: Expression | None = None) -> Operation:
    return Operation(op, left, right, 0, 0)


def _peel(node: Expression, variable: str, target: Expression) -> tuple[Expression, Expression]:
    """One step of :func:`invert`: the part of ``node`` holding ``variable``, and its value."""
    if isinstance(node, Call):
        undo, base = _INVERSE_CALLS.get(node.function, ("", None))
        if not undo:
            raise ExpressionError(
                f"{node.function}() cannot be inverted", node.start, node.end, "write the formula without it"
            )
        if undo == "pow":
            return node.argument, _op("^", Number(base or 10.0, 0, 0), target)
        if undo == "square":
            return node.argument, _op("^", target, Number(2.0, 0, 0))
        return node.argument, Call(undo, target, 0, 0)
    if not isinstance(node, Operation):
        raise ExpressionError("the formula does not depend on the other property", 0, 0, "name it")
    if node.op == "neg":
        return node.left, _op("neg", target)
    assert node.right is not None
    left_holds = _uses(node.left, variable) == 1
    inner, other = (node.left, node.right) if left_holds else (node.right, node.left)
    if node.op == "+":
        return inner, _op("-", target, other)
    if node.op == "*":
        return inner, _op("/", target, other)
    if node.op == "-":
        return inner, _op("+", target, other) if left_holds else _op("-", other, target)
    if node.op == "/":
        return inner, _op("*", target, other) if left_holds else _op("/", other, target)
    if left_holds:  # inner ^ other
        return inner, _op("^", target, _op("/", Number(1.0, 0, 0), other))
    return inner, _op("/", Call("ln", target, 0, 0), Call("ln", other, 0, 0))  # other ^ inner


# --- units --------------------------------------------------------------------------------

Dimension = tuple[tuple[str, float], ...]
"""A dimension as sorted (base dimension, exponent) pairs; () is dimensionless."""


def dimension_of(unit: str) -> Dimension:
    """The dimension of a unit; percentages and plain numbers are dimensionless."""
    try:
        found = parse_unit(unit).dimension
    except UnitError:
        return ((f"unit {unit}", 1.0),)
    if found in PERCENTAGES or found in ("dimensionless", "count"):
        return ()
    return ((found, 1.0),)


def _combine(a: Dimension, b: Dimension, sign: float) -> Dimension:
    exponents: dict[str, float] = dict(a)
    for key, value in b:
        exponents[key] = exponents.get(key, 0.0) + sign * value
    return tuple(sorted((k, v) for k, v in exponents.items() if v != 0))


def _shown(dimension: Dimension) -> str:
    if not dimension:
        return "a plain number"
    return " ".join(k if v == 1 else f"{k}^{v:g}" for k, v in dimension)


def check_units(node: Expression, units: Mapping[str, str]) -> Dimension:
    """The expression's dimension given each name's unit; raises :class:`ExpressionError`."""
    if isinstance(node, Number):
        return ()
    if isinstance(node, Name):
        if node.name in CONSTANTS:
            return ()
        return dimension_of(units[node.name])
    if isinstance(node, Call):
        inner = check_units(node.argument, units)
        if inner and node.function not in ("abs", "sqrt"):
            raise ExpressionError(
                f"{node.function}() of a quantity in {_shown(inner)}: its value would depend on the unit",
                node.start,
                node.end,
                "divide by a reference value first, e.g. log10(thickness / 1)",
            )
        if node.function == "sqrt":
            return tuple((k, v / 2) for k, v in inner)
        return inner if node.function == "abs" else ()
    if node.op == "neg":
        return check_units(node.left, units)
    assert node.right is not None
    left = check_units(node.left, units)
    right = check_units(node.right, units)
    if node.op in ("+", "-"):
        if left != right:
            raise ExpressionError(
                f"'{node.op}' joins {_shown(left)} and {_shown(right)}",
                node.start,
                node.end,
                "add or subtract only quantities of one kind",
            )
        return left
    if node.op == "*":
        return _combine(left, right, 1.0)
    if node.op == "/":
        return _combine(left, right, -1.0)
    if right:
        raise ExpressionError(
            f"an exponent in {_shown(right)}",
            node.right.start,
            node.right.end,
            "an exponent must be a plain number",
        )
    if left:
        if not isinstance(node.right, Number):
            raise ExpressionError(
                "a quantity with a unit raised to a computed power",
                node.start,
                node.end,
                "raise quantities with units only to a written number, e.g. x^2",
            )
        return tuple((k, v * node.right.value) for k, v in left)
    return ()


# --- evaluation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Undefined:
    """Where an expression has no finite value for some records: the part (``start``..``end``
    of its text), why, and which records (a mask over the values evaluated)."""

    start: int
    end: int
    why: str
    mask: np.ndarray


def evaluate(node: Expression, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """The expression over arrays of its names' values (NaN where it is undefined)."""
    return evaluate_checked(node, values)[0]


def evaluate_checked(
    node: Expression, values: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, list[Undefined]]:
    """The expression over arrays of its names' values, NaN where it is undefined, and where
    and why it is: for each record whose inputs are numbers but whose value is not (a division
    by zero, a logarithm of a number <= 0, an overflow, a value that vanishes under a power), the
    innermost part that failed. Records whose inputs are missing are not reported here."""
    found: list[Undefined] = []
    with np.errstate(all="ignore"):
        result = _evaluate(node, values, found)
    value = np.asarray(result, dtype=float)
    value = np.where(_failed(found, value.shape), np.nan, value) if found else value
    return value, found


def _failed(found: list[Undefined], shape: tuple[int, ...]) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    for item in found:
        mask = mask | np.broadcast_to(item.mask, shape)
    return mask


def _apply(op: str, left: Any, right: Any) -> np.ndarray:
    if op == "+":
        found = left + right
    elif op == "-":
        found = left - right
    elif op == "*":
        found = left * right
    elif op == "/":
        found = np.divide(left, right)
    else:
        found = np.power(left, right)
    return np.asarray(found, dtype=float)


def _note(found: list[Undefined], node: Expression, why: str, mask: np.ndarray) -> None:
    """Record ``why`` for the records of ``mask`` not already explained by an inner part."""
    mask = np.asarray(mask, dtype=bool)
    for inner in found:
        mask = mask & ~np.broadcast_to(inner.mask, mask.shape) if inner.mask.shape == mask.shape else mask
    if mask.any():
        found.append(Undefined(node.start, node.end, why, mask))


def _evaluate(node: Expression, values: Mapping[str, np.ndarray], found: list[Undefined]) -> np.ndarray:
    if isinstance(node, Number):
        return np.float64(node.value)  # type: ignore[return-value]
    if isinstance(node, Name):
        if node.name in CONSTANTS and node.name not in values:
            return np.float64(CONSTANTS[node.name])  # type: ignore[return-value]
        return values[node.name]
    if isinstance(node, Call):
        argument = np.asarray(_evaluate(node.argument, values, found), dtype=float)
        value = np.asarray(FUNCTIONS[node.function](argument), dtype=float)
        if node.function in ("ln", "log", "log10"):
            why = "the logarithm of a number <= 0"
        elif node.function == "sqrt":
            why = "the square root of a negative number"
        else:
            why = f"{node.function}() overflows"
        _note(found, node, why, np.isfinite(argument) & ~np.isfinite(value))
        return value
    left = np.asarray(_evaluate(node.left, values, found), dtype=float)
    if node.op == "neg":
        return -left
    assert node.right is not None
    right = np.asarray(_evaluate(node.right, values, found), dtype=float)
    value = np.asarray(_apply(node.op, left, right), dtype=float)
    inputs = np.isfinite(left) & np.isfinite(right)
    if node.op == "/":
        _note(found, node, "a division by zero", inputs & (right == 0))
    elif node.op == "^":
        _note(
            found, node, "a negative number to a fractional power", inputs & (left < 0) & ~np.isfinite(value)
        )
        _note(
            found,
            node,
            "a value that vanishes under the power (underflow to 0)",
            inputs & (left != 0) & (value == 0) & (right > 0),
        )
    _note(found, node, "a value too large to compute with (overflow)", inputs & ~np.isfinite(value))
    return value


def unparse(node: Expression) -> str:
    """A fully parenthesised text of the expression (for tests and messages)."""
    if isinstance(node, Number):
        return repr(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Call):
        return f"{node.function}({unparse(node.argument)})"
    if node.op == "neg":
        return f"(-{unparse(node.left)})"
    assert node.right is not None
    return f"({unparse(node.left)} {node.op} {unparse(node.right)})"
