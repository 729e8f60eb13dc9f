"""The notations papers print for an electrolyte, parsed into components.

A formulation is written as papers print it, and parsed into the same components whatever
the spelling::

    1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC
    1 M LiPF6 EC-DMC (1:1 v) 2 wt% VC             (no "in", "-" between solvents, no "+")
    2M LiTFSI 2M LiDFOB DME                       (two salts, each with its concentration)
    5 M LiFSI/EC-ETFEC (3:7 vol)                  (salt, "/" or "-", then the solvents)
    LiFSI DME-TTE (1:1.2:3)                       (salt:solvent:diluent molar ratio)
    LiFSI-1.2DME-3TTE                             (the same, as coefficients)
    LiFSI-TEP 1:1 molar                           (a ratio after the blend, without brackets)
    1M LiFSI EC/DEC (v 1:1)                       (the basis before the numbers)
    5M LiTFSI 1-4 (EA-DCM vol)                    (the ratio before the solvents it divides)
    2.2M LiFSI TEP (= 1:2 MR)                     (a salt:solvent molar ratio restating the M)
    1 M LiPF6 FEC-DMC (1:1 v) 2wt% 12-Crown-4     (a hyphenated name that is a material's)
    1 M LiTFSI in DOL/DME (1:1 v) with 5 wt% X    ("with" before an additive)
    1.8 M LiFSI in DME with HFME at 50 vol%       (an additive's amount after "at")
    0.1 M Li2S5 + 5 wt% LiNO3 in 1 M LiTFSI in DOL/DME (1:1 vol)   (additives in a base)
    1 mol/kg LiFSI in DME

The grammar (spaces are free unless they separate; names are material ids, names, aliases
or formulas)::

    formulation := ratios {additive}
                 | items "in" formulation              additives in a named base electrolyte
                 | salts [ "in" | "/" | "-" ] blend {additive}
                 | blend {additive}                    a concentration after the blend is a salt
    items       := amount name { ["+"] amount name }   what comes before "in"
    ratios      := [number] name { "-" number name }   LiFSI-1.2DME-3TTE
    salts       := salt { ["+"] salt }                 salt := [amount] name
    blend       := name { (":" | "/" | "-" | " ") name } [ group ]
                 | ratio "(" name { (":" | "/" | "-") name } [basis] ")"     1-4 (EA-DCM vol)
    group       := "(" ["="] [basis] ratio [basis] ")" | ratio basis       (= 1:2 MR), 1:1 molar
    ratio       := number { (":" | "/" | "-") number }
    basis       := v/v | v | vol | by vol | w/w | wt | by wt | m/m | mol | molar | MR | by mol ...
    additive    := ["+" | "," | "with"] amount name | "with" name "at" amount ["concentration"]
    amount      := number unit    unit := M | mM | m | mol/L | mol/kg | mol kg-1 | wt% | vol% | mol%
                                         | % w/w | % v/v | % mol | %

``M`` is mol/L and ``m`` mol/kg (IUPAC). A salt without an amount is counted in the blend's
ratio: ``LiFSI SL (1:3 molar)`` has one more number than solvents, the salt's first, and is
a molar ratio. A salt with its concentration and a ratio that counts it too (``2.2M LiFSI TEP
(= 1:2 MR)``, ``4.5 M LiFSI/DME (1 : 1)``) restates the concentration as a molar ratio: the
concentration stands and the solvents take the ratio's other parts. Names are read up to a
blank or a separator; given ``known`` (the knowledge base's names), a hyphenated token that is
a material's whole name (``12-Crown-4``, ``DEG-FTriEG``) is read as that one name, not as a
blend. What a paper leaves unsaid is never guessed: a ratio with no basis and a bare
``%`` are errors unless the dataset declares its :class:`Conventions` (``conventions: {ratio:
vol, percent: wt}``). Amounts must be finite and possible (at most 30 M, 100 mol/kg, a share
below 100 %, ratio parts positive and at most 10,000); a molality beside a volume ratio and M
beside mol/kg are refused as mixed bases. :func:`parse` checks the form only
(:func:`limkb.analysis.formulations.resolve` looks the names up). Every mistake is a
:class:`FormulationError` with its place in the text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from limkb.analysis.components import (
    NO_CONVENTIONS,
    Amount,
    Component,
    Conventions,
    Formulation,
    FormulationError,
    Role,
)

__all__ = ["EXAMPLES", "parse"]


_NUMBER = r"\d+(?:\.\d+)?|\.\d+"
_AMOUNT = re.compile(
    rf"(?P<number>{_NUMBER})\s*(?:"
    r"(?P<molal>(?i:mol\s*/\s*kg|mol\s*[·\s]?\s*kg\s*(?:-1|\^-1|⁻¹)))"
    r"|(?P<molar>(?i:mol\s*/\s*(?:l|dm3)|mol\s*[·\s]?\s*(?:l\s*(?:-1|\^-1|⁻¹)|dm\s*(?:-3|\^-3|⁻³))))"
    r"|(?P<wt>(?i:wt|w)\s*\.?\s*%)"
    r"|(?P<vol>(?i:vol|v)\s*\.?\s*%)"
    r"|(?P<molpercent>(?i:mol)\s*\.?\s*%)"
    r"|(?P<wtafter>%\s*(?i:w\s*/\s*w|m\s*/\s*m|wt\.?|by\s+w(?:eigh)?t\.?|by\s+mass)(?![A-Za-z0-9]))"
    r"|(?P<volafter>%\s*(?i:v\s*/\s*v|vol\.?|by\s+vol(?:ume|\.)?)(?![A-Za-z0-9]))"
    r"|(?P<molafter>%\s*(?i:n\s*/\s*n|mol\s*/\s*mol|mol\.?|by\s+mol(?:es|e|\.)?)(?![A-Za-z0-9]))"
    r"|(?P<bare>%)"
    r"|(?P<millimolar>mM)(?![A-Za-z0-9])"
    r"|(?P<M>M)(?![A-Za-z0-9])"
    r"|(?P<m>m)(?![A-Za-z0-9])"
    r")"
)
"""An amount and its unit: ``1 M``, ``1.2M``, ``1 mol/kg``, ``2 wt%``, ``5% v/v``, ``5%`` (``m`` is mol/kg)."""
_UNITS = {
    "molal": Amount.MOLAL,
    "m": Amount.MOLAL,
    "molar": Amount.MOLAR,
    "M": Amount.MOLAR,
    "millimolar": Amount.MOLAR,
    "wt": Amount.WT_PERCENT,
    "vol": Amount.VOL_PERCENT,
    "molpercent": Amount.MOL_PERCENT,
    "wtafter": Amount.WT_PERCENT,
    "volafter": Amount.VOL_PERCENT,
    "molafter": Amount.MOL_PERCENT,
}
_LIMITS = {Amount.MOLAR: 30.0, Amount.MOLAL: 100.0}
"""The most a concentration can be (a solid salt is about 10 M); shares stay below 100 %."""
_MAX_PART = 10_000.0
"""The largest part of a ratio or coefficient of a ratio form."""
_CONCENTRATIONS = (Amount.MOLAR, Amount.MOLAL)
_PERCENTS = (Amount.WT_PERCENT, Amount.VOL_PERCENT, Amount.MOL_PERCENT)

_RATIO_NAME = r"[A-Za-z][A-Za-z0-9]*"
_RATIO_FORM = re.compile(
    rf"(?:({_NUMBER})\s*)?({_RATIO_NAME})((?:\s*-\s*(?:{_NUMBER})\s*{_RATIO_NAME})+)(?=\s|[+,]|$)"
)
_RATIO_PART = re.compile(rf"-\s*({_NUMBER})\s*({_RATIO_NAME})")
_BASIS = (
    r"v\s*/\s*v|w\s*/\s*w|m\s*/\s*m|mol\s*/\s*mol|n\s*/\s*n|by\s+vol(?:ume|\.)?|by\s+w(?:eigh)?t\.?|"
    r"by\s+mass|by\s+mol(?:es|e|\.)?|volume|vol\.?|weight|wt\.?|mass|molar|moles|mol\.?|mr|v|w"
)
_PARTS = rf"(?:{_NUMBER})(?:\s*[:/]\s*(?:{_NUMBER}))*"
_GROUP = re.compile(
    rf"\(\s*(?P<restated>=)?\s*(?:(?i:(?P<before>{_BASIS}))\s+(?=[\d.]))?(?P<parts>{_PARTS})\s*,?\s*"
    rf"(?i:(?P<basis>{_BASIS}))?\s*\)"
)
"""A bracketed ratio: ``(1:1 v/v)``, ``(v 1:1)``, ``(= 1:2 MR)``."""
_BARE_GROUP = re.compile(
    rf"(?P<parts>(?:{_NUMBER})(?:\s*:\s*(?:{_NUMBER}))+)\s*(?i:(?P<basis>{_BASIS}))(?![A-Za-z0-9])"
)
"""A ratio printed after the blend without brackets, with its basis: ``LiFSI-TEP 1:1 molar``."""
_LEADING = re.compile(rf"(?P<parts>(?:{_NUMBER})(?:\s*[-:]\s*(?:{_NUMBER}))+)\s*(?=\()")
"""A ratio printed before the bracketed solvents it divides: ``1-4 (EA-DCM vol)``."""
_CLOSING_BASIS = re.compile(rf"(?i:(?P<basis>{_BASIS}))?\s*\)")
_LOCANT = r"\d+(?:,\d+)*'?-"
_NAME = re.compile(rf"(?:{_LOCANT})*(?:[^\s:/+(),\-\[\]]|\([^\s():/]*\)|\[[^\s\[\]:/]*\]|-{_LOCANT})+")
"""A name: no blanks or separators, though brackets (``LiN(SO2F)2``) and locants
(``2-MeTHF``, ``1,3-dioxolane``) are part of it."""
_IN = re.compile(r"(?i:in)(?![^\s:/+(),\-\[\]])")
_WITH = re.compile(r"(?i:with)(?![^\s:/+(),\-\[\]])")
_AT = re.compile(r"(?i:at)(?![^\s:/+(),\-\[\]])")
_CONCENTRATION_WORD = re.compile(r"(?i:concentration)(?![A-Za-z])")
_WHOLE_NAME = re.compile(r"(?:[^\s:/+(),\[\]]|\([^\s():/]*\)|\[[^\s\[\]:/]*\])+")
"""A name with its hyphens, tried whole against the known names before it is split."""
_MAX_WHOLE_NAME = 80
"""The longest hyphenated name looked up whole (a hostile token is not tried at every hyphen)."""
_SALT_NAME = re.compile(r"Li(?:[A-Z0-9(\[₀-₉])")
"""A lithium salt's name or formula (``LiFSI``, ``Li2S5``): what a name without an amount
before the solvents must look like to be read as a salt."""
_NUMBER_ONLY = re.compile(r"[\d.,]+")
_DASHES = str.maketrans("–—−", "---")

EXAMPLES = (
    "1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC",
    "4 M LiFSI in DME",
    "LiFSI-1.2DME-3TTE",
)


def _basis(text: str) -> Amount:
    word = re.sub(r"[\s.]", "", text).lower().removeprefix("by")
    if word.startswith(("mol", "n/n")) or word == "mr":
        return Amount.RATIO_MOL
    if word.startswith(("w", "mass")) or word == "m/m":
        return Amount.RATIO_WT
    return Amount.RATIO_VOL


def _clip(text: str, limit: int = 40) -> str:
    """A piece of the text short enough for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


