"""The rules that span entries, run once every file has passed (or failed) its schema.

Unique DOIs, relations that resolve to an entry of the right kind, no circles in
``subtype_of``, one family along a subtype chain, dataset records that match their columns,
units and their properties' ranges, analyses over variables that exist, sources with
locators, and relations that carry their own sources or say why they need none. Each rule reads a :class:`~limkb.check.result.Validated` and adds to its report.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from limkb.analysis.components import Conventions
from limkb.analysis.findings import finding_key, iter_findings, with_findings
from limkb.analysis.formulations import FormulationError, MaterialIndex, resolve
from limkb.analysis.formulations import parse as parse_formulation
from limkb.analysis.inputs import Inputs, conventions_of, material_index
from limkb.analysis.variables import Plan, evaluate_plan, plan
from limkb.check.ranges import (
    bounds,
    bounds_text,
    check_definition,
    check_plausible,
    check_typed_twice,
    outside,
    properties_of,
    range_causes,
)
from limkb.check.reader import Document, Mark
from limkb.check.result import EntryLinks, Validated, Where, entry_links, report_at
from limkb.check.schema_errors import describe_value as _describe
from limkb.check.schema_errors import dotted as _dotted
from limkb.check.stats import iter_relations
from limkb.errors import LimkbError
from limkb.report import Problem, Report, Severity, close_matches
from limkb.schema.ids import reference_id, untitled_reference_id
from limkb.schema.kinds import (
    Analysis,
    Claim,
    Column,
    ColumnType,
    Dataset,
    Entry,
    Finding,
    Material,
    Property,
    Record,
    Reference,
    Strategy,
    iter_sources,
    unit_bounds,
)
from limkb.schema.units import UnitError, convert, describe

__all__ = [
    "COMPOSITION_TOLERANCE",
    "FRACTION_HINT",
    "EntryChecks",
    "EntryMemo",
    "RuleMemo",
    "check_rules",
    "fraction_columns",
]

COMPOSITION_TOLERANCE = 0.5
"""Rounding slack, in percentage points, allowed when parts of a whole are summed."""


RuleMemo = dict[str, tuple[str, list[Problem]]]
"""A rule's name -> (the fingerprint of what it read, the problems it reported then)."""

_READS: dict[str, frozenset[str]] = {
    "_check_datasets": frozenset({"dataset", "property"}),
    "_check_analyses": frozenset({"analysis", "dataset", "property", "material"}),
    "_check_formulations": frozenset({"dataset", "material"}),
    "_check_materials": frozenset({"material"}),
}
"""The kinds of entry whose contents a rule reads; of the other entries it reads only their id,
kind and whether they passed their schema (:func:`_fingerprint`). A rule not named here reads
any entry, and always runs."""


class EntryChecks(NamedTuple):
    """What the rules checked entry by entry (:data:`_EACH`) found in one entry, with what
    they read of the others, and the entry's links for the graph (:func:`limkb.graph.link`)."""

    digest: str
    """The entry's shown path and a hash of its text (its entry is made from them)."""
    named: tuple[str, ...]
    """Each id its links and sources name, sorted."""
    states: tuple[str | None, ...]
    """The state of each id of :attr:`named` then (:meth:`_EachEntry.states`)."""
    ids: str
    """When a link failed (its message suggests ids of the KB), the hash of every id's kind
    and state then; else ""."""
    problems: tuple[list[Problem], ...]
    """The problems each rule of :data:`_EACH` reported, in that order."""
    links: EntryLinks


EntryMemo = dict[str, EntryChecks]
"""An entry's id -> what the rules checked entry by entry found in it (:class:`EntryChecks`)."""

_EACH = ("_check_links", "_check_locators", "_check_relation_sources")
"""The rules that check one entry at a time, reading of the others only the kind and state
of the ids it names (and, for a link that fails, every id, to suggest one): their problems are
kept per entry (:class:`EntryChecks`)."""


class _EachEntry:
    """The rules of :data:`_EACH`, run entry by entry, each entry's problems reused from the
    last run (``memo``) while its text and the state of every id it names are the same."""

    def __init__(self, result: Validated, memo: EntryMemo | None, index: list[bytes]) -> None:
        self._result = result
        self._memo = memo
        self._index = index
        self._index_digest: str | None = None
        self._states: dict[str, str] | None = None
        self.pools = _Pools(result)
        self.kept: EntryMemo = {}
        self.keeps = memo is not None
        """Whether the run keeps what it finds for the next (else the rules run as a whole)."""

    def checks(self, entry_id: str, entry: Entry) -> EntryChecks:
        """What the rules find in ``entry`` (the checked entry of ``entry_id``), reused or made."""
        found = self.kept.get(entry_id)
        if found is None:
            found = self._reused(entry_id) or self._run(entry_id, entry)
            self.kept[entry_id] = found
            self._result.linked[entry_id] = found.links
        return found

    def states(self) -> dict[str, str]:
        """What the rules read of the entry each id names: its kind, or "invalid" for a file
        that failed its schema (an id that names no entry is not there), made once per run."""
        if self._states is None:
            result = self._result
            self._states = dict.fromkeys(result.invalid, "invalid")
            self._states.update((i, e.kind) for i, e in result.entries.items())
        return self._states

    def _digest(self, entry_id: str) -> str | None:
        """The entry's shown path and a hash of its text (the hash of its file's bytes when the
        file cache read it); None when neither is kept."""
        document = self._result.documents.get(entry_id)
        if document is None:
            return None
        if document.digest is not None:
            return f"{document.path}\0file {document.digest}"
        if document.text is None:
            return None
        text = hashlib.sha256(document.text.encode("utf-8", "surrogatepass")).hexdigest()
        return f"{document.path}\0text {text}"

    def _ids_digest(self) -> str:
        """A hash of every id's kind and state (see :func:`_fingerprint`), made once per run."""
        if self._index_digest is None:
            _states(self._result, self._index)
            self._index_digest = hashlib.sha256(self._index[0]).hexdigest()
        return self._index_digest

    def _reused(self, entry_id: str) -> EntryChecks | None:
        """The last run's findings for the entry, if nothing they read has changed."""
        old = None if self._memo is None else self._memo.get(entry_id)
        if old is None or old.digest != self._digest(entry_id):
            return None
        if tuple(map(self.states().get, old.named)) != old.states:
            return None
        if old.ids and old.ids != self._ids_digest():
            return None
        return old

    def _run(self, entry_id: str, entry: Entry) -> EntryChecks:
        """Run the rules of :data:`_EACH` on one entry."""
        result = self._result
        reports = (Report(), Report(), Report())
        _entry_links(result, reports[0], self.pools, entry_id, entry)
        _entry_locators(result, reports[1], entry_id, entry)
        if entry_id in result.entries:  # a partial entry's relations are checked once it is whole
            _entry_relation_sources(result, reports[2], entry_id, entry)
        links = result.links_of(entry_id, entry)
        linked = entry_links(entry_id, entry, links)
        named = tuple(sorted({link.target for link in links} | set(linked[1])))
        return EntryChecks(
            digest=self._digest(entry_id) or "",
            named=named,
            states=tuple(map(self.states().get, named)),
            ids=self._ids_digest() if reports[0].problems else "",
            problems=tuple(report.problems for report in reports),
            links=linked,
        )


