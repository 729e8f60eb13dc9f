"""The comparison pages: for each quantity family of :mod:`limkb.site.compare`, its page, its
rows as a data script and as CSV, and the landing page that lists them.

``compare/<family>.md``       the page: facets, a filter, the table (drawn by ``compare.js``)
``compare/<family>-data.js``  its rows by column, ``window.LIMKB_COMPARE = {...}`` (loads from file:// too)
``compare/<family>.csv``      every row as CSV
``compare/index.md``          the families, with their counts and units
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import itertools
import json
import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from limkb.schema.kinds import Source, Strategy
from limkb.site.compare import OTHER, FamilyTable, compare_rows
from limkb.site.context import FAMILY_TITLES, Site, page_text
from limkb.site.pages import title_of
from limkb.site.urls import built_url, relative_url

if TYPE_CHECKING:
    from limkb.site.memo import Pieces

__all__ = ["CSV_HEADER", "compare_files", "compare_index", "family_csv", "family_files"]


def _url(site: Site, target: str, page: str) -> str:
    """A link from ``page`` to the site path ``target`` as the built site writes it."""
    style = "directory" if site.options.urls == "md" else site.options.urls
    return relative_url(built_url(target, style), built_url(page, style))


ID = "{id}"
"""The place of an entry's id in a pattern of entry links (a slug never holds braces)."""


class _Table:
    """Strings, strategies, entries and sources numbered once, rows pointing at them."""

    def __init__(self, site: Site, page: str) -> None:
        self.site, self.page = site, page
        self.strings: dict[str, int] = {}
        self.entries: dict[str, int] = {}
        self.sources: dict[str, int] = {}
        self.entry_list: list[list[Any]] = []
        self.source_list: list[list[Any]] = []
        self.families: list[str] = []
        self.urls: list[str] = []

    def text(self, value: str) -> int:
        return self.strings.setdefault(value, len(self.strings))

    def entry(self, entry_id: str) -> int:
        if entry_id not in self.entries:
            self.entries[entry_id] = len(self.entry_list)
            entry = self.site.by_id.get(entry_id)
            family = self.family(entry.family.value) if isinstance(entry, Strategy) else -1
            url = self.entry_url(entry.folder, entry_id) if entry else ""
            self.entry_list.append(
                [self.site.label(entry_id), entry_id, family, _terms(self.site, entry), url]
            )
        return self.entries[entry_id]

    def family(self, value: str) -> int:
        """The place of a strategy family among the families the entries name."""
        if value not in self.families:
            self.families.append(value)
        return self.families.index(value)

    def entry_url(self, folder: str, entry_id: str) -> int | str:
        """An entry's link as the place of its folder's pattern in :attr:`urls` (the script puts
        the id in for ``{id}``), or written in full when the pattern would not give it."""
        url = _url(self.site, f"entries/{folder}/{entry_id}.md", self.page)
        pattern = _url(self.site, f"entries/{folder}/{ID}.md", self.page)
        if pattern.count(ID) != 1 or pattern.replace(ID, entry_id) != url:
            return url
        if pattern not in self.urls:
            self.urls.append(pattern)
        return self.urls.index(pattern)

    def source(self, source: Source | None) -> int:
        if source is None:
            return -1
        key = f"{source.ref}\0{source.locator}"
        if key not in self.sources:
            self.sources[key] = len(self.source_list)
            ref = self.site.by_id.get(source.ref)
            url = _url(self.site, f"entries/{ref.folder}/{ref.id}.md", self.page) if ref else ""
            doi = getattr(ref, "doi", None) or ""
            self.source_list.append([self.site.label(source.ref), url, source.locator or "", doi])
        return self.sources[key]


def _terms(site: Site, entry: Any) -> str:
    """More words a reader may filter a strategy's rows by: its other names and the strategies
    that make it (``made by Atomic layer deposition (ALD)``), so "ALD" finds the coatings ALD makes."""
    if not isinstance(entry, Strategy):
        return ""
    words = list(entry.aliases)
    words += [f"made by {site.label(link.id)}" for link in entry.made_by]
    return "; ".join(words)