_MAX_DEPTH = 4
"""How deep additives in a base electrolyte may nest (``X in Y in Z``)."""


class _Scanner:
    """The text, a position in it, and the conventions that settle what it leaves unsaid."""

    def __init__(self, text: str, conventions: Conventions, known: Callable[[str], bool] | None) -> None:
        self.text = text
        self.src = text.translate(_DASHES)  # en dash, em dash and minus read as '-', same places
        self.at = 0
        self.conventions = conventions
        self.known = known
        self.depth = 0

    def skip(self) -> None:
        while self.at < len(self.src) and self.src[self.at].isspace():
            self.at += 1

    def done(self) -> bool:
        self.skip()
        return self.at >= len(self.src)

    def peek(self, chars: str) -> bool:
        """Whether the next character (after blanks) is one of ``chars``."""
        self.skip()
        return self.at < len(self.src) and self.src[self.at] in chars

    def take(self, chars: str) -> bool:
        """Consume the next character if it is one of ``chars``."""
        if self.peek(chars):
            self.at += 1
            return True
        return False

    def match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        self.skip()
        found = pattern.match(self.src, self.at)
        if found is not None:
            self.at = found.end()
        return found

    def sees(self, pattern: re.Pattern[str]) -> bool:
        """Whether ``pattern`` matches here, without moving."""
        self.skip()
        return pattern.match(self.src, self.at) is not None

    def fail(self, message: str, hint: str, width: int = 1) -> FormulationError:
        self.skip()
        return FormulationError(message, self.at, min(len(self.text), self.at + width), hint)

    def at_name(self) -> bool:
        """Whether a name (not an amount, not ``in`` or ``with``) comes next."""
        if self.done() or self.sees(_AMOUNT) or self.sees(_IN) or self.sees(_WITH) or self.sees(_GROUP):
            return False
        found = _NAME.match(self.src, self.at)
        return found is not None and not _NUMBER_ONLY.fullmatch(found.group(0))

    def starts_formulation(self) -> bool:
        """Whether a whole electrolyte (an amount, a ratio form or a salt) comes next."""
        return self.sees(_AMOUNT) or self.sees(_RATIO_FORM) or self.sees(_SALT_NAME)

    def whole_name(self) -> tuple[int, int] | None:
        """Where the known material name here ends when it holds a hyphen (``12-Crown-4`` in
        ``12-Crown-4-DMC``): the longest of the token and its prefixes up to a hyphen."""
        if self.known is None:
            return None
        found = _WHOLE_NAME.match(self.src, self.at, self.at + _MAX_WHOLE_NAME)
        if found is None or "-" not in found.group(0):
            return None
        token = self.text[found.start() : found.end()]
        ends = [len(token)] + [at for at in range(len(token) - 1, 0, -1) if token[at] == "-"]
        for end in ends:
            if "-" in token[:end] and self.known(token[:end]):
                return found.start(), found.start() + end
        return None

    def name(self, what: str) -> tuple[str, int, int]:
        self.skip()
        whole = self.whole_name()
        if whole is not None:
            self.at = whole[1]
            return self.text[whole[0] : whole[1]], whole[0], whole[1]
        found = _NAME.match(self.src, self.at)
        if found is None or _IN.fullmatch(found.group(0)) or _NUMBER_ONLY.fullmatch(found.group(0)):
            shown = self.text[self.at : self.at + 12] or "the end"
            raise self.fail(
                f"expected the name of {what}, found {shown!r}",
                f"name a material by its id, name, abbreviation or formula, e.g. {EXAMPLES[0]!r}",
            )
        self.at = found.end()
        return self.text[found.start() : found.end()], found.start(), found.end()

    def amount(self) -> tuple[float, Amount, int, int] | None:
        """The amount here (value, unit, start, end), checked; None when there is none."""
        self.skip()
        found = _AMOUNT.match(self.src, self.at)
        if found is None:
            return None
        kind = next(k for k, v in found.groupdict().items() if v is not None and k != "number")
        value = float(found.group("number"))
        written = self.text[found.start() : found.end()]
        if kind == "bare":
            unit = self.conventions.percent
            if unit is None:
                raise FormulationError(
                    f"a bare '%' is ambiguous ({written!r}): a share by weight, volume or moles?",
                    found.start(),
                    found.end(),
                    f"write {written[:-1].rstrip()} wt%, vol% or mol%, or declare `percent: wt` (or vol, "
                    "mol) in the dataset's `conventions:` (`limkb descriptors --percent wt`)",
                )
        else:
            unit = _UNITS[kind]
            if kind == "millimolar":
                value /= 1000
        _check_amount(value, unit, written, found.start(), found.end())
        self.at = found.end()
        return value, unit, found.start(), found.end()


