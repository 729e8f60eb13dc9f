"""The entry kinds of limkb: one pydantic model per kind, the single source of truth.

The JSON Schema in ``schema/``, the scaffolds of ``limkb new``, the reference page of the
entry format and the validator all derive from these classes. Every field carries a
description; closed vocabularies are enums; relations to other entries are fields annotated
with :class:`Rel`, which names the kinds they may point at and how the relation reads
backwards ("forms" / "formed by").

Scalars are strict: a string field given a number, or a number field given text, is an
error rather than a silent conversion; floats must be finite.

The vocabularies live in :mod:`limkb.schema.vocab` and the shared field types (ids, citations,
relations, quantities) in :mod:`limkb.schema.fields`; both are re-exported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

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

from limkb.schema.fields import (
    DOI_PATTERN,
    ClosedModel,
    CompatLink,
    Component,
    Conditions,
    Conventions,
    Doi,
    Electrolyte,
    Finding,
    Id,
    Link,
    Markdown,
    Match,
    Measured,
    Number,
    Quantity,
    ReadStatus,
    Rel,
    Source,
    Sources,
    Text,
    _no_controls,
    relation_fields,
    unit_bounds,
)
from limkb.schema.filters import Bounds, ValueFilter, read_value_filter
from limkb.schema.materials import Cas, MaterialDensity, MaterialProperty, Smiles
from limkb.schema.units import convert
from limkb.schema.vocab import (
    ColumnType,
    Compatibility,
    Desired,
    EvidenceWeight,
    FailureCategory,
    Family,
    GroupBy,
    Interface,
    MaterialRole,
    Method,
    QuestionStatus,
    ReferenceType,
    Scope,
    SpeciesClass,
    Stance,
    TechniqueCategory,
    Theme,
)

__all__ = [
    "DOI_PATTERN",
    "FOLDERS",
    "KINDS",
    "Analysis",
    "Claim",
    "Column",
    "ColumnType",
    "CompatLink",
    "Compatibility",
    "Conditions",
    "Dataset",
    "Definition",
    "Desired",
    "Entry",
    "Evidence",
    "EvidenceGap",
    "EvidenceWeight",
    "FailureCategory",
    "FailureMode",
    "Family",
    "Filters",
    "Finding",
    "GroupBy",
    "Id",
    "Interface",
    "Link",
    "Material",
    "MaterialRole",
    "Mechanism",
    "Method",
    "Property",
    "Quantity",
    "Question",
    "QuestionStatus",
    "Range",
    "ReadStatus",
    "Record",
    "Reference",
    "ReferenceType",
    "Rel",
    "Reported",
    "Scope",
    "Source",
    "Species",
    "SpeciesClass",
    "Stance",
    "Strategy",
    "Technique",
    "TechniqueCategory",
    "Theme",
    "content_digest",
    "relation_fields",
    "unit_bounds",
]


# --- entries ------------------------------------------------------------------------------

Findings = Annotated[
    list[Finding],
    Field(description="Structured claims from cited papers: quantity, value, unit, conditions, source."),
]
"""The ``findings`` of the kinds that carry them."""
Discusses = Annotated[
    list[Id],
    Rel(("analysis",), "discussed by"),
    Field(
        description="Analyses this entry discusses: their recomputed statistics are shown here (never type r in prose)."
    ),
]
"""The ``analyses`` an entry discusses."""


class Entry(ClosedModel):
    """What every entry has: its id (the file stem), a name, prose and sources."""

    kind: ClassVar[str]
    folder: ClassVar[str]

    id: Id = Field(description="The entry's id: its file name without `.yaml` (set by limkb).")
    name: Text = Field(description="Human-readable name, as readers should see it.")
    aliases: list[Text] = Field(
        default_factory=list,
        description="Other names, abbreviations and spellings that should find this entry.",
    )
    summary: Markdown | None = Field(
        default=None,
        description="What this is and why it matters, in Markdown, in our own words.",
    )
    sources: Sources = Field(min_length=1)
    matches: list[Match] = Field(
        default_factory=list,
        description="Terms of EMMO and its battery domains (BattINFO) this entry corresponds to; "
        "the JSON-LD export writes them as SKOS matches.",
    )

    @property
    def label(self) -> str:
        """The name shown to readers."""
        return self.name


class Reference(Entry):
    """A publication that claims cite."""

    kind: ClassVar[str] = "reference"
    folder: ClassVar[str] = "references"

    name: Text | None = Field(  # type: ignore[assignment]
        default=None, description="Short label; defaults to 'First author et al. (year)'."
    )
    sources: list[Source] = Field(default_factory=list, description="Not used for references; leave out.")
    type: ReferenceType = Field(default=ReferenceType.ARTICLE, description="Kind of publication.")
    title: Text = Field(description="Title as published.")
    authors: list[Text] = Field(
        default_factory=list,
        description='Authors in order, each as "Family, Given initials". Leave empty only when no '
        "text read shows them, and say so in `note`.",
    )
    journal: Text | None = Field(default=None, description="Journal (abbreviated) or publisher.")
    year: Annotated[int, Strict(), Field(ge=1800, le=2100)] = Field(description="Year of publication.")
    volume: Text | None = Field(default=None, description="Volume, as text (quote it).")
    issue: Text | None = Field(default=None, description="Issue number, as text (quote it).")
    pages: Text | None = Field(default=None, description="Pages or article number (quote it).")
    doi: Doi | None = Field(default=None, description="DOI without the https://doi.org/ prefix.")
    doi_printed: Text | None = Field(
        default=None,
        description="The DOI as printed in the citing work, when it was mistyped and corrected.",
    )
    url: Annotated[str, Strict(), StringConstraints(pattern=r"^https://\S+$")] | None = Field(
        default=None, description="A stable https URL when there is no DOI."
    )
    note: Markdown | None = Field(default=None, description="Remarks, e.g. a corrected DOI.")
    read: ReadStatus | None = Field(
        default=None, description="How much of it could be read for this KB: full text, abstract or none."
    )
    cited_in: Annotated[list[Source], Rel(("reference",), "cites")] = Field(
        default_factory=list,
        description='Works in this KB that cite this one, with the citation number ("ref. 46").',
    )

    @property
    def label(self) -> str:
        """'Li et al. (2018)' unless a name was given."""
        if self.name:
            return self.name
        if not self.authors:
            words = self.title.split()
            return " ".join(words[:4]) + (" …" if len(words) > 4 else "") + f" ({self.year})"
        family = self.authors[0].split(",")[0].strip()
        if len(self.authors) == 1:
            who = family
        elif len(self.authors) == 2:
            who = f"{family} and {self.authors[1].split(',')[0].strip()}"
        else:
            who = f"{family} et al."
        return f"{who} ({self.year})"


class EvidenceGap(ClosedModel):
    """Why a strategy records no findings, and how that was established: its page says so in
    place of a bare "none recorded"."""

    reason: Literal["umbrella", "nothing-readable"] = Field(
        description="umbrella: a broad entry whose evidence sits on its narrower strategies; "
        "nothing-readable: its papers were searched for and none could be read here."
    )
    searched: Text = Field(
        description="Where and how the papers were searched for (the queries, the sites), so a "
        "reader can repeat or extend the search."
    )
    children: Annotated[list[Id], Field(max_length=50)] = Field(
        default_factory=list,
        description="For an umbrella: the strategies whose pages hold the evidence "
        "(default: its direct subtypes).",
    )


class Strategy(Entry):
    """An interfacial-engineering approach; strategies form a tree through `subtype_of`."""

    kind: ClassVar[str] = "strategy"
    folder: ClassVar[str] = "strategies"

    family: Family = Field(description="Which of the three families this belongs to.")
    interface: Interface = Field(description="The interface it engineers.")
    subtype_of: Annotated[Id | None, Rel(("strategy",), "has subtype")] = Field(
        default=None, description="The broader strategy this is a kind of (none for a family root)."
    )
    uses: Annotated[list[Link], Rel(("material",), "used by")] = Field(
        default_factory=list, description="Materials this strategy uses."
    )
    made_by: Annotated[list[Link], Rel(("strategy",), "makes")] = Field(
        default_factory=list, description="Synthesis routes (strategies) that make it."
    )
    works_via: Annotated[list[Link], Rel(("mechanism",), "mechanism of")] = Field(
        default_factory=list, description="Mechanisms by which it acts."
    )
    forms: Annotated[list[Link], Rel(("species",), "formed by")] = Field(
        default_factory=list, description="Interphase species it forms."
    )
    improves: Annotated[list[Link], Rel(("property",), "improved by")] = Field(
        default_factory=list, description="Descriptors or performance metrics it improves."
    )
    measured: Annotated[list[Link], Rel(("property",), "measured for")] = Field(
        default_factory=list,
        description="SEI or interface descriptors that have been measured for it (coverage).",
    )
    characterised_by: Annotated[list[Link], Rel(("technique",), "characterises")] = Field(
        default_factory=list, description="Techniques used to study it."
    )
    fails_by: Annotated[list[Link], Rel(("failure-mode",), "threatens")] = Field(
        default_factory=list, description="Failure modes that threaten it."
    )
    mitigates: Annotated[list[Link], Rel(("failure-mode",), "mitigated by")] = Field(
        default_factory=list, description="Failure modes it counters."
    )
    combines_with: Annotated[list[CompatLink], Rel(("strategy",), "combines with")] = Field(
        default_factory=list,
        description="Other strategies it has been (or could be) combined with, and the evidence.",
    )
    findings: Findings = Field(default_factory=list)
    evidence_gap: EvidenceGap | None = Field(
        default=None,
        description="Why this strategy has no findings (umbrella entry, nothing readable found) "
        "and how its papers were searched; only while it has none.",
    )
    analyses: Discusses = Field(default_factory=list)


class Material(Entry):
    """A chemical or material: an additive, salt, solvent, coating, host ...

    A molecular material carries its ``smiles``; formula, molar mass, InChIKey and drawing are
    computed from it (the checks refuse a ``formula`` that disagrees). Its density and other
    physical properties carry a unit and a source each (see :mod:`limkb.schema.materials`).
    """

    kind: ClassVar[str] = "material"
    folder: ClassVar[str] = "materials"

    formula: Text | None = Field(
        default=None, description="Formula in plain ASCII (`LiNO3`); Unicode forms are aliases."
    )
    smiles: Smiles | None = Field(
        default=None,
        description="SMILES of a molecular material (salts as dot-disconnected ions: "
        "`[Li+].F[P-](F)(F)(F)(F)F`); formula, molar mass, InChIKey and drawing are computed from it.",
    )
    cas: Cas | None = Field(
        default=None, description="CAS registry number, e.g. `110-71-4` (check digit verified)."
    )
    pubchem: Annotated[int, Strict(), Field(gt=0)] | None = Field(
        default=None, description="PubChem compound id (CID) of the same compound."
    )
    identifiers_source: Source | None = Field(
        default=None,
        description="Where the SMILES, formula and CAS number come from: a maintained identifier table "
        "(e.g. `chemicals`' PubChem-derived one) or a paper that gives the structure.",
    )
    roles: list[MaterialRole] = Field(min_length=1, description="What it does in a cell.")
    density: MaterialDensity | None = Field(
        default=None,
        description="Density of the pure material with its source, e.g. `{value: 0.868, unit: g/cm3, "
        "temperature: 25 °C, source: {ref: ..., locator: ...}}`, or `{status: not found, note: ...}`; "
        "descriptors of formulations given in M or by volume need it.",
    )
    properties: list[MaterialProperty] = Field(
        default_factory=list,
        description="Physical properties of the pure material (dielectric constant, viscosity, melting, "
        "boiling and flash point ...), each with its unit, temperature and source.",
    )
    decomposes_to: Annotated[list[Link], Rel(("species",), "decomposition product of")] = Field(
        default_factory=list, description="Interphase species it turns into on lithium."
    )
    findings: Findings = Field(default_factory=list)

    @property
    def grams_per_cm3(self) -> float | None:
        """The density in g/cm3, or None when none is given (or it was not found)."""
        density = self.density
        if density is None or density.value is None or density.unit is None:
            return None
        return convert(density.value, density.unit, "g/cm3")


class Mechanism(Entry):
    """How a strategy acts on the lithium interface."""

    kind: ClassVar[str] = "mechanism"
    folder: ClassVar[str] = "mechanisms"

    involves: Annotated[list[Link], Rel(("species", "material"), "involved in")] = Field(
        default_factory=list, description="Species or materials the mechanism involves."
    )
    affects: Annotated[list[Link], Rel(("property",), "affected by")] = Field(
        default_factory=list, description="Descriptors the mechanism changes."
    )


class Species(Entry):
    """A species found in an interphase (LiF, Li2O, Li3N, organics ...)."""

    kind: ClassVar[str] = "species"
    folder: ClassVar[str] = "species"

    formula: Text | None = Field(default=None, description="Formula in plain ASCII (`Li2CO3`).")
    species_class: SpeciesClass = Field(description="Broad chemical class.")
    confers: Annotated[list[Link], Rel(("property",), "conferred by")] = Field(
        default_factory=list, description="Properties this species gives an interphase."
    )
    findings: Findings = Field(default_factory=list)
    analyses: Discusses = Field(default_factory=list)


class Range(ClosedModel):
    """The span a reported value of a property plausibly takes, in the property's unit.

    Narrower than ``minimum``/``maximum`` (what is possible at all): a value outside it is far
    more likely another quantity or a wrong unit than a finding, so it is refused.
    """

    min: Number | None = Field(default=None, description="Smallest plausible reported value.")
    max: Number | None = Field(default=None, description="Largest plausible reported value.")
    note: Text | None = Field(
        default=None, description="Why values outside are implausible (shown with the error)."
    )


class Definition(ClosedModel):
    """How a derived property is computed from another one, as its source defines it."""

    expression: Text = Field(
        description="A formula over exactly one other property id, in the grammar of analyses "
        "(`-log10(1 - coulombic-efficiency / 100)`); limkb inverts it to compute the other way."
    )
    source: Source = Field(description="Where this definition is stated.")


class Property(Entry):
    """A descriptor of an SEI, a layer or a cell, with its unit."""

    kind: ClassVar[str] = "property"
    folder: ClassVar[str] = "properties"

    unit: Text = Field(description="The canonical unit values are stated in (`%`, `nm`, `1` ...).")
    symbol: Text | None = Field(default=None, description="Usual symbol, e.g. `CE`, `σ`.")
    scope: Scope = Field(description="What the property describes.")
    desired: Desired = Field(description="Which way it should go for a stable interface.")
    minimum: Number | None = Field(default=None, description="Smallest possible value, in `unit`.")
    maximum: Number | None = Field(default=None, description="Largest possible value, in `unit`.")
    range: Range | None = Field(
        default=None,
        description="Plausible span of a reported value, in `unit` (`{min: 10, max: 100}`): "
        "values outside are refused by import-table and validate as likely mistakes.",
    )
    defined_as: Definition | None = Field(
        default=None,
        description="For a property derived from another (LCE from CE): its formula and source. "
        "A dataset stores one of the two as reported; the other is computed, never typed twice.",
    )

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        return Quantity._known_unit(unit)

    findings: Findings = Field(default_factory=list)
    analyses: Discusses = Field(default_factory=list)


class Technique(Entry):
    """A characterisation method and what it measures."""

    kind: ClassVar[str] = "technique"
    folder: ClassVar[str] = "techniques"

    abbreviation: Text | None = Field(default=None, description="Usual abbreviation, e.g. `XPS`.")
    category: TechniqueCategory = Field(description="Broad family of method.")
    measures: Annotated[list[Link], Rel(("property",), "measured by")] = Field(
        default_factory=list, description="Properties it can measure."
    )
    findings: Findings = Field(default_factory=list)


class FailureMode(Entry):
    """A way an approach or a lithium interface fails."""

    kind: ClassVar[str] = "failure-mode"
    folder: ClassVar[str] = "failure-modes"

    category: FailureCategory = Field(description="Broad nature of the failure.")
    interface: Interface | None = Field(default=None, description="The interface where it occurs.")
    caused_by: Annotated[list[Link], Rel(("mechanism", "failure-mode"), "causes")] = Field(
        default_factory=list, description="Mechanisms or other failures that lead to it."
    )
    detected_by: Annotated[list[Link], Rel(("technique",), "detects")] = Field(
        default_factory=list, description="Techniques that can reveal it."
    )
    findings: Findings = Field(default_factory=list)


class Question(Entry):
    """An open question of the field: the research agenda."""

    kind: ClassVar[str] = "question"
    folder: ClassVar[str] = "questions"

    text: Markdown = Field(description="The question itself, in our own words, ending with '?'.")
    status: QuestionStatus = Field(description="How far it has been answered.")
    theme: Theme = Field(description="The kind of knowledge it asks for.")
    interface: Interface | None = Field(
        default=None, description="The interface it concerns (none when it spans both)."
    )
    family: Family | None = Field(
        default=None, description="The family it concerns (none when it spans families)."
    )
    about: Annotated[
        list[Link],
        Rel(
            ("strategy", "property", "species", "material", "mechanism", "failure-mode"),
            "questioned by",
        ),
    ] = Field(min_length=1, description="The entries the question is about.")
    answerable_by: Annotated[list[Link], Rel(("technique",), "could answer")] = Field(
        default_factory=list, description="Techniques that could answer it."
    )
    approach: Markdown | None = Field(
        default=None, description="An experiment or analysis that could answer it."
    )
    missing: Markdown | None = Field(
        default=None, description="The data still missing to answer it, in our own words."
    )
    analyses: Discusses = Field(default_factory=list)


COLUMN_NAME = r"^[a-z][a-z0-9_]*$"


class Column(ClosedModel):
    """A column of a dataset: its name, the property it holds and the unit."""

    name: Annotated[str, Strict(), StringConstraints(pattern=COLUMN_NAME, max_length=40)] = Field(
        description="Column name used as the key in records (`ce`, `f_pct`)."
    )
    property: Annotated[Id | None, Rel(("property",), "column of")] = Field(
        default=None, description="The property this column holds (none for labels)."
    )
    unit: Text | None = Field(default=None, description="Unit of the values (required for numbers).")
    type: ColumnType = Field(default=ColumnType.NUMBER, description="Value type.")
    description: Markdown | None = Field(default=None, description="What the column holds.")

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str | None) -> str | None:
        return None if unit is None else Quantity._known_unit(unit)

    @model_validator(mode="after")
    def _number_has_unit(self) -> Column:
        if self.type != ColumnType.TEXT and self.unit is None:
            raise PydanticCustomError(
                "missing-unit",
                "numeric column '{name}' needs a unit (use '1' for a dimensionless value)",
                {
                    "name": self.name,
                    "hint": 'add `unit:` with the unit of the values, e.g. `unit: "%"` or `unit: nm`',
                },
            )
        return self


CellValue = Annotated[float, Strict(), AllowInfNan(False)] | Annotated[int, Strict()] | Text | None


class Record(BaseModel):
    """One row of a dataset: column values plus the row's own source and conditions."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, CellValue] = Field(init=False)

    label: Text = Field(description="How the row is named on plots, e.g. the electrolyte.")
    source: Source | None = Field(
        default=None, description="Original source of this row, when not the dataset's."
    )
    conditions: Conditions | None = Field(
        default=None, description="Conditions that differ from the dataset's."
    )
    electrolyte: Electrolyte | None = Field(
        default=None, description="The electrolyte of this row, when not the dataset's."
    )
    strategies: Annotated[list[Id], Rel(("strategy",), "exemplified by records of")] = Field(
        default_factory=list, description="Strategies this row is an example of."
    )
    note: Markdown | None = Field(default=None, description="Remarks on this row.")

    @property
    def values(self) -> dict[str, float | int | str | None]:
        """The column values of this row."""
        return dict(self.__pydantic_extra__ or {})

    def identity(self, own: str | None) -> tuple[str, str | None]:
        """What makes this row one measurement in its dataset (``own``: the reference of the
        dataset's first source): see :func:`record_identity`."""
        return record_identity(self.label, self.source.ref if self.source else None, own=own)


