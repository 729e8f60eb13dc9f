"""What an entry page says of the relations its kind can have and it does not.

Every relation field of a kind (``fails_by`` of a strategy) and every field of another kind that
may point at it (``about`` of a question, read "questioned by") is a section of the entry's
page. An empty one is shown as "none recorded" with the YAML key that adds it and a link to
the part of CONTRIBUTING that shows how, so a gap never reads as an absence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from limkb.schema.kinds import KINDS, relation_fields
from limkb.site.context import Links

__all__ = ["CONTRIBUTING_HEADINGS", "CONTRIBUTING_SECTIONS", "missing_sections", "possible_sections"]

CONTRIBUTING_SECTIONS = {
    "reference": "add-a-reference",
    "strategy": "add-a-strategy",
    "material": "add-a-material",
    "property": "add-a-property",
    "question": "add-an-open-question",
    "dataset": "add-records-to-a-dataset",
}
"""The heading of CONTRIBUTING.md (as the site anchors it) that shows how to edit each kind."""

CONTRIBUTING_HEADINGS = {
    "common-cases": "Common cases",
    "add-a-reference": "Add a reference",
    "add-a-strategy": "Add a strategy",
    "add-a-material": "Add a material",
    "add-a-property": "Add a property",
    "add-an-open-question": "Add an open question",
    "add-records-to-a-dataset": "Add records to a dataset",
    "say-why-a-strategy-has-no-findings": "Say why a strategy has no findings",
    "record-a-finding-read-in-a-paper": "Record a finding read in a paper",
}
"""Every heading of CONTRIBUTING.md that a page links to, by its anchor: the contributing page
gets the ones its text lacks (a project without that file, or with a shorter one), so that no
link of a rendered tree points at an anchor that is not there."""


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


def possible_sections(kind: str) -> list[dict[str, Any]]:
    """Every relation section an entry of ``kind`` can have, outgoing first, each with the key
    that states it and the kinds whose files hold that key."""
    sections: list[dict[str, Any]] = []
    for name, rel in relation_fields(KINDS[kind]).items():
        targets = " or ".join(rel.targets)
        sections.append(
            {
                "verb": name.replace("_", " "),
                "outgoing": True,
                "key": name,
                "kinds": [kind],
                "example": f"{name}: [<{targets} id>]",
            }
        )
    incoming: dict[str, dict[str, Any]] = defaultdict(lambda: {"kinds": [], "keys": []})
    for other, model in KINDS.items():
        for name, rel in relation_fields(model).items():
            if kind in rel.targets:
                found = incoming[rel.inverse]
                found["kinds"].append(other)
                if name not in found["keys"]:
                    found["keys"].append(name)
    for verb, found in sorted(incoming.items()):
        sections.append(
            {
                "verb": verb,
                "outgoing": False,
                "key": " or ".join(found["keys"]),
                "kinds": found["kinds"],
                "example": f"{found['keys'][0]}: [<this id>]",
            }
        )
    return sections


def missing_sections(
    kind: str, entry_path: str, shown: Iterable[tuple[bool, str]], links: Links
) -> list[dict[str, Any]]:
    """The sections of ``kind`` an entry has nothing in, with what to add and where.

    ``shown`` holds the (outgoing, verb) of the sections the page already lists; ``entry_path``
    is the entry's file as contributors see it.
    """
    present = set(shown)
    missing = []
    for section in possible_sections(kind):
        if (section["outgoing"], section["verb"]) in present:
            continue
        editable = section["kinds"][0]
        anchor = CONTRIBUTING_SECTIONS.get(editable, "common-cases")
        where = (
            entry_path
            if section["outgoing"]
            else " or ".join(f"{_article(k)} {k}" for k in dict.fromkeys(section["kinds"]))
        )
        missing.append(
            {
                "verb": section["verb"],
                "outgoing": section["outgoing"],
                "key": section["key"],
                "example": section["example"],
                "where": where,
                "how": links.to("contributing.md") + f"#{anchor}",
            }
        )
    return missing