def _check_amount(value: float, unit: Amount, written: str, start: int, end: int) -> None:
    """A finite, positive and possible amount, or a located error saying which it is not."""
    if not math.isfinite(value):
        shown = written if len(written) <= 24 else written[:12] + "…" + written[-8:]
        raise FormulationError(
            f"the amount {shown!r} is not a finite number",
            start,
            end,
            "write the amount as the paper prints it, e.g. '1 M' or '2 wt%'",
        )
    if value <= 0:
        raise FormulationError(
            f"an amount of {value:g} {unit.value} adds nothing",
            start,
            end,
            "leave out a component with no share",
        )
    limit = _LIMITS.get(unit)
    if limit is not None and value > limit:
        raise FormulationError(
            f"{value:g} {unit.value} is more than an electrolyte can hold (at most {limit:g} {unit.value})",
            start,
            end,
            "check the amount and its unit: M is mol/L, m or mol/kg per kg of solvent",
        )
    if unit in _PERCENTS and value >= 100:
        raise FormulationError(
            f"{value:g} {unit.value} is the whole electrolyte or more",
            start,
            end,
            "a share is below 100 %: the salts and solvents are the rest",
        )


def _check_part(value: float, text: str, start: int, end: int, what: str) -> float:
    """A ratio's part or a ratio form's coefficient: finite, positive, at most 10,000."""
    if not math.isfinite(value) or value > _MAX_PART:
        raise FormulationError(
            f"{what} {text[start:end][:24]!r} is not a number a ratio can have (at most {_MAX_PART:,.0f})",
            start,
            end,
            "check the ratio as the paper prints it",
        )
    if value <= 0:
        raise FormulationError(f"{what}s must be positive", start, end, "leave out a component with no share")
    return value