def record_identity(label: str, ref: str | None, *, own: str | None = None) -> tuple[str, str | None]:
    """A row's label (case and spacing aside) and the reference it comes from.

    Two rows of one dataset with the same identity are the same measurement recorded twice,
    as a CSV imported twice would leave them. ``own`` is the dataset's first source, which a
    record without a source of its own comes from: citing it is citing none (``None``).
    """
    return " ".join(label.split()).casefold(), None if ref is not None and ref == own else ref


class Dataset(Entry):
    """A table of measurements, its columns typed by property and unit."""

    kind: ClassVar[str] = "dataset"
    folder: ClassVar[str] = "datasets"

    columns: list[Column] = Field(min_length=1, description="The columns, in display order.")
    records: list[Record] = Field(default_factory=list, description="The rows.")
    conditions: Conditions | None = Field(default=None, description="Conditions common to every row.")
    electrolyte: Electrolyte | None = Field(
        default=None, description="The electrolyte of every row that does not name its own."
    )
    conventions: Conventions | None = Field(
        default=None,
        description="How this dataset's formulations read a ratio without its basis and a bare `%`, "
        "declared once: `{ratio: vol, percent: wt}`; undeclared, either is an error.",
    )
    composition: list[list[Annotated[str, Strict()]]] = Field(
        default_factory=list,
        description="Groups of percentage columns that are parts of one whole: "
        "each row's sum over a group must not exceed 100.",
    )
    about: Annotated[list[Link], Rel(("strategy",), "measured in")] = Field(
        default_factory=list, description="Strategies these measurements concern."
    )


