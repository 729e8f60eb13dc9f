"""The closed vocabularies of limkb entries: every field whose value comes from a fixed list.

Each is a :class:`~enum.StrEnum` whose values are what contributors write in YAML; the JSON
Schema lists them as enums under the class name. :mod:`limkb.schema.kinds` re-exports them all.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ColumnType",
    "Compatibility",
    "Desired",
    "EvidenceWeight",
    "FailureCategory",
    "Family",
    "GroupBy",
    "Interface",
    "MaterialRole",
    "Method",
    "QuestionStatus",
    "ReferenceType",
    "Scope",
    "SpeciesClass",
    "Stance",
    "TechniqueCategory",
    "Theme",
]


class Compatibility(StrEnum):
    """What is known of combining two strategies."""

    COMPATIBLE = "compatible"
    CONFLICTING = "conflicting"
    UNKNOWN = "unknown"


class Stance(StrEnum):
    """Which way a piece of evidence bears on a claim."""

    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    QUALIFIES = "qualifies"


class EvidenceWeight(StrEnum):
    """How directly a piece of evidence bears on a claim (the curator's judgement, beside the
    computed grade of its source)."""

    STRONG = "strong"
    MODERATE = "moderate"
    WEAK = "weak"


class Family(StrEnum):
    """The three families of interfacial engineering."""

    ELECTROLYTE = "electrolyte-engineering"
    ARTIFICIAL_SEI = "artificial-sei"
    CURRENT_COLLECTOR = "current-collector-modification"


class Interface(StrEnum):
    """The interface an entry concerns."""

    LI_ELECTROLYTE = "li-electrolyte"
    LI_CURRENT_COLLECTOR = "li-current-collector"


class MaterialRole(StrEnum):
    """What a material does in a lithium-metal cell or its interfaces."""

    ADDITIVE = "additive"
    SALT = "salt"
    SOLVENT = "solvent"
    DILUENT = "diluent"
    COATING = "coating"
    POLYMER = "polymer"
    FILLER = "filler"
    HOST = "host"
    LITHIOPHILIC_LAYER = "lithiophilic-layer"
    CURRENT_COLLECTOR = "current-collector"
    PRECURSOR = "precursor"
    ELECTRODE = "electrode"


class SpeciesClass(StrEnum):
    """Broad chemical class of an interphase species."""

    INORGANIC = "inorganic"
    ORGANIC = "organic"
    POLYMERIC = "polymeric"
    ALLOY = "alloy"
    MIXED = "mixed"


class Desired(StrEnum):
    """Which way a descriptor should go for a stable lithium interface."""

    HIGHER = "higher"
    LOWER = "lower"
    UNIFORM = "uniform"
    CONTEXT = "context-dependent"


class Scope(StrEnum):
    """What a property describes."""

    SEI = "sei"
    LAYER = "layer"
    ELECTROLYTE = "electrolyte"
    DEPOSIT = "deposit"
    CELL = "cell"
    CURRENT_COLLECTOR = "current-collector"


class TechniqueCategory(StrEnum):
    """Broad family of a characterisation method."""

    SPECTROSCOPY = "spectroscopy"
    MICROSCOPY = "microscopy"
    ELECTROCHEMICAL = "electrochemical"
    MECHANICAL = "mechanical"
    DIFFRACTION = "diffraction"
    COMPUTATIONAL = "computational"
    OTHER = "other"


class FailureCategory(StrEnum):
    """Broad nature of a failure mode."""

    MECHANICAL = "mechanical"
    CHEMICAL = "chemical"
    MORPHOLOGICAL = "morphological"
    TRANSPORT = "transport"


class QuestionStatus(StrEnum):
    """How far an open question has been answered."""

    OPEN = "open"
    PARTIAL = "partially-answered"
    ANSWERED = "answered"


class Theme(StrEnum):
    """The kind of knowledge an open question asks for."""

    MECHANISM = "mechanism"
    DESCRIPTORS = "descriptors"
    EVOLUTION = "evolution"
    FAILURE = "failure"
    COMPATIBILITY = "compatibility"
    GROWTH = "growth"
    STRUCTURE = "structure"


class ReferenceType(StrEnum):
    """Kind of publication."""

    ARTICLE = "article"
    REVIEW = "review"
    BOOK = "book"
    CHAPTER = "chapter"
    THESIS = "thesis"
    PREPRINT = "preprint"
    REPORT = "report"
    DATASET = "dataset"


class ColumnType(StrEnum):
    """Value type of a dataset column."""

    NUMBER = "number"
    INTEGER = "integer"
    TEXT = "text"


class Method(StrEnum):
    """Correlation method whose value is compared with the reported one."""

    PEARSON = "pearson"
    SPEARMAN = "spearman"


class GroupBy(StrEnum):
    """What an analysis computes a result for beside the pooled one."""

    SOURCE = "source"
    DATASET = "dataset"
    CELL = "cell"
    PROTOCOL = "protocol"