def _check_brackets(text: str) -> None:
    """Every bracket closed, in order: an unbalanced one is located, not guessed around."""
    pairs = {")": "(", "]": "["}
    opened: list[tuple[str, int]] = []
    for at, char in enumerate(text):
        if char in "([":
            opened.append((char, at))
        elif char in ")]":
            if not opened or opened[-1][0] != pairs[char]:
                raise FormulationError(
                    f"{char!r} closes no bracket", at, at + 1, "remove it, or open its bracket before it"
                )
            opened.pop()
    if opened:
        char, at = opened[-1]
        closing = ")" if char == "(" else "]"
        raise FormulationError(
            f"{char!r} is never closed",
            at,
            at + 1,
            f"close it with {closing!r}, e.g. 'EC:DMC (1:1 v/v)'",
        )


def parse(
    text: str, *, conventions: Conventions | None = None, known: Callable[[str], bool] | None = None
) -> Formulation:
    """Parse a formulation's text (see the module's grammar); raises :class:`FormulationError`.

    ``conventions`` settle a ratio written without its basis and a bare ``%``; without them
    either is an error naming the choices. ``known`` says whether a name is a material's:
    a hyphenated token it knows whole (``12-Crown-4``) is not split at its hyphens.
    """
    if not text.strip():
        raise FormulationError(
            "the formulation is empty", 0, len(text), f"write it as papers do, e.g. {EXAMPLES[0]!r}"
        )
    _check_brackets(text)
    scan = _Scanner(text, conventions or NO_CONVENTIONS, known)
    components = _formulation(scan)
    if not scan.done():
        raise scan.fail(
            f"expected '+' and an additive, found {_clip(text[scan.at :])!r}",
            "join further components with '+', each with its amount, e.g. '+ 2 wt% VC'",
            width=len(text) - scan.at,
        )
    _check_bases(components)
    return Formulation(text, tuple(components))


