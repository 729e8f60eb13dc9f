"""How limkb's entries line up with EMMO and its battery / electrochemistry domains (BattINFO).

An entry's own matches are data: the ``matches:`` field of its YAML file (predicate, compact
IRI, the term's label as checked, a note). What is here is what follows from a material's
roles, and the namespaces. EMMO domain IRIs are opaque (``electrochemistry_<uuid>``); the
readable label is given in a comment beside each. The mapping predicate follows SKOS: ``exactMatch`` when the concepts are the same, ``closeMatch``
when they are near enough to interchange in most uses, ``broadMatch`` when the EMMO term is
broader than ours (cryo-TEM → TransmissionElectronMicroscopy), ``relatedMatch`` when they are
only associated (an approach that modifies a current collector → CurrentCollector).
Where we were not sure, we chose the weaker predicate.
"""

from __future__ import annotations

from limkb.schema.fields import MATCH_PREFIXES
from limkb.schema.kinds import Entry, Material, MaterialRole

__all__ = ["NAMESPACES", "ROLE_MATCHES", "matches_of"]

NAMESPACES: dict[str, str] = dict(MATCH_PREFIXES)
"""Prefixes of the EMMO namespaces (also written into the JSON-LD context)."""

# Readable names of the opaque IRIs, so the table below can be checked by eye.
_ADDITIVE = "echem:electrochemistry_554286d4_1f46_44c0_bebc_4ddae00dbce1"  # ElectrolyteAdditive
_COLLECTOR = "echem:electrochemistry_212af058_3bbb_419f_a9c6_90ba9ebb3706"  # CurrentCollector
_COATING = "echem:electrochemistry_09a7f560_9ddf_4c32_b067_b213eca5b0a1"  # Coating
_SALT = "substance:substance_edae7b22_461b_432b_b737_3c93feb69b0e"  # Salt
_SOLVENT = "substance:substance_0f2f65a7_5cc4_4c86_a4d0_676771c646f1"  # Solvent

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
    found: list[tuple[str, str]] = [(m.predicate, m.iri) for m in entry.matches]
    if isinstance(entry, Material):
        for role in entry.roles:
            match = ROLE_MATCHES.get(role)
            if match is not None and match not in found:
                found.append(match)
    return found
