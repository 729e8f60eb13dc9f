"""The field types entries share: checked scalars, citations, relations, quantities, conditions.

Relation fields are annotated with :class:`Rel` (the kinds they may point at and how they
read backwards); :func:`relation_fields` finds them on a model. Every model here is a
:class:`ClosedModel`: frozen, refusing unknown keys. :mod:`limkb.schema.kinds` builds the entry
kinds from these and re-exports the public names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, get_args

from pydantic import (
    AfterValidator,
    AllowInfNan,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from limkb.schema.ids import SLUG_PATTERN
from limkb.schema.units import PERCENTAGES, UnitError, parse_unit
from limkb.schema.vocab import Compatibility

__all__ = [
    "DOI_PATTERN",
    "ClosedModel",
    "CompatLink",
    "Conditions",
    "Doi",
    "Id",
    "Link",
    "Markdown",
    "Number",
    "Quantity",
    "Rel",
    "Source",
    "Sources",
    "Text",
    "inner_type",
    "relation_fields",
    "unit_bounds",
]


# --- shared scalar types -------------------------------------------------------------------

Id = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=SLUG_PATTERN, max_length=80),
    Field(description="The id of another entry: a lowercase slug such as `lif` or `fec-additive`."),
]
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 control characters other than tab and newline: invisible, they break GraphML and
CSV files and reach terminals as escape sequences (``limkb show``)."""

MAX_BRACKETS = 1_000
"""Most ``[`` one Markdown field may hold (a link takes one)."""
MAX_NESTING = 16
"""Deepest nesting of ``[`` or ``(`` in one Markdown field."""
_BRACKET = re.compile(r"[\[\]()]")

OWN_ERRORS: dict[str, str] = {
    "control-character": "control-character",
    "too-much-markup": "too-much-markup",
    "unknown-unit": "unknown-unit",
    "missing-unit": "bad-value",
}
"""The error types limkb's own field validators raise, and the problem code each is reported
under. Their ``ctx`` carries a ``hint``; the message reads after the field's name and a colon."""


def _no_controls(text: str) -> str:
    found = _CONTROL.search(text)
    if found is not None:
        raise PydanticCustomError(
            "control-character",
            "the invisible control character U+{code} at character {at} is not allowed",
            {
                "code": f"{ord(found.group()):04X}",
                "at": found.start() + 1,
                "hint": "delete it (it often comes from a PDF or an escape such as \\x01 in quotes); "
                "only tabs and line breaks are allowed",
            },
        )
    return text


def _bounded_markup(text: str) -> str:
    """Refuse bracket soup: Markdown engines scan brackets in quadratic time."""
    if text.count("[") > MAX_BRACKETS:
        raise PydanticCustomError(
            "too-much-markup",
            "{count} '[' are more than the {limit} allowed",
            {
                "count": text.count("["),
                "limit": MAX_BRACKETS,
                "hint": "write brackets that are not links as words, or split the text",
            },
        )
    depth = {"[": 0, "(": 0}
    for match in _BRACKET.finditer(text):
        char = match.group()
        if char in depth:
            depth[char] += 1
            if depth[char] > MAX_NESTING:
                raise PydanticCustomError(
                    "too-much-markup",
                    "'{char}' nested more than {limit} deep (at character {at})",
                    {
                        "char": char,
                        "limit": MAX_NESTING,
                        "at": match.start() + 1,
                        "hint": "close the brackets you open; no link or remark nests this deep",
                    },
                )
        else:
            opener = "[" if char == "]" else "("
            depth[opener] = max(depth[opener] - 1, 0)
    return text


Text = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=500), AfterValidator(_no_controls)]
Markdown = Annotated[
    str,
    Strict(),
    StringConstraints(min_length=1, max_length=20_000),
    AfterValidator(_no_controls),
    AfterValidator(_bounded_markup),
]
Number = Annotated[float, Strict(), AllowInfNan(False)]
DOI_PATTERN = r"^10\.\d{4,9}/[^\s]+$"
Doi = Annotated[
    str, Strict(), StringConstraints(pattern=DOI_PATTERN, max_length=300), AfterValidator(_no_controls)
]


