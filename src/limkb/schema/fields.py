"""The field types entries share: checked scalars, citations, relations, quantities, conditions.

Relation fields are annotated with :class:`Rel` (the kinds they may point at and how they
read backwards); :func:`relation_fields` finds them on a model. Every model here is a
:class:`ClosedModel`: frozen, refusing unknown keys. :mod:`limkb.schema.kinds` builds the entry
kinds from these and re-exports the public names.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar, get_args

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
    "FINDING_HOSTS",
    "ArealCapacity",
    "ClosedModel",
    "CompatLink",
    "Component",
    "Conditions",
    "Conventions",
    "CurrentDensity",
    "Density",
    "Doi",
    "Electrolyte",
    "Finding",
    "Id",
    "Link",
    "Markdown",
    "Measured",
    "Number",
    "Quantity",
    "ReadStatus",
    "Rel",
    "Source",
    "Sources",
    "Temperature",
    "Text",
    "electrolyte_text",
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
    "bad-quantity": "bad-value",
    "bad-cell": "bad-value",
    "unnamed-finding": "missing-field",
    "wrong-dimension": "unit-mismatch",
    "bad-iri": "bad-value",
    "bad-filter": "bad-value",
    "bad-cas": "bad-value",
    "bad-smiles": "bad-value",
    "density-statement": "bad-value",
    "missing-temperature": "missing-field",
    "missing-conditions": "missing-field",
    "evidence-target": "bad-value",
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


MATCH_PREFIXES: dict[str, str] = {
    "emmo": "https://w3id.org/emmo#",
    "echem": "https://w3id.org/emmo/domain/electrochemistry#",
    "battery": "https://w3id.org/emmo/domain/battery#",
    "chameo": "https://w3id.org/emmo/domain/characterisation-methodology/chameo#",
    "substance": "https://w3id.org/emmo/domain/chemical-substance#",
}
"""The vocabularies an entry's ``matches`` may name, by the prefix a compact IRI uses."""

_COMPACT_IRI = re.compile(r"^([a-z]+):([A-Za-z][A-Za-z0-9_]*)$")


class Match(ClosedModel):
    """A term of EMMO or its battery domains (BattINFO) that an entry corresponds to, SKOS-style."""

    predicate: Literal["exactMatch", "closeMatch", "broadMatch", "relatedMatch"] = Field(
        description="`exactMatch` (the same concept), `closeMatch` (interchangeable in most uses), "
        "`broadMatch` (the term is broader than the entry), `relatedMatch` (only associated). "
        "When unsure, the weaker one."
    )
    iri: Text = Field(
        description="The term as a compact IRI: `echem:electrochemistry_<uuid>`, `chameo:Spectroscopy` "
        "(prefixes: emmo, echem, battery, chameo, substance)."
    )
    label: Text | None = Field(default=None, description="The term's label in the ontology, as checked.")
    note: Text | None = Field(default=None, description="Why this predicate, in our own words.")

    @field_validator("iri")
    @classmethod
    def _known_prefix(cls, iri: str) -> str:
        found = _COMPACT_IRI.match(iri)
        if found is None or found.group(1) not in MATCH_PREFIXES:
            raise PydanticCustomError(
                "bad-iri",
                "{what}",
                {
                    "what": f"{iri!r} is not a compact IRI of a known vocabulary",
                    "hint": "write prefix:name with a prefix of "
                    + ", ".join(MATCH_PREFIXES)
                    + ", e.g. `chameo:Spectroscopy`",
                },
            )
        return iri


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
    editorial: Text | None = Field(
        default=None,
        description="For a link no source states: why limkb makes it (its own classification "
        "or cross-reference), in our own words. A link has sources, or says why it needs none.",
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


@functools.cache
def relation_fields(model: type[BaseModel]) -> dict[str, Rel]:
    """The relation fields of a model and their :class:`Rel` annotations (do not change the result)."""
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
        "viscosity",
        "specific-energy",
        "energy-density",
        "areal-mass",
        "charge",
        "electrolyte-per-capacity",
        "electrolyte-volume-per-capacity",
    }
)


def unit_bounds(unit: str) -> tuple[float | None, float | None]:
    """The range any value stated in ``unit`` can have, whatever it measures.

    Percentages are 0-100 (the design rule); lengths, times, concentrations, absolute
    temperatures, a cell's energy densities and the like cannot be negative. Signed dimensions (potential, current
    density, energy) and unknown units are unbounded.
    """
    try:
        dimension = parse_unit(unit).dimension
    except UnitError:
        return None, None
    if dimension in PERCENTAGES:
        return 0.0, 100.0
    if dimension == "temperature" and parse_unit(unit).offset:
        return -parse_unit(unit).offset, None  # absolute zero on a shifted scale (°C)
    if dimension in _NONNEGATIVE:
        return 0.0, None
    return None, None