def _formulation(scan: _Scanner) -> list[Component]:
    """One electrolyte from here: a ratio form, salts and a blend, a blend, or additives in one."""
    ratios = scan.match(_RATIO_FORM)
    if ratios is not None:
        return _ratio_components(scan, ratios) + _additives(scan, salted=True)
    items = _items(scan)
    if not items:
        return _blend(scan, [])[1] + _additives(scan, salted=False)
    written_in = scan.match(_IN) is not None
    if written_in and scan.starts_formulation():
        scan.depth += 1
        if scan.depth >= _MAX_DEPTH:
            raise scan.fail(
                f"additives in a base electrolyte nest {_MAX_DEPTH} deep or more",
                "write the additives once, after the base: '1 M LiTFSI in DOL/DME (1:1 v/v) + 2 wt% LiNO3'",
            )
        base = _formulation(scan)  # "0.1 M Li2S5 + 5 wt% LiNO3 in 1 M LiTFSI in DOL/DME (1:1 vol)"
        return base + [_as_additive(item) for item in items]
    salts, extra = _salts(scan, items)
    solvents: list[Component] = []
    if written_in or scan.take("/-") or scan.at_name() or scan.sees(_LEADING):
        salts, solvents = _blend(scan, salts)
    else:
        for salt in salts:
            if salt.amount is None:
                raise _no_concentration(salt)
    return salts + solvents + extra + _additives(scan, salted=True)


def _items(scan: _Scanner) -> list[Component]:
    """What comes before the solvents: amounts with names (``+`` or blanks between), and
    salts named without an amount (``LiFSI SL (1:3 molar)``)."""
    items: list[Component] = []
    while True:
        mark = scan.at
        if items:
            scan.take("+")
        amount = scan.amount()
        if amount is not None:
            name, _, end = scan.name("a salt" if not items else "a component")
            items.append(Component(name, Role.SALT, amount[0], amount[1], amount[2], end))
            continue
        if scan.sees(_SALT_NAME) and not scan.sees(_IN):
            name, start, end = scan.name("a salt")
            items.append(Component(name, Role.SALT, None, None, start, end))
            continue
        scan.at = mark
        return items


def _salts(scan: _Scanner, items: list[Component]) -> tuple[list[Component], list[Component]]:
    """The items before a blend as salts (concentrations) and additives (shares)."""
    first = items[0]
    if first.unit is not None and first.unit not in _CONCENTRATIONS:
        amount = scan.text[first.start : first.end - len(first.name)].strip()
        raise FormulationError(
            f"{first.name!r} comes first with {amount!r}: a salt's amount is a concentration",
            first.start,
            first.end,
            "give the salt in M (mol/L) or mol/kg, e.g. '1 M LiPF6 in ...'; "
            "additives follow the solvents after '+'",
        )
    salts = [c for c in items if c.unit is None or c.unit in _CONCENTRATIONS]
    extra = [
        replace(c, role=Role.ADDITIVE) for c in items if c.unit is not None and c.unit not in _CONCENTRATIONS
    ]
    return salts, extra


