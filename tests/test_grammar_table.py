"""The formulation grammar, one row per unit, basis, limit and error.

Every way a paper prints an amount's unit and a ratio's basis is a row of :data:`UNITS` and
:data:`BASES`; every limit is a pair of rows, one just inside (read) and one just outside
(refused); every refusal is a row of :data:`REFUSED` with its whole message, the text it is
located at and its whole fix, since a message that names the wrong cure is a defect too.
What a paper leaves unsaid (a bare ``%``, a ratio without basis) is read only under the
dataset's declared convention, each of them a row. Names are resolved by
:class:`MaterialIndex`, where the first material to claim a name keeps it.
"""

from __future__ import annotations

import pytest

from limkb.analysis.components import NO_CONVENTIONS, PERCENT_BASES, RATIO_BASES
from limkb.analysis.formulations import (
    Amount,
    Component,
    Conventions,
    Formulation,
    FormulationError,
    MaterialIndex,
    Role,
    components_of,
    normalise_name,
    parse,
    resolve,
)

S, V, A = Role.SALT, Role.SOLVENT, Role.ADDITIVE
M, MOLAL = Amount.MOLAR, Amount.MOLAL
VOL, WT, MOL = Amount.RATIO_VOL, Amount.RATIO_WT, Amount.RATIO_MOL
WTP, VOLP, MOLP = Amount.WT_PERCENT, Amount.VOL_PERCENT, Amount.MOL_PERCENT


def read(
    text: str, conventions: Conventions | None = None
) -> list[tuple[str, Role, float | None, Amount | None]]:
    """The components of ``text`` as (name, role, amount, unit)."""
    return [(c.name, c.role, c.amount, c.unit) for c in parse(text, conventions=conventions).components]


# --- units of an amount -------------------------------------------------------------------------

# (how the salt's amount is written, its value, its unit)
SALT_UNITS = [
    ("1 M", 1.0, M),
    ("1M", 1.0, M),
    ("50 mM", 0.05, M),
    ("1 mol/L", 1.0, M),
    ("1 mol/dm3", 1.0, M),
    ("1 mol L-1", 1.0, M),
    ("1 mol L^-1", 1.0, M),
    ("1 mol L⁻¹", 1.0, M),
    ("1 mol dm-3", 1.0, M),
    (".5 M", 0.5, M),
    ("1 m", 1.0, MOLAL),
    ("1m", 1.0, MOLAL),
    ("1 mol/kg", 1.0, MOLAL),
    ("1mol/kg", 1.0, MOLAL),
    ("1 mol kg-1", 1.0, MOLAL),
    ("1 mol·kg-1", 1.0, MOLAL),
    ("1 mol kg^-1", 1.0, MOLAL),
    ("1 mol kg⁻¹", 1.0, MOLAL),
]


@pytest.mark.parametrize(("written", "value", "unit"), SALT_UNITS, ids=[row[0] for row in SALT_UNITS])
def test_every_concentration_unit_is_read(written: str, value: float, unit: Amount) -> None:
    [salt, solvent] = parse(f"{written} LiFSI in EC").components
    assert (salt.name, salt.role, salt.amount, salt.unit) == ("LiFSI", S, pytest.approx(value), unit)
    assert (salt.start, salt.end) == (0, len(written) + len(" LiFSI"))
    assert (solvent.name, solvent.role, solvent.amount, solvent.unit) == ("EC", V, 1.0, VOL)


# (how an additive's share is written, its unit)
SHARE_UNITS = [
    ("2 wt%", WTP),
    ("2 wt.%", WTP),
    ("2 w%", WTP),
    ("2 % w/w", WTP),
    ("2 % m/m", WTP),
    ("2 % wt.", WTP),
    ("2 % by weight", WTP),
    ("2 % by mass", WTP),
    ("2 vol%", VOLP),
    ("2 v%", VOLP),
    ("2 % v/v", VOLP),
    ("2 % vol.", VOLP),
    ("2 % by volume", VOLP),
    ("2 mol%", MOLP),
    ("2 mol.%", MOLP),
    ("2 % n/n", MOLP),
    ("2 % mol/mol", MOLP),
    ("2 % by moles", MOLP),
]