def _check_each(result: Validated, each: _EachEntry, rule: int, entries: dict[str, Entry]) -> None:
    """The problems the rule of :data:`_EACH` numbered ``rule`` finds in each of ``entries``:
    reused or kept entry by entry when the run keeps them, else found straight into the report
    (``limkb validate`` keeps nothing, and pays nothing for it)."""
    if each.keeps:
        for entry_id, entry in entries.items():
            result.report.extend(each.checks(entry_id, entry).problems[rule])
        return
    report = result.report
    for entry_id, entry in entries.items():
        if rule == 0:
            _entry_links(result, report, each.pools, entry_id, entry)
        elif rule == 1:
            _entry_locators(result, report, entry_id, entry)
        else:
            _entry_relation_sources(result, report, entry_id, entry)


def _rules(
    shared: _Shared, each: _EachEntry, each_analysis: _EachAnalysis
) -> list[tuple[str, Callable[[Validated], None]]]:
    """Every rule, in the order it runs, by name."""
    return [
        ("_check_links", lambda result: _check_each(result, each, 0, result.checked())),
        ("_check_strategies", _check_strategies),
        ("_check_references", _check_references),
        ("_check_datasets", _check_datasets),
        ("_check_analyses", lambda result: _check_analyses(result, shared, each_analysis)),
        ("_check_formulations", lambda result: _check_formulations(result, shared)),
        ("_check_materials", _check_materials),
        ("_check_findings", lambda result: _check_findings(result, shared)),
        ("_check_evidence_gaps", lambda result: _check_evidence_gaps(result, shared)),
        ("_check_finding_ids", lambda result: _check_finding_ids(result, shared)),
        ("_check_same_findings", lambda result: _check_same_findings(result, shared)),
        ("_check_claims", lambda result: _check_claims(result, shared)),
        ("_check_locators", lambda result: _check_each(result, each, 1, result.checked())),
        ("_check_relation_sources", lambda result: _check_each(result, each, 2, result.entries)),
    ]


def check_rules(result: Validated, memo: RuleMemo | None = None, entries: EntryMemo | None = None) -> None:
    """Run every rule across the entries of ``result``, in order.

    With ``memo`` (kept by the caller between runs), a rule of :data:`_READS` whose inputs
    fingerprint the same as at its last run adds the problems it reported then instead of
    running again; with ``entries`` (kept likewise), so do the rules of :data:`_EACH` for
    each entry whose text and the state of the ids it names are unchanged
    (:class:`EntryChecks`). The report is the same either way.
    """
    shared = _Shared(result)
    index: list[bytes] = []
    each = _EachEntry(result, entries, index)
    keys = {} if memo is None else _fingerprints(result, {**_READS, _ANALYSES_BASE: _ANALYSES_READ}, index)
    each_analysis = _EachAnalysis(result, memo, keys.get(_ANALYSES_BASE))
    for name, rule in _rules(shared, each, each_analysis):
        key = keys.get(name)
        if memo is None or key is None:
            rule(result)
            if memo is not None:
                memo.pop(name, None)
            continue
        kept = memo.get(name)
        if kept is not None and kept[0] == key:
            result.report.extend(kept[1])
            continue
        start = len(result.report.problems)
        rule(result)
        memo[name] = (key, result.report.problems[start:])
    if entries is not None:
        entries.clear()
        entries.update(each.kept)
    each_analysis.keep()


def _states(result: Validated, index: list[bytes]) -> None:
    """The id, kind and state (complete, partial, unreadable) of every entry, as bytes, into
    ``index`` unless it holds them already."""
    if not index:
        states = [(i, e.kind, "complete") for i, e in result.entries.items()]
        states += [(i, e.kind, "partial") for i, e in result.partial.items()]
        states += [(i, "", "unreadable") for i in result.invalid if i not in result.partial]
        index.append(repr(sorted(states)).encode("utf-8", "surrogatepass"))


def _text_part(digest: Any, entry_id: str, document: Document) -> None:
    """The id, shown path and text of an entry's file into ``digest`` (the hash of the file's
    bytes stands for the text when the file cache read it)."""
    digest.update(_text_bytes(entry_id, document))


def _text_bytes(entry_id: str, document: Document) -> bytes:
    """What :func:`_text_part` hashes: the id, shown path and text, each behind its length."""
    text = (document.text or "") if document.digest is None else f"\0file {document.digest}"
    pieces = []
    for part in (entry_id, document.path, text):
        encoded = part.encode("utf-8", "surrogatepass")
        pieces += [len(encoded).to_bytes(8, "big"), encoded]
    return b"".join(pieces)


def _fingerprint(result: Validated, kinds: frozenset[str], index: list[bytes]) -> str | None:
    """A hash of everything a rule reading the contents of ``kinds`` can see: the id, kind and
    state (complete, partial, unreadable) of every entry, and the shown path and text of each
    entry of ``kinds`` (its entry is made from them; the hash of its file's bytes stands for
    the text when the file cache read it). None when a text is not kept.
    ``index`` holds the first part once it is made, for the other rules of the run."""
    return _fingerprints(result, {"": kinds}, index)[""]


def _fingerprints(
    result: Validated, reads: dict[str, frozenset[str]], index: list[bytes]
) -> dict[str, str | None]:
    """:func:`_fingerprint` of the kinds each name of ``reads`` reads, by name, made in one walk
    over the entries (each entry's text hashed in once for every name that reads its kind)."""
    _states(result, index)
    digests = {name: hashlib.sha256(index[0]) for name in reads}
    readers: dict[str, list[str]] = defaultdict(list)
    for name, kinds in reads.items():
        for kind in kinds:
            readers[kind].append(name)
    unkept: set[str] = set()
    for entry_id, entry in sorted(result.checked().items()):
        names = readers.get(entry.kind)
        if not names:
            continue
        document = result.documents.get(entry_id)
        if document is None or document.text is None:
            unkept.update(names)
            continue
        part = _text_bytes(entry_id, document)
        for name in names:
            digests[name].update(part)
    return {name: None if name in unkept else digest.hexdigest() for name, digest in digests.items()}


_ANALYSIS = "_check_analyses:"
"""The prefix of the rules' memo keys under which :class:`_EachAnalysis` keeps each analysis's problems."""

_ANALYSES_READ = frozenset({"property", "material"})
"""The kinds of entry every analysis's check reads whole (besides its own file and its datasets)."""

_ANALYSES_BASE = "_check_analyses:*"
"""The name :func:`check_rules` fingerprints :data:`_ANALYSES_READ` under (for :class:`_EachAnalysis`)."""


