"""Build tiny knowledge bases in a temporary folder for unit tests.

``write_kb(tmp_path, {"strategies/x": {...}})`` dumps each mapping as ``kb/strategies/x.yaml``
and returns the ``kb/`` folder. A reference ``smith2020test`` is added unless the mapping
already names ``references/smith2020test`` or ``reference=False`` is given, so entries can
cite ``SOURCE`` without boilerplate. Values that should reach the file as raw text (to test
the loader on malformed YAML) can be given as ``str``: they are written verbatim.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "REF",
    "REFERENCE",
    "SOURCE",
    "minimal",
    "tree_digest",
    "write_data_files",
    "write_entry",
    "write_kb",
]

REF = "smith2020test"
"""Id of the reference every tiny KB holds by default."""

SOURCE: list[dict[str, str]] = [{"ref": REF, "locator": "Table 1"}]
"""A ready-made ``sources`` value citing :data:`REF` with a locator."""

REFERENCE: dict[str, Any] = {
    "title": "Test of a tiny knowledge base",
    "authors": ["Smith, A."],
    "journal": "J. Tests",
    "year": 2020,
    "doi": "10.1000/test.2020",
}
"""The default reference entry."""


class _Dumper(yaml.SafeDumper):
    """Writes shared values out in full: the loader refuses anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_entry(kb: Path, key: str, data: dict[str, Any] | str) -> Path:
    """Write one entry, ``key`` being ``"<folder>/<id>"``; returns its path."""
    path = kb / f"{key}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        text = data
    else:
        text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)
    path.write_text(text, encoding="utf-8")
    return path


def write_kb(tmp_path: Path, entries: dict[str, dict[str, Any] | str], *, reference: bool = True) -> Path:
    """Write ``entries`` under ``tmp_path/kb`` and return that folder."""
    kb = tmp_path / "kb"
    kb.mkdir(parents=True, exist_ok=True)
    if reference and f"references/{REF}" not in entries:
        write_entry(kb, f"references/{REF}", REFERENCE)
    for key, data in entries.items():
        write_entry(kb, key, data)
    return kb


def minimal(kind: str, name: str | None = None, **fields: Any) -> dict[str, Any]:
    """The smallest valid entry of ``kind`` (plus ``fields``), citing :data:`SOURCE`."""
    base: dict[str, dict[str, Any]] = {
        "strategy": {"family": "electrolyte-engineering", "interface": "li-electrolyte"},
        "material": {"roles": ["additive"]},
        "mechanism": {},
        "species": {"species_class": "inorganic"},
        "property": {"unit": "%", "scope": "sei", "desired": "higher"},
        "technique": {"category": "spectroscopy"},
        "failure-mode": {"category": "mechanical"},
        "question": {"text": "Why?", "status": "open", "theme": "mechanism", "about": []},
        "dataset": {"columns": [{"name": "label_only", "type": "text"}]},
        "analysis": {"x": "a", "y": "b"},
        "claim": {"proposition": "A claim the field argues about"},
    }
    data: dict[str, Any] = {"name": name or f"A {kind}", **base[kind], **fields}
    data.setdefault("sources", SOURCE)
    return data


def ce_finding(**fields: Any) -> dict[str, Any]:
    """A Coulombic-efficiency finding citing :data:`REF` with a locator (``fields`` override or add)."""
    return {
        "quantity": "coulombic-efficiency",
        "value": 99.0,
        "unit": "%",
        "source": {"ref": REF, "locator": "Table 1"},
        "statement": "The cells averaged 99 % CE.",
        **fields,
    }


def finding_kb(
    tmp_path: Path, what: str, value: float, unit: str, statement: str, cell: str = "Li||NMC811"
) -> Path:
    """A KB whose one strategy (``hce``) holds one finding of ``value`` ``unit``, read in an
    abstract of :data:`REF`: the fixture of the unit and bound tests."""
    finding: dict[str, Any] = {
        "what": what,
        "value": value,
        "unit": unit,
        "electrolyte_note": "not stated in the source read",
        "conditions": {"cell": cell},
        "source": {"ref": REF, "locator": "Abstract"},
        "statement": statement,
    }
    reference = {**REFERENCE, "read": {"status": "abstract", "url": "https://example.org/paper"}}
    return write_kb(
        tmp_path,
        {f"references/{REF}": reference, "strategies/hce": minimal("strategy", "HCE", findings=[finding])},
    )


Found = tuple[str, int, int, str, str, str, str | None]
"""A validation problem as the rule tables compare it: (file under kb/, line, col,
``severity[code]``, message, hint, entry)."""


def located_problems(tmp_path: Path, entries: dict[str, dict[str, Any]]) -> list[Found]:
    """Every problem :func:`~limkb.check.validate.validate_kb` finds in ``entries`` (written under
    ``tmp_path/kb``), as :data:`Found` tuples in the report's order."""
    from limkb.check.validate import validate_kb

    kb = write_kb(tmp_path, entries)
    found = []
    for p in validate_kb(kb).report:
        shown = Path(p.path).resolve().relative_to(kb.resolve()).as_posix()
        found.append((shown, p.line, p.col, f"{p.severity}[{p.code}]", p.message, p.hint, p.entry))
    return found


def tree_digest(root: Path) -> dict[str, str]:
    """Every file and folder below ``root`` with a digest of its content (links not followed).

    Tests compare two digests to prove that a run wrote nothing, or only where it should. The
    versions an earlier build retired (``.limkb-out/.gone-*``) are left out: a process of their
    own deletes them whenever it gets to it.
    """
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):  # links to folders are listed, not followed
        here = Path(folder)
        if here.name == ".limkb-out":
            dirs[:] = [d for d in dirs if not d.startswith(".gone-")]
        for name in [*dirs, *files]:
            path = here / name
            found[path.relative_to(root).as_posix()] = _digest(path)
    return dict(sorted(found.items()))


def _digest(path: Path) -> str:
    """What :func:`tree_digest` records of one path."""
    if path.is_symlink():
        return f"link:{os.readlink(path)}"
    if path.is_dir():
        return "dir"
    if path.stat().st_size > 4_000_000:
        return f"size:{path.stat().st_size}"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_data_files(kb_dir: Path, out: Path, previous: Path | None = None) -> Path:
    """The data files of the KB at ``kb_dir`` written to ``out`` (``kb.sqlite``, the exports),
    reusing what the build in ``previous`` made; returns ``out``."""
    import limkb
    from limkb.outputs import write_outputs

    kb = limkb.load(kb_dir, cache=False)
    write_outputs(kb, kb.analyses, out, previous=previous, keep=True)
    return out