def _as_additive(item: Component) -> Component:
    """A component named before ``in`` and a base electrolyte: an additive, with its amount."""
    if item.amount is None:
        raise FormulationError(
            f"additive {item.name!r} has no amount",
            item.start,
            item.end,
            f"write its amount with a unit before it: '2 wt% {item.name}', '0.1 M {item.name}'",
        )
    return replace(item, role=Role.ADDITIVE)


def _no_concentration(salt: Component) -> FormulationError:
    return FormulationError(
        f"salt {salt.name!r} has no concentration",
        salt.start,
        salt.end,
        f"give it before the name, '1 M {salt.name} in ...', or count it first in a molar ratio "
        f"with the solvents, '{salt.name} DME-TTE (1:1.2:3)'",
    )


@dataclass(frozen=True)
class _Ratio:
    """A blend's ratio as printed: its numbers, basis, place and whether it restates (``=``)."""

    parts: str
    offset: int
    basis: str | None
    start: int
    end: int
    restated: bool = False


def _blend(scan: _Scanner, salts: list[Component]) -> tuple[list[Component], list[Component]]:
    """The solvents (``:``, ``/``, ``-`` or blanks between) and their ratio; the salts, with
    their coefficients when the ratio counts them."""
    leading = scan.match(_LEADING)
    group: _Ratio | None
    if leading is not None:
        names, group = _bracketed_blend(scan, leading)
    else:
        names = [scan.name("a solvent")]
        while scan.take(":/-") or scan.at_name():
            names.append(scan.name("a solvent"))
        group = _group(scan)
    uncounted = [s for s in salts if s.amount is None]
    if group is None:
        if uncounted:
            raise _no_concentration(uncounted[0])
        if len(names) > 1:
            joined = _clip(":".join(n for n, _, _ in names))
            raise FormulationError(
                f"the solvents {joined} have no ratio (no convention can supply one)",
                names[0][1],
                names[-1][2],
                f"give their ratio after them as the paper states it, e.g. "
                f"'{joined} ({_clip(':'.join('1' for _ in names))} v/v)'",
            )
        name, start, end = names[0]
        return salts, [Component(name, Role.SOLVENT, 1.0, Amount.RATIO_VOL, start, end)]
    parts = [
        _check_part(
            float(p.group(0)), scan.text, group.offset + p.start(), group.offset + p.end(), "a ratio's part"
        )
        for p in re.finditer(_NUMBER, group.parts)
    ]
    if len(parts) == len(names) == 1 and not uncounted and not group.basis:
        raise _one_number(group, names[0][0])
    basis = _basis(group.basis) if group.basis else None
    ratio = _clip(group.parts)
    if uncounted:
        return _counted(group, salts, names, parts, basis)
    if (
        salts
        and len(parts) == len(names) + len(salts)
        and (group.restated or basis in (None, Amount.RATIO_MOL))
    ):
        return salts, _restated(group, names, parts[len(salts) :], basis)
    if len(parts) != len(names):
        raise FormulationError(
            f"{len(names)} solvent{'s' if len(names) > 1 else ''} but a ratio of {len(parts)} "
            f"number{'s' if len(parts) > 1 else ''} ({ratio})",
            group.start,
            group.end,
            "give one number per solvent, in the order the solvents are named",
        )
    if basis is None:
        basis = scan.conventions.ratio
        if basis is None:
            raise FormulationError(
                f"the ratio ({ratio}) has no basis: by volume, weight or moles?",
                group.start,
                group.end,
                f"write it in the ratio, '({ratio} v/v)', '({ratio} w/w)' or "
                f"'({ratio} mol)', or declare `ratio: vol` (or wt, mol) in the dataset's "
                "`conventions:` (`limkb descriptors --ratio vol`)",
            )
    solvents = [
        Component(name, Role.SOLVENT, part, basis, start, end)
        for (name, start, end), part in zip(names, parts, strict=True)
    ]
    return salts, solvents


def _one_number(group: _Ratio, name: str) -> FormulationError:
    """A ratio of a single number after a single solvent (``1 M LiFSI DME (1)``): it divides
    nothing, and no basis would make it mean something."""
    return FormulationError(
        f"the ratio ({_clip(group.parts)}) has one number: a ratio divides two components or more",
        group.start,
        group.end,
        f"leave it out: a single solvent needs no ratio, '{_clip(name)}'",
    )


