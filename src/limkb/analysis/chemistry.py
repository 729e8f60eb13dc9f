"""What a SMILES says of a compound, computed by RDKit: formula, molar mass, InChIKey, drawing.

Materials write their structure once, as a SMILES; everything else about the molecule is
computed from it here, never typed twice. A salt is written as its dot-disconnected ions
(``[Li+].F[P-](F)(F)(F)(F)F``): its formula is that of the neutral whole (``F6LiP``).

A declared formula agrees with a SMILES when both hold the same atoms in the same numbers,
whatever their order or grouping (``LiN(SO2F)2`` is ``F2LiNO4S2``).

The drawing is a deterministic function of the SMILES and the RDKit version: coordinates
come from RDKit's own depiction (no random seed), atom labels are SVG text rather than
glyph outlines (no font rasterising), and :func:`limkb.site.structures` writes the result
out with its own serializer. RDKit is imported on first use: a KB without SMILES never
loads it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from limkb.analysis.descriptors import atoms

__all__ = [
    "ChemistryError",
    "Identifiers",
    "Structure",
    "draw_svg",
    "formula",
    "look_up",
    "rdkit_version",
    "same_atoms",
    "structure",
]


class ChemistryError(ValueError):
    """A SMILES that RDKit cannot read, with what is wrong and how to fix it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Structure:
    """What RDKit computes from a SMILES."""

    smiles: str
    """The canonical SMILES (RDKit's), by which drawings are cached."""
    formula: str
    """The molecular formula in Hill order, with a net charge as a trailing sign (``F6P-``)."""
    molar_mass: float
    """Average molar mass in g/mol, from the standard atomic weights."""
    inchikey: str
    """The standard InChIKey ("" when RDKit was built without InChI)."""
    charge: int
    """The net formal charge (0 for a salt written with its counter-ion)."""


_NET_CHARGE = re.compile(r"[+-]\d*$")


def _module(name: str) -> Any:
    """An RDKit module, typed loosely (its stubs do not describe every attribute)."""
    import importlib

    return importlib.import_module(name)


def _rdkit() -> tuple[Any, Any]:
    """RDKit's ``Chem`` and ``rdBase`` modules."""
    from rdkit import Chem, rdBase

    return Chem, rdBase


def _mol(smiles: str) -> Any:
    """The sanitised RDKit molecule of ``smiles``; raises :class:`ChemistryError`."""
    chem, rdbase = _rdkit()
    with rdbase.BlockLogs():
        raw = chem.MolFromSmiles(smiles, sanitize=False)
        if raw is None:
            raise ChemistryError(
                f"RDKit cannot read the SMILES {smiles!r}",
                "check it for an unclosed ring number, an unbalanced bracket or parenthesis, or an "
                "element symbol in the wrong case (aromatic atoms are lowercase: c, n, o, s)",
            )
        problems = chem.DetectChemistryProblems(raw)
        if problems:
            what = "; ".join(p.Message() for p in problems[:3])
            raise ChemistryError(
                f"the SMILES {smiles!r} is not a possible molecule: {what}",
                "check the bonds and charges around the atom named (write an ion's charge in brackets: [Li+])",
            )
        mol = chem.MolFromSmiles(smiles)
    if mol is None:  # pragma: no cover - sanitisation problems are caught above
        raise ChemistryError(f"RDKit cannot read the SMILES {smiles!r}", "check the SMILES")
    return mol


@functools.lru_cache(maxsize=4096)
def formula(smiles: str) -> str:
    """The molecular formula of ``smiles``, equal to :func:`structure`'s, without the rest of its
    work (InChIKey, canonical SMILES, molar mass): all that validation compares a declared formula
    with, in an eighth of the time. Raises :class:`ChemistryError` as :func:`structure` does."""
    return str(_module("rdkit.Chem.rdMolDescriptors").CalcMolFormula(_mol(smiles)))


