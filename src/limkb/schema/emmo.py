"""How limkb's entries line up with EMMO and its battery / electrochemistry domains (BattINFO).

Only terms whose IRIs we have checked are listed. EMMO domain IRIs are opaque
(``electrochemistry_<uuid>``); the readable label is given in a comment beside each. The
mapping predicate follows SKOS: ``exactMatch`` when the concepts are the same, ``closeMatch``
when they are near enough to interchange in most uses, ``broadMatch`` when the EMMO term is
broader than ours (cryo-TEM → TransmissionElectronMicroscopy), ``relatedMatch`` when they are
only associated (an approach that modifies a current collector → CurrentCollector).
Where we were not sure, we chose the weaker predicate.
"""

from __future__ import annotations

from limkb.schema.kinds import Entry, Material, MaterialRole

__all__ = ["ENTRY_MATCHES", "NAMESPACES", "ROLE_MATCHES", "matches_of"]

NAMESPACES: dict[str, str] = {
    "emmo": "https://w3id.org/emmo#",
    "echem": "https://w3id.org/emmo/domain/electrochemistry#",
    "battery": "https://w3id.org/emmo/domain/battery#",
    "chameo": "https://w3id.org/emmo/domain/characterisation-methodology/chameo#",
    "substance": "https://w3id.org/emmo/domain/chemical-substance#",
}
"""Prefixes of the EMMO namespaces used below (also written into the JSON-LD context)."""

# Readable names of the opaque IRIs, so the table below can be checked by eye.
_SEI = "echem:electrochemistry_ecf136cb_2584_4cb1_98b7_2d2b3d22e40d"  # SolidElectrolyteInterphase
_CE = "echem:electrochemistry_5696453c_9da7_41e2_bbda_603c1b90a8fc"  # CoulombicEfficiency
_ELECTROLYTE = "echem:electrochemistry_fb0d9eef_92af_4628_8814_e065ca255d59"  # Electrolyte
_ADDITIVE = "echem:electrochemistry_554286d4_1f46_44c0_bebc_4ddae00dbce1"  # ElectrolyteAdditive
_COLLECTOR = "echem:electrochemistry_212af058_3bbb_419f_a9c6_90ba9ebb3706"  # CurrentCollector
_DENDRITE = "echem:electrochemistry_34bc54e3_de4c_41f8_8d3a_d77c951ee23a"  # Dendrite
_COATING = "echem:electrochemistry_09a7f560_9ddf_4c32_b067_b213eca5b0a1"  # Coating
_IONIC = "echem:electrochemistry_25dabdc2_68bf_4a38_8cbe_11be017358bc"  # IonicConductivity
_ELECTRODE = "echem:electrochemistry_0f007072_a8dd_4798_b865_1bf9363be627"  # Electrode
_SALT = "substance:substance_edae7b22_461b_432b_b737_3c93feb69b0e"  # Salt
_SOLVENT = "substance:substance_0f2f65a7_5cc4_4c86_a4d0_676771c646f1"  # Solvent

ENTRY_MATCHES: dict[str, list[tuple[str, str]]] = {
    # properties
    # CE: close rather than exact, because EMMO 0.36 swapped the labels of its coulombic and
    # Faradaic efficiency terms while keeping the IRIs.
    "coulombic-efficiency": [("closeMatch", _CE)],
    "ionic-conductivity": [("closeMatch", _IONIC)],
    # techniques
    "eis": [("exactMatch", "chameo:ElectrochemicalImpedanceSpectroscopy")],
    "sem": [("exactMatch", "chameo:ScanningElectronMicroscopy")],
    "afm": [("exactMatch", "chameo:AtomicForceMicroscopy")],
    "cryo-tem": [("broadMatch", "chameo:TransmissionElectronMicroscopy")],
    "xps": [("broadMatch", "chameo:Spectroscopy")],
    "ftir": [("broadMatch", "chameo:Spectroscopy")],
    "raman": [("broadMatch", "chameo:Spectroscopy")],
    "nmr": [("broadMatch", "chameo:Spectroscopy")],
    "electron-spectroscopy": [("broadMatch", "chameo:Spectroscopy")],
    # failure modes
    "dendrite-growth": [("closeMatch", _DENDRITE)],
    # strategies
    "artificial-sei": [("closeMatch", _SEI), ("broadMatch", _COATING)],
    "electrolyte-engineering": [("relatedMatch", _ELECTROLYTE), ("relatedMatch", _SEI)],
    "electrolyte-additives": [("relatedMatch", _ADDITIVE)],
    "current-collector-modification": [("relatedMatch", _COLLECTOR)],
    # materials
    "lithium-metal": [("relatedMatch", _ELECTRODE)],
}
"""Matches of individual entries, by id: ``[(skos predicate, compact IRI), ...]``."""

ROLE_MATCHES: dict[MaterialRole, tuple[str, str]] = {
    MaterialRole.ADDITIVE: ("broadMatch", _ADDITIVE),
    MaterialRole.SALT: ("broadMatch", _SALT),
    MaterialRole.SOLVENT: ("broadMatch", _SOLVENT),
    MaterialRole.COATING: ("broadMatch", _COATING),
    MaterialRole.CURRENT_COLLECTOR: ("broadMatch", _COLLECTOR),
}
"""A material with one of these roles is an instance of something narrower than the EMMO term."""


def matches_of(entry: Entry) -> list[tuple[str, str]]:
    """The SKOS matches of one entry: its own, then those implied by a material's roles."""
    found = list(ENTRY_MATCHES.get(entry.id, []))
    if isinstance(entry, Material):
        for role in entry.roles:
            match = ROLE_MATCHES.get(role)
            if match is not None and match not in found:
                found.append(match)
    return found