def _group(scan: _Scanner) -> _Ratio | None:
    """The ratio after the solvents, bracketed (``(1:1 v/v)``, ``(v 1:1)``, ``(= 1:2 MR)``) or
    bare with its basis (``1:1 molar``); None when there is none."""
    found = scan.match(_GROUP)
    if found is not None:
        if found.group("before") and found.group("basis"):
            raise FormulationError(
                f"the ratio {found.group(0)!r} has two bases",
                found.start(),
                found.end(),
                "give the basis once, e.g. '(1:1 v/v)'",
            )
        basis = found.group("before") or found.group("basis")
        restated = found.group("restated") is not None
        return _Ratio(found.group("parts"), found.start("parts"), basis, found.start(), found.end(), restated)
    if scan.peek("("):
        raise scan.fail(
            f"cannot read the ratio {_clip(scan.text[scan.at :].split(')')[0] + ')')!r}",
            "write the ratio as numbers with its basis, e.g. '(1:1 v/v)', '(3:7 w/w)', '(1:2 mol)'",
        )
    bare = scan.match(_BARE_GROUP)
    if bare is None:
        return None
    return _Ratio(bare.group("parts"), bare.start("parts"), bare.group("basis"), bare.start(), bare.end())


def _bracketed_blend(scan: _Scanner, leading: re.Match[str]) -> tuple[list[tuple[str, int, int]], _Ratio]:
    """``1-4 (EA-DCM vol)``: the ratio first, then the solvents it divides and the basis in brackets."""
    scan.take("(")
    names = [scan.name("a solvent")]
    while scan.take(":/-"):
        names.append(scan.name("a solvent"))
    closing = scan.match(_CLOSING_BASIS)
    if closing is None:
        rest = scan.text[scan.at :]
        raise scan.fail(
            f"expected the basis and ')' after the solvents, found {_clip(rest)!r}",
            "write it as the paper does, '1-4 (EA-DCM vol)', or the ratio after the solvents, "
            "'EA-DCM (1:4 vol)'",
            width=rest.find(")") + 1 or len(rest),
        )
    parts = leading.group("parts").replace("-", ":")
    return names, _Ratio(
        parts, leading.start("parts"), closing.group("basis"), leading.start(), closing.end()
    )


def _restated(
    group: _Ratio, names: list[tuple[str, int, int]], parts: list[float], basis: Amount | None
) -> list[Component]:
    """A salt:solvent ratio beside the salt's concentration (``2.2M LiFSI TEP (= 1:2 MR)``):
    a molar ratio; the concentration stands and the solvents take the other parts."""
    if basis not in (None, Amount.RATIO_MOL):
        raise FormulationError(
            f"a ratio that counts the salt is by moles, not {group.basis!r}",
            group.start,
            group.end,
            "write it as a molar ratio, '(= 1:2 MR)', or give only the salt's concentration",
        )
    return [
        Component(name, Role.SOLVENT, part, Amount.RATIO_MOL, start, end)
        for (name, start, end), part in zip(names, parts, strict=True)
    ]


def _counted(
    group: _Ratio,
    salts: list[Component],
    names: list[tuple[str, int, int]],
    parts: list[float],
    basis: Amount | None,
) -> tuple[list[Component], list[Component]]:
    """A ratio that counts the salts first (``LiFSI DME-TTE (1:1.2:3)``): a molar ratio."""
    if any(s.amount is not None for s in salts):
        given = next(s for s in salts if s.amount is not None)
        raise FormulationError(
            f"{given.name!r} has a concentration but {next(s for s in salts if s.amount is None).name!r} has none",
            salts[0].start,
            salts[-1].end,
            "give every salt its concentration, or count every salt in the molar ratio",
        )
    if len(parts) != len(names) + len(salts):
        raise FormulationError(
            f"{len(salts)} salt{'s' if len(salts) > 1 else ''} without a concentration and {len(names)} "
            f"solvent{'s' if len(names) > 1 else ''}, but a ratio of {len(parts)} number"
            f"{'s' if len(parts) > 1 else ''} ({_clip(group.parts)})",
            group.start,
            group.end,
            "count the salt first in the molar ratio, 'LiFSI DME-TTE (1:1.2:3)', or give its "
            "concentration, '1 M LiFSI in DME'",
        )
    if basis not in (None, Amount.RATIO_MOL):
        raise FormulationError(
            f"a ratio that counts the salt is by moles, not {group.basis!r}",
            group.start,
            group.end,
            "write it as a molar ratio, '(1:1.2:3 mol)', or give the salt's concentration in M",
        )
    counted = [replace(s, amount=p, unit=Amount.RATIO_MOL) for s, p in zip(salts, parts, strict=False)]
    solvents = [
        Component(name, Role.SOLVENT, part, Amount.RATIO_MOL, start, end)
        for (name, start, end), part in zip(names, parts[len(salts) :], strict=True)
    ]
    return counted, solvents