def _refuse_impossible(value: float, unit: str, low: float | None, high: float | None) -> None:
    """Raise ``out_of_range`` when ``value`` (in ``unit``) lies outside ``low``-``high``."""
    if (low is not None and value < low) or (high is not None and value > high):
        raise PydanticCustomError(
            "out_of_range",
            "{value} {unit} is impossible: a value in {unit} {bounds}",
            {"value": f"{value:g}", "unit": unit, "bounds": _bounds_text(low, high, unit)},
        )


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
        _refuse_impossible(self.value, self.unit, low, high)
        return self


_QUANTITY_TEXT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*?)\s*$")


def _quantity_shorthand(data: Any) -> Any:
    """``"0.5 mA cm-2"`` for ``{value: 0.5, unit: mA cm-2}``."""
    if isinstance(data, str):
        found = _QUANTITY_TEXT.match(data)
        if found is None:
            raise PydanticCustomError(
                "bad-quantity",
                "'{text}' is not a number with a unit",
                {
                    "text": data,
                    "hint": "write the number and then its unit, e.g. `0.5 mA cm-2`, or "
                    "`{value: 0.5, unit: mA cm-2}`",
                },
            )
        return {"value": float(found.group(1)), "unit": found.group(2)}
    return data


def _dimension(expected: str, example: str) -> Any:
    """A validator: the quantity's unit must measure ``expected``."""

    def check(quantity: Quantity | None) -> Quantity | None:
        if quantity is None:
            return None
        if parse_unit(quantity.unit).dimension != expected:
            raise PydanticCustomError(
                "wrong-dimension",
                "'{unit}' does not measure {expected}",
                {
                    "unit": quantity.unit,
                    "expected": expected.replace("-", " "),
                    "hint": f"state it in a unit of {expected.replace('-', ' ')}, e.g. `{example}`",
                },
            )
        return quantity

    return AfterValidator(check)


class Measured(Quantity):
    """A quantity that may be written as text, ``"0.5 mA cm-2"``."""

    model_config = ConfigDict(json_schema_extra=None)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return _quantity_shorthand(data)


CurrentDensity = Annotated[Measured, _dimension("current-density", "0.5 mA cm-2")]
ArealCapacity = Annotated[Measured, _dimension("areal-capacity", "1 mAh cm-2")]
Temperature = Annotated[Measured, _dimension("temperature", "25 °C")]


CELLS = ("Li||Cu", "Li||Li", "anode-free", "Li-metal full cell")
_FULL_CELL = re.compile(r"^(Li|Cu)\|\|[A-Za-z0-9][A-Za-z0-9().,\-]*$")


def _cell(text: str) -> str:
    if text in CELLS or _FULL_CELL.match(text):
        return text
    raise PydanticCustomError(
        "bad-cell",
        "'{text}' is not a cell limkb knows",
        {
            "text": text,
            "hint": "write `Li||Cu`, `Li||Li`, `anode-free` or `Li-metal full cell` (with `cathode:`), "
            "or name the electrodes, `Li||NMC811` or `Cu||LFP` (anode-free)",
        },
    )


Cell = Annotated[str, Strict(), StringConstraints(max_length=60), AfterValidator(_cell)]


class Conditions(ClosedModel):
    """The test conditions under which measurements were made (a record's override its dataset's)."""

    cell: Cell | None = Field(
        default=None,
        description="The cell: `Li||Cu`, `Li||Li`, `anode-free` (Cu against a cathode) or "
        "`Li-metal full cell` (Li against a cathode; name it in `cathode`).",
    )
    cathode: Text | None = Field(default=None, description="Cathode material of a full cell, e.g. `NMC811`.")
    protocol: Text | None = Field(
        default=None,
        description="How CE was measured, e.g. `modified Aurbach`, `average over cycles 10-100`, `first cycle`.",
    )
    current_density: CurrentDensity | None = Field(
        default=None, description="Current density, e.g. `0.5 mA cm-2`."
    )
    areal_capacity: ArealCapacity | None = Field(
        default=None, description="Areal capacity cycled, e.g. `1 mAh cm-2`."
    )
    cycles: Annotated[int, Strict()] | None = Field(
        default=None, ge=0, description="Cycle number the value refers to (or cycles averaged over)."
    )
    temperature: Temperature | None = Field(default=None, description="Temperature, e.g. `25 °C`.")
    note: Markdown | None = Field(default=None, description="Other conditions, in our own words.")


ROLES = ("salt", "solvent", "diluent", "additive")
AMOUNT_UNITS = ("M", "mol/kg", "mol ratio", "vol ratio", "wt ratio", "wt%", "vol%", "mol%")


class Component(ClosedModel):
    """One component of an electrolyte written out: a material, its role and amount."""

    material: Annotated[Id, Rel(("material",), "component of")] = Field(description="The material's id.")
    role: Literal["salt", "solvent", "diluent", "additive"] = Field(
        description="What it is in the electrolyte."
    )
    amount: Number | None = Field(default=None, gt=0, description="How much, in `unit`.")
    unit: Literal["M", "mol/kg", "mol ratio", "vol ratio", "wt ratio", "wt%", "vol%", "mol%"] | None = Field(
        default=None, description="The amount's unit: M, mol/kg, mol/vol/wt ratio, wt%, vol% or mol%."
    )