def _js_number(number: float | None) -> str | None:
    """The text JavaScript's ``String(n)`` gives a number, when it is sure to equal Python's."""
    if number is None:
        return None
    text = repr(number)
    if "e" in text or "inf" in text or "nan" in text:
        return None
    return text[:-2] if text.endswith(".0") else text


DIGITS = "".join(chr(c) for c in range(35, 127) if chr(c) not in "\\")
"""The characters a column of small numbers is written in, one or two per row (``<`` ``>``
``&`` are among them: the data script is a file of its own, never inlined in HTML)."""


def _column(values: list[Any]) -> Any:
    """A column of the data script: ``{"all": v}`` when every row holds the same ``v``;
    ``{"runs": [v, n, ...]}`` when rows holding one value come together (:func:`_runs`); a
    column of numbers (or nulls) as ``{"values": [...], "width": w, "digits": "..."}`` when
    that is shorter: its distinct values (ascending, a null first), and for each row the place
    of its value among them in ``w`` characters of :data:`DIGITS`; else the list itself."""
    if values and all(v == values[0] for v in values):
        return {"all": values[0]}
    runs = _runs(values)
    if runs is not None:
        return {"runs": runs}
    if values and all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in values):
        distinct = sorted(set(values), key=lambda v: (v is not None, v or 0))  # null first
        base = len(DIGITS)
        width = 1 if len(distinct) <= base else 2 if len(distinct) <= base * base else 0
        if width and width * len(values) + len(_json(distinct)) < len(_json(values)):
            place = {v: i for i, v in enumerate(distinct)}
            digits = "".join(_digits(place[v], width) for v in values)
            return {"values": distinct, "width": width, "digits": digits}
    return values


def _runs(values: list[Any]) -> list[Any] | None:
    """``[v, n, v, n, ...]``: each value and how many rows in a row hold it, when that is
    shorter than :func:`_column`'s other forms would be (a column of rows kept in order, such as
    the entry each row is recorded in); else None."""
    runs: list[Any] = []
    for value in values:
        if runs and runs[-2] == value:
            runs[-1] += 1
        else:
            runs += [value, 1]
    return runs if 2 * len(runs) < len(values) else None


def _steps(values: list[Any]) -> dict[str, Any] | None:
    """A column's distinct numbers (ascending, a null first) as ``{"decimals": k, "steps":
    "...", "null": bool}``: each number times ``10**k`` as a whole number, written as its step
    from the one before in base 36, comma-separated; the script divides by ``10**k`` again, which
    gives back exactly the number written here (checked). None when that is not shorter or not
    exact."""
    null = bool(values) and values[0] is None
    numbers = values[1:] if null else values
    if not numbers or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers):
        return None
    for decimals in range(10):
        scale = 10**decimals
        whole = [round(v * scale) for v in numbers]
        if all(abs(w) < 2**53 and w / scale == v for w, v in zip(whole, numbers, strict=True)):
            steps = [whole[0]] + [b - a for a, b in itertools.pairwise(whole)]
            text = ",".join(_base36(step) for step in steps)
            if len(text) + 30 < len(_json(values)):
                return {"decimals": decimals, "steps": text, "null": null}
            return None
    return None


def _base36(number: int) -> str:
    """``number`` in base 36, as JavaScript's ``parseInt(text, 36)`` reads it."""
    chars, rest = [], abs(number)
    while True:
        rest, digit = divmod(rest, 36)
        chars.append("0123456789abcdefghijklmnopqrstuvwxyz"[digit])
        if not rest:
            break
    return ("-" if number < 0 else "") + "".join(reversed(chars))


PACK_LIMIT = len(DIGITS) ** 8
"""The most rows' places a pack holds: below 2**53, so JavaScript reads it exactly."""