def _ratio_components(scan: _Scanner, found: re.Match[str]) -> list[Component]:
    """``LiFSI-1.2DME-3TTE``: the salt, then each solvent or diluent with its coefficient."""
    first = 1.0
    if found.group(1):
        first = _check_part(
            float(found.group(1)), scan.text, found.start(1), found.end(1), "a molar ratio's part"
        )
    components = [Component(found.group(2), Role.SALT, first, Amount.RATIO_MOL, found.start(2), found.end(2))]
    base = found.start(3)
    for part in _RATIO_PART.finditer(found.group(3)):
        coefficient = _check_part(
            float(part.group(1)), scan.text, base + part.start(1), base + part.end(1), "a molar ratio's part"
        )
        components.append(
            Component(
                part.group(2),
                Role.SOLVENT,
                coefficient,
                Amount.RATIO_MOL,
                base + part.start(2),
                base + part.end(2),
            )
        )
    return components


def _additives(scan: _Scanner, *, salted: bool) -> list[Component]:
    """What follows the solvents: amounts with names, after ``+``, ``,``, ``with`` or a blank
    (``with HFME at 50 vol%`` gives the amount after the name). When no salt came before the
    solvents, the concentrations that follow them first are the salts."""
    found: list[Component] = []
    salts_here = not salted
    while not scan.done():
        mark = scan.at
        joined = scan.take("+,") or scan.match(_WITH) is not None
        amount = scan.amount()
        if amount is None:
            if joined or scan.at_name():
                found.append(_amount_after(scan, found))
                continue
            scan.at = mark
            break
        value, unit, start, _ = amount
        name, _, end = scan.name("an additive")
        salts_here = salts_here and unit in _CONCENTRATIONS
        found.append(Component(name, Role.SALT if salts_here else Role.ADDITIVE, value, unit, start, end))
    return found


def _amount_after(scan: _Scanner, found: list[Component]) -> Component:
    """An additive named before its amount, ``HFME at 50 vol%``; without one, a located error
    naming the amount that is missing."""
    name, start, end = scan.name("an additive")
    if scan.match(_AT) is not None:
        amount = scan.amount()
        if amount is not None:
            scan.match(_CONCENTRATION_WORD)
            return Component(name, Role.ADDITIVE, amount[0], amount[1], start, end)
    before = found[-1] if found else None
    if before is not None and before.unit in _CONCENTRATIONS:
        raise FormulationError(
            f"{name!r} has no amount: after {before.name!r} it reads as the solvent of a second "
            "electrolyte mixed in, which limkb does not read",
            start,
            end,
            f"write the mixture's components with their amounts, e.g. '... + 2 wt% {name}', "
            "or one blend with every solvent in its ratio",
        )
    raise FormulationError(
        f"additive {name!r} has no amount",
        start,
        end,
        f"write its amount with a unit before it: '2 wt% {name}', '5 vol% {name}', '0.1 M {name}'",
    )


def _check_bases(components: list[Component]) -> None:
    """Amounts on one footing: not M beside mol/kg, not a molality beside a volume ratio,
    shares of the whole below 100 % together."""
    concentrations = [c for c in components if c.unit in _CONCENTRATIONS]
    for c in concentrations[1:]:
        if c.unit is not concentrations[0].unit:
            first = concentrations[0]
            raise FormulationError(
                f"{c.name!r} in {c.unit.value if c.unit else ''} beside {first.name!r} in "
                f"{first.unit.value if first.unit else ''}: M (mol/L) and mol/kg are different bases",
                c.start,
                c.end,
                "write every concentration in M, or every one in mol/kg",
            )
    volume_blend = sum(1 for c in components if c.unit is Amount.RATIO_VOL) > 1
    molal = next((c for c in components if c.unit is Amount.MOLAL), None)
    if molal is not None and volume_blend:
        raise FormulationError(
            f"{molal.name!r} in mol/kg (per kg of solvent) beside solvents mixed by volume",
            molal.start,
            molal.end,
            "give the solvents' ratio by weight, '(1:1 w/w)', or the concentration in M (mol/L)",
        )
    for unit in (Amount.WT_PERCENT, Amount.MOL_PERCENT):
        group = [c for c in components if c.unit is unit]
        share = sum(c.amount or 0.0 for c in group)
        if share >= 100:
            raise FormulationError(
                f"the {unit.value} components add up to {share:g} %, the whole electrolyte or more",
                min(c.start for c in group),
                max(c.end for c in group),
                "check the amounts: shares of the whole stay below 100 %",
            )
