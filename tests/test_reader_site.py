"""What the reader's site is made of, without a browser: the search index, the build-time graph
layout, dates and the Atom feed from git history, meta descriptions."""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from limkb.access import load
from limkb.graph import KnowledgeBase
from limkb.site.history import entry_history
from limkb.site.layout import layout
from limkb.site.render import RenderOptions, render
from sitefactory import site_kb

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return load(site_kb(tmp_path), cache=False)


def _script_data(text: str | bytes) -> dict:  # type: ignore[type-arg]
    assert isinstance(text, str)
    return json.loads(text[text.index("{") : text.rindex("}") + 1])  # type: ignore[no-any-return]


def test_the_search_index_names_each_entry_and_page(kb: KnowledgeBase) -> None:
    pages = render(kb, options=RenderOptions(date="2024-01-02"))
    items = {i["path"]: i for i in _script_data(pages["assets/limkb/search-index.js"])["pages"]}
    lif = items["entries/species/lif.md"]
    assert lif["kind"] == "species" and "LiF" in lif["names"] and "lif" in lif["names"]
    assert items["agenda.md"]["kind"] == "page"
    assert all(len(i["text"]) <= 160 for i in items.values())
    assert {i["path"] for i in items.values() if i["kind"] != "page"} == {
        p for p in pages if p.startswith("entries/") and p != "entries/index.md"
    }


def test_the_graph_layout_is_fixed_and_inside_its_box() -> None:
    ids = [f"n{i}" for i in range(40)] + ["alone"]
    kinds = ["strategy" if i % 2 else "species" for i in range(40)] + ["material"]
    edges = [(f"n{i}", f"n{(i + 1) % 40}") for i in range(40)] + [("n0", "n20"), ("n5", "n30")]
    first = layout(ids, kinds, edges, ["strategy", "species", "material"])
    assert first == layout(ids, kinds, edges, ["strategy", "species", "material"])
    assert len(set(first.values())) == len(ids)
    assert all(0 <= x <= 1000 and 0 <= y <= 1000 for x, y in first.values())  # 41 nodes: the 1000 px box
    linked = [first[i][1] for i in ids[:-1]]
    assert first["alone"][1] > max(linked), "an entry with no relation stands under the drawing"


def test_graph_data_carries_positions_and_names(kb: KnowledgeBase) -> None:
    data = _script_data(render(kb, options=RenderOptions(date="2024-01-02"))["assets/limkb/graph-data.js"])
    nodes = {n["id"]: n for n in data["nodes"]}
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in nodes.values())
    assert "LiF" in nodes["lif"]["names"] and nodes["lif"]["url"] == "entries/species/lif.md"


def _git(repo: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def test_dates_and_feed_come_from_commits(tmp_path: Path) -> None:
    kb_dir = site_kb(tmp_path / "repo")
    repo = kb_dir.parent
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "first", when="2024-03-01T10:00:00+00:00")
    lif = kb_dir / "species" / "lif.yaml"
    lif.write_text(lif.read_text(encoding="utf-8") + "# checked against the paper\n", encoding="utf-8")
    _git(repo, "commit", "-qam", "correct LiF", when="2024-05-06T07:08:09+02:00")

    history = entry_history(kb_dir)
    assert history["lif"].added == "2024-03-01" and history["lif"].changed == "2024-05-06"
    assert history["fec-additive"].changed == "2024-03-01"

    pages = render(
        load(kb_dir, cache=False),
        options=RenderOptions(
            date="2024-06-01", history=history, site_url="https://example.org/kb/", urls="file"
        ),
    )
    page = pages["entries/species/lif.md"]
    assert isinstance(page, str) and "added 2024-03-01, last changed 2024-05-06" in page
    feed = ET.fromstring(pages["feed.xml"])
    entries = feed.findall(f"{ATOM}entry")
    assert entries[0].findtext(f"{ATOM}title", "").startswith("Changed: Lithium fluoride")
    assert entries[0].findtext(f"{ATOM}updated") == "2024-05-06T07:08:09+02:00"
    assert entries[0].find(f"{ATOM}link").get("href") == "https://example.org/kb/entries/species/lif.html"  # type: ignore[union-attr]
    assert all(e.findtext(f"{ATOM}title", "").startswith("Added: ") for e in entries[1:])
    assert feed.findtext(f"{ATOM}updated") == "2024-05-06T07:08:09+02:00"


def test_no_git_means_no_dates_and_no_feed(kb: KnowledgeBase, tmp_path: Path) -> None:
    assert entry_history(tmp_path) == {}
    pages = render(kb, options=RenderOptions(date="2024-01-02"))
    assert "last changed" not in str(pages["entries/species/lif.md"])
    feed = ET.fromstring(pages["feed.xml"])
    assert (
        feed.findall(f"{ATOM}entry") == [] and feed.findtext(f"{ATOM}updated") == "2024-01-02T00:00:00+00:00"
    )


def test_meta_descriptions_are_plain_text(tmp_path: Path) -> None:
    kb = load(site_kb(tmp_path, hostile=True), cache=False)
    for path, page in render(kb, options=RenderOptions(date="2024-01-02")).items():
        if isinstance(page, str) and path.startswith("entries/") and "\ndescription: " in page:
            line = page.split("\ndescription: ", 1)[1].split("\n", 1)[0]
            value = json.loads(line)
            assert not set(value) & set('<>"&{}`'), (path, value)


@pytest.mark.parametrize(
    ("urls", "target"), [("file", "../entries/species/lif.html"), ("directory", "../entries/species/lif/")]
)
def test_every_entry_has_a_forwarding_page_for_its_persistent_iri(
    kb: KnowledgeBase, urls: str, target: str
) -> None:
    pages = render(kb, options=RenderOptions(date="2024-01-02", urls=urls))  # type: ignore[arg-type]
    forwarders = {p for p in pages if p.startswith("id/")}
    assert forwarders == {f"id/{i}.html" for i in kb}
    page = pages["id/lif.html"]
    assert isinstance(page, str)
    assert f'<meta http-equiv="refresh" content="0; url={target}">' in page
    assert f'<link rel="canonical" href="{target}">' in page


def test_exports_name_entries_by_their_persistent_iris() -> None:
    from limkb.outputs.formats import ENTRY_BASE

    assert ENTRY_BASE == "https://w3id.org/limkb/entry/"
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "RewriteRule ^entry/([a-z0-9-]+)$ https://limkb.github.io/limkb/id/$1.html" in readme