@pytest.mark.parametrize(("written", "unit"), SHARE_UNITS, ids=[row[0] for row in SHARE_UNITS])
def test_every_share_unit_is_read(written: str, unit: Amount) -> None:
    assert read(f"1 M LiPF6 in EC + {written} VC")[-1] == ("VC", A, 2.0, unit)


@pytest.mark.parametrize(("word", "unit"), [("wt", WTP), ("vol", VOLP), ("mol", MOLP)])
def test_a_bare_percent_is_read_by_the_declared_convention(word: str, unit: Amount) -> None:
    assert PERCENT_BASES[word] is unit
    assert read("1 M LiPF6 in EC + 5% FEC", Conventions.of(percent=word))[-1] == ("FEC", A, 5.0, unit)
    # a declared ratio basis says nothing of a bare %
    with pytest.raises(FormulationError, match="a bare '%' is ambiguous"):
        parse("1 M LiPF6 in EC + 5% FEC", conventions=Conventions.of(ratio="vol"))


# --- bases of a ratio ---------------------------------------------------------------------------

BASES = [
    *[(word, VOL) for word in ("v/v", "V/V", "v", "vol", "vol.", "volume", "by vol", "by volume", "by vol.")],
    *[
        (word, WT)
        for word in ("w/w", "m/m", "M/M", "w", "wt", "wt.", "weight", "by wt", "by weight", "mass", "by mass")
    ],
    *[
        (word, MOL)
        for word in ("mol", "mol.", "molar", "moles", "by mol", "by moles", "by mole", "mol/mol", "n/n")
    ],
]


@pytest.mark.parametrize(("basis", "unit"), BASES, ids=[row[0] for row in BASES])
def test_every_basis_word_is_read(basis: str, unit: Amount) -> None:
    assert read(f"1 M LiPF6 in EC:DMC (3:7 {basis})")[1:] == [("EC", V, 3.0, unit), ("DMC", V, 7.0, unit)]
    assert read(f"1 M LiPF6 in EC:DMC (3:7, {basis})")[1:] == [("EC", V, 3.0, unit), ("DMC", V, 7.0, unit)]


@pytest.mark.parametrize(("word", "unit"), [("vol", VOL), ("wt", WT), ("mol", MOL)])
def test_a_ratio_without_basis_is_read_by_the_declared_convention(word: str, unit: Amount) -> None:
    assert RATIO_BASES[word] is unit
    assert read("1 M LiPF6 in EC:DMC (1:2)", Conventions.of(ratio=word))[1:] == [
        ("EC", V, 1.0, unit),
        ("DMC", V, 2.0, unit),
    ]
    # a written basis wins over the declared one
    assert read("1 M LiPF6 in EC:DMC (1:2 w/w)", Conventions.of(ratio=word))[1] == ("EC", V, 1.0, WT)


def test_no_conventions_declare_nothing() -> None:
    assert NO_CONVENTIONS == Conventions() == Conventions.of()
    assert (NO_CONVENTIONS.ratio, NO_CONVENTIONS.percent) == (None, None)
    assert Conventions.of("wt", "mol") == Conventions(WT, MOLP)


# --- forms: where salts, solvents and additives sit ---------------------------------------------