class _EachAnalysis:
    """The analyses' check (:func:`_check_analyses`) analysis by analysis: each analysis's
    problems reused from the last run while what it reads is the same, so that an edit of one
    dataset runs again only the analyses that may read it.

    An analysis reads its own file, the datasets it may read (those it lists under
    ``datasets:``, or all), every property and material, and the id, kind and state of every
    entry (:func:`_fingerprint`); its problems sit in its own file and those datasets'. They
    are kept in the rules' memo under ``_check_analyses:<id>`` with a hash of all of that."""

    def __init__(self, result: Validated, memo: RuleMemo | None, base: str | None) -> None:
        self._result = result
        self._memo = memo
        self._base = base
        """:func:`_fingerprint` of the kinds every analysis reads (None: a text is not kept)."""
        self._datasets: dict[str, str] | None = None
        self._kept: dict[str, tuple[str, list[Problem]]] = {}
        self._ran = False

    def _dataset_digests(self) -> dict[str, str] | None:
        """Each dataset's hash of its id, shown path and text; None when a text is not kept."""
        if self._datasets is None:
            digests: dict[str, str] = {}
            for entry_id, entry in self._result.checked().items():
                if entry.kind != "dataset":
                    continue
                document = self._result.documents.get(entry_id)
                if document is None or document.text is None:
                    return None
                digest = hashlib.sha256()
                _text_part(digest, entry_id, document)
                digests[entry_id] = digest.hexdigest()
            self._datasets = digests
        return self._datasets

    def key(self, entry_id: str, entry: Analysis) -> str | None:
        """The hash of what the analysis of ``entry_id`` reads, or None when a text is not kept."""
        if self._memo is None or self._base is None:
            return None
        datasets, document = self._dataset_digests(), self._result.documents.get(entry_id)
        if datasets is None or document is None or document.text is None:
            return None
        digest = hashlib.sha256(self._base.encode())
        _text_part(digest, entry_id, document)
        listed = sorted(datasets) if entry.datasets is None else sorted(set(entry.datasets))
        for dataset_id in listed:
            digest.update(f"\0{dataset_id}\0{datasets.get(dataset_id, '')}".encode())
        return digest.hexdigest()

    def reused(self, entry_id: str, key: str | None) -> list[Problem] | None:
        """The problems the analysis reported last time its inputs hashed to ``key``, if any."""
        self._ran = True
        kept = None if key is None or self._memo is None else self._memo.get(_ANALYSIS + entry_id)
        if kept is None or kept[0] != key:
            return None
        self._kept[entry_id] = kept
        return kept[1]

    def found(self, entry_id: str, key: str | None, problems: list[Problem]) -> None:
        """Keep the problems the analysis of ``entry_id`` reported when its inputs hashed to ``key``."""
        if key is not None:
            self._kept[entry_id] = (key, problems)

    def keep(self) -> None:
        """Replace the analyses' records in the memo with this run's, when the check ran (when
        it was reused whole, the records are those of the run that made it)."""
        if self._memo is None or not self._ran:
            return
        for name in [n for n in self._memo if n.startswith(_ANALYSIS)]:
            del self._memo[name]
        self._memo.update({_ANALYSIS + i: kept for i, kept in self._kept.items()})


class _Shared:
    """What more than one rule reads of the materials, gathered once per run and only when a
    rule asks for it."""

    def __init__(self, result: Validated) -> None:
        self._result = result
        self._inputs: Inputs | None = None
        self._index: MaterialIndex | None = None
        self._holders: dict[str, Entry] | None = None

    def holders(self) -> dict[str, Entry]:
        """The complete entries of the kinds that can hold findings, in the order of the
        entries: :func:`iter_findings` of them finds every finding, without asking each of the
        others for a field it does not have."""
        if self._holders is None:
            entries = self._result.entries.items()
            self._holders = {i: e for i, e in entries if _holds_findings(type(e))}
        return self._holders

    def inputs(self) -> Inputs:
        """The materials' names and data, as analyses read them (:func:`_inputs`)."""
        if self._inputs is None:
            self._inputs = _inputs(self._result)
        return self._inputs

    def material_index(self) -> MaterialIndex:
        """Every name of every checked material (:func:`_material_index`): the analyses' own
        index when no material is partial, since both then index the same materials in order."""
        if self._index is None:
            if any(isinstance(e, Material) for e in self._result.partial.values()):
                self._index = _material_index(self._result)
            else:
                self._index = self.inputs().index
        return self._index


_HOLDS_FINDINGS: dict[type, bool] = {}


def _holds_findings(model: type) -> bool:
    """Whether entries of the model ``model`` have a ``findings`` field."""
    found = _HOLDS_FINDINGS.get(model)
    if found is None:
        found = _HOLDS_FINDINGS[model] = "findings" in getattr(model, "model_fields", {})
    return found


def _suggest(target: str, candidates: Iterable[str]) -> list[str]:
    return close_matches(target, list(candidates), n=3, cutoff=0.6)


class _Pools:
    """The ids of the checked entries by kind, gathered once per run and only when a link
    fails (its message suggests close ids): what an entry's failed link reads of the others."""

    def __init__(self, result: Validated) -> None:
        self._result = result
        self._by_kind: dict[str, list[str]] | None = None

    def by_kind(self) -> dict[str, list[str]]:
        """The ids of the complete entries, by kind, in the order of the entries."""
        if self._by_kind is None:
            self._by_kind = defaultdict(list)
            for entry_id, entry in self._result.entries.items():
                self._by_kind[entry.kind].append(entry_id)
        return self._by_kind


def _entry_links(result: Validated, report: Report, pools: _Pools, entry_id: str, entry: Entry) -> None:
    """The relations and sources of one entry resolve to an entry of the right kind."""
    document = result.documents[entry_id]
    links = result.links_of(entry_id, entry)
    for link in links:
        target = result.entries.get(link.target)
        if target is not None and target.kind in link.rel.targets and link.target != entry_id:
            continue  # the common case, decided before anything is built for a message
        m = Where(document, link.loc)
        kinds = " or ".join(link.rel.targets)
        if target is None and link.target in result.invalid:
            continue
        by_kind = pools.by_kind()
        if target is None:
            pool = [i for k in link.rel.targets for i in by_kind.get(k, [])] or list(result.entries)
            close = _suggest(link.target, pool)
            message = f"{link.target!r} is not an entry" + (f"; did you mean {close[0]!r}?" if close else "")
            hint = (
                f"replace it with {close[0]!r}"
                if close
                else f"create it with `limkb new {link.rel.targets[0]} {link.target}`, or fix the id"
            )
            if link.rel.targets == ("property",):  # a new quantity is as likely as a typo
                hint = (
                    (f"if you mean {close[0]!r}, write that; if not, " if close else "")
                    + f"add the property with `limkb new property {link.target}` "
                    "(CONTRIBUTING.md, 'Add a property')"
                )
            report_at(report, document, m, "unknown-ref", message, hint, entry=entry_id)
        elif target.kind not in link.rel.targets:
            report_at(
                report,
                document,
                m,
                "wrong-kind",
                f"{_dotted(link.loc)} must name a {kinds}, but {link.target!r} is a {target.kind}",
                f"name a {kinds} here, e.g. one of {', '.join(sorted(by_kind.get(link.rel.targets[0], []))[:3]) or '(none yet)'}",
                entry=entry_id,
            )
        elif link.target == entry_id and link.relation != "finding_about":
            report_at(
                report,
                document,
                m,
                "self-link",
                f"{_dotted(link.loc)} names the entry itself",
                "remove this item",
                entry=entry_id,
            )
    for loc, source in iter_sources(entry, links):
        _check_source(result, report, pools, entry_id, document, loc, source.ref)


def _check_source(
    result: Validated,
    report: Report,
    pools: _Pools,
    entry_id: str,
    document: Document,
    loc: tuple[Any, ...],
    ref: str,
) -> None:
    target = result.entries.get(ref)
    if (target is None and ref in result.invalid) or isinstance(target, Reference):
        return
    m = Where(document, (*loc, "ref"), loc)
    if target is None:
        close = _suggest(ref, pools.by_kind().get("reference", []))
        message = f"source {ref!r} is not a reference entry" + (
            f"; did you mean {close[0]!r}?" if close else ""
        )
        hint = (
            f"replace it with {close[0]!r}"
            if close
            else "add the reference first: `limkb import-bib FILE.bib` or `limkb new reference <id>`"
        )
        report_at(report, document, m, "unknown-ref", message, hint, entry=entry_id)
    elif not isinstance(target, Reference):
        report_at(
            report,
            document,
            m,
            "wrong-kind",
            f"source {ref!r} is a {target.kind}, not a reference",
            "sources name reference entries (kb/references/)",
            entry=entry_id,
        )


