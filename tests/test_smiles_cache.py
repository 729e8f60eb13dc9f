"""What RDKit makes of a material's SMILES is kept in the file cache: a second validation
with the same cache, or with the cache a build wrote, does not read an unchanged SMILES again;
an edited SMILES is read (and checked) again; what is reported is the same either way."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kbfactory import SOURCE, minimal, write_entry, write_kb
from limkb.analysis import chemistry
from limkb.check.cache import FileCache
from limkb.check.validate import validate_kb

DENSITY = {"value": 0.868, "unit": "g/cm3", "temperature": "25 °C", "source": SOURCE[0]}
DME = "COCCOC"
EC = "O=C1OCCO1"


def material(name: str, smiles: str, formula: str) -> dict[str, Any]:
    """A material with a structure, its identifiers' source and a density."""
    return minimal(
        "material",
        name,
        smiles=smiles,
        formula=formula,
        identifiers_source=SOURCE[0],
        density=DENSITY,
    )


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every SMILES RDKit is asked to read, counted."""
    seen: Counter[str] = Counter()
    real = chemistry.formula  # what validation asks of RDKit

    def counted(smiles: str) -> str:
        seen[smiles] += 1
        return real(smiles)

    monkeypatch.setattr(chemistry, "formula", counted)
    return seen


def codes(kb: Path, cache: FileCache | None) -> list[str]:
    return sorted(f"{Path(p.path).stem}:{p.code}" for p in validate_kb(kb, cache=cache).report.problems)


def test_a_second_run_reads_no_unchanged_smiles_and_an_edited_one_is_checked(
    tmp_path: Path, calls: Counter[str]
) -> None:
    kb = write_kb(
        tmp_path,
        {
            "materials/dme": material("DME", DME, "C4H10O2"),
            "materials/ec": material("EC", EC, "C3H4O3"),
            "strategies/s": minimal("strategy", "A strategy"),
        },
    )
    cache = FileCache()
    assert codes(kb, cache) == []
    assert calls == Counter({DME: 1, EC: 1})

    calls.clear()
    write_entry(kb, "strategies/s", minimal("strategy", "A strategy renamed"))  # an unrelated edit
    assert codes(kb, cache) == []
    assert calls == Counter()

    write_entry(kb, "materials/ec", material("EC", "O=C1OCC(F)O1", "C3H4O3"))  # FEC's SMILES
    assert codes(kb, cache) == ["ec:formula-mismatch"]
    assert calls == Counter({"O=C1OCC(F)O1": 1})


def test_the_cache_a_build_writes_keeps_the_structures_and_their_errors(
    tmp_path: Path, calls: Counter[str]
) -> None:
    kb = write_kb(
        tmp_path,
        {
            "materials/dme": material("DME", DME, "C4H10O2"),
            "materials/bad": material("Bad", "C1CC", "C3H6"),  # an unclosed ring
        },
    )
    first = FileCache()
    found = codes(kb, first)
    assert found == ["bad:bad-smiles"] and calls == Counter({DME: 1, "C1CC": 1})
    first.write(tmp_path / "files.pickle")

    calls.clear()
    again = FileCache.read(tmp_path / "files.pickle")
    assert codes(kb, again) == found  # the error is reported from the cache, as it was
    assert calls == Counter()
    assert codes(kb, None) == found  # without a cache, RDKit reads every SMILES
    assert calls == Counter({DME: 1, "C1CC": 1})


def test_structures_of_removed_materials_are_forgotten(tmp_path: Path, calls: Counter[str]) -> None:
    kb = write_kb(
        tmp_path,
        {"materials/dme": material("DME", DME, "C4H10O2"), "materials/ec": material("EC", EC, "C3H4O3")},
    )
    cache = FileCache()
    codes(kb, cache)
    assert len(cache.structures) == 2
    (kb / "materials" / "ec.yaml").unlink()
    codes(kb, cache)
    assert len(cache.structures) == 1


def test_a_formula_with_an_element_limkb_lacks_says_so_rather_than_disagreeing(tmp_path: Path) -> None:
    """Indium, antimony and lanthanum salts compare as equal formulas; an element missing from
    the table of atomic weights is named, not reported as a disagreement with itself."""
    from limkb.analysis.chemistry import same_atoms
    from limkb.check.rules import _unreadable_formula

    assert same_atoms("C3F9InO9S3", "C3F9InO9S3")
    assert same_atoms("LiSbF6", "F6LiSb")
    assert same_atoms("La(NO3)3", "LaN3O9")
    assert _unreadable_formula("LiSbF6", "F6LiSb") is None
    problem = _unreadable_formula("Og2O", "Og2O")
    assert problem is not None and "'Og'" in problem[0] and "not an element limkb knows" in problem[0]


def test_the_formula_validation_asks_for_is_the_structures_and_fails_alike() -> None:
    """Validation reads only the formula; it is the one the pages show, and a SMILES RDKit
    refuses gives the same message and hint either way."""
    for smiles in (DME, EC, "[Li+].F[P-](F)(F)(F)(F)F", "F[P-](F)(F)(F)(F)F"):
        assert chemistry.formula(smiles) == chemistry.structure(smiles).formula
    for bad in ("C1CC", "C(C)(C)(C)(C)C"):
        with pytest.raises(chemistry.ChemistryError) as short:
            chemistry.formula(bad)
        with pytest.raises(chemistry.ChemistryError) as full:
            chemistry.structure(bad)
        assert (short.value.message, short.value.hint) == (full.value.message, full.value.hint)