FORMS = [
    ("1 M LiFSI/DME", [("LiFSI", S, 1.0, M), ("DME", V, 1.0, VOL)]),
    ("1 M LiFSI-DME", [("LiFSI", S, 1.0, M), ("DME", V, 1.0, VOL)]),
    ("1 M LiFSI DME", [("LiFSI", S, 1.0, M), ("DME", V, 1.0, VOL)]),
    ("1 M LiFSI + 0.5 M LiNO3 in DME", [("LiFSI", S, 1.0, M), ("LiNO3", S, 0.5, M), ("DME", V, 1.0, VOL)]),
    ("2LiFSI-3DME", [("LiFSI", S, 2.0, MOL), ("DME", V, 3.0, MOL)]),
    # concentrations after a blend with no salt before it are salts, until a share comes
    ("DME 1 M LiFSI 2 M LiNO3", [("DME", V, 1.0, VOL), ("LiFSI", S, 1.0, M), ("LiNO3", S, 2.0, M)]),
    (
        "DME 1 M LiFSI 2 wt% LiNO3 1 M LiBOB",
        [("DME", V, 1.0, VOL), ("LiFSI", S, 1.0, M), ("LiNO3", A, 2.0, WTP), ("LiBOB", A, 1.0, M)],
    ),
    # after the salts came, a concentration is an additive
    (
        "1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC + 1 M LiNO3",
        [
            ("LiPF6", S, 1.0, M),
            ("EC", V, 1.0, VOL),
            ("DMC", V, 1.0, VOL),
            ("VC", A, 2.0, WTP),
            ("LiNO3", A, 1.0, M),
        ],
    ),
    ("LiFSI LiTFSI DME (1:1:2)", [("LiFSI", S, 1.0, MOL), ("LiTFSI", S, 1.0, MOL), ("DME", V, 2.0, MOL)]),
    ("LiFSI DME (1:2 mol)", [("LiFSI", S, 1.0, MOL), ("DME", V, 2.0, MOL)]),
    ("  LiFSI DME-TTE (1:2:3)", [("LiFSI", S, 1.0, MOL), ("DME", V, 2.0, MOL), ("TTE", V, 3.0, MOL)]),
    # limits, just inside
    ("30 M LiFSI in DME", [("LiFSI", S, 30.0, M), ("DME", V, 1.0, VOL)]),
    ("100 mol/kg LiFSI in DME", [("LiFSI", S, 100.0, MOLAL), ("DME", V, 1.0, VOL)]),
    ("1 M LiFSI in DME + 99.9 wt% VC", [("LiFSI", S, 1.0, M), ("DME", V, 1.0, VOL), ("VC", A, 99.9, WTP)]),
    ("1 M LiFSI in DME + 99.9 mol% VC", [("LiFSI", S, 1.0, M), ("DME", V, 1.0, VOL), ("VC", A, 99.9, MOLP)]),
    (
        "1 M LiPF6 in EC + 60 wt% FEC + 39 wt% VC",
        [("LiPF6", S, 1.0, M), ("EC", V, 1.0, VOL), ("FEC", A, 60.0, WTP), ("VC", A, 39.0, WTP)],
    ),
    # vol% shares are of the blend, not the whole: they may add up past 100
    (
        "1 M LiPF6 in EC + 60 vol% FEC + 50 vol% VC",
        [("LiPF6", S, 1.0, M), ("EC", V, 1.0, VOL), ("FEC", A, 60.0, VOLP), ("VC", A, 50.0, VOLP)],
    ),
    ("LiFSI-10000DME", [("LiFSI", S, 1.0, MOL), ("DME", V, 10000.0, MOL)]),
    (
        "1 M LiPF6 in EC:DMC (10000:1 v/v)",
        [("LiPF6", S, 1.0, M), ("EC", V, 10000.0, VOL), ("DMC", V, 1.0, VOL)],
    ),
    # a molality is fine beside one solvent, or a blend by weight or moles
    ("1 mol/kg LiFSI in EC", [("LiFSI", S, 1.0, MOLAL), ("EC", V, 1.0, VOL)]),
    (
        "1 mol/kg LiFSI in EC:DMC (1:1 mol)",
        [("LiFSI", S, 1.0, MOLAL), ("EC", V, 1.0, MOL), ("DMC", V, 1.0, MOL)],
    ),
    ("1 M LiFSI + 2 M LiNO3 in DME", [("LiFSI", S, 1.0, M), ("LiNO3", S, 2.0, M), ("DME", V, 1.0, VOL)]),
    (
        "0.1 M LiNO3 in 0.2 M LiNO3 in 0.3 M LiNO3 in 1 M LiFSI in DME",
        [
            ("LiFSI", S, 1.0, M),
            ("DME", V, 1.0, VOL),
            ("LiNO3", A, 0.3, M),
            ("LiNO3", A, 0.2, M),
            ("LiNO3", A, 0.1, M),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), FORMS, ids=[row[0][:50] for row in FORMS])
def test_forms_parse_into_components(text: str, expected: list[tuple[str, Role, float, Amount]]) -> None:
    found = parse(text).components
    assert [(c.name, c.role, c.amount, c.unit) for c in found] == [
        (name, role, pytest.approx(amount), unit) for name, role, amount, unit in expected
    ]
    for c in found:  # a component spans its amount (when written before it) and its name
        assert text[c.end - len(c.name) : c.end] == c.name
        assert (
            text[c.start : c.end].endswith(c.name) and text[c.start : c.end] == text[c.start : c.end].strip()
        )


# --- refusals: the whole message, where, and the whole fix --------------------------------------

EXAMPLE = "'1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC'"
NAME_FIX = f"name a material by its id, name, abbreviation or formula, e.g. {EXAMPLE}"
TOO_MUCH = "check the amount and its unit: M is mol/L, m or mol/kg per kg of solvent"
NO_SHARE = "leave out a component with no share"
WHOLE = "a share is below 100 %: the salts and solvents are the rest"
COUNT_FIX = (
    "count the salt first in the molar ratio, 'LiFSI DME-TTE (1:1.2:3)', or give its concentration, "
    "'1 M LiFSI in DME'"
)
MOLAL_FIX = "give the solvents' ratio by weight, '(1:1 w/w)', or the concentration in M (mol/L)"
FIRST_FIX = (
    "give the salt in M (mol/L) or mol/kg, e.g. '1 M LiPF6 in ...'; additives follow the solvents after '+'"
)

# (text, the message, the text it is located at, the fix)
REFUSED = [
    # what a paper leaves unsaid
    (
        "1 M LiPF6 in EC:DMC (1:1)",
        "the ratio (1:1) has no basis: by volume, weight or moles?",
        "(1:1)",
        "write it in the ratio, '(1:1 v/v)', '(1:1 w/w)' or '(1:1 mol)', or declare `ratio: vol` (or wt, "
        "mol) in the dataset's `conventions:` (`limkb descriptors --ratio vol`)",
    ),
    (
        "1 M LiPF6 in EC + 5% FEC",
        "a bare '%' is ambiguous ('5%'): a share by weight, volume or moles?",
        "5%",
        "write 5 wt%, vol% or mol%, or declare `percent: wt` (or vol, mol) in the dataset's `conventions:` "
        "(`limkb descriptors --percent wt`)",
    ),
    ("", "the formulation is empty", "", f"write it as papers do, e.g. {EXAMPLE}"),
    ("   ", "the formulation is empty", "   ", f"write it as papers do, e.g. {EXAMPLE}"),
    # limits, just outside
    ("30.5 M LiFSI in DME", "30.5 M is more than an electrolyte can hold (at most 30 M)", "30.5 M", TOO_MUCH),
    (
        "100.5 mol/kg LiFSI in DME",
        "100.5 mol/kg is more than an electrolyte can hold (at most 100 mol/kg)",
        "100.5 mol/kg",
        TOO_MUCH,
    ),
    ("0 M LiFSI in DME", "an amount of 0 M adds nothing", "0 M", NO_SHARE),
    ("1 M LiPF6 in EC + 0 wt% VC", "an amount of 0 wt% adds nothing", "0 wt%", NO_SHARE),
    ("1 M LiFSI in DME + 100 wt% VC", "100 wt% is the whole electrolyte or more", "100 wt%", WHOLE),
    ("1 M LiFSI in DME + 100 mol% VC", "100 mol% is the whole electrolyte or more", "100 mol%", WHOLE),
    ("1 M LiFSI in DME + 100 vol% VC", "100 vol% is the whole electrolyte or more", "100 vol%", WHOLE),
    (
        "1 M LiPF6 in EC + 60 wt% FEC + 40 wt% VC",
        "the wt% components add up to 100 %, the whole electrolyte or more",
        "60 wt% FEC + 40 wt% VC",
        "check the amounts: shares of the whole stay below 100 %",
    ),
    (
        "1 M LiPF6 in EC + 50 mol% FEC + 50 mol% VC",
        "the mol% components add up to 100 %, the whole electrolyte or more",
        "50 mol% FEC + 50 mol% VC",
        "check the amounts: shares of the whole stay below 100 %",
    ),
    # zero and huge parts of a blend, zero and huge coefficients
    ("1 M LiPF6 in EC:DMC (0:1 v/v)", "a ratio's parts must be positive", "0", NO_SHARE),
    ("1 M LiPF6 in EC:DMC (1:0 v/v)", "a ratio's parts must be positive", "0", NO_SHARE),
    (
        "1 M LiPF6 in EC:DMC (10001:1 v/v)",
        "a ratio's part '10001' is not a number a ratio can have (at most 10,000)",
        "10001",
        "check the ratio as the paper prints it",
    ),
    ("0LiFSI-1DME-3TTE", "a molar ratio's parts must be positive", "0", NO_SHARE),
    ("LiFSI-1DME-0TTE", "a molar ratio's parts must be positive", "0", NO_SHARE),
    (
        "LiFSI-10001DME",
        "a molar ratio's part '10001' is not a number a ratio can have (at most 10,000)",
        "10001",
        "check the ratio as the paper prints it",
    ),
    (
        "10001LiFSI-1DME",
        "a molar ratio's part '10001' is not a number a ratio can have (at most 10,000)",
        "10001",
        "check the ratio as the paper prints it",
    ),
    ("LiFSI DME-TTE (0:1:3)", "a ratio's parts must be positive", "0", NO_SHARE),
    # brackets
    (
        "1 M LiPF6 in EC:DMC (1:1 v/v",
        "'(' is never closed",
        "(",
        "close it with ')', e.g. 'EC:DMC (1:1 v/v)'",
    ),
    (
        "1 M LiPF6 in EC:DMC 1:1 v/v)",
        "')' closes no bracket",
        ")",
        "remove it, or open its bracket before it",
    ),
    (
        "1 M LiPF6 in EC:DMC [1:1 v/v)",
        "')' closes no bracket",
        ")",
        "remove it, or open its bracket before it",
    ),
    (
        "1 M LiPF6 in EC:DMC (1:1 v/v]",
        "']' closes no bracket",
        "]",
        "remove it, or open its bracket before it",
    ),
    ("1 M Li[N(SO2F)2 in DME", "'[' is never closed", "[", "close it with ']', e.g. 'EC:DMC (1:1 v/v)'"),
    # mixed bases
    (
        "1 mol/kg LiFSI in EC:DMC (1:1 v/v)",
        "'LiFSI' in mol/kg (per kg of solvent) beside solvents mixed by volume",
        "1 mol/kg LiFSI",
        MOLAL_FIX,
    ),
    (
        "1 m LiFSI in EC:DMC (1:1 vol)",
        "'LiFSI' in mol/kg (per kg of solvent) beside solvents mixed by volume",
        "1 m LiFSI",
        MOLAL_FIX,
    ),
    (
        "1 M LiPF6 + 1 mol/kg LiFSI in DME",
        "'LiFSI' in mol/kg beside 'LiPF6' in M: M (mol/L) and mol/kg are different bases",
        "1 mol/kg LiFSI",
        "write every concentration in M, or every one in mol/kg",
    ),
    (
        "1 mol/kg LiPF6 + 1 M LiFSI in DME",
        "'LiFSI' in M beside 'LiPF6' in mol/kg: M (mol/L) and mol/kg are different bases",
        "1 M LiFSI",
        "write every concentration in M, or every one in mol/kg",
    ),
    # salts counted in the ratio
    (
        "LiFSI DME (1:2 w/w)",
        "a ratio that counts the salt is by moles, not 'w/w'",
        "(1:2 w/w)",
        "write it as a molar ratio, '(1:1.2:3 mol)', or give the salt's concentration in M",
    ),
    (
        "LiFSI DME-TTE (1:1)",
        "1 salt without a concentration and 2 solvents, but a ratio of 2 numbers (1:1)",
        "(1:1)",
        COUNT_FIX,
    ),
    (
        "LiFSI LiTFSI DME (1:1)",
        "2 salts without a concentration and 1 solvent, but a ratio of 2 numbers (1:1)",
        "(1:1)",
        COUNT_FIX,
    ),
    (
        "LiFSI LiTFSI DME-TTE (1:3)",
        "2 salts without a concentration and 2 solvents, but a ratio of 2 numbers (1:3)",
        "(1:3)",
        COUNT_FIX,
    ),
    (
        "1 M LiFSI LiTFSI DME (1:1:1)",
        "'LiFSI' has a concentration but 'LiTFSI' has none",
        "1 M LiFSI LiTFSI",
        "give every salt its concentration, or count every salt in the molar ratio",
    ),
    (
        "LiTFSI in DME",
        "salt 'LiTFSI' has no concentration",
        "LiTFSI",
        "give it before the name, '1 M LiTFSI in ...', or count it first in a molar ratio with the "
        "solvents, 'LiTFSI DME-TTE (1:1.2:3)'",
    ),
    (
        "2M LiTFSI LiDFOB",
        "salt 'LiDFOB' has no concentration",
        "LiDFOB",
        "give it before the name, '1 M LiDFOB in ...', or count it first in a molar ratio with the "
        "solvents, 'LiDFOB DME-TTE (1:1.2:3)'",
    ),
    (
        "LiFSI DME (1 mol)",
        "1 salt without a concentration and 1 solvent, but a ratio of 1 number (1)",
        "(1 mol)",
        COUNT_FIX,
    ),
    (
        "LiFSI DME-TTE (1:1) + 2 wt% VC",
        "1 salt without a concentration and 2 solvents, but a ratio of 2 numbers (1:1)",
        "(1:1)",
        COUNT_FIX,
    ),
    (
        "LiFSI DME (1:2 w/w) + 2 wt% VC",
        "a ratio that counts the salt is by moles, not 'w/w'",
        "(1:2 w/w)",
        "write it as a molar ratio, '(1:1.2:3 mol)', or give the salt's concentration in M",
    ),
    (
        " 1 M LiFSI LiTFSI LiBOB DME (1:1:1:1)",
        "'LiFSI' has a concentration but 'LiTFSI' has none",
        "1 M LiFSI LiTFSI LiBOB",
        "give every salt its concentration, or count every salt in the molar ratio",
    ),
    (
        "  LiNO3 in 1 M LiFSI in DME",
        "additive 'LiNO3' has no amount",
        "LiNO3",
        "write its amount with a unit before it: '2 wt% LiNO3', '0.1 M LiNO3'",
    ),
    # counts of a blend's ratio
    (
        "1 M LiPF6 in EC:DMC (1:1:1 v/v)",
        "2 solvents but a ratio of 3 numbers (1:1:1)",
        "(1:1:1 v/v)",
        "give one number per solvent, in the order the solvents are named",
    ),
    (
        "1 M LiPF6 in EC (1:2 v/v)",
        "1 solvent but a ratio of 2 numbers (1:2)",
        "(1:2 v/v)",
        "give one number per solvent, in the order the solvents are named",
    ),
    (
        "1 M LiPF6 in EC:DMC (1 v/v)",
        "2 solvents but a ratio of 1 number (1)",
        "(1 v/v)",
        "give one number per solvent, in the order the solvents are named",
    ),
    (
        "1 M LiPF6 in EC:DMC",
        "the solvents EC:DMC have no ratio (no convention can supply one)",
        "EC:DMC",
        "give their ratio after them as the paper states it, e.g. 'EC:DMC (1:1 v/v)'",
    ),
    (
        "1 M LiPF6 in EC:DMC (one to one)",
        "cannot read the ratio '(one to one)'",
        "(",
        "write the ratio as numbers with its basis, e.g. '(1:1 v/v)', '(3:7 w/w)', '(1:2 mol)'",
    ),
    # amounts and names out of place
    (
        "1 M LiPF6 in EC + VC",
        "additive 'VC' has no amount",
        "VC",
        "write its amount with a unit before it: '2 wt% VC', '5 vol% VC', '0.1 M VC'",
    ),
    (
        "1 M LiPF6 in EC, VC",
        "additive 'VC' has no amount",
        "VC",
        "write its amount with a unit before it: '2 wt% VC', '5 vol% VC', '0.1 M VC'",
    ),
    (
        "VC in 1 M LiFSI in DME",
        "expected '+' and an additive, found 'in 1 M LiFSI in DME'",
        "in 1 M LiFSI in DME",
        "join further components with '+', each with its amount, e.g. '+ 2 wt% VC'",
    ),
    # what follows is quoted whole up to 40 characters, clipped to 39 and an ellipsis beyond
    (
        "VC in 1 M LiFSI in DME:DOL (1:1 v/v) + 2 XY",
        "expected '+' and an additive, found 'in 1 M LiFSI in DME:DOL (1:1 v/v) + 2 XY'",
        "in 1 M LiFSI in DME:DOL (1:1 v/v) + 2 XY",
        "join further components with '+', each with its amount, e.g. '+ 2 wt% VC'",
    ),
    (
        "VC in 1 M LiFSI in DME:DOL (1:1 v/v) + 2 XYZ",
        "expected '+' and an additive, found 'in 1 M LiFSI in DME:DOL (1:1 v/v) + 2 X…'",
        "in 1 M LiFSI in DME:DOL (1:1 v/v) + 2 XYZ",
        "join further components with '+', each with its amount, e.g. '+ 2 wt% VC'",
    ),
    (
        "2 wt% VC in EC",
        "'VC' comes first with '2 wt%': a salt's amount is a concentration",
        "2 wt% VC",
        FIRST_FIX,
    ),
    (
        "5 vol% FEC 1 M LiPF6 in EC",
        "'FEC' comes first with '5 vol%': a salt's amount is a concentration",
        "5 vol% FEC",
        FIRST_FIX,
    ),
    (
        "LiNO3 in 1 M LiFSI in DME",
        "additive 'LiNO3' has no amount",
        "LiNO3",
        "write its amount with a unit before it: '2 wt% LiNO3', '0.1 M LiNO3'",
    ),
    ("1 M in EC", "expected the name of a salt, found 'in EC'", "i", NAME_FIX),
    ("1 M LiFSI + 2 M in DME", "expected the name of a component, found 'in DME'", "i", NAME_FIX),
    ("1 M LiPF6 in : DMC", "expected the name of a solvent, found ': DMC'", ":", NAME_FIX),
    ("1 M LiPF6 in EC:DMC (1:1 v/v) 1 M", "expected the name of an additive, found 'the end'", "", NAME_FIX),
    (
        "0.1 M LiNO3 in 0.1 M LiNO3 in 0.1 M LiNO3 in 0.1 M LiNO3 in 1 M LiFSI in DME",
        "additives in a base electrolyte nest 4 deep or more",
        "1",
        "write the additives once, after the base: '1 M LiTFSI in DOL/DME (1:1 v/v) + 2 wt% LiNO3'",
    ),
]


@pytest.mark.parametrize(("text", "message", "at", "hint"), REFUSED, ids=[row[0][:50] for row in REFUSED])
def test_every_refusal_says_what_where_and_how_to_fix_it(text: str, message: str, at: str, hint: str) -> None:
    with pytest.raises(FormulationError) as caught:
        parse(text)
    error = caught.value
    assert (error.message, text[error.start : error.end], error.hint) == (message, at, hint)
    assert error.code == "bad-formulation"


def test_a_declared_convention_does_not_excuse_other_mistakes() -> None:
    conventions = Conventions.of(ratio="vol", percent="wt")
    with pytest.raises(FormulationError, match="mixed by volume"):
        parse("1 mol/kg LiFSI in EC:DMC (1:1)", conventions=conventions)
    with pytest.raises(FormulationError, match="the whole electrolyte or more"):
        parse("1 M LiFSI in DME + 100%", conventions=conventions)


# --- names to materials -------------------------------------------------------------------------


def test_the_first_material_to_claim_a_name_keeps_it() -> None:
    index = MaterialIndex.of(
        [("dme", ["DME", "glyme"], ["solvent"]), ("diglyme", ["G2", "glyme"], ["solvent"])]
    )
    assert index.find("glyme") == "dme" and index.find("G2") == "diglyme"
    assert index.find("Dme") == "dme" and index.find("d-m e") == "dme"
    assert index.shown[normalise_name("dme")] == "DME"  # the name as written, not the id
    assert index.shown[normalise_name("glyme")] == "glyme"
    assert index.roles == {"dme": frozenset({"solvent"}), "diglyme": frozenset({"solvent"})}
    assert index.find("nothing") is None


def test_names_are_compared_without_case_blanks_hyphens_or_subscripts() -> None:
    assert normalise_name("Li₂S₅") == "li2s5"
    assert normalise_name("1,3-Di oxo_lane–x") == "1,3dioxolanex"
    assert normalise_name("PF₆⁻") == "pf6"  # superscript minus read as a hyphen, then ignored


def test_resolve_names_materials_makes_diluents_and_suggests_close_names() -> None:
    index = MaterialIndex.of(
        [
            ("lifsi", ["LiFSI"], ["salt"]),
            ("dme", ["DME"], ["solvent"]),
            ("tte", ["TTE"], ["diluent"]),
            ("btfe", ["BTFE"], ["diluent", "solvent"]),
        ]
    )
    formulation, errors = resolve(parse("1 M LiFSI in DME:TTE:BTFE:DMX (1:1:1:1 v/v)"), index)
    roles = [(c.material, c.role) for c in formulation.components]
    assert roles == [("lifsi", S), ("dme", V), ("tte", Role.DILUENT), ("btfe", V), (None, V)]
    [error] = errors
    assert error.message == "'DMX' is not a material; did you mean 'DME'?"
    assert (
        error.hint
        == "write 'DME' if that is the compound meant; otherwise add the material (`limkb new material <id>`) or this name to an existing material's `aliases:` (CONTRIBUTING.md, 'Electrolyte formulations')"
    )
    _, errors = resolve(parse("1 M LiFSI in QQQQQ"), index)
    assert errors[0].message == "'QQQQQ' is not a material"
    assert errors[0].hint == (
        "add it as a material entry (`limkb new material <id>`) with this name as an alias "
        "(CONTRIBUTING.md, 'Electrolyte formulations')"
    )


def test_the_list_form_reads_every_unit_word() -> None:
    data = [
        {"material": "lifsi", "role": "salt", "amount": 1, "unit": "mol/L"},
        {"material": "lipf6", "role": "salt", "amount": "0.5", "unit": "mol/kg"},
        {"material": "dme", "role": "solvent", "amount": 1, "unit": "v/v"},
        {"material": "ec", "role": "solvent", "amount": 1, "unit": "w/w"},
        {"material": "tte", "role": "diluent", "amount": 3, "unit": "mol"},
        {"material": "vc", "role": "additive", "amount": 2, "unit": "wt%"},
        {"material": "fec", "role": "additive"},
    ]
    found = components_of(data)
    assert [(c.name, c.role, c.amount, c.unit, c.material) for c in found.components] == [
        ("lifsi", S, 1.0, M, "lifsi"),
        ("lipf6", S, 0.5, MOLAL, "lipf6"),
        ("dme", V, 1.0, VOL, "dme"),
        ("ec", V, 1.0, WT, "ec"),
        ("tte", Role.DILUENT, 3.0, MOL, "tte"),
        ("vc", A, 2.0, WTP, "vc"),
        ("fec", A, None, None, "fec"),
    ]
    assert found.text == ""


def test_a_formulation_describes_itself_and_lists_its_salts() -> None:
    formulation = Formulation(
        "x",
        (
            Component("LiFSI", S, 4.0, M, 0, 9, "lifsi"),
            Component("DME", V, 1.0, VOL, 0, 3),
            Component("FEC", A, None, None, 0, 3),
            Component("VC", A, 2.0, None, 0, 2),
        ),
    )
    assert formulation.describe() == (
        "lifsi (salt, 4 M); DME (solvent, 1 vol ratio); FEC (additive); VC (additive, 2)"
    )
    assert [c.name for c in formulation.salts] == ["LiFSI"]