class Reported(ClosedModel):
    """The value a paper reported for an analysis, to compare with ours."""

    value: Number = Field(description="The reported coefficient.")
    ref: Id = Field(description="The reference that reported it.")
    locator: Text | None = Field(default=None, description='Where ("Fig. 1c").')


class Filters(BaseModel):
    """Which records an analysis keeps: by their conditions and by the values of variables.

    The fields are conditions; any other key names a variable (a column, a property id or a
    descriptor) with a value filter: ``ce: ">= 90"``, ``frac_o_solvent: "0.05..0.2"`` (see
    :mod:`limkb.schema.filters`). A record is kept when every stated filter matches.
    """

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, ValueFilter] = Field(init=False)

    cell: Text | None = Field(default=None, description="Keep records with this cell, e.g. `Li||Cu`.")
    protocol: Text | None = Field(default=None, description="Keep records with this protocol.")
    current_density: Measured | None = Field(
        default=None, description="Keep records measured at this current density."
    )
    areal_capacity: Measured | None = Field(
        default=None, description="Keep records cycled at this areal capacity."
    )
    temperature: Measured | None = Field(
        default=None, description="Keep records measured at this temperature."
    )
    cycles: ValueFilter | None = Field(
        default=None,
        description="Keep records whose cycle number passes this filter: `100`, `>= 50`, `10..100`.",
    )
    source: Id | None = Field(default=None, description="Keep records from this reference.")

    @property
    def values(self) -> dict[str, Bounds]:
        """The value filters, by variable name, read into bounds."""
        return {name: read_value_filter(v) for name, v in (self.__pydantic_extra__ or {}).items()}


