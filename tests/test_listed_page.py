"""The page objects limkb makes for MkDocs' pages outside the navigation (entry pages)."""

from __future__ import annotations

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.pages import Page

from limkb.incremental import ListedPage

SITE_URLS = [
    "https://limkb.github.io/limkb/",
    "https://example.org",
    "http://localhost:8000/a/b",
    "https://example.org/a//b/",
    "https://example.org/kb?x=1",
    "https://example.org/a;p/",
    "https://example.org/%7Euser/",
]
PATHS = [
    "entries/strategies/fec-additive.md",
    "entries/materials/li.1.md",
    "entries/a b/é.md",
    "entries/x/..weird.md",
    "entries/x/a:b.md",
    "index.md",
    "entries/index.md",
]


def _file(config: MkDocsConfig, path: str) -> File:
    """A page outside the navigation, as the plugin adds an entry's page."""
    return File(
        path,
        src_dir=None,
        dest_dir=config.site_dir,
        use_directory_urls=config.use_directory_urls,
        inclusion=InclusionLevel.NOT_IN_NAV,
    )


def _config(site_url: str, *, directory_urls: bool) -> MkDocsConfig:
    config = MkDocsConfig()
    config.load_dict(
        {
            "site_name": "test",
            "site_url": site_url,
            "use_directory_urls": directory_urls,
            "site_dir": "/tmp/x",
        }
    )
    errors, _ = config.validate()
    assert not errors
    return config


@pytest.mark.parametrize("directory_urls", [True, False])
@pytest.mark.parametrize("site_url", SITE_URLS)
def test_a_listed_page_has_the_urls_mkdocs_gives_the_page(site_url: str, directory_urls: bool) -> None:
    config = _config(site_url, directory_urls=directory_urls)
    for path in PATHS:
        made = [
            cls(
                None,
                _file(config, path),
                config,
            )
            for cls in (Page, ListedPage)
        ]
        assert [(p.url, p.canonical_url, p.abs_url) for p in made[1:]] == [
            (made[0].url, made[0].canonical_url, made[0].abs_url)
        ], path


def test_without_a_site_url_a_listed_page_has_no_canonical_url() -> None:
    config = MkDocsConfig()
    config.load_dict({"site_name": "test", "site_dir": "/tmp/x"})
    config.validate()
    file = _file(config, "entries/a/b.md")
    page = ListedPage(None, file, config)
    assert (page.canonical_url, page.abs_url) == (None, None)
