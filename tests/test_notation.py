"""Published tables go in as printed: the notations papers print, parsed into components.

Every accepted notation is a row of :data:`ACCEPTED` (text -> components with amounts, units
and bases); every refused one a row of :data:`REFUSED` (text -> message and the span it is
located at). What a paper leaves unsaid (a ratio's basis, what a bare % is) is read only
under a declared convention: a dataset's ``conventions:`` or ``limkb descriptors --ratio
--percent``. The KBs are built in ``tmp_path`` with the materials they need.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kbfactory import SOURCE, minimal, write_kb
from limkb.analysis.descriptors import MaterialData, compute_descriptors
from limkb.analysis.formulations import (
    Amount,
    Conventions,
    FormulationError,
    MaterialIndex,
    Role,
    UnknownMaterialError,
    parse,
    resolve,
)
from limkb.check.validate import validate_kb
from limkb.cli import cli
from limkb.commands.import_table import import_table

S, V, D, A = Role.SALT, Role.SOLVENT, Role.DILUENT, Role.ADDITIVE
M, MOLAL = Amount.MOLAR, Amount.MOLAL
VOL, WT, MOL = Amount.RATIO_VOL, Amount.RATIO_WT, Amount.RATIO_MOL
WTP, VOLP, MOLP = Amount.WT_PERCENT, Amount.VOL_PERCENT, Amount.MOL_PERCENT
WT_PERCENT = Conventions.of(percent="wt")

# (text, conventions, components as (name, role, amount, unit))
ACCEPTED: list[tuple[str, Conventions | None, list[tuple[str, Role, float, Amount]]]] = [
    # the forms that were accepted before stay as they were
    (
        "1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC",
        None,
        [("LiPF6", S, 1, M), ("EC", V, 1, VOL), ("DMC", V, 1, VOL), ("VC", A, 2, WTP)],
    ),
    (
        "1 M LiTFSI in DOL/DME (1:1 vol) + 2 wt% LiNO3",
        None,
        [("LiTFSI", S, 1, M), ("DOL", V, 1, VOL), ("DME", V, 1, VOL), ("LiNO3", A, 2, WTP)],
    ),
    ("4 M LiFSI in DME", None, [("LiFSI", S, 4, M), ("DME", V, 1, VOL)]),
    (
        "0.6 M LiTFSI + 0.4 M LiBOB in EC:EMC (3:7 w/w)",
        None,
        [("LiTFSI", S, 0.6, M), ("LiBOB", S, 0.4, M), ("EC", V, 3, WT), ("EMC", V, 7, WT)],
    ),
    ("LiFSI-1.2DME-3TTE", None, [("LiFSI", S, 1, MOL), ("DME", V, 1.2, MOL), ("TTE", V, 3, MOL)]),
    ("1 mol/kg LiFSI in DME", None, [("LiFSI", S, 1, MOLAL), ("DME", V, 1, VOL)]),
    ("1 M LiClO4 in PC + 5 vol% FEC", None, [("LiClO4", S, 1, M), ("PC", V, 1, VOL), ("FEC", A, 5, VOLP)]),
    # the printed forms of the Li||Cu compilation
    (
        "1 M LiPF6 EC-DMC (1:1 v) 2% VC",
        WT_PERCENT,
        [("LiPF6", S, 1, M), ("EC", V, 1, VOL), ("DMC", V, 1, VOL), ("VC", A, 2, WTP)],
    ),
    ("1.2M LiFSI DMC-BTFE (1:2 mol)", None, [("LiFSI", S, 1.2, M), ("DMC", V, 1, MOL), ("BTFE", V, 2, MOL)]),
    ("2M LiTFSI 2M LiDFOB DME", None, [("LiTFSI", S, 2, M), ("LiDFOB", S, 2, M), ("DME", V, 1, VOL)]),
    ("LiFSI SL (1:3 molar)", None, [("LiFSI", S, 1, MOL), ("SL", V, 3, MOL)]),
    ("LiFSI DME-TTE (1:1.2:3)", None, [("LiFSI", S, 1, MOL), ("DME", V, 1.2, MOL), ("TTE", V, 3, MOL)]),
    (
        "1.7 M LiFSI MeTHF-TTE (1:1 vol)",
        None,
        [("LiFSI", S, 1.7, M), ("MeTHF", V, 1, VOL), ("TTE", V, 1, VOL)],
    ),
    ("1 M LiClO4-PC + 5% FEC", WT_PERCENT, [("LiClO4", S, 1, M), ("PC", V, 1, VOL), ("FEC", A, 5, WTP)]),
    ("5 M LiFSI/EC-ETFEC (3:7 vol)", None, [("LiFSI", S, 5, M), ("EC", V, 3, VOL), ("ETFEC", V, 7, VOL)]),
    (
        "0.1 M Li2S5 + 5% LiNO3 in 1 M LiTFSI in DOL/DME (1:1 vol)",
        WT_PERCENT,
        [
            ("LiTFSI", S, 1, M),
            ("DOL", V, 1, VOL),
            ("DME", V, 1, VOL),
            ("Li2S5", A, 0.1, M),
            ("LiNO3", A, 5, WTP),
        ],
    ),
    # units, with and without a blank
    ("1M LiPF6 in EC", None, [("LiPF6", S, 1, M), ("EC", V, 1, VOL)]),
    ("1 mol/L LiPF6 in EC", None, [("LiPF6", S, 1, M), ("EC", V, 1, VOL)]),
    ("1 mol L-1 LiPF6 in EC", None, [("LiPF6", S, 1, M), ("EC", V, 1, VOL)]),
    (
        "50 mM LiNO3 in 1 M LiTFSI in DME",
        None,
        [("LiTFSI", S, 1, M), ("DME", V, 1, VOL), ("LiNO3", A, 0.05, M)],
    ),
    ("1 m LiTFSI in DME", None, [("LiTFSI", S, 1, MOLAL), ("DME", V, 1, VOL)]),
    ("1m LiTFSI in DME", None, [("LiTFSI", S, 1, MOLAL), ("DME", V, 1, VOL)]),
    ("1 mol kg-1 LiTFSI in DME", None, [("LiTFSI", S, 1, MOLAL), ("DME", V, 1, VOL)]),
    (
        "1mol/kg LiTFSI in EC:DMC (1:1 w/w)",
        None,
        [("LiTFSI", S, 1, MOLAL), ("EC", V, 1, WT), ("DMC", V, 1, WT)],
    ),
    # separators between solvents: ':', '/', '-', a blank
    ("1 M LiPF6 in EC/DMC (1:1 v/v)", None, [("LiPF6", S, 1, M), ("EC", V, 1, VOL), ("DMC", V, 1, VOL)]),
    ("1 M LiPF6 in EC-DMC (1:1 v/v)", None, [("LiPF6", S, 1, M), ("EC", V, 1, VOL), ("DMC", V, 1, VOL)]),
    ("1 M LiPF6 in EC DMC (1:1 v/v)", None, [("LiPF6", S, 1, M), ("EC", V, 1, VOL), ("DMC", V, 1, VOL)]),
    # every basis word
    ("1 M LiPF6 in EC:DMC (1:1 v)", None, [("LiPF6", S, 1, M), ("EC", V, 1, VOL), ("DMC", V, 1, VOL)]),
    ("1 M LiPF6 in EC:DMC (1:1 by vol)", None, [("LiPF6", S, 1, M), ("EC", V, 1, VOL), ("DMC", V, 1, VOL)]),
    ("1 M LiPF6 in EC:DMC (3:7 wt)", None, [("LiPF6", S, 1, M), ("EC", V, 3, WT), ("DMC", V, 7, WT)]),
    ("1 M LiPF6 in EC:DMC (3:7 by wt)", None, [("LiPF6", S, 1, M), ("EC", V, 3, WT), ("DMC", V, 7, WT)]),
    ("1 M LiPF6 in EC:DMC (3:7 m/m)", None, [("LiPF6", S, 1, M), ("EC", V, 3, WT), ("DMC", V, 7, WT)]),
    ("1 M LiPF6 in EC:DMC (3:7 molar)", None, [("LiPF6", S, 1, M), ("EC", V, 3, MOL), ("DMC", V, 7, MOL)]),
    ("1 M LiPF6 in EC:DMC (3/7, mol)", None, [("LiPF6", S, 1, M), ("EC", V, 3, MOL), ("DMC", V, 7, MOL)]),
    # additives after '+', ',' or a blank; shares of every kind; a declared bare %
    (
        "1 M LiPF6 in EC:DMC (1:1 v/v), 2 wt% VC",
        None,
        [("LiPF6", S, 1, M), ("EC", V, 1, VOL), ("DMC", V, 1, VOL), ("VC", A, 2, WTP)],
    ),
    (
        "1 M LiPF6 in EC 2 wt.% VC 1 mol% FEC",
        None,
        [("LiPF6", S, 1, M), ("EC", V, 1, VOL), ("VC", A, 2, WTP), ("FEC", A, 1, MOLP)],
    ),
    (
        "1 M LiPF6 in EC + 5% FEC",
        Conventions.of(percent="vol"),
        [("LiPF6", S, 1, M), ("EC", V, 1, VOL), ("FEC", A, 5, VOLP)],
    ),
    (
        "1 M LiPF6 in EC + 5% v/v FEC + 1 % w/w VC",
        None,
        [("LiPF6", S, 1, M), ("EC", V, 1, VOL), ("FEC", A, 5, VOLP), ("VC", A, 1, WTP)],
    ),
    (
        "1 M LiPF6 in EC + 5% by wt FEC, 1% mol VC",
        None,
        [("LiPF6", S, 1, M), ("EC", V, 1, VOL), ("FEC", A, 5, WTP), ("VC", A, 1, MOLP)],
    ),
    # a ratio printed without its basis, read under a declared convention
    (
        "1 M LiPF6 in EC:DMC (1:1)",
        Conventions.of(ratio="vol"),
        [("LiPF6", S, 1, M), ("EC", V, 1, VOL), ("DMC", V, 1, VOL)],
    ),
    (
        "1 M LiPF6 in EC:DMC (3:7)",
        Conventions.of(ratio="wt"),
        [("LiPF6", S, 1, M), ("EC", V, 3, WT), ("DMC", V, 7, WT)],
    ),
    # the salt after the solvents; a ratio form with additives; dashes as printed
    (
        "DOL/DME (1:1 v/v) 1 M LiTFSI + 2 wt% LiNO3",
        None,
        [("DOL", V, 1, VOL), ("DME", V, 1, VOL), ("LiTFSI", S, 1, M), ("LiNO3", A, 2, WTP)],
    ),
    (
        "LiFSI-1.2DME-3TTE + 2 wt% LiNO3",
        None,
        [("LiFSI", S, 1, MOL), ("DME", V, 1.2, MOL), ("TTE", V, 3, MOL), ("LiNO3", A, 2, WTP)],
    ),
    ("LiFSI–1.2DME–3TTE", None, [("LiFSI", S, 1, MOL), ("DME", V, 1.2, MOL), ("TTE", V, 3, MOL)]),
    ("1 M LiFSI in 2-MeTHF", None, [("LiFSI", S, 1, M), ("2-MeTHF", V, 1, VOL)]),
    (
        "1 M LiN(SO2F)2 in 1,2-dimethoxyethane",
        None,
        [("LiN(SO2F)2", S, 1, M), ("1,2-dimethoxyethane", V, 1, VOL)],
    ),
    # the forms of the Kim et al. 2023 compilation that were refused as printed
    ("1M LiFSI EC/DEC (v 1:1)", None, [("LiFSI", S, 1, M), ("EC", V, 1, VOL), ("DEC", V, 1, VOL)]),
    ("1 M LiPF6 in EC:DMC (w 3:7)", None, [("LiPF6", S, 1, M), ("EC", V, 3, WT), ("DMC", V, 7, WT)]),
    ("5M LiTFSI 1-4 (EA-DCM vol)", None, [("LiTFSI", S, 5, M), ("EA", V, 1, VOL), ("DCM", V, 4, VOL)]),
    ("1 M LiPF6 1:2 (EC/DMC wt)", None, [("LiPF6", S, 1, M), ("EC", V, 1, WT), ("DMC", V, 2, WT)]),
    ("2.2M LiFSI TEP (= 1:2 MR)", None, [("LiFSI", S, 2.2, M), ("TEP", V, 2, MOL)]),
    ("2.2M LiFSI TEP (=1:2 mol)", None, [("LiFSI", S, 2.2, M), ("TEP", V, 2, MOL)]),
    ("4.5 M LiFSI/DME (1 : 1)", None, [("LiFSI", S, 4.5, M), ("DME", V, 1, MOL)]),
    ("LiFSI DMC (1:1.5 MR)", None, [("LiFSI", S, 1, MOL), ("DMC", V, 1.5, MOL)]),
    ("LiFSI-TEP 1:1 molar", None, [("LiFSI", S, 1, MOL), ("TEP", V, 1, MOL)]),
    ("LiFSI-TEP 1:1.5 molar", None, [("LiFSI", S, 1, MOL), ("TEP", V, 1.5, MOL)]),
    ("1 M LiPF6 EC-DMC 3:7 wt", None, [("LiPF6", S, 1, M), ("EC", V, 3, WT), ("DMC", V, 7, WT)]),
    (
        "1 M LiTFSI in DOL/DME (1:1 vol) with 5 wt% LiNO3",
        None,
        [("LiTFSI", S, 1, M), ("DOL", V, 1, VOL), ("DME", V, 1, VOL), ("LiNO3", A, 5, WTP)],
    ),
    (
        "1.8 M LiFSI/DME (1 : 1) with HFME at 50% concentration",
        Conventions.of(percent="vol"),
        [("LiFSI", S, 1.8, M), ("DME", V, 1, MOL), ("HFME", A, 50, VOLP)],
    ),
    (
        "1 M LiFSI in DME with TTE at 30 vol%",
        None,
        [("LiFSI", S, 1, M), ("DME", V, 1, VOL), ("TTE", A, 30, VOLP)],
    ),
]


@pytest.mark.parametrize(("text", "conventions", "expected"), ACCEPTED, ids=[row[0] for row in ACCEPTED])
def test_printed_notations_parse_into_components(
    text: str, conventions: Conventions | None, expected: list[tuple[str, Role, float, Amount]]
) -> None:
    found = parse(text, conventions=conventions).components
    assert [(c.name, c.role, c.amount, c.unit) for c in found] == [
        (name, role, pytest.approx(amount), unit) for name, role, amount, unit in expected
    ]
    for c in found:  # every component is located at its name in the text
        assert text[c.end - len(c.name) : c.end] == c.name


HUGE = "9" * 400

# (text, what the message says, the text it is located at)
REFUSED = [
    # genuine ambiguity: never guessed
    ("1 M LiPF6 in EC:DMC (1:1)", "has no basis", "(1:1)"),
    ("1 M LiPF6 EC-DMC (1:1 v) 2% VC", "a bare '%' is ambiguous", "2%"),
    ("1 M LiClO4-PC + 5% FEC", "a bare '%' is ambiguous", "5%"),
    # amounts that cannot be
    (f"{HUGE} M LiFSI in DME", "is not a finite number", f"{HUGE} M"),
    ("40 M LiFSI in DME", "more than an electrolyte can hold", "40 M"),
    ("200 mol/kg LiFSI in DME", "more than an electrolyte can hold", "200 mol/kg"),
    ("0 M LiFSI in DME", "adds nothing", "0 M"),
    ("1 M LiFSI in DME + 100 wt% VC", "the whole electrolyte or more", "100 wt%"),
    ("1 M LiPF6 in EC + 60 wt% FEC + 40 wt% VC", "add up to 100 %", "60 wt% FEC + 40 wt% VC"),
    (f"1 M LiPF6 in EC:DMC ({HUGE}:1 v/v)", "is not a number a ratio can have", HUGE),
    ("1 M LiPF6 in EC:DMC (0:1 v/v)", "parts must be positive", "0"),
    ("LiFSI-0DME-3TTE", "parts must be positive", "0"),
    ("LiFSI DME-TTE (1:0:3)", "parts must be positive", "0"),
    # brackets
    ("1 M LiPF6 in EC:DMC (1:1 v/v", "'(' is never closed", "("),
    ("1 M LiPF6 in EC:DMC 1:1 v/v)", "')' closes no bracket", ")"),
    # mixed bases
    ("1 mol/kg LiFSI in EC:DMC (1:1 v/v)", "beside solvents mixed by volume", "1 mol/kg LiFSI"),
    ("1 M LiPF6 + 1 mol/kg LiFSI in DME", "M (mol/L) and mol/kg are different bases", "1 mol/kg LiFSI"),
    # counts and forms
    ("1 M LiPF6 in EC:DMC (1:1:1 v/v)", "2 solvents but a ratio of 3 numbers", "(1:1:1 v/v)"),
    ("LiFSI DME-TTE (1:3)", "but a ratio of 2 numbers", "(1:3)"),
    ("LiFSI DME (1:2 vol)", "a ratio that counts the salt is by moles", "(1:2 vol)"),
    ("LiTFSI in DME", "has no concentration", "LiTFSI"),
    ("1 M LiPF6 in EC:DMC", "have no ratio", "EC:DMC"),
    ("1 M LiPF6 in EC + VC", "has no amount", "VC"),
    ("2 wt% VC in EC", "a salt's amount is a concentration", "2 wt% VC"),
    # the compilation's rows that stay refused, each for what it leaves unsaid
    ("1M LiTFSI DME-DOL (1:1) 3% LiNO3", "has no basis", "(1:1)"),
    ("5M LiTFSI 1-4 (EA-DCM)", "has no basis", "1-4 (EA-DCM)"),
    ("1.8 M LiFSI/DME (1 : 1) with HFME at 50% concentration", "a bare '%' is ambiguous", "50%"),
    ("10 M LiFSI EC-DMC", "have no ratio (no convention can supply one)", "EC-DMC"),
    ("1 M LiFSI in DME with HFME", "additive 'HFME' has no amount", "HFME"),
    ("1 M LiFSI in DME with HFME at 50 wt", "additive 'HFME' has no amount", "HFME"),
    (
        "1 M LiPF6 EC-DMC (1:1 v), 0.5 M LiNO3 TEGDME, 70%",
        "'TEGDME' has no amount: after 'LiNO3' it reads as the solvent of a second electrolyte",
        "TEGDME",
    ),
    ("2.2M LiFSI TEP (= 1:2 vol)", "a ratio that counts the salt is by moles", "(= 1:2 vol)"),
    ("1M LiFSI EC/DEC (v 1:1 v)", "has two bases", "(v 1:1 v)"),
    ("5M LiTFSI 1-4 (EA-DCM vol", "'(' is never closed", "("),
    ("5M LiTFSI 1-4 (EA-DCM by)", "expected the basis and ')'", "by)"),
]


@pytest.mark.parametrize(("text", "message", "at"), REFUSED, ids=[row[0][:50] for row in REFUSED])
def test_what_cannot_be_read_is_located_with_a_fix(text: str, message: str, at: str) -> None:
    with pytest.raises(FormulationError) as caught:
        parse(text)
    assert message in caught.value.message
    assert text[caught.value.start : caught.value.end] == at
    assert caught.value.hint and caught.value.code == "bad-formulation"


@pytest.mark.parametrize(
    "text",
    [
        "0.1 M LiNO3 in " * 5_000 + "1 M LiFSI in DME",
        "1 M LiFSI in " + "DME-" * 20_000 + "DME",
        "1 M LiFSI in DME (" + "1:" * 50_000 + "1 v/v)",
        "1 M LiFSI in DME (1:1 " + "x" * 10_000 + ")",
        "1,3-" * 30_000,
    ],
    ids=["nested 5,000 deep", "20,000 solvents", "a ratio of 50,001", "a long basis", "locants"],
)
def test_hostile_texts_are_refused_quickly_with_short_messages(text: str) -> None:
    for known in (None, lambda name: name.startswith("DME-")):  # hyphenated names looked up whole
        with pytest.raises(FormulationError) as caught:
            parse(text, known=known)
        assert len(caught.value.message) < 200 and len(caught.value.hint) < 400


def test_additives_in_a_base_nest_three_deep_at_most() -> None:
    parse("0.1 M LiNO3 in 0.2 M LiNO3 in 0.3 M LiNO3 in 1 M LiFSI in DME")
    with pytest.raises(FormulationError, match="nest 4 deep"):
        parse("0.1 M LiNO3 in " * 4 + "1 M LiFSI in DME")


def test_the_ambiguity_errors_name_the_choices_and_the_declaration() -> None:
    with pytest.raises(FormulationError) as caught:
        parse("1 M LiClO4 in PC + 5% FEC")
    for choice in ("wt%", "vol%", "mol%", "percent: wt", "conventions", "--percent"):
        assert choice in caught.value.hint
    with pytest.raises(FormulationError) as caught:
        parse("1 M LiPF6 in EC:DMC (1:1)")
    for choice in ("v/v", "w/w", "mol", "ratio: vol", "conventions", "--ratio"):
        assert choice in caught.value.hint


CROWNED = "1 M LiPF6 FEC-DMC (1:1 v) 0.25wt% 12-Crown-4"
KNOWN = {"12-crown-4", "18-crown-6", "deg-ftrieg"}

# (text, components as (name, role)): a hyphenated token that is a material's whole name
HYPHENATED = [
    (CROWNED, [("LiPF6", S), ("FEC", V), ("DMC", V), ("12-Crown-4", A)]),
    (
        "1 M LiPF6 FEC-EC-DEC (2:9:9 vol) 0.05 M RbNO3 0.05M 18-crown-6",
        [("LiPF6", S), ("FEC", V), ("EC", V), ("DEC", V), ("RbNO3", A), ("18-crown-6", A)],
    ),
    ("1 M LiFSI in DEG-FTriEG", [("LiFSI", S), ("DEG-FTriEG", V)]),
    ("12-Crown-4-DMC (1:9 v) 1 M LiPF6", [("12-Crown-4", V), ("DMC", V), ("LiPF6", S)]),
]


@pytest.mark.parametrize(("text", "expected"), HYPHENATED, ids=[row[0] for row in HYPHENATED])
def test_a_hyphenated_material_name_is_one_name(text: str, expected: list[tuple[str, Role]]) -> None:
    found = parse(text, known=lambda name: name.lower() in KNOWN).components
    assert [(c.name, c.role) for c in found] == expected
    for c in found:
        assert text[c.end - len(c.name) : c.end] == c.name


def test_a_hyphenated_name_is_split_unless_it_is_known() -> None:
    with pytest.raises(FormulationError, match="found '-4'"):
        parse(CROWNED)  # no names known: '12-Crown' and a stray '-4'
    with pytest.raises(FormulationError, match="the solvents DEG:FTriEG have no ratio"):
        parse("1 M LiFSI in DEG-FTriEG", known=lambda name: False)
    # a blend of known materials is still a blend: only the whole token is asked about
    blend = parse("1 M LiPF6 EC-DMC (1:1 v)", known=lambda name: name in {"EC", "DMC"})
    assert [c.name for c in blend.components] == ["LiPF6", "EC", "DMC"]


def test_the_material_index_says_which_hyphenated_names_it_knows() -> None:
    index = MaterialIndex.of([("crown-12-4", ["12-Crown-4", "12C4"], ["additive"])])
    assert index.knows("12-crown-4") and index.knows("12C4") and not index.knows("12-Crown")
    formulation, errors = resolve(parse(CROWNED, known=index.knows), index)
    assert formulation.components[-1].material == "crown-12-4"
    assert [e.name for e in errors if isinstance(e, UnknownMaterialError)] == ["LiPF6", "FEC", "DMC"]


def test_a_restated_molar_ratio_gives_the_descriptors_of_the_concentration() -> None:
    assert _descriptors("4.5 M LiFSI/DME (1 : 1)") == pytest.approx(_descriptors("4.5 M LiFSI in DME"))
    assert _descriptors("2.2M LiFSI DME (= 1:2 MR)") == pytest.approx(_descriptors("2.2 M LiFSI in DME"))


def test_a_misprinted_compound_is_an_unknown_material_naming_the_candidates() -> None:
    index = MaterialIndex.of(
        [
            ("lifsi", ["LiFSI"], ["salt"]),
            ("dioxolane", ["1,3-Dioxolane", "DOL"], ["solvent"]),
            ("dioxane", ["1,4-Dioxane"], ["solvent"]),
        ]
    )
    _, errors = resolve(parse("1 M LiFSI 1,4-Dioxolane", known=index.knows), index)
    [error] = errors
    assert error.code == "unknown-material" and "'1,4-Dioxolane' is not a material" in error.message
    assert "'1,3-Dioxolane'" in error.message and "'1,4-Dioxane'" in error.message


# --- names, descriptors ----------------------------------------------------------------------

MATERIALS: dict[str, tuple[str, str, list[str], float | None]] = {
    "lifsi": ("LiFSI", "LiN(SO2F)2", ["salt"], None),
    "litfsi": ("LiTFSI", "LiN(SO2CF3)2", ["salt"], None),
    "lipf6": ("LiPF6", "LiPF6", ["salt"], None),
    "lino3": ("LiNO3", "LiNO3", ["salt", "additive"], None),
    "li2s5": ("Li2S5", "Li2S5", ["salt", "additive"], None),
    "dme": ("DME", "C4H10O2", ["solvent"], 0.868),
    "dol": ("DOL", "C3H6O2", ["solvent"], 1.06),
    "tte": ("TTE", "C5H4F8O", ["diluent"], 1.5323),
    "ec": ("EC", "C3H4O3", ["solvent"], 1.32),
    "dmc": ("DMC", "C3H6O3", ["solvent"], 1.07),
    "vc": ("VC", "C3H2O3", ["additive"], 1.35),
}
INDEX = MaterialIndex.of((i, [abbr, formula], roles) for i, (abbr, formula, roles, _) in MATERIALS.items())
DATA = {i: MaterialData(f, d, "salt" in r) for i, (_, f, r, d) in MATERIALS.items()}


def _descriptors(text: str, conventions: Conventions | None = None) -> dict[str, float]:
    formulation, errors = resolve(parse(text, conventions=conventions), INDEX)
    assert not errors, [e.message for e in errors]
    return compute_descriptors(formulation, DATA)


def test_an_unknown_name_is_its_own_error_naming_the_material() -> None:
    text = "5 M LiFSI/EC-ETFEC (3:7 vol)"
    _, errors = resolve(parse(text), INDEX)
    [error] = errors
    assert isinstance(error, UnknownMaterialError) and error.code == "unknown-material"
    assert error.name == "ETFEC" and "'ETFEC' is not a material" in error.message
    assert text[error.start : error.end] == "ETFEC"
    assert "limkb new material" in error.hint


def test_a_salt_counted_in_the_ratio_is_the_ratio_form() -> None:
    assert _descriptors("LiFSI DME-TTE (1:1.2:3)") == pytest.approx(_descriptors("LiFSI-1.2DME-3TTE"))
    assert _descriptors("LiFSI DME-TTE (1:1.2:3 mol)") == pytest.approx(_descriptors("LiFSI-1.2DME-3TTE"))
    roles = [c.role for c in resolve(parse("LiFSI DME-TTE (1:1.2:3)"), INDEX)[0].components]
    assert roles == [S, V, D]


def test_printed_spellings_give_the_descriptors_of_the_canonical_form() -> None:
    canonical = _descriptors("1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC")
    for printed in ("1 M LiPF6 EC-DMC (1:1 v) 2% VC", "1M LiPF6/EC/DMC (1:1 by vol), 2 wt.% VC"):
        assert _descriptors(printed, WT_PERCENT) == pytest.approx(canonical)
    # the convention decides what the same text means: 2 vol% of VC is more VC than 2 wt%
    by_volume = _descriptors("1 M LiPF6 EC-DMC (1:1 v) 2% VC", Conventions.of(percent="vol"))
    assert by_volume != pytest.approx(canonical)


def test_an_additive_in_a_named_base_adds_to_the_base() -> None:
    base = _descriptors("1 M LiTFSI in DOL/DME (1:1 vol)")
    nested = _descriptors("0.1 M LiNO3 in 1 M LiTFSI in DOL/DME (1:1 vol)")
    plain = _descriptors("1 M LiTFSI in DOL/DME (1:1 vol) + 0.1 M LiNO3")
    assert nested == pytest.approx(plain)
    assert nested["frac_n"] > base["frac_n"]  # the nitrate's nitrogen
    # an additive per litre added to a molar ratio: reckoned on the litres its solvents fill
    lhce = _descriptors("LiFSI-1.2DME-3TTE")
    with_nitrate = _descriptors("0.2 M LiNO3 in LiFSI-1.2DME-3TTE")
    assert with_nitrate["frac_n"] > lhce["frac_n"]


# --- datasets declare their conventions; validate and descriptors read them --------------


def _material(abbr: str, formula: str, roles: list[str], density: float | None) -> dict[str, Any]:
    fields: dict[str, Any] = {"aliases": [abbr], "formula": formula, "roles": roles}
    if density:
        fields["density"] = {"value": density, "unit": "g/cm3", "source": SOURCE[0]}
    return minimal("material", abbr, **fields)


def _kb(
    tmp_path: Path, electrolytes: list[str], conventions: dict[str, str] | None = None, *, ce: bool = False
) -> Path:
    entries: dict[str, Any] = {f"materials/{i}": _material(*fields) for i, fields in MATERIALS.items()}
    dataset: dict[str, Any] = {
        "records": [{"label": f"R{i}", "electrolyte": e} for i, e in enumerate(electrolytes)]
    }
    if ce:  # a column to import values into
        entries["properties/coulombic-efficiency"] = minimal("property", "CE", unit="%", scope="cell")
        dataset["columns"] = [{"name": "ce", "property": "coulombic-efficiency", "unit": "%"}]
    if conventions is not None:
        dataset["conventions"] = conventions
    entries["datasets/printed"] = minimal("dataset", "Printed electrolytes", **dataset)
    return write_kb(tmp_path, entries)


PRINTED = ["1 M LiPF6 EC-DMC (1:1) 2% VC", "1 M LiTFSI in DOL/DME (1:1 vol) + 1% LiNO3"]


def test_a_dataset_without_conventions_gets_each_ambiguity_located(tmp_path: Path) -> None:
    kb_dir = _kb(tmp_path, PRINTED)
    problems = validate_kb(kb_dir).report.errors
    assert [p.code for p in problems] == ["bad-formulation"] * 2, [p.message for p in problems]
    lines = (kb_dir / "datasets" / "printed.yaml").read_text(encoding="utf-8").splitlines()
    at = [lines[p.line - 1][p.col - 1 :] for p in problems]
    assert at[0].startswith("(1:1) 2% VC") and "has no basis" in problems[0].message
    assert at[1].startswith("1% LiNO3") and "bare '%'" in problems[1].message


def test_a_dataset_that_declares_its_conventions_validates(tmp_path: Path) -> None:
    kb_dir = _kb(tmp_path, PRINTED, {"ratio": "vol", "percent": "wt"})
    report = validate_kb(kb_dir).report
    assert report.ok(strict=True), report.format()


def test_a_declared_convention_must_be_one_of_the_choices(tmp_path: Path) -> None:
    kb_dir = _kb(tmp_path, PRINTED, {"ratio": "volume", "percent": "wt"})
    problems = validate_kb(kb_dir).report.errors
    [wrong] = [p for p in problems if "conventions.ratio" in p.message]
    assert "'volume' is not allowed; did you mean 'vol'" in wrong.message and "'wt'" in wrong.hint


# --- limkb descriptors: one formulation, or a file of them ------------------------------


def test_descriptors_reads_a_file_line_by_line_and_locates_each_failure(tmp_path: Path) -> None:
    kb_dir = _kb(tmp_path, [])
    column = tmp_path / "electrolytes.txt"
    column.write_text(
        "1 M LiPF6 EC-DMC (1:1 v) 2% VC\n\n5 M LiFSI/EC-ETFEC (3:7 vol)\n"
        f"{HUGE} M LiFSI in DME\nLiFSI DME-TTE (1:1.2:3)\n",
        encoding="utf-8",
    )
    done = CliRunner().invoke(cli, ["descriptors", "--file", str(column), "--kb", str(kb_dir)])
    assert done.exit_code == 1, done.output
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["line"], r["ok"]) for r in rows] == [(1, False), (3, False), (4, False), (5, True)]
    percent, unknown, huge, counted = rows
    assert percent["errors"][0]["column"] == len("1 M LiPF6 EC-DMC (1:1 v) ") + 1
    assert "percent: wt" in percent["errors"][0]["hint"]
    assert unknown["errors"][0]["code"] == "unknown-material"
    assert (
        unknown["errors"][0]["column"] == len("5 M LiFSI/EC-") + 1
        and "'ETFEC'" in unknown["errors"][0]["message"]
    )
    assert huge["errors"][0]["code"] == "bad-formulation" and "finite" in huge["errors"][0]["message"]
    assert [c["role"] for c in counted["components"]] == ["salt", "solvent", "diluent"]
    assert counted["descriptors"]["frac_f"] == pytest.approx(_descriptors("LiFSI-1.2DME-3TTE")["frac_f"])
    assert "4 formulations read, 3 with errors" in done.stderr
    assert "Traceback" not in done.output


def test_descriptors_takes_the_conventions_as_options_and_reads_stdin(tmp_path: Path) -> None:
    kb_dir = _kb(tmp_path, [])
    lines = "1 M LiPF6 EC-DMC (1:1) 2% VC\n1 M LiTFSI in DOL/DME (1:1 vol) + 1% LiNO3\n"
    arguments = ["descriptors", "--file", "-", "--kb", str(kb_dir), "--ratio", "vol", "--percent", "wt"]
    done = CliRunner().invoke(cli, arguments, input=lines)
    assert done.exit_code == 0, done.output
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["ok"] for r in rows] == [True, True]
    assert rows[0]["components"][-1] == {
        "name": "VC",
        "material": "vc",
        "role": "additive",
        "amount": 2.0,
        "unit": "wt%",
    }
    assert rows[0]["components"][1]["unit"] == "vol ratio"


def test_descriptors_keeps_the_single_formulation_form(tmp_path: Path) -> None:
    kb_dir = _kb(tmp_path, [])
    done = CliRunner().invoke(cli, ["descriptors", "LiFSI DME-TTE (1:1.2:3)", "--json", "--kb", str(kb_dir)])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["descriptors"]["frac_f"] == pytest.approx(
        _descriptors("LiFSI-1.2DME-3TTE")["frac_f"]
    )
    bad = CliRunner().invoke(cli, ["descriptors", "1 M LiClO4-PC + 5% FEC", "--kb", str(kb_dir)])
    assert bad.exit_code == 1 and "a bare '%' is ambiguous" in bad.stderr
    assert "\n  " + " " * len("1 M LiClO4-PC + ") + "^^\n" in bad.stderr
    both = CliRunner().invoke(cli, ["descriptors", "4 M LiFSI in DME", "--file", "-", "--kb", str(kb_dir)])
    neither = CliRunner().invoke(cli, ["descriptors", "--kb", str(kb_dir)])
    assert both.exit_code == neither.exit_code == 2


# --- import-table reads a table's electrolytes under the dataset's conventions -----------


def test_import_reads_bare_ratios_and_percents_as_the_dataset_declares(tmp_path: Path) -> None:
    table = tmp_path / "rows.csv"
    table.write_text("label,electrolyte,ce\nR9,1 M LiPF6 EC-DMC (1:1) 2% VC,98.5\n", encoding="utf-8")
    undeclared = _kb(tmp_path / "none", [], ce=True)
    refused = import_table(table, "printed", undeclared)
    assert not refused.written
    messages = [p.message for p in refused.report.errors]
    assert len(messages) == 1 and "has no basis" in messages[0], messages

    fractions = {}
    for percent in ("wt", "vol"):
        kb_dir = _kb(tmp_path / percent, [], {"ratio": "vol", "percent": percent}, ce=True)
        done = import_table(table, "printed", kb_dir)
        assert done.written, done.report.format("text")
        [record] = limkb_records(kb_dir)
        assert record["electrolyte"] == "1 M LiPF6 EC-DMC (1:1) 2% VC"  # stored as printed
        fractions[percent] = record["descriptors"]["frac_c"]
    # the same cell means 2 wt% of VC in one dataset and 2 vol% in the other
    assert fractions["vol"] != pytest.approx(fractions["wt"])


def limkb_records(kb_dir: Path) -> list[dict[str, Any]]:
    """The records of the dataset ``printed`` as the Python API gives them."""
    import limkb

    return list(limkb.load(kb_dir).dataset("printed").records)


# --- the Kim et al. 2023 compilation: every printed electrolyte read or located ----------

ROOT = Path(__file__).resolve().parents[1]
REFUSED_AT_FIRST = ROOT / "tests" / "data" / "kim2023-s01-refused.csv"
"""The 35 rows of Dataset S01 (Kim et al. 2023) refused by the first import, as the sheet prints them."""
REASONS = (
    "a bare '%' is ambiguous",
    "has no basis",
    "have no ratio (no convention can supply one)",
    "reads as the solvent of a second electrolyte",
    "is not a material",
)


def test_every_electrolyte_of_the_compilation_parses_or_is_located_with_what_is_missing() -> None:
    import csv

    import yaml

    from limkb.commands.descriptors import describe_lines

    dataset = yaml.safe_load((ROOT / "kb" / "datasets" / "kim2023-li-cu-ce.yaml").read_text(encoding="utf-8"))
    printed = {r["label"]: r["electrolyte"] for r in dataset["records"]}
    with REFUSED_AT_FIRST.open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            assert printed.setdefault(row["literature_id"], row["electrolyte"]) == row["electrolyte"]
    assert len(printed) == 150
    _, out, summary = describe_lines(enumerate(printed.values(), start=1), ROOT / "kb")
    found = [json.loads(line) for line in out]
    refused = [f for f in found if not f["ok"]]
    assert summary == "150 formulations read, 17 with errors"
    assert len(dataset["records"]) == 133  # every row that reads is in the dataset
    for failure in refused:
        [error] = failure["errors"]
        assert error["code"] in ("bad-formulation", "unknown-material") and error["column"] >= 1
        assert any(reason in error["message"] for reason in REASONS), error["message"]
