"""The expression grammar, one row per behaviour: every operator and function, every error
message with its place and hint, the constant checks, inversion, units and the undefined values.

Pure unit tests (no KB): each row names the rule it protects, so a change to the grammar that
no row sees is a gap in this table (see docs/developing.md, "Mutation testing").
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from limkb.analysis import expressions as ex


def _error(text: str) -> ex.ExpressionError:
    """The error parsing ``text`` raises."""
    with pytest.raises(ex.ExpressionError) as caught:
        ex.parse(text)
    return caught.value


def _value(text: str, **values: float) -> float:
    """The value of ``text`` for one record with the given name values."""
    arrays = {name: np.array([value]) for name, value in values.items()}
    return float(np.broadcast_to(ex.evaluate(ex.parse(text), arrays), (1,))[0])


# --- parsing: operators, precedence, associativity -------------------------------------------


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("a + b", "(a + b)"),
        ("a - b", "(a - b)"),
        ("a * b", "(a * b)"),
        ("a × b", "(a * b)"),
        ("a · b", "(a * b)"),
        ("a / b", "(a / b)"),
        ("a ^ b", "(a ^ b)"),
        ("a ** b", "(a ^ b)"),
        ("a − b", "(a - b)"),
        ("a + b + c", "((a + b) + c)"),
        ("a - b - c", "((a - b) - c)"),
        ("a * b / c", "((a * b) / c)"),
        ("a / b * c", "((a / b) * c)"),
        ("a + b * c", "(a + (b * c))"),
        ("a * b + c", "((a * b) + c)"),
        ("a - b / c", "(a - (b / c))"),
        ("a * b ^ c", "(a * (b ^ c))"),
        ("a ^ b * c", "((a ^ b) * c)"),
        ("a ^ b ^ c", "(a ^ (b ^ c))"),
        ("a ^ -b", "(a ^ (-b))"),
        ("a ^ +b", "(a ^ b)"),
        ("a ^ --b", "(a ^ (-(-b)))"),
        ("a ^ -b ^ c", "(a ^ (-(b ^ c)))"),
        ("-a", "(-a)"),
        ("+a", "a"),
        ("--a", "(-(-a))"),
        ("-a ^ b", "(-(a ^ b))"),
        ("-a * b", "((-a) * b)"),
        ("(a + b) * c", "((a + b) * c)"),
        ("((a))", "a"),
        ("log10(a)", "log10(a)"),
        ("ln(a + b)", "ln((a + b))"),
        ("log(a)", "log(a)"),
        ("exp(-a)", "exp((-a))"),
        ("sqrt(a)", "sqrt(a)"),
        ("abs(a)", "abs(a)"),
        ("2.5", "2.5"),
        (".5", "0.5"),
        ("5.", "5.0"),
        ("1e3", "1000.0"),
        ("1.5E-2", "0.015"),
        ("2e+1", "20.0"),
        ("sei-composition-vs-ce.ce", "sei-composition-vs-ce.ce"),
        ("coulombic-efficiency / 100", "(coulombic-efficiency / 100.0)"),
        ("ce-1", "ce-1"),
        ("frac_f", "frac_f"),
        ("  a  ", "a"),
    ],
)
def test_each_operator_and_its_binding(text: str, shape: str) -> None:
    """Every operator spelling, the precedence table and the associativity of each level."""
    assert ex.unparse(ex.parse(text)) == shape


def test_node_places_cover_their_text() -> None:
    """Every node knows where it stands in the text: operations span both operands, a sign
    starts at its minus, a call ends at its closing parenthesis."""
    node = ex.parse("a + b * c")
    assert isinstance(node, ex.Operation) and (node.start, node.end) == (0, 9)
    assert isinstance(node.right, ex.Operation) and (node.right.start, node.right.end) == (4, 9)
    neg = ex.parse(" -a")
    assert isinstance(neg, ex.Operation) and (neg.op, neg.start, neg.end) == ("neg", 1, 3)
    exponent = ex.parse("a ^ -b")
    assert isinstance(exponent, ex.Operation) and isinstance(exponent.right, ex.Operation)
    assert (exponent.right.start, exponent.right.end) == (4, 6)
    call = ex.parse("x + log10(a )")
    assert isinstance(call, ex.Operation) and isinstance(call.right, ex.Call)
    assert (call.right.start, call.right.end) == (4, 13)
    power = ex.parse("a ^ b")
    assert isinstance(power, ex.Operation) and (power.start, power.end) == (0, 5)
    number = ex.parse(" 12")
    assert isinstance(number, ex.Number) and (number.start, number.end) == (1, 3)
    name = ex.parse("(ab)")
    assert isinstance(name, ex.Name) and (name.start, name.end) == (1, 3)


# --- parsing: every error, its place and its hint ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "start", "end", "hint"),
    [
        ("", "the expression is empty", 0, 0, "name a column, e.g. `ce`, or write a formula"),
        ("   ", "the expression is empty", 0, 0, "name a column, e.g. `ce`, or write a formula"),
        ("a + $", "unexpected '$'", 4, 5, "write numbers, names, + - * / ^, parentheses and functions"),
        ("a ; b", "unexpected ';'", 2, 3, "write numbers, names, + - * / ^, parentheses and functions"),
        (
            "a +",
            "the expression ends where a number or a name should follow",
            3,
            3,
            "complete it with a number or a name",
        ),
        ("(a", "'(' is never closed", 0, 1, "add the missing ')'"),
        ("(a b", "expected ')', found 'b'", 3, 4, "add the missing ')'"),
        ("log10(a", "'log10(' is never closed", 0, 6, "add the missing ')'"),
        (
            "log10(a b",
            "expected ')' after the argument of log10, found 'b'",
            8,
            9,
            "close the function's parenthesis",
        ),
        ("foo(a)", "'foo' is not a function", 0, 3, "use one of abs, exp, ln, log, log10, sqrt"),
        ("log10 a", "the function log10 needs its argument in parentheses", 0, 5, "write log10(...)"),
        ("sqrt", "the function sqrt needs its argument in parentheses", 0, 4, "write sqrt(...)"),
        (
            "a + * b",
            "unexpected '*'",
            4,
            5,
            "an operator needs a number, a name or a parenthesis on each side",
        ),
        (")", "unexpected ')'", 0, 1, "an operator needs a number, a name or a parenthesis on each side"),
        ("a b", "unexpected 'b'", 2, 3, "join the parts with an operator"),
        (
            "ce 1",
            "unexpected '1'",
            3,
            4,
            "join the parts with an operator (subtraction needs blanks: `a - 1`)",
        ),
        ("ce .5", "unexpected '.5'", 3, 5, "join the parts with an operator"),
        ("2 3", "unexpected '3'", 2, 3, "join the parts with an operator"),
        ("a)", "unexpected ')'", 1, 2, "join the parts with an operator"),
        ("1e309", "the number 1e309 is too large to compute with", 0, 5, "write a number below 1e308"),
    ],
)
def test_each_parse_error(text: str, message: str, start: int, end: int, hint: str) -> None:
    """Each mistake in the text is reported with its message, its place and how to fix it."""
    error = _error(text)
    assert error.message == message
    assert (error.start, error.end) == (start, end)
    assert error.hint.startswith(hint)


def test_the_hint_for_a_joined_minus_only_follows_a_name() -> None:
    """Only a whole name followed by a number (``ce 1``, likely ``ce - 1``) gets the blanks hint."""
    assert _error("ce * 2 1").hint == "join the parts with an operator"
    assert _error("(ce) 1").hint == "join the parts with an operator (subtraction needs blanks: `a - 1`)"
    assert _error("ce .5").hint == "join the parts with an operator"


def test_a_non_ascii_character_is_named_at_its_column() -> None:
    """A pasted look-alike is named, at its column in the expression (not column 1)."""
    error = _error("ab + εx")
    assert error.message.startswith("unexpected 'ε': ")
    assert "at column 6" in error.message and "at column 1" not in error.message
    assert (error.start, error.end) == (5, 6)
    assert (
        error.hint
        == "type names in plain ASCII letters, digits and hyphens (retype the word rather than paste it)"
    )


@pytest.mark.parametrize(("char", "named"), [("\x80", True), ("\x7f", False), ("é", True)])
def test_the_first_non_ascii_code_point_is_named(char: str, named: bool) -> None:
    """From U+0080 on a character is named (a pasted look-alike); below it, it is shown only."""
    error = _error(f"a {char}")
    assert (": U+" in error.message) is named
    assert error.hint.startswith("type names in plain ASCII") is named


def test_length_limit() -> None:
    """500 characters are accepted; 501 are refused, pointing past the limit."""
    assert ex.parse("a" + " " * (ex.MAX_LENGTH - 1)) == ex.Name("a", 0, 1)
    error = _error("a" + " " * ex.MAX_LENGTH)
    assert error.message == "the expression is 501 characters long, more than 500"
    assert (error.start, error.end, error.hint) == (500, 501, "shorten it")


@pytest.mark.parametrize(
    ("opening", "closing", "at"),
    [("(", ")", "a"), ("-", "", "-"), ("log10(", ")", "a"), ("2 ^ ", "", "^")],
)
def test_nesting_limit(opening: str, closing: str, at: str) -> None:
    """Parentheses, signs, calls and powers nest up to MAX_DEPTH levels; one more is refused
    at the token where it goes too deep."""
    depth = ex.MAX_DEPTH - 1  # the whole expression is the first level
    ex.parse(opening * depth + "a" + closing * depth)
    text = opening * (depth + 1) + "a" + closing * (depth + 1)
    error = _error(text)
    assert error.message == f"the expression nests deeper than {ex.MAX_DEPTH} levels"
    assert error.hint == "simplify it"
    assert error.end == error.start + 1
    assert text[error.start] == at


def test_nesting_limit_at_the_end_of_the_text() -> None:
    """Too deep where the text has ended: the error points just past its end."""
    error = _error("(" * ex.MAX_DEPTH)
    assert (error.start, error.end) == (ex.MAX_DEPTH, ex.MAX_DEPTH + 1)


@pytest.mark.parametrize("closed", ["(a)", "a ^ b", "-a", "a ^ -b", "log10(a)"])
def test_each_level_is_left_exactly_once(closed: str) -> None:
    """A group, a power, a sign or a call closed before going deeper gives its level back, one
    level each: deep nesting after it is refused exactly where it would be without it."""
    half = ex.MAX_DEPTH // 2

    def text(inner: int) -> str:
        return "(" * half + f"{closed} + " + "(" * inner + "b" + ")" * inner + ")" * half

    ex.parse(text(half - 1))
    assert _error(text(half)).message == f"the expression nests deeper than {ex.MAX_DEPTH} levels"


def test_nesting_is_counted_down_again() -> None:
    """Levels closed again do not add up: many shallow groups side by side are fine."""
    ex.parse(" + ".join(["(((a)))"] * 30))
    ex.parse(" + ".join(["-a"] * 60))
    ex.parse(" + ".join(["a^-b"] * 60))
    ex.parse(" + ".join(["a ^ b"] * 60))


# --- constants: values that can never be numbers ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "hint", "start", "end"),
    [
        ("ln(0)", "ln(0) is undefined", "the logarithm is defined for positive numbers only", 0, 5),
        ("log(-1)", "log(-1) is undefined", "the logarithm is defined for positive numbers only", 0, 7),
        ("log10(0)", "log10(0) is undefined", "the logarithm is defined for positive numbers only", 0, 8),
        ("sqrt(-4)", "sqrt(-4) is undefined", "the square root is defined for numbers >= 0 only", 0, 8),
        ("exp(1000)", "exp(1000) is undefined", "exp() of this number is too large", 0, 9),
        ("a + 1 / 0", "a division by zero", "divide by a non-zero number", 4, 9),
        ("a + 1 / (2 - 2)", "a division by zero", "divide by a non-zero number", 4, 14),
        ("a ^ 101", "the exponent 101 is out of range", "an exponent may be at most 100 in size", 4, 7),
        ("a ^ -101", "the exponent -101 is out of range", "an exponent may be at most 100 in size", 4, 8),
        ("a ^ 10 ^ 3", "the exponent 1000 is out of range", "an exponent may be at most 100 in size", 4, 10),
        (
            "10 ^ 100 * 1e300",
            "this part's value is too large (inf)",
            "check the numbers and the powers",
            0,
            16,
        ),
        ("a + (-8) ^ 0.5", "this part's value is undefined (nan)", "check the numbers and the powers", 5, 14),
    ],
)
def test_each_constant_error(text: str, message: str, hint: str, start: int, end: int) -> None:
    """A part without names is computed when parsed: a value that is no finite number, a
    division by zero or an exponent out of range is an error at that part."""
    error = _error(text)
    assert error.message == message
    assert error.hint.startswith(hint)
    assert (error.start, error.end) == (start, end)


@pytest.mark.parametrize(
    "text",
    [
        "a ^ 100",
        "a ^ -100",
        "2 ^ 100",
        "a / 0.5",
        "ln(1) + a",
        "sqrt(0) + a",
        "abs(-3) + a",
        "-ln(e) + a",
        "pi * a",
        "a / x",
        "x ^ a",
        "log10(a) / b",
        "1 - -1 + a",
        "exp(709)",
        "a / (x - 1)",
    ],
)
def test_constant_parts_that_are_fine(text: str) -> None:
    """Exponents of size 100, divisors that are names or non-zero, defined functions."""
    ex.parse(text)


def test_constants_are_computed_through_every_operator() -> None:
    """The constant check computes sums, differences, products, quotients, powers, signs and
    calls with their real values (a wrong value would hide or invent an error)."""
    assert _error("a ^ (50 + 51)").message == "the exponent 101 is out of range"
    assert _error("a ^ (202 - 101)").message == "the exponent 101 is out of range"
    assert _error("a ^ (-(-101))").message == "the exponent 101 is out of range"
    assert _error("a ^ (2 * 50.5)").message == "the exponent 101 is out of range"
    assert _error("a ^ (202 / 2)").message == "the exponent 101 is out of range"
    assert _error("a ^ (abs(-101))").message == "the exponent 101 is out of range"
    assert _error("a ^ (sqrt(10201))").message == "the exponent 101 is out of range"
    assert _error("a ^ (pi * 33)").message == "the exponent 103.673 is out of range"
    assert _error("a ^ (e * 40)").message == "the exponent 108.731 is out of range"
    ex.parse("a ^ (2 ^ 6 + 36)")  # 100
    ex.parse("a ^ (x + 1000)")  # a name: not a constant
    ex.parse("a / (x - x)")  # names: no constant to divide by
    assert _error("a + 1 / (3 - 1 - 2)").message == "a division by zero"
    assert _error("a + 1 / (-0)").message == "a division by zero"
    assert _error("a + ln(1 - 1)").message == "ln(0) is undefined"
    ex.parse("ln(x - 1)")


# --- names ------------------------------------------------------------------------------------


def test_names_in_order_without_constants() -> None:
    """names() lists every name the expression uses, left to right, constants left out."""
    found = ex.names(ex.parse("b * pi + ln(a) - -c ^ e + b"))
    assert [n.name for n in found] == ["b", "a", "c", "b"]
    assert ex.names(ex.parse("pi * e")) == []


def test_a_constant_can_be_shadowed_by_a_column() -> None:
    """A column named like a constant wins over the constant when its values are given."""
    assert _value("e + 0") == pytest.approx(math.e)
    assert _value("pi") == pytest.approx(math.pi)
    assert _value("e + 0", e=5.0) == 5.0


# --- inversion --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "x + 2",
        "2 + x",
        "x - 2",
        "2 - x",
        "x * 3",
        "3 * x",
        "x / 4",
        "4 / x",
        "x ^ 3",
        "3 ^ x",
        "-x",
        "log10(x)",
        "ln(x)",
        "log(x)",
        "exp(x)",
        "sqrt(x)",
        "-log10(1 - x / 100)",
        "2 ^ (x / 10) - 1",
    ],
)
def test_inverse_gives_the_value_back(text: str) -> None:
    """Each operator, on either side, and each invertible function is undone by invert()."""
    node = ex.parse(text)
    x = np.array([0.5, 2.0, 7.0])
    y = ex.evaluate(node, {"x": x})
    back = ex.evaluate(ex.invert(node, "x", "y"), {"y": np.broadcast_to(y, x.shape)})
    np.testing.assert_allclose(back, x, rtol=1e-9)


def test_the_inverse_has_its_written_form() -> None:
    """The documented form: -log10(1 - ce / 100) solved for ce."""
    node = ex.parse("-log10(1 - ce / 100)")
    assert ex.unparse(ex.invert(node, "ce", "lce")) == "((1.0 - (10.0 ^ (-lce))) * 100.0)"
    assert ex.unparse(ex.invert(ex.parse("sqrt(x)"), "x", "y")) == "(y ^ 2.0)"
    assert ex.unparse(ex.invert(ex.parse("x ^ 3"), "x", "y")) == "(y ^ (1.0 / 3.0))"
    assert ex.unparse(ex.invert(ex.parse("3 ^ x"), "x", "y")) == "(ln(y) / ln(3.0))"
    assert ex.unparse(ex.invert(ex.parse("exp(x)"), "x", "y")) == "ln(y)"
    assert ex.unparse(ex.invert(ex.parse("ln(x)"), "x", "y")) == "exp(y)"
    assert ex.unparse(ex.invert(ex.parse("x"), "x", "y")) == "y"


def _no_place(op: str, left: ex.Expression, right: ex.Expression | None = None) -> ex.Operation:
    return ex.Operation(op, left, right, 0, 0)


def test_the_inverse_has_no_place_in_any_text() -> None:
    """invert() builds new nodes: every one of them stands at (0, 0), the place of no text."""
    y = ex.Name("y", 0, 0)
    ln = ex.Call("ln", y, 0, 0)
    cases = {
        "log10(x)": _no_place("^", ex.Number(10.0, 0, 0), y),
        "sqrt(x)": _no_place("^", y, ex.Number(2.0, 0, 0)),
        "exp(x)": ln,
        "x ^ 3": _no_place("^", y, _no_place("/", ex.Number(1.0, 0, 0), ex.Number(3.0, 4, 5))),
        "3 ^ x": _no_place("/", ln, ex.Call("ln", ex.Number(3.0, 0, 1), 0, 0)),
        "-x": _no_place("neg", y),
        "x": y,
    }
    for text, expected in cases.items():
        assert ex.invert(ex.parse(text), "x", "y") == expected, text


@pytest.mark.parametrize(
    ("text", "message", "start", "end"),
    [
        ("x * x", "the formula uses 'x' 2 times; it can be inverted only when it uses it once", 0, 5),
        ("a + 1", "the formula uses 'x' 0 times; it can be inverted only when it uses it once", 0, 5),
        ("abs(x) + 1", "abs() cannot be inverted", 0, 6),
    ],
)
def test_what_cannot_be_inverted(text: str, message: str, start: int, end: int) -> None:
    """A formula using the property not exactly once, or through abs(), is refused."""
    with pytest.raises(ex.ExpressionError) as caught:
        ex.invert(ex.parse(text), "x", "y")
    assert caught.value.message == message
    assert (caught.value.start, caught.value.end) == (start, end)
    if "times" in message:
        assert (
            caught.value.hint
            == "write it with the other property once, e.g. `-log10(1 - coulombic-efficiency / 100)`"
        )
    else:
        assert caught.value.hint == "write the formula without it"


def test_a_peel_without_the_property_is_refused() -> None:
    """The peeling step refuses a part that does not hold the property at all."""
    with pytest.raises(ex.ExpressionError) as caught:
        ex._peel(ex.Number(1.0, 0, 0), "x", ex.Name("y", 0, 0))
    assert caught.value.message == "the formula does not depend on the other property"
    assert (caught.value.start, caught.value.end, caught.value.hint) == (0, 0, "name it")


# --- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "dimension"),
    [
        ("%", ()),
        ("wt%", ()),
        ("1", ()),
        ("nm", (("length", 1.0),)),
        ("mV", (("potential", 1.0),)),
        ("furlong", (("unit furlong", 1.0),)),
        ("cycles", ()),
    ],
)
def test_dimension_of_each_kind_of_unit(unit: str, dimension: tuple[tuple[str, float], ...]) -> None:
    """Percentages and plain numbers are dimensionless; an unknown unit is its own dimension."""
    assert ex.dimension_of(unit) == dimension


LENGTH = (("length", 1.0),)
UNITS = {"t": "nm", "u": "um", "v": "mV", "ce": "%", "n": "1", "h": "h"}


@pytest.mark.parametrize(
    ("text", "dimension"),
    [
        ("2", ()),
        ("pi", ()),
        ("t", LENGTH),
        ("-t", LENGTH),
        ("t + u", LENGTH),
        ("t - u", LENGTH),
        ("1 - ce / 100", ()),
        ("t * v", (("length", 1.0), ("potential", 1.0))),
        ("t * t", (("length", 2.0),)),
        ("t * (t * t)", (("length", 3.0),)),
        ("t / (t * t)", (("length", -1.0),)),
        ("t / v", (("length", 1.0), ("potential", -1.0))),
        ("t / u", ()),
        ("v / t", (("length", -1.0), ("potential", 1.0))),
        ("t ^ 2", (("length", 2.0),)),
        ("ce ^ n", ()),
        ("2 ^ ce", ()),
        ("sqrt(t)", (("length", 0.5),)),
        ("sqrt(t * t)", LENGTH),
        ("sqrt(ce)", ()),
        ("abs(t)", LENGTH),
        ("abs(ce)", ()),
        ("log10(ce)", ()),
        ("ln(t / u)", ()),
        ("exp(n)", ()),
    ],
)
def test_each_unit_rule(text: str, dimension: tuple[tuple[str, float], ...]) -> None:
    """Sums keep one dimension, products and quotients combine them, powers multiply them,
    sqrt halves them, abs keeps them, the other functions give a plain number."""
    assert ex.check_units(ex.parse(text), UNITS) == dimension


@pytest.mark.parametrize(
    ("text", "message", "start", "end", "hint"),
    [
        (
            "log10(t)",
            "log10() of a quantity in length: its value would depend on the unit",
            0,
            8,
            "divide by a reference value first, e.g. log10(thickness / 1)",
        ),
        (
            "exp(t * t)",
            "exp() of a quantity in length^2: its value would depend on the unit",
            0,
            10,
            "divide by a reference value first",
        ),
        (
            "ln(t / v)",
            "ln() of a quantity in length potential^-1: its value would depend on the unit",
            0,
            9,
            "divide by a reference value first",
        ),
        (
            "t + ce",
            "'+' joins length and a plain number",
            0,
            6,
            "add or subtract only quantities of one kind",
        ),
        (
            "ce - t",
            "'-' joins a plain number and length",
            0,
            6,
            "add or subtract only quantities of one kind",
        ),
        ("t + v", "'+' joins length and potential", 0, 5, "add or subtract only quantities of one kind"),
        ("2 ^ t", "an exponent in length", 4, 5, "an exponent must be a plain number"),
        (
            "t ^ ce",
            "a quantity with a unit raised to a computed power",
            0,
            6,
            "raise quantities with units only to a written number, e.g. x^2",
        ),
        ("t ^ -1", "a quantity with a unit raised to a computed power", 0, 6, "raise quantities"),
        (
            "t ^ (1 + 1)",
            "a quantity with a unit raised to a computed power",
            0,
            10,
            "raise quantities with units only to a written number",
        ),
    ],
)
def test_each_unit_error(text: str, message: str, start: int, end: int, hint: str) -> None:
    """Each unit mistake is reported with the dimensions it joins, at the part, with a fix."""
    with pytest.raises(ex.ExpressionError) as caught:
        ex.check_units(ex.parse(text), UNITS)
    assert caught.value.message == message
    assert (caught.value.start, caught.value.end) == (start, end)
    assert caught.value.hint.startswith(hint)


# --- evaluation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a + b", 5.0),
        ("a - b", -1.0),
        ("a * b", 6.0),
        ("a / b", 2 / 3),
        ("a ^ b", 8.0),
        ("-a", -2.0),
        ("log10(b)", math.log10(3)),
        ("ln(b)", math.log(3)),
        ("log(b)", math.log(3)),
        ("exp(a)", math.exp(2)),
        ("sqrt(b)", math.sqrt(3)),
        ("abs(-b)", 3.0),
        ("pi * a", 2 * math.pi),
        ("e ^ a", math.e**2),
    ],
)
def test_each_operator_and_function_computes(text: str, expected: float) -> None:
    """Each operator and function computes its own operation (a=2, b=3)."""
    assert _value(text, a=2.0, b=3.0) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "a", "why", "start", "end"),
    [
        ("1 / a", 0.0, "a division by zero", 0, 5),
        ("log10(a)", 0.0, "the logarithm of a number <= 0", 0, 8),
        ("ln(a)", -1.0, "the logarithm of a number <= 0", 0, 5),
        ("log(a)", -1.0, "the logarithm of a number <= 0", 0, 6),
        ("sqrt(a)", -1.0, "the square root of a negative number", 0, 7),
        ("exp(a)", 1000.0, "exp() overflows", 0, 6),
        ("a ^ 0.5", -4.0, "a negative number to a fractional power", 0, 7),
        ("a ^ 99", 1e-10, "a value that vanishes under the power (underflow to 0)", 0, 6),
        ("a ^ 99", 1e10, "a value too large to compute with (overflow)", 0, 6),
        ("a * 1e300", 1e10, "a value too large to compute with (overflow)", 0, 9),
        ("a + 1e308", 1e308, "a value too large to compute with (overflow)", 0, 9),
        ("a - 1e308", -1e308, "a value too large to compute with (overflow)", 0, 9),
        ("2 + 1 / a", 0.0, "a division by zero", 4, 9),
    ],
)
def test_each_undefined_value_is_explained(text: str, a: float, why: str, start: int, end: int) -> None:
    """A record whose inputs are numbers but whose value is not gets NaN and one reason, at
    the part that failed."""
    value, undefined = ex.evaluate_checked(ex.parse(text), {"a": np.array([a, 2.0])})
    assert np.isnan(value[0]) and np.isfinite(value[1])
    assert [(u.why, u.start, u.end) for u in undefined] == [(why, start, end)]
    assert undefined[0].mask.tolist() == [True, False]


def test_only_the_innermost_failure_is_reported() -> None:
    """An outer part failing because an inner one did is not reported again."""
    value, undefined = ex.evaluate_checked(ex.parse("ln(1 / a) + 1"), {"a": np.array([0.0, -1.0, 1.0])})
    assert np.isnan(value[0]) and np.isnan(value[1]) and value[2] == 1.0
    assert [(u.why, u.mask.tolist()) for u in undefined] == [
        ("a division by zero", [True, False, False]),
        ("the logarithm of a number <= 0", [False, True, False]),
    ]


def test_missing_inputs_are_not_explained() -> None:
    """A record with a missing input is NaN without a reason (the caller reports it)."""
    value, undefined = ex.evaluate_checked(
        ex.parse("1 / a + sqrt(b)"), {"a": np.array([np.nan]), "b": np.array([np.nan])}
    )
    assert np.isnan(value[0]) and undefined == []


def test_fine_values_are_not_explained() -> None:
    """Zero to a positive power, a positive base to a fraction, exact zeros are values."""
    value, undefined = ex.evaluate_checked(
        ex.parse("a ^ 2 + b ^ 0.5 + a ^ b + 0 / b"), {"a": np.array([0.0, 1.0]), "b": np.array([4.0, 9.0])}
    )
    assert value.tolist() == [2.0, 5.0] and undefined == []
    value, undefined = ex.evaluate_checked(ex.parse("a ^ -2"), {"a": np.array([1e-200])})
    assert np.isnan(value[0])
    assert [u.why for u in undefined] == ["a value too large to compute with (overflow)"]


def test_a_vanishing_power_needs_a_positive_exponent_and_a_non_zero_base() -> None:
    """0 ^ 2 is 0 and 10 ^ -400 is an underflow of a negative exponent: neither is the
    vanishing power (a base that is not zero raised to a positive power gives 0)."""
    _, undefined = ex.evaluate_checked(
        ex.parse("a ^ b"), {"a": np.array([0.0, 10.0]), "b": np.array([2.0, -400.0])}
    )
    assert undefined == []


def test_a_constant_expression_broadcasts_with_the_mask() -> None:
    """A failure found on a constant part (shape ()) still marks the records."""
    value, undefined = ex.evaluate_checked(ex.parse("a * 0 + 1 / (a - a)"), {"a": np.array([1.0, 2.0])})
    assert np.isnan(value).all()
    assert undefined[0].why == "a division by zero" and undefined[0].mask.tolist() == [True, True]


def test_unparse_of_every_node() -> None:
    """unparse() writes every node fully parenthesised."""
    assert ex.unparse(ex.parse("-a + log10(b) * 2 ^ c")) == "((-a) + (log10(b) * (2.0 ^ c)))"


def test_parsing_and_evaluating_never_warn() -> None:
    """Undefined values are reported by limkb, never as numpy warnings on the console."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for text in ("ln(0)", "a + 1 / 0", "a + (-8) ^ 0.5", "exp(1000)", "10 ^ 100 * 1e300"):
            with pytest.raises(ex.ExpressionError):
                ex.parse(text)
        ex.evaluate_checked(
            ex.parse("1 / a + ln(a) + sqrt(a) + a ^ 0.5 + exp(a * 1000)"), {"a": np.array([0.0, -1.0])}
        )


def test_the_values_are_floats_whatever_the_inputs() -> None:
    """Integer inputs give a float result."""
    value, _ = ex.evaluate_checked(ex.parse("a"), {"a": np.array([1, 2])})
    assert value.dtype == np.float64


def test_zero_to_a_negative_power_is_an_overflow_not_a_fractional_power() -> None:
    """0 ^ -0.5 is infinite: reported as too large, not as a negative base."""
    _, undefined = ex.evaluate_checked(ex.parse("a ^ -0.5"), {"a": np.array([0.0])})
    assert [u.why for u in undefined] == ["a value too large to compute with (overflow)"]