def _subtype_cycles(parent: dict[str, str | None]) -> list[list[str]]:
    """Every circle of ``subtype_of``, each once, in linear time.

    Each strategy has at most one parent, so one walk up from every strategy not yet seen
    finds each circle (colouring: on the current path, or done). A circle is given from its
    member that comes first in ``parent``'s order.
    """
    order = {node: i for i, node in enumerate(parent)}
    done: set[str] = set()
    cycles = []
    for start in parent:
        path: dict[str, int] = {}
        current: str | None = start
        while current is not None and current in parent and current not in done and current not in path:
            path[current] = len(path)
            current = parent[current]
        if current is not None and current in path:
            members = list(path)[path[current] :]
            first = min(range(len(members)), key=lambda i: order[members[i]])
            cycles.append(members[first:] + members[:first])
        done.update(path)
    return cycles


def _check_strategies(result: Validated) -> None:
    strategies = {i: e for i, e in result.checked().items() if isinstance(e, Strategy)}
    for cycle in _subtype_cycles({i: s.subtype_of for i, s in strategies.items()}):
        if len(cycle) > 1:  # an entry that names itself is reported as self-link
            start = cycle[0]
            document = result.documents[start]
            m = document.mark(("subtype_of",))
            shown = (
                [*cycle, start]
                if len(cycle) <= 12
                else [*cycle[:5], f"... ({len(cycle) - 10} more) ...", *cycle[-5:], start]
            )
            report_at(
                result.report,
                document,
                m,
                "cycle",
                f"`subtype_of` goes round in a circle: {' -> '.join(shown)}"
                + (f" ({len(cycle)} strategies)" if len(cycle) > 12 else ""),
                "one strategy in the circle must be the broader one: remove its `subtype_of`",
                entry=start,
            )
    for entry_id, entry in strategies.items():
        parent = strategies.get(getattr(entry, "subtype_of", None) or "")
        family = getattr(entry, "family", None)
        if parent is not None and family is not None and getattr(parent, "family", family) != family:
            document = result.documents[entry_id]
            report_at(
                result.report,
                document,
                ("family",),
                "family-mismatch",
                f"family {family.value!r} differs from {parent.id!r}'s {parent.family.value!r}",
                f"set `family: {parent.family.value}` or choose another `subtype_of`",
                entry=entry_id,
            )


def _check_authors_explained(result: Validated, document: Any, entry_id: str, entry: Reference) -> None:
    """A reference without authors says why in its note and can be found by its DOI or URL."""
    if entry.note and (entry.doi or entry.url):
        return
    report_at(
        result.report,
        document,
        Mark(1, 1),
        "authors-missing",
        "the reference lists no authors"
        + ("" if entry.note else " and its note does not say why")
        + ("" if entry.doi or entry.url else ", and has no DOI or URL to find it by"),
        'add `authors:` ("Family, Given initials" each); when no text read shows them, leave them out, '
        "say so in `note:` and give the `doi:` (or `url:`)",
        entry=entry_id,
    )


def _check_references(result: Validated) -> None:
    dois: dict[str, str] = {}
    for entry_id, entry in result.entries.items():
        if not isinstance(entry, Reference):
            continue
        document = result.documents[entry_id]
        if entry.doi:
            key = entry.doi.lower()
            if key in dois:
                report_at(
                    result.report,
                    document,
                    ("doi",),
                    "duplicate-doi",
                    f"DOI {entry.doi} is already the reference {dois[key]!r}",
                    f"cite {dois[key]!r} instead and delete this file",
                    entry=entry_id,
                )
            else:
                dois[key] = entry_id
        if entry.authors:
            expected = reference_id(entry.authors[0].split(",")[0], entry.year, entry.title)
            convention = "<surname><year><first-title-word>"
        else:
            _check_authors_explained(result, document, entry_id, entry)
            expected = untitled_reference_id(entry.year, entry.title)
            convention = "<first-title-word><year> (a reference without authors)"
        if not entry_id.startswith(expected):
            report_at(
                result.report,
                document,
                Mark(1, 1),
                "ref-id-convention",
                f"reference id {entry_id!r} does not follow {convention}",
                f"rename the file to {expected}.yaml (add a letter for a second paper: {expected}b)",
                severity=Severity.WARNING,
                entry=entry_id,
            )


def _check_datasets(result: Validated) -> None:
    properties = properties_of(result)
    for entry_id, entry in result.entries.items():
        if isinstance(entry, Dataset):
            _check_dataset(result, entry_id, entry, properties)
        elif isinstance(entry, Property):
            _check_property(result, entry_id, entry)


def _check_property(result: Validated, entry_id: str, prop: Property) -> None:
    document = result.documents[entry_id]
    if prop.minimum is not None and prop.maximum is not None and prop.minimum > prop.maximum:
        report_at(
            result.report,
            document,
            ("minimum",),
            "out-of-range",
            f"minimum {prop.minimum:g} is larger than maximum {prop.maximum:g}",
            "swap the two values",
            entry=entry_id,
        )
    check_plausible(result, entry_id, prop)
    check_definition(result, entry_id, prop)
    low, high = unit_bounds(prop.unit)
    for name, value in (("minimum", prop.minimum), ("maximum", prop.maximum)):
        if value is not None and ((low is not None and value < low) or (high is not None and value > high)):
            report_at(
                result.report,
                document,
                (name,),
                "out-of-range",
                f"{name} {value:g} {prop.unit} is impossible for a value in {prop.unit}",
                "check the bound" + (" (percentages are 0-100)" if high == 100 else ""),
                entry=entry_id,
            )


def _check_dataset(
    result: Validated, entry_id: str, dataset: Dataset, properties: dict[str, Property]
) -> None:
    """A dataset's columns, its composition groups, its records' cells and the parts of each whole
    (``properties``: the KB's, found once for every dataset)."""
    document = result.documents[entry_id]
    columns = _check_columns(result, entry_id, document, dataset)
    _check_composition_columns(result.report, entry_id, document, dataset, columns)
    _check_duplicate_records(result.report, entry_id, document, dataset)
    _check_fractions(result, entry_id, document, dataset)
    check_typed_twice(result, entry_id, dataset, properties)
    causes = range_causes(result, dataset, properties)
    for r, record in enumerate(dataset.records):
        for name, value in record.values.items():
            _check_cell(result, entry_id, document, columns, (r, record, name, value), causes)
        _check_composition_sums(result.report, entry_id, document, dataset, columns, r, record)


