"""Generate realistic synthetic limkb projects for the scale benchmarks.

``generate(out_dir, n_entries, seed=0)`` writes ``out_dir/kb/<folder>/<id>.yaml`` (plus a
``mkdocs.yml`` and ``docs/`` so the tree builds like a checkout) holding ``n_entries``
entries of every kind, in the proportions, relation density, prose length and file shape of
the real ``kb/``: references are about 40 %, each strategy names five or six other entries
and cites about nine sources, datasets hold 10-50 records over 2-5 property-typed columns,
and analyses correlate columns of those datasets. A few reviews and a few hub entries are
cited and linked far more often than the rest, as in a real literature graph.

Everything is drawn from one ``random.Random(seed)``, so the same arguments write the same
bytes. The result passes ``limkb validate`` with no problems.

    python benchmarks/generate.py /tmp/kb10k 10000
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from limkb.schema.kinds import FOLDERS

__all__ = ["PROPORTIONS", "generate"]

PROPORTIONS: dict[str, float] = {
    "references": 0.40,
    "strategies": 0.17,
    "materials": 0.12,
    "questions": 0.08,
    "mechanisms": 0.05,
    "properties": 0.04,
    "datasets": 0.04,
    "techniques": 0.03,
    "failure-modes": 0.03,
    "species": 0.03,
    "analyses": 0.01,
    "claims": 0.005,
}
"""Share of each kind folder, close to the real kb/ (with more datasets: the KB is meant to grow
in measurements)."""

_SCHEMA = {folder: model.kind for folder, model in FOLDERS.items()}

_WORDS = [
    "lithium",
    "interphase",
    "electrolyte",
    "anion",
    "solvent",
    "salt",
    "fluorinated",
    "ether",
    "carbonate",
    "nitrate",
    "coating",
    "layer",
    "film",
    "deposition",
    "plating",
    "stripping",
    "nucleation",
    "dendrite",
    "host",
    "copper",
    "collector",
    "alloy",
    "oxide",
    "fluoride",
    "nitride",
    "polymer",
    "ceramic",
    "composite",
    "porous",
    "scaffold",
    "uniform",
    "dense",
    "compact",
    "thin",
    "thick",
    "stable",
    "passivating",
    "conductive",
    "insulating",
    "resistive",
    "flexible",
    "brittle",
    "elastic",
    "modulus",
    "stress",
    "strain",
    "transport",
    "diffusion",
    "migration",
    "solvation",
    "shell",
    "cluster",
    "aggregate",
    "contact",
    "ion",
    "pair",
    "decomposition",
    "reduction",
    "potential",
    "current",
    "density",
    "capacity",
    "cycling",
    "efficiency",
    "loss",
    "growth",
    "swelling",
    "cracking",
    "inorganic",
    "organic",
    "mosaic",
    "multilayer",
    "gradient",
    "surface",
    "bulk",
    "grain",
    "boundary",
    "facet",
    "texture",
    "crystalline",
    "amorphous",
    "spectroscopy",
    "microscopy",
    "impedance",
    "cryogenic",
    "tomography",
    "titration",
    "isotope",
    "additive",
    "diluent",
]
_SURNAMES = [
    "Zhang",
    "Wang",
    "Li",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "He",
    "Lin",
    "Luo",
    "Gao",
    "Zheng",
    "Liang",
    "Xie",
    "Song",
    "Tang",
    "Han",
    "Feng",
    "Deng",
    "Cao",
    "Peng",
    "Zeng",
    "Xiao",
    "Tian",
    "Dong",
    "Pan",
    "Yuan",
    "Cai",
    "Jiang",
    "Yu",
    "Du",
    "Ye",
    "Cheng",
    "Wei",
    "Su",
    "Lu",
    "Ding",
    "Ren",
    "Shen",
    "Yao",
    "Cui",
    "Kim",
    "Park",
    "Lee",
    "Choi",
    "Jung",
    "Kang",
    "Cho",
    "Yoon",
    "Jang",
    "Lim",
    "Han",
    "Tanaka",
    "Suzuki",
    "Sato",
    "Smith",
    "Johnson",
    "Brown",
    "Miller",
    "Davis",
    "Wilson",
    "Moore",
    "Taylor",
    "Anderson",
    "Thomas",
    "Jackson",
    "White",
    "Harris",
    "Martin",
    "Thompson",
    "Garcia",
    "Martinez",
    "Robinson",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Allen",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
    "Mitchell",
    "Roberts",
    "Carter",
    "Phillips",
    "Evans",
    "Turner",
    "Torres",
    "Parker",
    "Collins",
    "Edwards",
    "Stewart",
    "Morris",
    "Murphy",
    "Cook",
    "Rogers",
    "Morgan",
    "Peterson",
    "Cooper",
    "Reed",
    "Bailey",
    "Bell",
    "Kelly",
    "Howard",
    "Ward",
    "Cox",
    "Richardson",
    "Wood",
    "Watson",
    "Brooks",
    "Bennett",
    "Gray",
    "James",
    "Hughes",
    "Price",
    "Sanders",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Dupont",
    "Martin",
    "Bernard",
    "Durand",
    "Moreau",
    "Laurent",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Aurbach",
    "Cui",
    "Goodenough",
    "Dahn",
    "Bent",
    "Xu",
    "Janek",
    "Zhang",
    "Meng",
    "Qian",
    "Armand",
    "Tarascon",
    "Grey",
    "Manthiram",
    "Amine",
    "Liu",
    "Archer",
]
_TITLE_WORDS = [
    "Stable",
    "Dendrite-Free",
    "Lithium",
    "Metal",
    "Anodes",
    "Enabled",
    "by",
    "a",
    "Fluorinated",
    "Interphase",
    "Uniform",
    "Deposition",
    "High-Voltage",
    "Electrolyte",
    "Design",
    "Localized",
    "High-Concentration",
    "Electrolytes",
    "Solid",
    "Electrolyte",
    "Interphase",
    "Artificial",
    "Layer",
    "Atomic",
    "Layer",
    "Deposition",
    "Three-Dimensional",
    "Host",
    "Copper",
    "Current",
    "Collector",
    "Lithiophilic",
    "Nucleation",
    "Seeds",
    "Cryogenic",
    "Electron",
    "Microscopy",
    "Reveals",
    "Nanostructure",
    "Quantifying",
    "Inactive",
    "Lithium",
    "Understanding",
    "Mechanism",
    "Failure",
    "Polymer",
    "Coating",
    "Self-Healing",
    "Electrostatic",
    "Shield",
    "Anion-Derived",
    "Solvation",
    "Sheath",
    "Coulombic",
    "Efficiency",
    "Long-Term",
    "Cycling",
]
_JOURNALS = (
    "Nat. Energy",
    "Joule",
    "Energy Environ. Sci.",
    "Adv. Mater.",
    "Adv. Energy Mater.",
    "ACS Energy Lett.",
    "J. Am. Chem. Soc.",
    "Nano Lett.",
    "Science",
    "Nature",
    "Energy Storage Mater.",
    "Angew. Chem., Int. Ed.",
    "Chem. Rev.",
    "J. Electrochem. Soc.",
)
_LOCATORS = (
    "Table 1",
    "Table 2",
    "Table 3",
    "Fig. 1a",
    "Fig. 1c",
    "Fig. 2b",
    "Fig. 3",
    "Fig. 4d",
    "Results",
    "Discussion",
    "Introduction",
    "Outlook",
    "SEI design: key approaches",
    "Artificial SEI: key approaches",
    "Current collector: unresolved questions",
    "Supplementary Table S2",
)
_UNITS: tuple[tuple[str, float, float | None, float], ...] = (
    # unit, minimum, maximum, typical value
    ("%", 0.0, 100.0, 50.0),
    ("1", 0.0, None, 1.5),
    ("nm", 0.0, None, 20.0),
    ("µm", 0.0, None, 5.0),
    ("mS/cm", 0.0, None, 3.0),
    ("ohm cm2", 0.0, None, 40.0),
    ("cycles", 0.0, None, 300.0),
    ("GPa", 0.0, None, 8.0),
    ("mV", None, None, 40.0),
    ("mAh/cm2", 0.0, None, 3.0),
)
_ENUMS: dict[str, tuple[str, ...]] = {
    "family": ("electrolyte-engineering", "artificial-sei", "current-collector-modification"),
    "interface": ("li-electrolyte", "li-current-collector"),
    "roles": (
        "additive",
        "salt",
        "solvent",
        "diluent",
        "coating",
        "polymer",
        "filler",
        "host",
        "lithiophilic-layer",
        "current-collector",
        "precursor",
    ),
    "species_class": ("inorganic", "organic", "polymeric", "alloy", "mixed"),
    "scope": ("sei", "layer", "electrolyte", "deposit", "cell", "current-collector"),
    "desired": ("higher", "lower", "uniform", "context-dependent"),
    "category": ("spectroscopy", "microscopy", "electrochemical", "mechanical", "diffraction", "other"),
    "failure": ("mechanical", "chemical", "morphological", "transport"),
    "status": ("open", "open", "open", "partially-answered", "answered"),
    "theme": ("mechanism", "descriptors", "evolution", "failure", "compatibility", "growth", "structure"),
    "evidence": ("compatible", "conflicting", "unknown"),
}


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


class _Writer:
    """Draws entries from one random stream and writes them as YAML text like the real files."""

    def __init__(self, rng: random.Random, counts: dict[str, int]) -> None:
        self.rng = rng
        self.counts = counts
        self.ids: dict[str, list[str]] = {folder: [] for folder in counts}
        self.used: set[str] = set()
        self.property_units: dict[str, tuple[str, float | None, float | None, float]] = {}
        self.strategy_family: dict[str, str] = {}
        self.dataset_columns: dict[str, list[str]] = {}

    # --- drawing ------------------------------------------------------------------------

    def pick(self, folder: str, k: int = 1, *, skew: float = 2.0) -> list[str]:
        """``k`` distinct ids of a folder, early ids much more often (hubs, as in real graphs)."""
        pool = self.ids[folder]
        if not pool:
            return []
        k = min(k, len(pool))
        found: dict[str, None] = {}
        for _ in range(k * 4):
            found[pool[int(len(pool) * self.rng.random() ** skew)]] = None
            if len(found) == k:
                break
        return list(found)

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(_WORDS) for _ in range(n))

    def prose(self, chars: int) -> str:
        sentences: list[str] = []
        length = 0
        while length < chars:
            sentence = self.words(self.rng.randint(8, 18)).capitalize() + "."
            sentences.append(sentence)
            length += len(sentence) + 1
        return " ".join(sentences)

    def new_id(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.used:
            candidate, n = f"{base}-{n}", n + 1
        self.used.add(candidate)
        return candidate

    def sources(self, n: int) -> list[tuple[str, str]]:
        refs = self.pick("references", n, skew=3.0)
        return [(ref, self.rng.choice(_LOCATORS)) for ref in refs]

    # --- YAML text ----------------------------------------------------------------------

    @staticmethod
    def block(key: str, text: str, indent: str = "") -> list[str]:
        """A folded ``>-`` scalar wrapped at about 100 columns, as the real entries are."""
        lines = [f"{indent}{key}: >-"]
        line = ""
        for word in text.split():
            if line and len(line) + len(word) + 1 > 96:
                lines.append(f"{indent}  {line}")
                line = word
            else:
                line = f"{line} {word}" if line else word
        if line:
            lines.append(f"{indent}  {line}")
        return lines

    @staticmethod
    def source_list(key: str, sources: Sequence[tuple[str, str]], indent: str = "") -> list[str]:
        lines = [f"{indent}{key}:"]
        for ref, locator in sources:
            lines += [f"{indent}  - ref: {ref}", f"{indent}    locator: {_q(locator)}"]
        return lines

    def links(
        self,
        key: str,
        targets: Sequence[str],
        *,
        cited: float = 0.5,
        note: float = 0.1,
        evidence: bool = False,
    ) -> list[str]:
        """A relation list of ``{id, sources | editorial, note}`` items like the real ones: a
        share ``cited`` of the links carries sources, the others say why they need none."""
        if not targets:
            return []
        lines = [f"{key}:"]
        for target in targets:
            lines.append(f"  - id: {target}")
            if evidence:
                lines.append(f"    evidence: {self.rng.choice(_ENUMS['evidence'])}")
            if self.rng.random() < cited:
                lines += self.source_list("sources", self.sources(self.rng.randint(1, 2)), "    ")
            else:
                lines.append(f"    editorial: {_q(self.prose(self.rng.randint(40, 90)))}")
            if self.rng.random() < note:
                lines += self.block("note", self.prose(self.rng.randint(60, 160)), "    ")
        return lines

    def head(self, folder: str, name: str, *, aliases: int, summary: int | None, sources: int) -> list[str]:
        lines = [
            f"# yaml-language-server: $schema=../../schema/{_SCHEMA[folder]}.schema.json",
            f"name: {_q(name)}",
        ]
        if aliases:
            lines.append("aliases:")
            lines += [f"  - {_q(self.words(self.rng.randint(1, 3)))}" for _ in range(aliases)]
        if summary:
            lines += self.block("summary", self.prose(summary))
        lines += self.source_list("sources", self.sources(sources))
        return lines

    def name(self, folder: str, words: int) -> tuple[str, str]:
        text = self.words(words)
        entry_id = self.new_id("-".join(text.split()[:4]))
        self.ids[folder].append(entry_id)
        return entry_id, text.capitalize()

    def n(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    # --- kinds --------------------------------------------------------------------------

    def reference(self, index: int, reviews: int) -> tuple[str, list[str]]:
        from limkb.schema.ids import reference_id

        authors = [
            f"{self.rng.choice(_SURNAMES)}, {self.rng.choice('ABCDEFGHJKLMNPRSTWXYZ')}."
            for _ in range(self.n(2, 8))
        ]
        year = self.n(1995, 2024)
        title = " ".join(self.rng.choice(_TITLE_WORDS) for _ in range(self.n(6, 14)))
        entry_id = self.new_id(reference_id(authors[0].split(",")[0], year, title))
        self.ids["references"].append(entry_id)
        lines = [
            "# yaml-language-server: $schema=../../schema/reference.schema.json",
            f"type: {'review' if index < reviews else 'article'}",
            f"title: {_q(title)}",
            "authors:",
            *(f"  - {_q(a)}" for a in authors),
            f"journal: {_q(self.rng.choice(_JOURNALS))}",
            f"year: {year}",
            f'volume: "{self.n(1, 60)}"',
            f'issue: "{self.n(1, 24)}"',
            f'pages: "{self.n(100, 9999)}"',
            f"doi: 10.{self.n(1000, 9999)}/syn.{index}.{entry_id}",
        ]
        if index >= reviews and reviews:
            review = self.ids["references"][self.rng.randrange(reviews)]
            lines += ["cited_in:", f"  - ref: {review}", f"    locator: ref. {self.n(1, 150)}"]
        return entry_id, lines

    def property(self) -> tuple[str, list[str]]:
        entry_id, name = self.name("properties", self.n(2, 4))
        unit, low, high, typical = self.rng.choice(_UNITS)
        self.property_units[entry_id] = (unit, low, high, typical)
        lines = self.head(
            "properties", name, aliases=self.n(0, 3), summary=self.n(180, 380), sources=self.n(1, 4)
        )
        lines += [
            f"unit: {_q(unit)}",
            f"scope: {self.rng.choice(_ENUMS['scope'])}",
            f"desired: {self.rng.choice(_ENUMS['desired'])}",
        ]
        if low is not None:
            lines.append(f"minimum: {low}")
        if high is not None:
            lines.append(f"maximum: {high}")
        return entry_id, lines

    def technique(self) -> tuple[str, list[str]]:
        entry_id, name = self.name("techniques", self.n(2, 3))
        lines = self.head(
            "techniques", name, aliases=self.n(1, 3), summary=self.n(180, 380), sources=self.n(1, 5)
        )
        lines += [
            f"abbreviation: {_q(''.join(w[0] for w in name.split()).upper())}",
            f"category: {self.rng.choice(_ENUMS['category'])}",
        ]
        lines += self.links("measures", self.pick("properties", self.n(0, 3)))
        return entry_id, lines

    def species(self) -> tuple[str, list[str]]:
        entry_id, name = self.name("species", self.n(1, 3))
        lines = self.head(
            "species", name, aliases=self.n(1, 3), summary=self.n(180, 380), sources=self.n(2, 8)
        )
        lines += [
            f"formula: Li{self.n(1, 3)}{self.rng.choice(['F', 'O', 'N', 'CO3', 'S', 'OH'])}",
            f"species_class: {self.rng.choice(_ENUMS['species_class'])}",
        ]
        lines += self.links("confers", self.pick("properties", self.n(0, 3)), cited=0.8)
        return entry_id, lines

    def material(self) -> tuple[str, list[str]]:
        entry_id, name = self.name("materials", self.n(1, 3))
        lines = self.head(
            "materials", name, aliases=self.n(1, 5), summary=self.n(100, 250), sources=self.n(2, 6)
        )
        lines.append(f"formula: C{self.n(1, 8)}H{self.n(0, 12)}F{self.n(0, 6)}O{self.n(0, 4)}")
        lines.append("roles:")
        lines += [f"  - {role}" for role in self.rng.sample(_ENUMS["roles"], self.n(1, 2))]
        if self.rng.random() < 0.3:
            lines += self.links("decomposes_to", self.pick("species", self.n(1, 2)))
        return entry_id, lines

    def mechanism(self) -> tuple[str, list[str]]:
        entry_id, name = self.name("mechanisms", self.n(2, 4))
        lines = self.head(
            "mechanisms", name, aliases=self.n(0, 2), summary=self.n(180, 380), sources=self.n(2, 7)
        )
        involved = self.pick("species", self.n(1, 3)) + self.pick("materials", self.n(0, 3))
        lines += self.links("involves", involved, cited=0.2)
        lines += self.links("affects", self.pick("properties", self.n(0, 2)), cited=0.8)
        return entry_id, lines

    def failure_mode(self) -> tuple[str, list[str]]:
        entry_id, name = self.name("failure-modes", self.n(2, 4))
        lines = self.head(
            "failure-modes", name, aliases=self.n(0, 3), summary=self.n(180, 380), sources=self.n(2, 7)
        )
        lines += [
            f"category: {self.rng.choice(_ENUMS['failure'])}",
            f"interface: {self.rng.choice(_ENUMS['interface'])}",
        ]
        lines += self.links("caused_by", self.pick("mechanisms", self.n(0, 2)))
        lines += self.links("detected_by", self.pick("techniques", self.n(0, 3)), cited=0.8)
        return entry_id, lines

    def strategy(self) -> tuple[str, list[str]]:
        entry_id, name = self.name("strategies", self.n(2, 5))
        earlier = self.ids["strategies"][:-1]
        parent = self.rng.choice(earlier[-200:] + earlier[:20]) if earlier else None
        family = self.strategy_family.get(parent or "") or self.rng.choice(_ENUMS["family"])
        self.strategy_family[entry_id] = family
        lines = self.head(
            "strategies", name, aliases=self.n(0, 4), summary=self.n(150, 400), sources=self.n(3, 14)
        )
        lines += [f"family: {family}", f"interface: {self.rng.choice(_ENUMS['interface'])}"]
        if parent:
            lines.append(f"subtype_of: {parent}")
        lines += self.links("uses", self.pick("materials", self.n(0, 3)), cited=0.2)
        if self.rng.random() < 0.15 and len(earlier) > 1:
            lines += self.links("made_by", [self.rng.choice(earlier)], cited=0.9, note=0.5)
        lines += self.links("works_via", self.pick("mechanisms", self.n(0, 2)), cited=0.6)
        lines += self.links("forms", self.pick("species", self.n(0, 2)), cited=0.6)
        lines += self.links("improves", self.pick("properties", self.n(0, 2)), cited=0.7, note=0.2)
        lines += self.links("characterised_by", self.pick("techniques", self.n(0, 2)), cited=0.3)
        lines += self.links("fails_by", self.pick("failure-modes", self.n(0, 1)), cited=0.5)
        if self.rng.random() < 0.2 and len(earlier) > 1:
            lines += self.links("combines_with", [self.rng.choice(earlier)], evidence=True, cited=0.7)
        return entry_id, lines

    def question(self) -> tuple[str, list[str]]:
        entry_id, name = self.name("questions", self.n(4, 7))
        name = name + "?"
        lines = self.head("questions", name, aliases=0, summary=None, sources=self.n(1, 4))
        lines += self.block("text", self.prose(self.n(120, 300)).rstrip(".") + "?")
        lines += [
            f"status: {self.rng.choice(_ENUMS['status'])}",
            f"theme: {self.rng.choice(_ENUMS['theme'])}",
            f"interface: {self.rng.choice(_ENUMS['interface'])}",
            f"family: {self.rng.choice(_ENUMS['family'])}",
        ]
        about = (
            self.pick("strategies", self.n(1, 3))
            + self.pick("properties", self.n(0, 2))
            + self.pick("failure-modes", self.n(0, 1))
            + self.pick("species", self.n(0, 1))
        )
        lines += self.links("about", about, cited=0.0)
        lines += self.links("answerable_by", self.pick("techniques", self.n(0, 4)), cited=0.0)
        lines += self.block("approach", self.prose(self.n(150, 300)))
        return entry_id, lines

    def dataset(self) -> tuple[str, list[str]]:
        entry_id, name = self.name("datasets", self.n(3, 5))
        lines = self.head(
            "datasets", name, aliases=self.n(0, 2), summary=self.n(250, 450), sources=self.n(2, 4)
        )
        properties = self.pick("properties", self.n(2, 5), skew=1.5)
        columns = [f"c{i}_{p.split('-')[0]}"[:40] for i, p in enumerate(properties)]
        self.dataset_columns[entry_id] = properties
        lines.append("columns:")
        for column, prop in zip(columns, properties, strict=True):
            unit = self.property_units[prop][0]
            lines += [
                f"  - name: {column}",
                f"    property: {prop}",
                f"    unit: {_q(unit)}",
                f"    description: {_q(self.words(self.n(3, 8)).capitalize() + '.')}",
            ]
        lines.append("records:")
        for r in range(self.n(10, 50)):
            ref = self.pick("references", 1, skew=1.0)[0]
            lines += [
                f"  - label: {_q(f'R{r + 1} {self.words(2)}')}",
                "    source:",
                f"      ref: {ref}",
                f"      locator: {_q(f'Table {self.n(1, 4)}, index {r + 1}')}",
            ]
            for column, prop in zip(columns, properties, strict=True):
                lines.append(f"    {column}: {self._value(prop, share=1.0 / len(columns))}")
        lines += self.links("about", self.pick("strategies", self.n(1, 2)), cited=0.0)
        return entry_id, lines

    def _value(self, prop: str, *, share: float) -> float:
        _unit, low, high, typical = self.property_units[prop]
        if high is not None:  # a percentage: keep any group of them below 100 in sum
            return round(self.rng.uniform(0.0, 100.0 * share), 2)
        value = self.rng.uniform(0.2, 1.8) * typical
        return round(max(value, low) if low is not None else value, 3)

    def analysis(self) -> tuple[str, list[str]] | None:
        usable = [d for d, props in self.dataset_columns.items() if len(props) >= 2]
        if not usable:
            return None
        dataset = self.rng.choice(usable)
        props = self.dataset_columns[dataset]
        entry_id, name = self.name("analyses", self.n(3, 5))
        lines = self.head("analyses", name, aliases=0, summary=self.n(180, 320), sources=self.n(1, 4))
        y, x = props[0], props[1]
        if len(props) >= 3 and self.rng.random() < 0.3:
            x = f"{props[1]} / {props[2]}"
        lines += [
            f"x: {x}",
            f"y: {y}",
            "datasets:",
            f"  - {dataset}",
            f"method: {self.rng.choice(['pearson', 'spearman'])}",
        ]
        if self.rng.random() < 0.5:
            lines += [
                "reported:",
                f"  value: {round(self.rng.uniform(-0.9, 0.9), 2)}",
                f"  ref: {self.pick('references', 1)[0]}",
                f"  locator: {_q('Fig. 1c')}",
            ]
        return entry_id, lines

    def claim(self) -> tuple[str, list[str]]:
        """A claim about a strategy or two, weighing analyses (generated KBs hold no finding ids)."""
        entry_id, name = self.name("claims", self.n(4, 7))
        lines = self.head("claims", name, aliases=0, summary=self.n(150, 300), sources=self.n(1, 2))
        lines.append(f"proposition: {_q(name + ' holds.')}")
        lines += ["about:", *(f"  - {s}" for s in self.pick("strategies", self.n(1, 2)))]
        analyses = self.pick("analyses", self.n(0, 3), skew=1.0)
        if analyses:
            lines.append("evidence:")
        for analysis in analyses:
            lines += [
                f"  - analysis: {analysis}",
                f"    stance: {self.rng.choice(['supports', 'contradicts', 'qualifies'])}",
                f"    grade: {self.rng.choice(['strong', 'moderate', 'weak'])}",
                f"    reason: {_q(self.prose(self.n(40, 90)))}",
            ]
        return entry_id, lines


def _counts(n_entries: int) -> dict[str, int]:
    counts = {folder: max(2, round(n_entries * share)) for folder, share in PROPORTIONS.items()}
    counts["references"] += n_entries - sum(counts.values())
    return counts


def generate(out_dir: Path | str, n_entries: int, seed: int = 0) -> dict[str, int]:
    """Write a project with ``n_entries`` entries under ``out_dir``; return the count per folder.

    An existing ``out_dir/kb`` is replaced. The order of creation makes every relation point
    at an entry that exists (properties before the datasets typed by them, and so on).
    """
    out = Path(out_dir)
    kb = out / "kb"
    if kb.exists():
        shutil.rmtree(kb)
    counts = _counts(n_entries)
    rng = random.Random(seed)
    writer = _Writer(rng, counts)
    files: dict[tuple[str, str], list[str]] = {}
    reviews = max(1, counts["references"] // 100)
    for i in range(counts["references"]):
        entry_id, lines = writer.reference(i, reviews)
        files["references", entry_id] = lines
    makers: list[tuple[str, Callable[[], tuple[str, list[str]] | None]]] = [
        ("properties", writer.property),
        ("techniques", writer.technique),
        ("species", writer.species),
        ("materials", writer.material),
        ("mechanisms", writer.mechanism),
        ("failure-modes", writer.failure_mode),
        ("strategies", writer.strategy),
        ("questions", writer.question),
        ("datasets", writer.dataset),
        ("analyses", writer.analysis),
        ("claims", writer.claim),
    ]
    for folder, make in makers:
        for _ in range(counts[folder]):
            made = make()
            if made is not None:
                files[folder, made[0]] = made[1]
    for (folder, entry_id), lines in files.items():
        path = kb / folder / f"{entry_id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _project_files(out)
    return {folder: len(writer.ids[folder]) for folder in counts}


_MKDOCS_YML = """\
site_name: limkb synthetic benchmark
docs_dir: docs
site_dir: site
theme:
  name: material
  font: false
plugins:
  - search
  - limkb
"""


def _project_files(out: Path) -> None:
    """``mkdocs.yml`` and ``docs/`` of this checkout when present (so the build is the real one)."""
    repo = Path(__file__).resolve().parent.parent
    config = repo / "mkdocs.yml"
    (out / "mkdocs.yml").write_text(
        config.read_text(encoding="utf-8") if config.is_file() else _MKDOCS_YML, encoding="utf-8"
    )
    docs = out / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    if (repo / "docs").is_dir():
        shutil.copytree(repo / "docs", docs)
    else:
        docs.mkdir(parents=True)
        (docs / "index.md").write_text("# limkb\n", encoding="utf-8")
    for name in ("CONTRIBUTING.md", "README.md"):
        if (repo / name).is_file():
            shutil.copy2(repo / name, out / name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("n_entries", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    counts = generate(args.out_dir, args.n_entries, seed=args.seed)
    print(json.dumps({"entries": sum(counts.values()), **counts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