class Analysis(Entry):
    """A declared correlation between two variables of dataset records, recomputed at every build."""

    kind: ClassVar[str] = "analysis"
    folder: ClassVar[str] = "analyses"

    x: Annotated[
        str, Strict(), StringConstraints(min_length=1, max_length=500), AfterValidator(_no_controls)
    ] = Field(
        description="Explanatory variable: a column (`ce`, or `dataset-id.ce`), a property id, a "
        "descriptor (`frac_f`), or an expression over them (`-log10(1 - ce / 100)`)."
    )
    y: Annotated[
        str, Strict(), StringConstraints(min_length=1, max_length=500), AfterValidator(_no_controls)
    ] = Field(description="Response variable, same forms as `x`.")
    x_label: Text | None = Field(default=None, description="How readers name x on plots (e.g. `C/F`).")
    y_label: Text | None = Field(default=None, description="How readers name y on plots (e.g. `LCE`).")
    datasets: Annotated[list[Id] | None, Rel(("dataset",), "analysed by")] = Field(
        default=None,
        description="Datasets to pool; by default every dataset in which both variables resolve.",
    )
    where: Filters | None = Field(
        default=None,
        description="Keep only records whose conditions match (`cell: Li||Cu`) and whose values pass "
        'a filter (`ce: ">= 90"`, `frac_o_solvent: "0.05..0.2"`).',
    )
    by: GroupBy | None = Field(
        default=None,
        description="Also compute a result per group: `source`, `dataset`, `cell` or `protocol`.",
    )
    method: Method = Field(default=Method.PEARSON, description="Coefficient compared with `reported`.")
    reported: Reported | None = Field(
        default=None, description="The value a paper reported for this correlation."
    )
    compares: Annotated[Id | None, Rel(("analysis",), "compared in")] = Field(
        default=None, description="Another analysis this one is a variant of (shown side by side)."
    )

    @staticmethod
    def terms(expression: str) -> tuple[str, ...]:
        """The names an expression uses that can only be property ids (they hold a hyphen and no dot)."""
        return tuple(
            dict.fromkeys(
                t
                for t in _NAME.findall(expression)
                if "-" in t and "." not in t and not _MINUS_NUMBER.search(t)
            )
        )