def _check_columns(
    result: Validated, entry_id: str, document: Document, dataset: Dataset
) -> dict[str, Column]:
    """Each column declared once, under a name records do not use, in a unit its property converts
    from; the columns by name (the first of two with one name)."""
    report = result.report
    columns: dict[str, Column] = {}
    for i, column in enumerate(dataset.columns):
        if column.name in columns:
            report_at(
                report,
                document,
                ("columns", i, "name"),
                "duplicate-column",
                f"column {column.name!r} is declared twice",
                "rename or remove one",
                entry=entry_id,
            )
            continue
        columns[column.name] = column
        if column.name in Record.model_fields:
            report_at(
                report,
                document,
                ("columns", i, "name"),
                "bad-value",
                f"column name {column.name!r} is reserved: records use `{column.name}:` for their own field",
                f"rename the column, e.g. to `{column.name}_value`",
                entry=entry_id,
            )
        prop = result.entries.get(column.property or "")
        if isinstance(prop, Property) and column.unit is not None:
            try:
                convert(1.0, column.unit, prop.unit)
            except UnitError:
                report_at(
                    report,
                    document,
                    ("columns", i, "unit"),
                    "unit-mismatch",
                    f"column {column.name!r} is in {describe(column.unit)}, which cannot be converted to "
                    f"{prop.id!r}'s unit {describe(prop.unit)}",
                    f"state the values in {prop.unit!r} (or a unit of the same dimension); atomic, mass, "
                    "volume and molar percentages are different quantities",
                    entry=entry_id,
                )
    return columns


def _check_composition_columns(
    report: Report, entry_id: str, document: Document, dataset: Dataset, columns: dict[str, Column]
) -> None:
    """Each name in a composition group is a column, and a percentage one."""
    for g, group in enumerate(dataset.composition):
        for j, name in enumerate(group):
            if name not in columns:
                report_at(
                    report,
                    document,
                    ("composition", g, j),
                    "unknown-column",
                    f"composition names {name!r}, which is not a column",
                    f"use one of: {', '.join(columns)}",
                    entry=entry_id,
                )
            elif unit_bounds(columns[name].unit or "") != (0.0, 100.0):
                report_at(
                    report,
                    document,
                    ("composition", g, j),
                    "composition-unit",
                    f"composition names {name!r}, whose unit is {columns[name].unit!r}, not a percentage",
                    "list only columns in `%` (or `at%`, `wt%`, `vol%`, `mol%`) as parts of one whole",
                    entry=entry_id,
                )


def _check_cell(
    result: Validated,
    entry_id: str,
    document: Document,
    columns: dict[str, Column],
    cell_of: tuple[int, Record, str, Any],
    causes: dict[str, str],
) -> None:
    """One record's value (record index, record, column name, value): in a declared column, of the
    column's type, and within its property's and unit's range."""
    r, record, name, value = cell_of
    report = result.report
    column = columns.get(name)
    cell = Where(document, ("records", r, name))
    if column is None:
        close = _suggest(name, columns)
        report_at(
            report,
            document,
            cell,
            "unknown-column",
            f"record {record.label!r} has a value for {name!r}, which is not a column"
            + (f"; did you mean {close[0]!r}?" if close else ""),
            f"use one of the declared columns: {', '.join(columns)}",
            entry=entry_id,
        )
        return
    if value is None:
        return
    if column.type is ColumnType.TEXT:
        if not isinstance(value, str):
            report_at(
                report,
                document,
                cell,
                "column-type",
                f"{name!r} is a text column, but {record.label!r} has {_describe(value)}",
                "put the value in double quotes",
                entry=entry_id,
            )
        return
    if isinstance(value, str) or (column.type is ColumnType.INTEGER and not isinstance(value, int)):
        report_at(
            report,
            document,
            cell,
            "column-type",
            f"{name!r} holds {column.type.value}s, but {record.label!r} has {_describe(value)}",
            "write a bare number (no quotes, no unit); leave the cell out when unknown",
            entry=entry_id,
        )
        return
    _check_range(result, entry_id, document, cell, record.label, column, float(value), causes)


def _check_composition_sums(
    report: Report,
    entry_id: str,
    document: Document,
    dataset: Dataset,
    columns: dict[str, Column],
    r: int,
    record: Record,
) -> None:
    """The parts of each composition group of one record add up to no more than 100 % (with
    :data:`COMPOSITION_TOLERANCE`); groups naming an unknown or non-percentage column are skipped."""
    values = record.values
    for group in dataset.composition:
        if any(n not in columns or unit_bounds(columns[n].unit or "") != (0.0, 100.0) for n in group):
            continue
        parts = [values.get(n) for n in group]
        numbers = [float(p) for p in parts if isinstance(p, (int, float))]
        if numbers and sum(numbers) > 100 + COMPOSITION_TOLERANCE:
            report_at(
                report,
                document,
                ("records", r),
                "composition-sum",
                f"{' + '.join(group)} of {record.label!r} add up to {sum(numbers):g} %, more than 100 %",
                "check the values: parts of one composition cannot exceed the whole",
                entry=entry_id,
            )


def _check_duplicate_records(report: Report, entry_id: str, document: Document, dataset: Dataset) -> None:
    """The same label from the same source twice is one measurement recorded twice (a record
    without a source of its own comes from the dataset's first source)."""
    own = dataset.sources[0].ref  # a dataset that passed its schema has a source
    first: dict[tuple[str, str | None], int] = {}
    for r, record in enumerate(dataset.records):
        earlier = first.setdefault(record.identity(own), r)
        if earlier == r:
            continue
        m = document.mark(("records", r, "label"))
        then = document.mark(("records", earlier, "label"))
        source = f" from {record.source.ref!r}" if record.source else ""
        report_at(
            report,
            document,
            m,
            "duplicate-record",
            f"record {record.label!r}{source} is already record {earlier + 1} (line {then.line})",
            "delete one of them; if they are two measurements, give each its own label "
            "(e.g. the current density); `limkb import-table --replace` updates rows instead of adding them",
            entry=entry_id,
        )


_FRACTION_MIN_RECORDS = 4
"""A percentage column is judged to hold fractions only with more records than this minus one."""


def fraction_columns(
    columns: list[Column], records: list[dict[str, Any]], maxima: dict[str, float | None]
) -> list[tuple[int, str]]:
    """(column index, message) for each percentage column whose values look like 0-1 fractions.

    Four or more values, all within 0-1 and not all zero, in a column whose unit is a
    percentage; a column whose property declares ``maximum`` of 1 or less is left alone.
    ``maxima`` maps a column's name to its property's maximum.
    """
    found = []
    for i, column in enumerate(columns):
        if column.type is ColumnType.TEXT or column.unit is None or unit_bounds(column.unit) != (0.0, 100.0):
            continue
        top = maxima.get(column.name)
        if top is not None and top <= 1:
            continue  # the property itself says its percentages stay below 1
        numbers = [
            float(v)
            for record in records
            if isinstance(v := record.get(column.name), (int, float)) and not isinstance(v, bool)
        ]
        if len(numbers) >= _FRACTION_MIN_RECORDS and max(numbers) > 0 and all(0 <= n <= 1 for n in numbers):
            shown = ", ".join(f"{n:g}" for n in numbers[:3])
            found.append(
                (
                    i,
                    f"column {column.name!r} is in {column.unit!r}, but all its {len(numbers)} "
                    f"values lie within 0-1 ({shown}, ...)",
                )
            )
    return found


FRACTION_HINT = (
    "these look like fractions: multiply by 100, or set the unit to 1 (if the percentages really "
    "are all below 1, give the property `maximum: 1`)"
)


def _check_fractions(result: Validated, entry_id: str, document: Document, dataset: Dataset) -> None:
    maxima = {}
    for column in dataset.columns:
        prop = result.entries.get(column.property or "")
        maxima[column.name] = prop.maximum if isinstance(prop, Property) else None
    records = [record.values for record in dataset.records]
    for i, message in fraction_columns(dataset.columns, records, maxima):
        report_at(
            result.report,
            document,
            ("columns", i, "unit"),
            "fraction-as-percent",
            message,
            FRACTION_HINT,
            entry=entry_id,
        )