def _pack(columns: dict[str, Any]) -> list[dict[str, Any]]:
    """Columns written as characters packed together, their places in one number per row
    (mixed radix, the first column's place the lowest), when that takes fewer characters: each
    packed column keeps its ``values`` and gets ``pack`` (the pack's place) instead of
    ``digits``. The packs, each ``{"names", "width", "digits"}``."""
    groups: list[list[str]] = [[]]
    product = 1
    for name, column in columns.items():
        if not isinstance(column, dict) or "digits" not in column:
            continue
        radix = len(column["values"])
        if product * radix > PACK_LIMIT:
            groups.append([])
            product = 1
        groups[-1].append(name)
        product *= radix
    packs: list[dict[str, Any]] = []
    for names in groups:
        radices = [len(columns[name]["values"]) for name in names]
        width = _width(math.prod(radices))
        if len(names) < 2 or width >= sum(columns[name]["width"] for name in names):
            continue
        places = [_places(columns[name]) for name in names]
        numbers = [0] * len(places[0])
        for radix, column_places in zip(reversed(radices), reversed(places), strict=True):
            numbers = [n * radix + p for n, p in zip(numbers, column_places, strict=True)]
        digits = "".join(_digits(n, width) for n in numbers)
        for name in names:
            columns[name] = {"values": columns[name]["values"], "pack": len(packs)}
        packs.append({"names": names, "width": width, "digits": digits})
    return packs


def _width(count: int) -> int:
    """How many characters of :data:`DIGITS` write every number below ``count``."""
    width, room = 1, len(DIGITS)
    while room < count:
        width, room = width + 1, room * len(DIGITS)
    return width


def _places(column: dict[str, Any]) -> list[int]:
    """The rows' places among a character-written column's values."""
    width, digits = column["width"], column["digits"]
    return [_number(digits[i : i + width]) for i in range(0, len(digits), width)]


def _number(text: str) -> int:
    """The number ``text`` writes in :data:`DIGITS`, most significant first."""
    number = 0
    for char in text:
        number = number * len(DIGITS) + DIGITS.index(char)
    return number


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _digits(number: int, width: int) -> str:
    """``number`` written in :data:`DIGITS`, ``width`` characters, most significant first."""
    base, chars = len(DIGITS), []
    for _ in range(width):
        number, digit = divmod(number, base)
        chars.append(DIGITS[digit])
    return "".join(reversed(chars))


def _data_script(site: Site, table: FamilyTable, page: str) -> str:
    """``window.LIMKB_COMPARE = {...};``: the family's rows by column, each text, entry, source
    and group of them numbered once; a value that reads as its number and the family's unit is
    left for the script to write (-1)."""
    numbered = _Table(site, page)
    groups: dict[tuple[int, ...], int] = {}
    columns: dict[str, list[Any]] = defaultdict(list)
    suffix = "" if table.unit in ("", "1") else f" {table.unit}"
    for row in table.rows:
        number = None if row.number is None or not math.isfinite(row.number) else round(row.number, 9)
        entry = numbered.entry(row.entry)
        strategies = tuple(numbered.entry(s) for s in row.strategies)
        components = tuple(numbered.text(c) for c in row.components)
        shown = _js_number(number)
        derived = shown is not None and row.unit == table.unit and row.value == shown + suffix
        alone = strategies == (entry,)  # the strategy that records the finding: -2, not a group
        columns["strategies"].append(-2 if alone else groups.setdefault(strategies, len(groups)))
        columns["components"].append(groups.setdefault(components, len(groups)))
        columns["value"].append(-1 if derived else numbered.text(row.value))
        columns["number"].append(number)
        columns["topic"].append(1 if row.topic else 0)
        columns["entry"].append(entry)
        columns["source"].append(numbered.source(row.source))
        for name in (
            "electrolyte",
            "cell",
            "protocol",
            "current_density",
            "areal_capacity",
            "record",
            "what",
            "note",
        ):
            columns[name].append(numbered.text(getattr(row, name)))
    labels = {c: site.label(c) for row in table.rows for c in row.components}
    data: dict[str, Any] = {
        "family": table.rule.slug,
        "title": table.rule.title,
        "unit": table.unit,
        "count": len(table.rows),
        "strings": list(numbered.strings),
        "entries": numbered.entry_list,
        "sources": numbered.source_list,
        "groups": [list(group) for group in groups],
        "components": dict(sorted(labels.items())),
        "families": FAMILY_TITLES,
        "columns": {name: _column(values) for name, values in sorted(columns.items())},
        "family_ids": numbered.families,
        "urls": numbered.urls,
    }
    data["packs"] = _pack(data["columns"])
    for column in data["columns"].values():
        steps = _steps(column["values"]) if isinstance(column, dict) and "values" in column else None
        if steps is not None:
            del column["values"]
            column.update(steps)
    return (
        "window.LIMKB_COMPARE = "
        + json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
        + ";\n"
    )