class Evidence(ClosedModel):
    """One piece of evidence weighed for a claim: a finding (by its id) or an analysis, with
    the stance it takes, how directly it bears on the claim, and why, in our own words."""

    finding: Id | None = Field(
        default=None, description="The `id` of a finding stored in the KB (on any entry)."
    )
    analysis: Annotated[Id | None, Rel(("analysis",), "weighed in claim")] = Field(
        default=None, description="An analysis entry whose recomputed result bears on the claim."
    )
    stance: Stance = Field(
        description="`supports` (the evidence agrees), `contradicts` (it goes against the claim) or "
        "`qualifies` (it holds only under a condition, or fails under one)."
    )
    grade: EvidenceWeight = Field(
        description="How directly the evidence bears on the claim: `strong` (tests it directly, with a "
        "control), `moderate` (consistent, but other causes are not ruled out) or `weak` (indirect)."
    )
    reason: Text = Field(description="One line, in our own words: why this evidence takes this stance.")

    @model_validator(mode="after")
    def _one_target(self) -> Evidence:
        if (self.finding is None) == (self.analysis is None):
            raise PydanticCustomError(
                "evidence-target",
                "an evidence item names a `finding` or an `analysis`, exactly one of them",
                {"hint": "write `finding: <finding id>` or `analysis: <analysis id>`, not both"},
            )
        return self