class Conventions(ClosedModel):
    """How a dataset's formulations read what papers leave unsaid, declared once for all of them."""

    ratio: Literal["vol", "wt", "mol"] | None = Field(
        default=None,
        description="The basis of a solvent ratio printed without one, `EC:DMC (1:1)`: `vol`, `wt` or `mol`.",
    )
    percent: Literal["wt", "vol", "mol"] | None = Field(
        default=None,
        description="What a bare `%` is, `+ 2% VC`: a share by weight (`wt`), volume (`vol`) or moles (`mol`).",
    )


Electrolyte = Annotated[
    Annotated[str, Strict(), StringConstraints(min_length=1, max_length=300), AfterValidator(_no_controls)]
    | list[Component],
    Field(
        description='The electrolyte, as papers write it (`"1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC"`, '
        '`"LiFSI-1.2DME-3TTE"`) or as a list of components; see CONTRIBUTING.md.'
    ),
]


def electrolyte_text(written: str | list[Component] | None, *, roles: bool = False) -> str:
    """An electrolyte as one line: the shorthand as written, or its components joined by ``+``
    (with each role when ``roles``)."""
    if written is None:
        return ""
    if isinstance(written, str):
        return written
    parts = []
    for c in written:
        amount = "" if c.amount is None else f"{c.amount:g} {c.unit} " if c.unit else f"{c.amount:g} "
        parts.append(f"{amount}{c.material}" + (f" ({c.role})" if roles else ""))
    return " + ".join(parts)


class Density(Quantity):
    """A material's density, with its source and temperature."""

    model_config = ConfigDict(json_schema_extra=None)

    source: Source = Field(description="Where the density is stated.")
    temperature: Temperature | None = Field(default=None, description="Temperature it was measured at.")


class ReadStatus(ClosedModel):
    """How much of a reference could be read where limkb's content was written."""

    status: Literal["full", "abstract", "none"] = Field(
        description="`full` (the text, or the parts used), `abstract`, or `none` (only the citation)."
    )
    url: Annotated[str, Strict(), StringConstraints(pattern=r"^https?://\S+$", max_length=500)] | None = (
        Field(default=None, description="Where it was read.")
    )
    note: Markdown | None = Field(default=None, description="What was and was not readable.")


FINDING_HOSTS = ("strategy", "material", "species", "property", "technique", "failure-mode")
"""The kinds that hold ``findings:``, and so the kinds a finding may inform."""


class Finding(ClosedModel):
    """A structured claim from a cited paper: a quantity, its value and unit, the conditions and
    the paper with its locator, and a sentence in our own words."""

    id: Id | None = Field(
        default=None,
        description="A slug naming this finding, unique across the KB: needed for a claim to cite it "
        "(`evidence: [{finding: <id>, ...}]`) and shown as its anchor on the entry's page.",
    )
    quantity: Annotated[Id | None, Rel(("property",), "quantity of findings on")] = Field(
        default=None, description="The property measured, when the KB has one for it."
    )
    what: Text | None = Field(
        default=None, description="What was measured, when no property fits (e.g. `coating thickness`)."
    )
    value: Number = Field(description="The value (the lower end of a range).")
    high: Number | None = Field(default=None, description="The upper end of a range.")
    bound: Literal["=", ">", "<", "~"] = Field(
        default="=", description="`>` at least, `<` at most, `~` about."
    )
    unit: Text = Field(description="The unit of `value`.")
    uncertainty: Number | None = Field(
        default=None, ge=0, description="The ± the source gives with the value, in `unit` (e.g. `0.2`)."
    )
    electrolyte: Electrolyte | None = Field(default=None, description="The electrolyte, as a formulation.")
    electrolyte_note: Text | None = Field(
        default=None,
        description='What the source says of the electrolyte when no formulation can be given, e.g. "not stated in the source read".',
    )
    conditions: Conditions | None = Field(default=None, description="Cell, protocol, current density ...")
    source: Source = Field(description="The paper and where in it (`Abstract`, `Fig. 2b`, `Table 1`).")
    statement: Markdown = Field(description="The finding in our own words.")
    informs: Annotated[list[Id], Rel(FINDING_HOSTS, "informed by a finding on")] = Field(
        default_factory=list,
        description="Other entries this finding bears on: it is stored here once and listed on their "
        'pages too ("recorded on ..."), instead of being copied onto each.',
    )

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        return Quantity._known_unit(unit)

    @model_validator(mode="after")
    def _in_physical_range(self) -> Finding:
        low, high = unit_bounds(self.unit)
        if high is not None:
            return self  # a percentage may be a change (a 380 % swelling); a property bounds it
        for value in (self.value, self.high):
            if value is not None:
                _refuse_impossible(value, self.unit, low, None)
        return self

    @model_validator(mode="after")
    def _named(self) -> Finding:
        if self.quantity is None and self.what is None:
            raise PydanticCustomError(
                "unnamed-finding",
                "a finding needs `quantity` (a property id) or `what` (a name)",
                {"hint": "add `quantity: coulombic-efficiency` or `what: coating thickness`"},
            )
        return self