def _check_range(
    result: Validated,
    entry_id: str,
    document: Document,
    m: Any,
    label: str,
    column: Any,
    value: float,
    causes: dict[str, str],
) -> None:
    """The property's possible and plausible range first (it names the property), then the unit's own."""
    if column.unit is None:
        return
    prop = result.entries.get(column.property or "")
    if isinstance(prop, Property):
        try:
            in_prop_unit = convert(value, column.unit, prop.unit)
        except UnitError:
            in_prop_unit = None
        if in_prop_unit is not None and outside(in_prop_unit, prop):
            report_at(
                result.report,
                document,
                m,
                "out-of-range",
                f"{column.name} = {value:g} {column.unit} for {label!r} is outside {prop.id!r}'s range "
                f"{bounds_text(prop)}",
                causes.get(column.name, "check the value and the column's unit")
                + (" (percentages are 0-100)" if prop.unit == "%" and bounds(prop)[1] == 100 else ""),
                entry=entry_id,
            )
            return
    low, high = unit_bounds(column.unit)
    if (low is not None and value < low) or (high is not None and value > high):
        limits = f"{low:g} to {high:g}" if high is not None else f"{low:g} or more"
        report_at(
            result.report,
            document,
            m,
            "out-of-range",
            f"{column.name} = {value:g} {column.unit} for {label!r} is impossible: values in "
            f"{column.unit} are {limits}",
            "check the value and the column's unit" + (" (percentages are 0-100)" if high == 100 else ""),
            entry=entry_id,
        )


def _check_analyses(result: Validated, shared: _Shared, each: _EachAnalysis | None = None) -> None:
    """Each analysis's variables resolve, unambiguously and with units that fit (see
    :mod:`limkb.analysis.variables`); problems sit at their place in ``x`` or ``y``. Only the
    datasets and properties that passed their schema are read: one that failed may lack what
    the variables are resolved and evaluated with (its columns, its unit, its sources). With
    ``each``, an analysis whose inputs are unchanged adds the problems it reported last time."""
    datasets = [e for e in result.entries.values() if isinstance(e, Dataset)]
    properties = {i: e for i, e in result.entries.items() if isinstance(e, Property)}
    analyses = [(i, e) for i, e in result.entries.items() if isinstance(e, Analysis)]
    for entry_id, entry in analyses:
        key = None if each is None else each.key(entry_id, entry)
        kept = None if each is None else each.reused(entry_id, key)
        if kept is not None:
            result.report.extend(kept)
            continue
        start = len(result.report.problems)
        _check_analysis(result, shared, datasets, properties, entry_id, entry)
        if each is not None:
            each.found(entry_id, key, result.report.problems[start:])


def _check_analysis(
    result: Validated,
    shared: _Shared,
    datasets: list[Dataset],
    properties: dict[str, Property],
    entry_id: str,
    entry: Analysis,
) -> None:
    """:func:`_check_analyses` of the one analysis of ``entry_id``."""
    if any(
        isinstance(result.entries.get(t), Property) is False for t in Analysis.terms(entry.x + " " + entry.y)
    ):
        return  # an unknown property id is reported by _check_links
    document = result.documents[entry_id]
    the_plan, errors = plan(entry, datasets, properties)
    for error in errors:
        at = (
            document.mark_in((error.axis,), error.start)  # in `x` or `y`: its span
            if error.key is None
            else document.mark((error.axis, error.key), key=True)  # a filter of `where:`: its key
        )
        report_at(
            result.report,
            document,
            at,
            error.code,
            f"{error.axis}: {error.message}",
            error.hint,
            entry=entry_id,
        )
    if the_plan is not None:
        inputs = shared.inputs()  # gathered once, when the first analysis needs it
        _check_descriptors(result, inputs, entry_id, the_plan)
        _check_defined(result, inputs, entry_id, entry, the_plan)


def _check_defined(
    result: Validated, inputs: Inputs, analysis_id: str, analysis: Analysis, the_plan: Plan
) -> None:
    """Where ``x`` or ``y`` has no value for records whose inputs are numbers (a division by zero,
    the logarithm of a number <= 0, an overflow), a warning at that part of the expression names
    the records; an analysis left with no record at all says so."""
    try:
        rows = evaluate_plan(the_plan, analysis, inputs.descriptors)
    except LimkbError:
        return  # a formulation or descriptor problem, reported where it is
    document = result.documents[analysis_id]
    n = len(rows.labels)
    for axis, item in rows.undefined:
        labels = rows.undefined_labels(item)
        shown = ", ".join(labels[:5]) + (f" and {len(labels) - 5} more" if len(labels) > 5 else "")
        every = len(labels) == n
        report_at(
            result.report,
            document,
            document.mark_in((axis,), item.start),
            "undefined-value",
            f"{axis}: `{getattr(analysis, axis)[item.start : item.end]}` has no value for "
            + (
                f"every record ({n}): the analysis has no points"
                if every
                else f"{len(labels)} of {n} records ({shown})"
            )
            + f": {item.why}",
            "these records are left out of the analysis; check the expression (or the records' values)",
            entry=analysis_id,
            severity=Severity.WARNING,
        )


def _check_descriptors(result: Validated, inputs: Inputs, analysis_id: str, the_plan: Plan) -> None:
    """Each electrolyte an analysis takes descriptors of can give them (formulas, densities)."""
    used = {b.descriptor for _, bindings in the_plan.datasets for b in bindings.values() if b.descriptor}
    if not used:
        return
    for dataset, _ in the_plan.datasets:
        document = result.documents[dataset.id]
        reported: set[str] = set()
        for r, record in enumerate(dataset.records):
            written = record.electrolyte if record.electrolyte is not None else dataset.electrolyte
            if written is None or not isinstance(written, str) or written in reported:
                continue
            error = inputs.descriptor_error(written, conventions_of(dataset))
            if error is not None:
                reported.add(written)
                loc = ("records", r, "electrolyte") if record.electrolyte is not None else ("electrolyte",)
                report_at(
                    result.report,
                    document,
                    loc,
                    "no-descriptor",
                    f"electrolyte {written!r}: {error.message}, so analysis {analysis_id!r} cannot compute "
                    f"{', '.join(sorted(used))}",
                    error.hint,
                    entry=dataset.id,
                )


def _inputs(result: Validated) -> Inputs:
    """The materials' names and data, as analyses read them."""

    class _View:
        def entries(self, kind: str | None = None, **_: Any) -> list[Any]:
            return [e for e in result.entries.values() if e.kind == kind]

        def __getitem__(self, entry_id: str) -> Any:
            return result.entries[entry_id]

    return Inputs(_View())


def _material_index(result: Validated) -> MaterialIndex:
    """Every material's names; one that failed its schema lends its id and the names that passed
    it, so an electrolyte naming it is not reported again."""
    complete = [e for e in result.entries.values() if isinstance(e, Material)]
    broken = [e for e in result.partial.values() if isinstance(e, Material)]
    return material_index([*complete, *map(_with_required, broken)])


def _with_required(material: Material) -> Material:
    """A material built from the fields that passed its schema, with the required ones it lacks
    (name, roles) filled in so that :func:`material_index` can read it."""
    fields = material.__dict__
    return material.model_copy(
        update={"name": fields.get("name", material.id), "roles": fields.get("roles", [])}
    )


