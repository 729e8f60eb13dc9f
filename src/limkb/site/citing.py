"""Citing from the site: BibTeX, RIS and CSL-JSON files for the release, for every entry and
for every reference, and ``CITATION.cff`` served as it is in the repository.

The files sit under ``cite/``: ``cite/limkb.{bib,ris,json}`` (this version of the knowledge
base), ``cite/<id>.{bib,ris,json}`` (one entry of it: a dataset by limkb's contributors, part of
the knowledge base) and ``cite/paper/<id>.{bib,ris}`` (a reference's own record, the paper an
entry names). Each is made from the entry and the options alone, so two builds write the same
bytes, and all are made again at every rendering (a few hundred short strings): nothing here
can go stale in the incremental build.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from limkb.outputs.bibliography import Work, bibtex, ris, work_bibtex, work_csl, work_ris
from limkb.outputs.provenance import TITLE
from limkb.schema.kinds import Entry, Reference
from limkb.site.context import entry_path
from limkb.site.urls import built_url

if TYPE_CHECKING:
    from limkb.site.context import Links, Site
    from limkb.site.memo import Pieces

__all__ = ["CITATION_FILE", "cite_files", "cite_links", "release_work"]

CITATION_FILE = "CITATION.cff"
"""Where the repository's ``CITATION.cff`` is served from, at the root of the site."""

_FORMATS = (("BibTeX", "bib"), ("RIS", "ris"), ("CSL-JSON", "json"))


def _url(site: Site, page: str) -> str | None:
    """The absolute URL of a page, when the site's address is known."""
    base = (site.options.site_url or "").rstrip("/")
    return f"{base}/{built_url(page, site.options.urls)}" if base else None


def _year(site: Site) -> int:
    return int(site.options.date[:4])


def release_work(site: Site) -> Work:
    """This version of the knowledge base as a work to cite."""
    return Work(
        key=f"limkb-{site.options.version}",
        title=TITLE,
        year=_year(site),
        version=site.options.version,
        url=_url(site, "index.md"),
        date=site.options.date,
    )


def entry_work(site: Site, entry: Entry) -> Work:
    """One entry of the knowledge base as a work to cite, part of the release."""
    return Work(
        key=f"limkb-{entry.id}",
        title=f"{entry.label} ({entry.kind})",
        year=_year(site),
        version=site.options.version,
        url=_url(site, entry_path(entry)),
        date=site.options.date,
        container=TITLE,
    )


def _files(stem: str, work: Work) -> dict[str, str]:
    return {
        f"{stem}.bib": work_bibtex(work),
        f"{stem}.ris": work_ris(work),
        f"{stem}.json": work_csl(work),
    }


def _entry_files(site: Site, entry_id: str) -> dict[str, str]:
    """The files citing one entry (and, for a reference, the paper's own record)."""
    entry = site.by_id[entry_id]
    found = _files(f"cite/{entry_id}", entry_work(site, entry))
    if isinstance(entry, Reference):
        found[f"cite/paper/{entry_id}.bib"] = bibtex([entry])
        found[f"cite/paper/{entry_id}.ris"] = ris([entry])
    return found


def cite_files(site: Site, pieces: Pieces | None = None) -> dict[str, str]:
    """Every file under ``cite/`` (and ``CITATION.cff`` when the options carry it), by site
    path; with ``pieces``, each entry's files are kept between renderings as its piece."""
    found = _files("cite/limkb", release_work(site))
    for entry_id in site.ids:
        make = functools.partial(_entry_files, site, entry_id)
        found.update(make() if pieces is None else pieces.piece("cite", entry_id, make))
    if site.options.citation_cff is not None:
        found[CITATION_FILE] = site.options.citation_cff
    return found


def cite_links(site: Site, links: Links, entry: Entry | None = None) -> dict[str, Any]:
    """What a page's "Cite" block offers: the downloads for the entry (when given) and for the
    release, the reference's own record, ``CITATION.cff`` when served, and the text to copy."""
    release = release_work(site)
    view: dict[str, Any] = {
        "release": [{"label": label, "url": links.to(f"cite/limkb.{ext}")} for label, ext in _FORMATS],
        "release_text": _sentence(release),
        "cff": links.to(CITATION_FILE) if site.options.citation_cff is not None else None,
        "entry": [],
        "paper": [],
    }
    if entry is not None:
        view["entry"] = [
            {"label": label, "url": links.to(f"cite/{entry.id}.{ext}")} for label, ext in _FORMATS
        ]
        if isinstance(entry, Reference):
            view["paper"] = [
                {"label": label, "url": links.to(f"cite/paper/{entry.id}.{ext}")}
                for label, ext in _FORMATS[:2]
            ]
    return view


def _sentence(work: Work) -> str:
    """``work`` as one line of text a reader can paste."""
    where = f" {work.url}" if work.url else ""
    return f"{work.author}. {work.title}, version {work.version} ({work.date}).{where}"