class Claim(Entry):
    """A claim the field argues about, weighed: where it is asserted, and the findings and
    analyses that support, contradict or qualify it."""

    kind: ClassVar[str] = "claim"
    folder: ClassVar[str] = "claims"

    proposition: Text = Field(description="The claim as one sentence, e.g. `A LiF-rich SEI raises CE`.")
    sources: Sources = Field(
        min_length=1, description="Where the claim is asserted (the review, with its locator)."
    )
    about: Annotated[
        list[Id], Rel(("strategy", "species", "mechanism", "property", "material"), "subject of claim")
    ] = Field(default_factory=list, description="Entries the claim is about (shown on their pages).")
    evidence: list[Evidence] = Field(
        default_factory=list,
        description="Findings and analyses weighed for the claim, each with its stance, grade and reason "
        "(none yet: the page says it is not weighed).",
    )
    still_missing: Markdown | None = Field(
        default=None,
        description="What evidence is still lacking (e.g. no contrary finding in the KB yet), and how it was looked for.",
    )


_MINUS_NUMBER = re.compile(r"-\d+$")
"""``ce-1``: a subtraction written without blanks, not a property id."""
_NAME = re.compile(r"(?<![\w.\-])[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?:\.[A-Za-z_][A-Za-z0-9_]*)?")