CSV_HEADER = (
    "strategy",
    "electrolyte",
    "cell",
    "protocol",
    "current density",
    "areal capacity",
    "value",
    "value in family unit",
    "family unit",
    "what",
    "recorded in",
    "record",
    "source",
    "locator",
    "doi",
    "note",
)
"""The columns of a family's CSV, the same as ``compare.js`` writes for the rows shown."""


def _source_cells(site: Site, source: Source | None) -> tuple[str, str, str]:
    if source is None:
        return "", "", ""
    ref = site.by_id.get(source.ref)
    return site.label(source.ref), source.locator or "", getattr(ref, "doi", None) or ""


def family_csv(site: Site, table: FamilyTable) -> str:
    """Every row of a family as CSV (the same columns as the page's download)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in table.rows:
        label, locator, doi = _source_cells(site, row.source)
        number = "" if row.number is None else f"{row.number:.6g}"
        writer.writerow(
            [
                "; ".join(site.label(s) for s in row.strategies) + (" (dataset topic)" if row.topic else ""),
                row.electrolyte,
                row.cell,
                row.protocol,
                row.current_density,
                row.areal_capacity,
                row.value,
                number,
                table.unit if number else "",
                row.what,
                site.label(row.entry),
                row.record,
                label,
                locator,
                doi,
                row.note,
            ]
        )
    return out.getvalue()


def compare_files(site: Site, tables: dict[str, FamilyTable] | None = None) -> dict[str, str]:
    """The comparison pages, their data scripts and CSVs, and the landing page."""
    tables = compare_rows(site) if tables is None else tables
    return {**family_files(site, tables), "compare/index.md": compare_index(site, tables)}


def family_files(site: Site, tables: dict[str, FamilyTable], pieces: Pieces | None = None) -> dict[str, str]:
    """Each quantity's page ``compare/<family>.md``, its data script and its CSV; with
    ``pieces``, a family whose rows and the entries they look up are unchanged keeps its files
    from the last rendering (:meth:`~limkb.site.memo.Pieces.keyed`)."""
    files: dict[str, str] = {}
    for slug, table in tables.items():
        make = functools.partial(_family, site, slug, table)
        if pieces is None:
            files.update(make())
        else:
            key = hashlib.sha256(f"{slug}\0{table!r}".encode()).hexdigest()
            files.update(pieces.keyed("compare-files", key, make))
    return files


def _family(site: Site, slug: str, table: FamilyTable) -> dict[str, str]:
    """One quantity's page, data script and CSV."""
    page = f"compare/{slug}.md"
    return {
        f"compare/{slug}-data.js": _data_script(site, table, page),
        f"compare/{slug}.csv": family_csv(site, table),
        page: page_text(
            "compare.md",
            f"Compare: {table.rule.title}",
            family=table.rule.title,
            slug=slug,
            unit=table.unit,
            count=len(table.rows),
            landing=site.links(page).to("compare/index.md"),
            contributing=site.links(page).to("contributing.md") + "#record-a-finding-read-in-a-paper",
            quantity=table.rule.properties[0] if table.rule.properties else "",
            script=_url(site, f"compare/{slug}-data.js", page),
            csv=site.links(page).to(f"compare/{slug}.csv"),
        ),
    }


def compare_index(site: Site, tables: dict[str, FamilyTable]) -> str:
    """``compare/index.md``: every quantity's page, with its count, unit and CSV."""
    links = site.links("compare/index.md")
    families = [
        {
            "title": table.rule.title,
            "url": links.to(f"compare/{slug}.md"),
            "count": len(table.rows),
            "unit": table.unit,
            "other": table.rule is OTHER,
            "strategies": len({s for row in table.rows for s in row.strategies}),
            "csv": links.to(f"compare/{slug}.csv"),
        }
        for slug, table in tables.items()
    ]
    return page_text("compare_index.md", title_of("compare/index.md"), families=families)
