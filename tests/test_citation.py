"""The licences and the citation file: present, consistent with the package, shipped in the wheel."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

import limkb

ROOT = Path(__file__).resolve().parent.parent


def test_citation_file_has_the_cff_fields_and_the_package_version() -> None:
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert data["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "version", "license", "type"):
        assert data[key], key
    assert data["version"] == limkb.__version__
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert data["license"] == project["license"] == "MIT"
    assert all("name" in a or "family-names" in a for a in data["authors"])
    review = data["references"][0]
    assert (
        review["doi"]
        == yaml.safe_load((ROOT / "kb/references/oyakhire2024interfacial.yaml").read_text())["doi"]
    )


def test_code_and_data_licences_are_stated_and_shown_on_the_site() -> None:
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    data = (ROOT / "LICENSE-DATA").read_text(encoding="utf-8")
    assert "CC BY 4.0" in data and "https://creativecommons.org/licenses/by/4.0/" in data
    mkdocs = yaml.safe_load(
        (ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nplugins:")[0].replace("!!", "")
    )
    assert "CC BY 4.0" in mkdocs["copyright"] and "MIT" in mkdocs["copyright"]
    import json

    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo["license"] == "MIT" and "CC BY 4.0" in zenodo["description"]


CFF_SCHEMA = ROOT / "tests/data/cff-1.2.0.schema.json"
"""The Citation File Format 1.2.0 schema (CC BY 4.0, citation-file-format.github.io), as shipped
in cffconvert 2.0.0's wheel at ``cffconvert/schemas/1.2.0/schema.json`` (sha256 0b8d2214…):
the schema ``cffconvert --validate`` checks against. cffconvert itself cannot be installed
beside the test lock (it needs jsonschema < 4), so the test runs the same check with jsonschema."""


def _cff_errors(data: object) -> list[str]:
    import json

    import jsonschema

    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_citation_file_is_valid_cff_1_2_0() -> None:
    import hashlib

    assert hashlib.sha256(CFF_SCHEMA.read_bytes()).hexdigest().startswith("0b8d22140da702d7")
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert _cff_errors(data) == []


def test_the_cff_check_finds_a_broken_citation_file() -> None:
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    del data["authors"]
    data["version"] = ""
    data["doi"] = "not a doi"
    errors = _cff_errors(data)
    assert any("'authors' is a required property" in e for e in errors)
    assert any(e.startswith("doi") for e in errors) or any(e.startswith("version") for e in errors)