KINDS: dict[str, type[Entry]] = {
    model.kind: model
    for model in (
        Reference,
        Strategy,
        Material,
        Mechanism,
        Species,
        Property,
        Technique,
        FailureMode,
        Question,
        Dataset,
        Analysis,
        Claim,
    )
}
"""Entry kinds by name (``"failure-mode"``)."""

FOLDERS: dict[str, type[Entry]] = {model.folder: model for model in KINDS.values()}
"""Entry kinds by their folder under ``kb/`` (``"failure-modes"``)."""


# --- walking relations --------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRef:
    """One relation of one entry, as found by :func:`iter_links`."""

    relation: str
    rel: Rel
    target: str
    loc: tuple[str | int, ...]
    sources: tuple[Source, ...] = ()
    note: str | None = None
    evidence: str | None = None
    editorial: str | None = None
    """Why the link needs no source (``editorial:`` on the link), if it says."""


_RELATIONS: dict[type[BaseModel], dict[str, Rel]] = {}


def _relations_of(model: type[BaseModel]) -> dict[str, Rel]:
    found = _RELATIONS.get(model)
    if found is None:
        found = _RELATIONS[model] = relation_fields(model)
    return found


_ANALYSIS_VARIABLE = Rel(("property",), "variable of")
_REPORTED_BY = Rel(("reference",), "reports value of")