def _check_formulations(result: Validated, shared: _Shared) -> None:
    """Every electrolyte written as text parses, and names materials (with close matches if not).
    A text is parsed once per run under each dataset's conventions, however many records and
    datasets write it."""
    seen: dict[tuple[str, Conventions], list[FormulationError]] = {}
    for entry_id, entry in result.checked().items():
        if not isinstance(entry, Dataset):
            continue
        document = result.documents[entry_id]
        places: list[tuple[tuple[Any, ...], Any]] = [(("electrolyte",), entry.electrolyte)]
        places += [
            (("records", r, "electrolyte"), record.electrolyte) for r, record in enumerate(entry.records)
        ]
        conventions = conventions_of(entry)
        for loc, written in places:
            if not isinstance(written, str):
                continue
            if (written, conventions) not in seen:
                index = shared.material_index()
                try:
                    _, errors = resolve(
                        parse_formulation(written, conventions=conventions, known=index.knows), index
                    )
                except FormulationError as refused:
                    errors = [refused]
                seen[written, conventions] = errors
            for error in seen[written, conventions]:
                report_at(
                    result.report,
                    document,
                    document.mark_in(loc, error.start),
                    "bad-formulation",
                    f"electrolyte {written!r}: {error.message}",
                    error.hint,
                    entry=entry_id,
                )


def _check_materials(result: Validated) -> None:
    """A density is stated in a unit of density; a SMILES is readable and agrees with the
    formula; a molecular material says where its identifiers come from and what its density is."""
    for entry_id, entry in result.entries.items():
        if not isinstance(entry, Material):
            continue
        if entry.density is not None and entry.density.unit is not None:
            _check_density_unit(result, entry_id, entry.density.unit)
        if entry.smiles is not None:
            _check_smiles(result, entry_id, entry)


_NET_CHARGE = re.compile(r"[+-]\d*$")
"""A net charge at the end of a computed formula (``F6P-``), left out of a suggested one."""


def _check_density_unit(result: Validated, entry_id: str, unit: str) -> None:
    try:
        convert(1.0, unit, "g/cm3")
    except UnitError:
        report_at(
            result.report,
            result.documents[entry_id],
            ("density", "unit"),
            "unit-mismatch",
            f"density in {unit!r}, which is not a density",
            "state it in g/cm3 (= g/mL)",
            entry=entry_id,
        )


def _unreadable_formula(declared: str, computed: str) -> tuple[str, str] | None:
    """Why a declared or SMILES-computed formula cannot be compared (an element limkb's table
    of atomic weights lacks, say), as (message, hint); None when both read."""
    from limkb.analysis.descriptors import DescriptorError, atoms

    for formula in (declared, computed):
        try:
            atoms(formula)
        except DescriptorError as error:
            return error.message, error.hint
    return None


def _check_smiles(result: Validated, entry_id: str, material: Material) -> None:
    """The SMILES is one RDKit reads, its formula is the declared one, and the identifiers
    have a source; a missing density statement is a warning. What RDKit made of a SMILES is
    kept in the validation's file cache (:func:`limkb.check.cache.smiles_outcome`)."""
    from limkb.analysis.chemistry import same_atoms
    from limkb.check.cache import smiles_outcome

    document = result.documents[entry_id]
    smiles = material.smiles or ""
    read, formula, hint = smiles_outcome(smiles)
    if not read:
        report_at(result.report, document, ("smiles",), "bad-smiles", formula, hint, entry=entry_id)
        return
    if material.formula is not None and not same_atoms(material.formula, formula):
        neutral = _NET_CHARGE.sub("", formula)
        unreadable = _unreadable_formula(material.formula, neutral)
        if unreadable is not None:
            message, hint = unreadable
            report_at(
                result.report, document, ("formula",), "formula-mismatch", message, hint, entry=entry_id
            )
            return
        report_at(
            result.report,
            document,
            ("formula",),
            "formula-mismatch",
            f"formula {material.formula} disagrees with the SMILES {smiles!r}, which gives {formula}",
            f"write `formula: {neutral}` "
            "if the SMILES is right, or correct the SMILES (check both against the source in "
            "`identifiers_source`)",
            entry=entry_id,
        )
    if material.identifiers_source is None:
        report_at(
            result.report,
            document,
            ("smiles",),
            "missing-field",
            "a SMILES needs `identifiers_source`: where the structure comes from",
            "add `identifiers_source: {ref: <reference id>, locator: ...}`: the identifier table "
            "(e.g. the `chemicals` library's, by CAS number) or the paper that gives the structure",
            entry=entry_id,
        )
    if material.density is None:
        report_at(
            result.report,
            document,
            ("smiles",),
            "missing-density",
            f"{entry_id!r} has a structure but says nothing of its density",
            "add `density: {value: ..., unit: g/cm3, temperature: 25 °C, source: {ref: ..., locator: ...}}`, "
            "or `density: {status: not found, note: <where it was looked for>}`",
            entry=entry_id,
            severity=Severity.WARNING,
        )


def _check_findings(result: Validated, shared: _Shared) -> None:
    """A finding cites a reference read here, with a locator, in a unit of its property."""
    for entry_id, entry in shared.holders().items():
        findings = getattr(entry, "findings", None) or []
        if not findings:
            continue
        document = result.documents[entry_id]
        for i, finding in enumerate(findings):
            reference = result.entries.get(finding.source.ref)
            if isinstance(reference, Reference) and (
                reference.read is None or reference.read.status == "none"
            ):
                report_at(
                    result.report,
                    document,
                    ("findings", i, "source", "ref"),
                    "unread-source",
                    f"finding {i + 1} cites {reference.id!r}, which is not marked as read here",
                    f"record on kb/references/{reference.id}.yaml what was read (`read: {{status: abstract, "
                    "url: ...}`), or remove the finding: findings come only from papers read",
                    entry=entry_id,
                )
            if not finding.source.locator:
                report_at(
                    result.report,
                    document,
                    ("findings", i, "source"),
                    "missing-locator",
                    f"finding {i + 1} has no locator",
                    'say where in the paper: `locator: "Fig. 2b"` or `Abstract`',
                    entry=entry_id,
                )
            prop = result.entries.get(finding.quantity or "")
            if isinstance(prop, Property):
                try:
                    convert(1.0, finding.unit, prop.unit)
                except UnitError:
                    report_at(
                        result.report,
                        document,
                        ("findings", i, "unit"),
                        "unit-mismatch",
                        f"finding {i + 1} is in {finding.unit!r}, which cannot be converted to "
                        f"{prop.id!r}'s unit {prop.unit!r}",
                        "use `what:` for a different quantity, or state the value in the property's unit",
                        entry=entry_id,
                    )
                    continue
                _check_finding_range(result, entry_id, i, finding, prop)


def _check_finding_range(result: Validated, entry_id: str, i: int, finding: Finding, prop: Property) -> None:
    """A finding of a property lies within the property's possible range (a CE of 150 % is a
    typo); its plausible range is not applied, since a finding may report the unusual."""
    low, high = prop.minimum, prop.maximum
    for field_name in ("value", "high"):
        value = getattr(finding, field_name)
        if value is None:
            continue
        converted = convert(value, finding.unit, prop.unit)
        if (low is not None and converted < low) or (high is not None and converted > high):
            possible = " and ".join(
                text
                for text in (
                    None if low is None else f"cannot be below {low:g} {prop.unit}",
                    None if high is None else f"cannot be above {high:g} {prop.unit}",
                )
                if text
            )
            report_at(
                result.report,
                result.documents[entry_id],
                ("findings", i, field_name),
                "out-of-range",
                f"finding {i + 1}: {value:g} {finding.unit} is impossible for {prop.id!r}, which {possible}",
                "check the number and the unit against the source; a change or a difference "
                "goes under `what:` (e.g. `what: CE gain`) instead of the property",
                entry=entry_id,
            )