@functools.lru_cache(maxsize=4096)
def structure(smiles: str) -> Structure:
    """Formula, molar mass, InChIKey and canonical SMILES of ``smiles``; raises
    :class:`ChemistryError` when RDKit cannot read it."""
    chem, rdbase = _rdkit()
    # Descriptors.MolWt is rdMolDescriptors._CalcMolWt; called directly, validation does not
    # import rdkit.Chem.Descriptors (and the hundreds of descriptor functions it defines)
    mol_descriptors = _module("rdkit.Chem.rdMolDescriptors")

    computed = formula(smiles)  # every SMILES RDKit reads is counted by formula's cache
    mol = _mol(smiles)
    with rdbase.BlockLogs():
        try:
            inchikey = chem.MolToInchiKey(mol) or ""
        except Exception:  # an RDKit without InChI support: the key is only shown, never checked
            inchikey = ""
    return Structure(
        smiles=chem.MolToSmiles(mol),
        formula=computed,
        molar_mass=round(float(mol_descriptors._CalcMolWt(mol)), 3),
        inchikey=inchikey,
        charge=int(chem.GetFormalCharge(mol)),
    )


def same_atoms(declared: str, computed: str) -> bool:
    """Whether a written formula and a computed one hold the same atoms in the same numbers
    (a net charge sign at the end of ``computed`` is ignored)."""
    try:
        written = atoms(declared)
        found = atoms(_NET_CHARGE.sub("", computed))
    except ValueError:
        return False
    keys = set(written) | set(found)
    return all(abs(written.get(k, 0.0) - found.get(k, 0.0)) < 1e-9 for k in keys)


def rdkit_version() -> str:
    """The version of RDKit installed (drawings and keys may differ between versions)."""
    _, rdbase = _rdkit()
    return str(rdbase.rdkitVersion)


def draw_svg(smiles: str, *, width: int = 260, height: int = 200) -> str:
    """RDKit's SVG drawing of ``smiles`` (raw: :mod:`limkb.site.structures` cleans it for a page).

    Coordinates are RDKit's canonical depiction, rounded to 0.001 before drawing so that the
    last bits of floating-point arithmetic cannot move a line; labels are ``<text>``."""
    chem, rdbase = _rdkit()
    depictor, draw = _module("rdkit.Chem.rdDepictor"), _module("rdkit.Chem.Draw.rdMolDraw2D")
    point = _module("rdkit.Geometry").Point3D
    mol = chem.MolFromSmiles(structure(smiles).smiles)
    with rdbase.BlockLogs():
        depictor.Compute2DCoords(mol, canonOrient=True)
        conformer = mol.GetConformer()
        for i in range(mol.GetNumAtoms()):
            p = conformer.GetAtomPosition(i)
            conformer.SetAtomPosition(i, point(round(p.x, 3), round(p.y, 3), 0.0))
        drawer = draw.MolDraw2DSVG(width, height, -1, -1, True)
        options = drawer.drawOptions()
        options.clearBackground = False
        options.addStereoAnnotation = False
        drawer.DrawMolecule(mol)
        drawer.FinishDrawing()
        return str(drawer.GetDrawingText())


@dataclass(frozen=True)
class Identifiers:
    """A compound as the `chemicals` library's PubChem-derived identifier table holds it."""

    query: str
    smiles: str
    formula: str
    cas: str
    pubchem: int | None
    name: str
    locator: str
    """Where it was found, as a source's locator names it."""


def look_up(query: str) -> Identifiers | None:
    """The compound that ``query`` (a name, a CAS number or ``InChIKey=...``) names in the
    identifier table of `chemicals`, or None when the table does not hold it.

    An authoring aid: a material's SMILES, formula, CAS number and PubChem id can be copied
    from the result, citing the table with ``locator``. Compare the result's InChIKey with the
    one of the SMILES you expect (:func:`structure`): a name can match another compound.
    """
    import chemicals
    from chemicals.identifiers import search_chemical

    try:
        found = search_chemical(query)
    except ValueError:
        return None
    pubchem = int(found.pubchemid) if found.pubchemid else None
    return Identifiers(
        query=query,
        smiles=found.smiles,
        formula=found.formula,
        cas=found.CASs,
        pubchem=pubchem,
        name=found.common_name or found.iupac_name,
        locator=f"chemicals {chemicals.__version__}, chemicals.identifiers.search_chemical({query!r}), "
        f"its PubChem-derived identifier table" + (f" (CID {pubchem})" if pubchem else ""),
    )