def _bare_id_shorthand(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Let the JSON Schema accept a bare id wherever the object form is accepted."""
    full = dict(schema)
    schema.clear()
    schema["anyOf"] = [
        {"type": "string", "pattern": SLUG_PATTERN, "description": "Shorthand: the id alone."},
        full,
    ]


class ClosedModel(BaseModel):
    """A frozen model that refuses keys it does not declare."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


# --- relations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rel:
    """Marks a field as a relation: the kinds it may point at and its inverse reading."""

    targets: tuple[str, ...]
    inverse: str


class Source(ClosedModel):
    """A citation: the reference entry a claim comes from and where in it."""

    model_config = ConfigDict(json_schema_extra=_bare_id_shorthand)

    ref: Id = Field(description="Id of the reference entry (in `kb/references/`).")
    locator: Text | None = Field(
        default=None,
        description='Where in the reference: a section, table, figure or page ("Table 1", "Fig. 2a").',
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"ref": data} if isinstance(data, str) else data


Sources = Annotated[
    list[Source],
    Field(
        description="Where the claims of this entry come from: references with locators.",
    ),
]


class Link(ClosedModel):
    """A relation to another entry, optionally with its own sources and a note."""

    model_config = ConfigDict(json_schema_extra=_bare_id_shorthand)

    id: Id = Field(description="Id of the entry this relation points at.")
    sources: list[Source] = Field(
        default_factory=list, description="Where this particular relation is reported."
    )
    note: Markdown | None = Field(
        default=None, description="A qualifier in our own words (conditions, caveats)."
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"id": data} if isinstance(data, str) else data


class CompatLink(Link):
    """A pairing of two strategies and what the evidence says about combining them."""

    model_config = ConfigDict(json_schema_extra=None)

    evidence: Compatibility = Field(
        description="`compatible` (combined with reported benefit), `conflicting` "
        "(combined with reported harm) or `unknown` (the question is open)."
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return data


_T = TypeVar("_T")


def inner_type(annotation: Any, base: type[_T]) -> type[_T] | None:
    """The first class below ``base`` inside an annotation, looking through ``X | None``,
    ``list[X]`` and ``Annotated[X, ...]`` (``Link`` in ``list[Link] | None``)."""
    if isinstance(annotation, type) and issubclass(annotation, base):
        return annotation
    for arg in get_args(annotation):
        found = inner_type(arg, base)
        if found is not None:
            return found
    return None


def relation_fields(model: type[BaseModel]) -> dict[str, Rel]:
    """The relation fields of a model and their :class:`Rel` annotations."""
    found: dict[str, Rel] = {}
    for name, info in model.model_fields.items():
        for meta in info.metadata:
            if isinstance(meta, Rel):
                found[name] = meta
    return found


# --- quantities ---------------------------------------------------------------------------


_NONNEGATIVE = frozenset(
    {
        "length",
        "conductivity",
        "pressure",
        "resistance",
        "area-resistance",
        "resistivity",
        "areal-capacity",
        "specific-capacity",
        "concentration",
        "molality",
        "temperature",
        "time",
        "count",
        "growth-per-cycle",
        "diffusivity",
        "area-capacitance",
        "density",
    }
)


def unit_bounds(unit: str) -> tuple[float | None, float | None]:
    """The range any value stated in ``unit`` can have, whatever it measures.

    Percentages are 0-100 (the design rule); lengths, times, concentrations, absolute
    temperatures and the like cannot be negative. Signed dimensions (potential, current
    density, energy) and unknown units are unbounded.
    """
    try:
        dimension = parse_unit(unit).dimension
    except UnitError:
        return None, None
    if dimension in PERCENTAGES:
        return 0.0, 100.0
    if dimension in _NONNEGATIVE:
        return 0.0, None
    return None, None


def _bounds_text(low: float | None, high: float | None, unit: str) -> str:
    if high is None:
        return f"cannot be below {low:g} {unit}"
    return f"must lie between {low:g} and {high:g} {unit}"


class Quantity(ClosedModel):
    """A number with its unit."""

    value: Number = Field(description="The number, in `unit`.")
    unit: Text = Field(description="The unit, e.g. `nm`, `mA cm-2`, `%` (see the unit list).")

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        try:
            parse_unit(unit)
        except UnitError as error:
            raise PydanticCustomError(
                "unknown-unit",
                "{what}",
                {
                    "what": str(error),
                    "hint": "use a unit from the unit list (CONTRIBUTING.md), e.g. `nm`, `%`, `mA cm-2`",
                },
            ) from None
        return unit

    @model_validator(mode="after")
    def _in_physical_range(self) -> Quantity:
        low, high = unit_bounds(self.unit)
        if (low is not None and self.value < low) or (high is not None and self.value > high):
            raise PydanticCustomError(
                "out_of_range",
                "{value} {unit} is impossible: a value in {unit} {bounds}",
                {"value": f"{self.value:g}", "unit": self.unit, "bounds": _bounds_text(low, high, self.unit)},
            )
        return self


class Conditions(ClosedModel):
    """The test conditions under which measurements were made."""

    cell: Text | None = Field(default=None, description="Cell type, e.g. `Li||Cu`, `Li||NMC811`.")
    protocol: Text | None = Field(default=None, description="Measurement protocol, e.g. `modified Aurbach`.")
    electrolyte: Text | None = Field(default=None, description="Electrolyte, as in the source.")
    current_density: Quantity | None = Field(default=None, description="Current density.")
    areal_capacity: Quantity | None = Field(default=None, description="Areal capacity cycled.")
    temperature: Quantity | None = Field(default=None, description="Temperature.")
    note: Markdown | None = Field(default=None, description="Other conditions, in our own words.")
