"""A real-like scale KB: the real ``kb/`` replicated N times with renamed ids.

The generator (generate.py) writes word salad with the real KB's proportions, but its hub
pages are smaller than the real ones. Replicating the real entries keeps their prose, their
relation density and their hubs: copy ``k`` (k >= 1) of an entry ``x`` is ``x-r<k>``, and
every id it names (and every finding id, unique across a KB too) is renamed the same way, so
each copy is a closed world linked like kb/.
DOIs get the suffix ``.r<k>`` (a DOI is unique in a KB); names stay as they are, as two
entries may share a name.

    python benchmarks/replicate.py /tmp/kb-real-x20 20
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

__all__ = ["replicate"]

ROOT = Path(__file__).resolve().parent.parent

_SCALAR = re.compile(
    r"^(?P<lead>\s*(?:- )?(?:(?P<key>[A-Za-z_][\w-]*): )?)(?P<value>[a-z0-9][a-z0-9-]*)(?P<trail>\s*)$"
)
_DOI = re.compile(r"^(?P<lead>\s*doi: )(?P<value>10\.\S+?)\s*$")
_EXPRESSION = re.compile(r"^(?P<lead>\s*(?:x|y): )(?P<value>.+?)\s*$")
_TOKEN = re.compile(r"[a-z0-9][a-z0-9-]*[a-z0-9]")
_NOT_IDS = frozenset({"family", "name", "column", "kind", "status", "grade", "bound", "unit"})
"""Keys whose values are vocabulary words or column names, never entry ids."""


def _ids(kb: Path) -> set[str]:
    """Every entry id in ``kb`` (its file names)."""
    return {path.stem for path in kb.glob("*/*.yaml")}


def _finding_ids(kb: Path) -> set[str]:
    """The ids of the findings the entries of ``kb`` carry: unique across a KB, like entry
    ids, so each copy renames them (and the claims' evidence naming them) the same way."""
    found: set[str] = set()
    for path in kb.glob("*/*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        findings = data.get("findings") if isinstance(data, dict) else None
        found.update(f["id"] for f in findings or [] if isinstance(f, dict) and isinstance(f.get("id"), str))
    return found


def _column_names(kb: Path) -> set[str]:
    """The names of the datasets' columns: in an analysis's expression such a name means the
    column, even where an entry has the same id, so it is kept as it is."""
    names: set[str] = set()
    for path in kb.glob("datasets/*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        columns = data.get("columns") if isinstance(data, dict) else None
        names.update(c["name"] for c in columns or [] if isinstance(c, dict) and "name" in c)
    return names


def _rename_line(line: str, ids: set[str], suffix: str, columns: frozenset[str] = frozenset()) -> str:
    """``line`` with the id it holds as a whole scalar (or its DOI) made the copy's own."""
    expression = _EXPRESSION.match(line)
    if expression:  # an analysis's x or y: its ids, not its column names
        renamed = _TOKEN.sub(
            lambda m: f"{m[0]}-{suffix}" if m[0] in ids and m[0] not in columns else m[0], expression["value"]
        )
        return f"{expression['lead']}{renamed}"
    scalar = _SCALAR.match(line)
    if scalar and scalar["value"] in ids and scalar["key"] not in _NOT_IDS:
        return f"{scalar['lead']}{scalar['value']}-{suffix}{scalar['trail']}"
    doi = _DOI.match(line)
    if doi:
        return f"{doi['lead']}{doi['value']}.{suffix}"
    return line


def _copy_entry(text: str, ids: set[str], suffix: str, columns: frozenset[str] = frozenset()) -> str:
    """The text of an entry file with the ids and DOIs it holds renamed for copy ``suffix``."""
    return "".join(_rename_line(line, ids, suffix, columns) + "\n" for line in text.splitlines())


def replicate(source: Path, out_dir: Path, copies: int) -> int:
    """Write ``out_dir`` as ``source`` (a project with ``kb/``, ``mkdocs.yml``, ``docs/``)
    with its ``kb/`` replicated ``copies`` times; returns the number of entry files."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    shutil.copy2(source / "mkdocs.yml", out_dir / "mkdocs.yml")
    if (source / "CONTRIBUTING.md").is_file():  # the site's Contributing page, as in the real build
        shutil.copy2(source / "CONTRIBUTING.md", out_dir / "CONTRIBUTING.md")
    if (source / "docs").is_dir():
        shutil.copytree(source / "docs", out_dir / "docs")
    kb = source / "kb"
    ids, columns = _ids(kb) | _finding_ids(kb), frozenset(_column_names(kb))
    written = 0
    for path in sorted(kb.glob("*/*.yaml")):
        folder = out_dir / "kb" / path.parent.name
        folder.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        shutil.copy2(path, folder / path.name)
        written += 1
        for k in range(1, copies):
            suffix = f"r{k}"
            (folder / f"{path.stem}-{suffix}.yaml").write_text(
                _copy_entry(text, ids, suffix, columns), encoding="utf-8"
            )
            written += 1
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("copies", type=int, help="how many copies of kb/ (1 = kb/ itself)")
    parser.add_argument(
        "--source", type=Path, default=ROOT, help="the project to replicate (default: this one)"
    )
    args = parser.parse_args(argv)
    count = replicate(args.source, args.out_dir, args.copies)
    print(f"wrote {count} entries to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
