"""What every data product says about itself: the title, the source and the data licence.

The knowledge base and everything built from it are under CC BY 4.0 (``LICENSE-DATA``); the
code is MIT (``LICENSE``) and is not described here, since no data file holds code. The
SQLite ``meta`` table, the graph files, the JSON-LD, the data package and the Datasette
metadata all take these values from here, so they cannot disagree.
"""

from __future__ import annotations

from typing import Final

__all__ = ["DATA_LICENSE", "DESCRIPTION", "HOMEPAGE", "LICENSE_FILE", "TITLE"]

TITLE: Final = "limkb: a knowledge base of interfacial engineering of lithium-metal anodes"
"""The title, as ``CITATION.cff`` gives it."""

DESCRIPTION: Final = (
    "A curated, citable knowledge base of how the interfaces of lithium-metal anodes are "
    "engineered (electrolyte design of the SEI, artificial SEIs, modification of the copper "
    "current collector): strategies, materials, mechanisms, interphase species, properties, "
    "techniques, failure modes, open questions, datasets of measurements and the correlations "
    "recomputed from them, every claim with its source."
)
"""One paragraph saying what the data is."""

HOMEPAGE: Final = "https://github.com/limkb/limkb"
"""Where the knowledge base is kept (``repo_url`` in ``mkdocs.yml``)."""

LICENSE_FILE: Final = "LICENSE-DATA"
"""The file of the repository that states the data licence."""

DATA_LICENSE: Final[dict[str, str]] = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
"""The data licence as a Frictionless ``licenses`` item: SPDX id, title and URL."""