def iter_links(entry: Entry) -> list[LinkRef]:
    """Every relation an entry states, with the location of the target id in its file.

    Besides the relation fields this includes the property of each dataset column and the
    properties named in an analysis's ``x`` and ``y``. Citations (``sources``) are not
    relations; see :func:`iter_sources`.
    """
    found: list[LinkRef] = []
    for name, rel in _relations_of(type(entry)).items():
        value = getattr(entry, name, None)
        if value is None:
            continue
        if isinstance(value, str):
            found.append(LinkRef(name, rel, value, (name,)))
            continue
        for i, item in enumerate(value):
            if isinstance(item, str):
                found.append(LinkRef(name, rel, item, (name, i)))
            elif isinstance(item, Source):
                found.append(LinkRef(name, rel, item.ref, (name, i, "ref"), (item,), item.locator))
            else:
                evidence = str(item.evidence) if isinstance(item, CompatLink) else None
                found.append(
                    LinkRef(
                        name,
                        rel,
                        item.id,
                        (name, i, "id"),
                        tuple(item.sources),
                        item.note,
                        evidence,
                        getattr(item, "editorial", None),
                    )
                )
    finding_rels = relation_fields(Finding)
    for i, finding in enumerate(getattr(entry, "findings", None) or []):
        if finding.quantity:
            found.append(
                LinkRef(
                    "finding_about", finding_rels["quantity"], finding.quantity, ("findings", i, "quantity")
                )
            )
        for j, informed in enumerate(finding.informs):
            # the finding's own source states what it bears on
            found.append(
                LinkRef(
                    "informs",
                    finding_rels["informs"],
                    informed,
                    ("findings", i, "informs", j),
                    (finding.source,),
                )
            )
    if isinstance(entry, Dataset):
        column_rel = relation_fields(Column)["property"]
        for i, column in enumerate(getattr(entry, "columns", None) or []):
            if column.property:
                found.append(LinkRef("column_of", column_rel, column.property, ("columns", i, "property")))
        record_rel = relation_fields(Record)["strategies"]
        component_rel = relation_fields(Component)["material"]
        electrolytes: list[tuple[tuple[str | int, ...], Any]] = [
            (("electrolyte",), getattr(entry, "electrolyte", None))
        ]
        for r, record in enumerate(getattr(entry, "records", None) or []):
            # a record names the strategy its numbers come from: the record's source says so
            said_by = (record.source,) if record.source is not None else ()
            for j, strategy in enumerate(record.strategies):
                found.append(
                    LinkRef("exemplifies", record_rel, strategy, ("records", r, "strategies", j), said_by)
                )
            electrolytes.append((("records", r, "electrolyte"), record.electrolyte))
        for loc, written in electrolytes:
            if isinstance(written, list):
                for j, component in enumerate(written):
                    found.append(
                        LinkRef("component", component_rel, component.material, (*loc, j, "material"))
                    )
    if isinstance(entry, Claim):
        evidence_rel = relation_fields(Evidence)["analysis"]
        for i, item in enumerate(entry.evidence):
            if item.analysis is not None:
                found.append(LinkRef("evidence", evidence_rel, item.analysis, ("evidence", i, "analysis")))
    if isinstance(entry, Analysis):
        for axis in ("x", "y"):
            for term in Analysis.terms(getattr(entry, axis, None) or ""):
                found.append(LinkRef(f"{axis}_variable", _ANALYSIS_VARIABLE, term, (axis,)))
    return found


def iter_sources(
    entry: Entry, links: list[LinkRef] | None = None
) -> list[tuple[tuple[str | int, ...], Source]]:
    """Every citation in an entry, with its location: entry, relation and record sources.

    ``links`` is :func:`iter_links` of ``entry`` when the caller has it already."""
    found: list[tuple[tuple[str | int, ...], Source]] = [
        (("sources", i), source) for i, source in enumerate(getattr(entry, "sources", None) or [])
    ]
    for link in iter_links(entry) if links is None else links:
        if link.relation == "cited_in":
            continue
        base = link.loc[:-1]
        found.extend(((*base, "sources", j), s) for j, s in enumerate(link.sources))
    for i, finding in enumerate(getattr(entry, "findings", None) or []):
        found.append((("findings", i, "source"), finding.source))
    if isinstance(entry, Dataset):
        for i, record in enumerate(getattr(entry, "records", None) or []):
            if record.source is not None:
                found.append((("records", i, "source"), record.source))
    reported = getattr(entry, "reported", None) if isinstance(entry, Analysis) else None
    if reported is not None:
        found.append((("reported",), Source(ref=reported.ref, locator=reported.locator)))
    return found


def content_digest(entry: Entry) -> str:
    """A SHA-256 of everything an entry holds (its JSON form): equal digests, equal entries."""
    import hashlib

    return hashlib.sha256(entry.__pydantic_serializer__.to_json(entry)).hexdigest()