def _check_evidence_gaps(result: Validated, shared: _Shared) -> None:
    """A strategy's ``evidence_gap`` says why it has no findings: stale once it has some (its
    own or another entry's that informs it); an umbrella's children are strategies."""
    has_findings = with_findings(shared.holders())
    strategies = sorted(i for i, e in result.entries.items() if isinstance(e, Strategy))
    for entry_id, entry in result.checked().items():
        if not isinstance(entry, Strategy):
            continue
        gap = getattr(entry, "evidence_gap", None)  # a partial entry may lack it
        if gap is None:
            continue
        document = result.documents[entry_id]
        if entry_id in has_findings:
            report_at(
                result.report,
                document,
                ("evidence_gap",),
                "stale-evidence-gap",
                "`evidence_gap` says this strategy has no findings, but it has",
                "remove `evidence_gap`: the findings are now its evidence",
                entry=entry_id,
            )
        if gap.children and gap.reason != "umbrella":
            report_at(
                result.report,
                document,
                ("evidence_gap", "children"),
                "children-not-umbrella",
                f"`children` is given for reason {gap.reason!r}",
                "use `reason: umbrella`, or remove `children`",
                entry=entry_id,
            )
        for i, child in enumerate(gap.children):
            if not isinstance(result.entries.get(child), Strategy) or child == entry_id:
                near = _suggest(child, [s for s in strategies if s != entry_id])
                report_at(
                    result.report,
                    document,
                    ("evidence_gap", "children", i),
                    "unknown-child",
                    f"child {child!r} is not another strategy",
                    f"did you mean {' or '.join(repr(n) for n in near)}?"
                    if near
                    else "name the id of a strategy whose page holds the evidence",
                    entry=entry_id,
                )


def _check_finding_ids(result: Validated, shared: _Shared) -> None:
    """A finding's ``id`` is unique across the KB (claims cite findings by it)."""
    first: dict[str, tuple[str, int]] = {}
    for entry_id, i, finding in iter_findings(shared.holders()):
        if finding.id is None:
            continue
        if finding.id not in first:
            first[finding.id] = (entry_id, i)
            continue
        other, j = first[finding.id]
        report_at(
            result.report,
            result.documents[entry_id],
            ("findings", i, "id"),
            "duplicate-finding-id",
            f"finding id {finding.id!r} is taken by finding {j + 1} of {other!r}",
            "give this finding another id (ids of findings are unique across the KB); if it is the "
            f"same finding, delete it here and add `{entry_id}` to the other's `informs:`",
            entry=entry_id,
        )


def _check_same_findings(result: Validated, shared: _Shared) -> None:
    """Two findings on different entries with the same source, quantity, value and conditions
    are one fact stored twice: keep one, and let it ``informs:`` the other entry. O(findings)."""
    first: dict[str, tuple[str, int]] = {}
    for entry_id, i, finding in iter_findings(shared.holders()):
        key = finding_key(finding)
        if key not in first:
            first[key] = (entry_id, i)
            continue
        other, j = first[key]
        if other == entry_id:
            continue
        report_at(
            result.report,
            result.documents[entry_id],
            ("findings", i),
            "same-finding",
            f"finding {i + 1} has the source, quantity, value and conditions of finding {j + 1} of "
            f"{other!r}: likely the same finding",
            f"keep one and add `informs:`: delete this one and add `{entry_id}` to the `informs:` of "
            f"finding {j + 1} in kb/{result.entries[other].folder}/{other}.yaml",
            severity=Severity.WARNING,
            entry=entry_id,
        )


def _check_claims(result: Validated, shared: _Shared) -> None:
    """A claim's evidence names findings that exist (by their ``id``), each once."""
    ids = {finding.id for _, _, finding in iter_findings(shared.holders()) if finding.id is not None}
    for entry_id, entry in result.entries.items():
        if not isinstance(entry, Claim):
            continue
        document = result.documents[entry_id]
        seen: set[str] = set()
        for i, item in enumerate(entry.evidence):
            target = item.finding or f"analysis:{item.analysis}"
            if item.finding is not None and item.finding not in ids:
                close = _suggest(item.finding, ids)
                report_at(
                    result.report,
                    document,
                    ("evidence", i, "finding"),
                    "unknown-finding",
                    f"no finding has the id {item.finding!r}"
                    + (f"; did you mean {close[0]!r}?" if close else ""),
                    f"write {close[0]!r}"
                    if close
                    else "give the finding an `id:` on the entry that holds it, "
                    "and name it here (CONTRIBUTING.md, 'Weigh a claim')",
                    entry=entry_id,
                )
            elif target in seen:
                report_at(
                    result.report,
                    document,
                    ("evidence", i),
                    "duplicate-evidence",
                    f"evidence {i + 1} weighs {target.removeprefix('analysis:')!r} a second time",
                    "keep one item per finding or analysis, with the stance that fits best",
                    entry=entry_id,
                )
            seen.add(target)


def _entry_locators(result: Validated, report: Report, entry_id: str, entry: Entry) -> None:
    """Each source of one entry says where in the reference (a warning when not)."""
    document = result.documents[entry_id]
    for loc, source in iter_sources(entry, result.links_of(entry_id, entry)):
        if source.locator is None:
            report_at(
                report,
                document,
                loc,
                "missing-locator",
                f"source {source.ref!r} has no locator",
                f'write `{{ref: {source.ref}, locator: "Table 1"}}` with the section, table or figure',
                severity=Severity.WARNING,
                entry=entry_id,
            )


def _entry_relation_sources(result: Validated, report: Report, entry_id: str, entry: Entry) -> None:
    """A relation cites where it is stated, or says in ``editorial:`` why limkb makes it anyway.

    Relations written in an id-only field (``subtype_of``, ``analyses``, a record's
    ``strategies``) have no room for either and are left alone; ``--stats`` counts them. So
    is a link to a missing entry or one of the wrong kind: its error comes first.
    """
    document = result.documents[entry_id]
    for link, model in iter_relations(entry, result.links_of(entry_id, entry)):
        target = result.entries.get(link.target)
        if model is None or target is None or target.kind not in link.rel.targets:
            continue
        where = Where(document, link.loc, link.loc[:2])
        if not model.sources and not model.editorial:
            report_at(
                report,
                document,
                where,
                "unsourced-relation",
                f"{link.relation} {link.target!r} has no source of its own",
                "add `sources:` with a locator, or `editorial:` saying why no source is needed "
                f'(`- id: {link.target}` then `sources: [{{ref: ..., locator: "..."}}]`)',
                severity=Severity.WARNING,
                entry=entry_id,
            )
        elif model.sources and model.editorial:
            report_at(
                report,
                document,
                where,
                "editorial-and-sources",
                f"{link.relation} {link.target!r} has sources and also an `editorial:` saying it needs none",
                "keep `sources:` and delete `editorial:`; a qualifier of a sourced link goes in `note:`",
                severity=Severity.WARNING,
                entry=entry_id,
            )
