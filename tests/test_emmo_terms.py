"""Every EMMO IRI the KB uses has the label it claims, per a vendored snapshot of the ontology terms.

``tests/data/emmo-terms.json`` holds the skos:prefLabel of each term used by an entry's
``matches:`` or by :data:`limkb.schema.emmo.ROLE_MATCHES`, copied from the ontology files it
names (repository, path, commit, version). It is test data only: nothing at run time reads it.
When EMMO relabels a term (as electrochemistry 0.36.0 did with Coulombic and Faradaic
efficiency), refreshing the snapshot from the new release makes these tests point at the
entries to re-check.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import limkb
from kbfactory import minimal, write_kb
from limkb.schema.emmo import ROLE_MATCHES
from limkb.schema.fields import MATCH_PREFIXES

SNAPSHOT_PATH = Path(__file__).resolve().parent / "data" / "emmo-terms.json"
CE_IRI = "echem:electrochemistry_a5962e05_466d_46a4_8951_bea59d7326e5"
OLD_CE_IRI = "echem:electrochemistry_5696453c_9da7_41e2_bbda_603c1b90a8fc"


def load_snapshot() -> dict[str, Any]:
    snapshot: dict[str, Any] = json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8"))
    return snapshot


def term_problems(kb: limkb.KnowledgeBase, terms: dict[str, dict[str, Any]]) -> list[str]:
    """What disagrees with the snapshot: an IRI it lacks, or an entry's label that is not its label."""
    problems: list[str] = []
    for entry in sorted(kb.entries(), key=lambda e: e.id):
        for match in entry.matches:
            term = terms.get(match.iri)
            if term is None:
                problems.append(f"{entry.id}: {match.iri} is not in the snapshot")
            elif match.label != term["label"]:
                problems.append(
                    f"{entry.id}: {match.iri} is labelled {match.label!r}, the ontology says {term['label']!r}"
                )
    for role, (_, iri) in sorted(ROLE_MATCHES.items(), key=lambda item: item[0].value):
        if iri not in terms:
            problems.append(f"ROLE_MATCHES[{role.value}]: {iri} is not in the snapshot")
    return problems


def test_every_iri_the_kb_uses_has_the_label_of_the_snapshot(real_kb: limkb.KnowledgeBase) -> None:
    terms = load_snapshot()["terms"]
    assert term_problems(real_kb, terms) == []
    used = {m.iri for e in real_kb.entries() for m in e.matches}
    assert CE_IRI in used and OLD_CE_IRI not in used


def test_the_snapshot_names_its_sources_and_each_term_expands_to_its_iri() -> None:
    snapshot = load_snapshot()
    sources = snapshot["sources"]
    assert sources
    for name, source in sources.items():
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", source["repository"]), name
        assert source["path"].endswith(".ttl"), name
        assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]), name
        assert source["version"] and source["version"] in source["version_iri"], name
    for compact, term in snapshot["terms"].items():
        prefix, _, local = compact.partition(":")
        assert term["iri"] == MATCH_PREFIXES[prefix] + local, compact
        assert term["source"] in sources, compact
        assert term["label"], compact
    history = snapshot["label_history"]
    assert history[OLD_CE_IRI][-1]["label"] == "FaradaicEfficiency"
    assert history[CE_IRI][-1]["label"] == snapshot["terms"][CE_IRI]["label"] == "CoulombicEfficiency"


@pytest.mark.parametrize(
    ("match", "expected"),
    [
        ({"iri": CE_IRI, "label": "ChargeEfficiency"}, "is labelled 'ChargeEfficiency'"),
        ({"iri": OLD_CE_IRI, "label": "CoulombicEfficiency"}, "is not in the snapshot"),
    ],
)
def test_the_check_reports_a_wrong_label_or_an_unknown_iri(
    tmp_path: Path, match: dict[str, str], expected: str
) -> None:
    root = write_kb(
        tmp_path,
        {"properties/ce": minimal("property", "CE", matches=[{"predicate": "closeMatch", **match}])},
    )
    kb = limkb.load(root, cache=False)
    problems = term_problems(kb, load_snapshot()["terms"])
    assert len(problems) == 1 and problems[0].startswith(f"ce: {match['iri']} ")
    assert expected in problems[0]
