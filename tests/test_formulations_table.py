"""Names to materials, case by case: each test names the behaviour of
``limkb.analysis.formulations`` (``MaterialIndex``, ``resolve``) it protects."""

from __future__ import annotations

import pytest

from limkb.analysis.formulations import (
    MaterialIndex,
    Role,
    UnknownMaterialError,
    parse,
    resolve,
)


def test_a_name_keeps_the_spelling_of_the_first_material_that_claims_it() -> None:
    index = MaterialIndex.of([("x", ["DME"], []), ("y", ["dme"], [])])
    assert (index.find("dme"), index.shown["dme"]) == ("x", "DME")


def test_a_later_name_of_a_material_does_not_respell_a_name_another_claimed() -> None:
    index = MaterialIndex.of([("a", ["b"], []), ("b", ["B"], [])])
    assert (index.find("b"), index.shown["b"]) == ("a", "b")


def test_a_material_named_like_its_id_is_shown_as_named() -> None:
    index = MaterialIndex.of([("dme", ["DME"], ["solvent"])])
    assert index.shown["dme"] == "DME"


def test_at_most_three_names_are_suggested() -> None:
    index = MaterialIndex.of([(f"fec{i}", [], []) for i in range(1, 6)])
    assert len(index.suggest("fec")) == 3


def test_two_suggestions_are_joined_with_or() -> None:
    index = MaterialIndex.of([("fec1", [], []), ("fec2", [], [])])
    _, errors = resolve(parse("1 M fec in fec1"), index)
    (error,) = errors
    assert isinstance(error, UnknownMaterialError)
    said = "'fec' is not a material; did you mean {}?"
    assert str(error) in {said.format("'fec1' or 'fec2'"), said.format("'fec2' or 'fec1'")}


def test_resolve_keeps_the_text_and_each_component_s_place_in_it() -> None:
    index = MaterialIndex.of([("lifsi", ["LiFSI"], ["salt"]), ("dme", ["DME"], ["solvent"])])
    parsed = parse("1 M LiFSI in DME")
    resolved, errors = resolve(parsed, index)
    assert errors == []
    assert resolved.text == "1 M LiFSI in DME"
    assert [(c.start, c.end) for c in resolved.components] == [(c.start, c.end) for c in parsed.components]
    assert [c.material for c in resolved.components] == ["lifsi", "dme"]


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (["diluent"], Role.DILUENT),
        (["diluent", "solvent"], Role.SOLVENT),
        (["solvent"], Role.SOLVENT),
        ([], Role.SOLVENT),
    ],
    ids=["diluent-only", "diluent-and-solvent", "solvent", "no-role"],
)
def test_a_blend_member_is_a_diluent_only_when_its_material_is_no_solvent(
    roles: list[str], expected: Role
) -> None:
    index = MaterialIndex.of([("lifsi", ["LiFSI"], ["salt"]), ("tte", ["TTE"], roles)])
    resolved, _ = resolve(parse("1 M LiFSI in TTE"), index)
    assert resolved.components[1].role is expected
