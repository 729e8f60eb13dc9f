"""Work validation shares between files and rules gives the same problems as doing it each time.

The file walk shows each file's path joined below the ``kb/`` folder's shown path, the rules
walk an entry's relations once, and the datasets' checks find the KB's properties once; none
of these may change what is reported or where.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kbfactory import REF, SOURCE, minimal, write_kb
from limkb.check.ranges import properties_of, range_causes
from limkb.check.validate import validate_kb
from limkb.schema.kinds import iter_links, iter_sources


def _planted(tmp_path: Path) -> Path:
    """A KB with one problem in a strategy (an unknown field) and one in a material (a missing link)."""
    return write_kb(
        tmp_path / "project",
        {
            "strategies/fec-additive": minimal("strategy", colour="red"),
            "materials/fec": minimal("material", subtype_of="no-such-material"),
        },
    )


@pytest.mark.parametrize("where", ["project", "kb", "kb/strategies", "elsewhere"])
def test_paths_in_messages_are_those_relpath_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    kb = _planted(tmp_path)
    cwd = {"project": kb.parent, "kb": kb, "kb/strategies": kb / "strategies", "elsewhere": tmp_path / "x"}[
        where
    ]
    cwd.mkdir(exist_ok=True)
    monkeypatch.chdir(cwd)
    root = Path(os.path.relpath(kb))  # as a contributor types it: kb, ., .. or ../project/kb
    report = validate_kb(root).report
    shown = sorted({p.path for p in report})
    expected = sorted(
        [
            os.path.relpath(kb / "strategies" / "fec-additive.yaml"),
            os.path.relpath(kb / "materials" / "fec.yaml"),
        ]
    )
    assert shown == expected


def test_an_absolute_kb_folder_shows_paths_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = _planted(tmp_path)
    monkeypatch.chdir(kb.parent)
    report = validate_kb(kb.resolve()).report
    assert sorted({p.path for p in report}) == ["kb/materials/fec.yaml", "kb/strategies/fec-additive.yaml"]


def test_relations_are_walked_once_per_entry_and_again_for_a_new_entry(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "materials/fec": minimal("material"),
            "strategies/s": minimal("strategy", uses=[{"id": "fec", "sources": SOURCE}]),
        },
    )
    result = validate_kb(kb)
    entry = result.entries["s"]
    first = result.links_of("s", entry)
    assert first is result.links_of("s", entry)
    assert [link.target for link in first] == [link.target for link in iter_links(entry)] == ["fec"]
    assert iter_sources(entry, first) == iter_sources(entry)
    changed = entry.model_copy(update={"uses": []})
    assert result.links_of("s", changed) == []


def test_a_link_error_in_a_second_rule_is_still_found_with_shared_links(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "materials/fec": minimal("material"),
            # the link resolves (checked by the links rule) but its source has no locator
            # (checked by the locators rule), and cites a missing reference (the sources rule)
            "strategies/s": minimal(
                "strategy",
                uses=[{"id": "fec", "sources": [{"ref": REF}, {"ref": "nobody2020", "locator": "p. 1"}]}],
            ),
        },
    )
    codes = sorted(p.code for p in validate_kb(kb).report if p.path.endswith("s.yaml"))
    assert codes == ["missing-locator", "unknown-ref"]


def _dataset(values: list[float]) -> dict[str, object]:
    return minimal(
        "dataset",
        columns=[{"name": "ce", "type": "number", "unit": "%", "property": "ce"}],
        records=[{"values": {"ce": v}} for v in values],
    )


def test_range_causes_of_every_dataset_with_properties_found_once(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "properties/ce": minimal("property", name="Coulombic efficiency", minimum=0, maximum=100),
            "datasets/one": _dataset([0.99, 0.98, 0.97]),
            "datasets/two": _dataset([99.0, 98.0, 97.5]),
        },
    )
    result = validate_kb(kb)
    properties = properties_of(result)
    assert list(properties) == ["ce"]
    for dataset_id in ("one", "two"):
        dataset = result.entries.get(dataset_id) or result.partial[dataset_id]
        assert range_causes(result, dataset, properties) == range_causes(result, dataset)  # type: ignore[arg-type]


def test_validate_loads_no_module_it_does_not_need(tmp_path: Path) -> None:
    """networkx (linking) and RDKit's descriptor catalogue (MolWt is called directly) stay out of
    a validation run, SMILES included."""
    kb = write_kb(
        tmp_path,
        {
            "materials/fec": minimal(
                "material",
                smiles="O=C1OCC(F)O1",
                formula="C3H3FO3",
                identifiers_source=SOURCE[0],
                density={"value": 1.45, "unit": "g/cm3", "temperature": "25 °C", "source": SOURCE[0]},
            )
        },
    )
    script = (
        "import sys\nfrom limkb.cli import main\n"
        f"sys.argv = ['limkb', 'validate', '--kb', {str(kb)!r}]\n"
        "try:\n    main()\nexcept SystemExit as done:\n    code = done.code\n"
        "print(code, sorted(m for m in sys.modules if m in ('networkx', 'rdkit.Chem.Descriptors', 'rdkit.Chem')))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.splitlines()[-1] == "0 ['rdkit.Chem']", run.stdout + run.stderr


def test_the_garbage_collector_is_paused_during_validation_and_resumed_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    import limkb.check.validate as validate_module

    kb = write_kb(tmp_path, {"strategies/s": minimal("strategy", colour="red")})
    states: list[bool] = []
    real = validate_module.check_rules

    def spying(result: object) -> None:
        states.append(gc.isenabled())
        real(result)  # type: ignore[arg-type]

    monkeypatch.setattr(validate_module, "check_rules", spying)
    assert gc.isenabled()
    assert [p.code for p in validate_kb(kb).report] == ["unknown-field"]
    assert states == [False] and gc.isenabled()

    def failing(result: object) -> None:
        raise RuntimeError("a rule broke")

    monkeypatch.setattr(validate_module, "check_rules", failing)
    with pytest.raises(RuntimeError):
        validate_kb(kb)
    assert gc.isenabled()
    gc.disable()
    try:
        monkeypatch.setattr(validate_module, "check_rules", spying)
        validate_kb(kb)
        assert not gc.isenabled()  # a caller's own pause is left as it was
    finally:
        gc.enable()
