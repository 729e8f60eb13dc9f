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
