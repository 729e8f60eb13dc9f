"""What ``mkdocs.yml`` may ask for before limkb hands it to MkDocs.

MkDocs runs code named in its configuration: ``hooks:`` are Python files it imports, its YAML
loader builds Python objects from ``!!python/...`` tags, plugins and Markdown extensions are
modules it imports, and theme overrides and ``extra_templates`` are Jinja templates rendered
without a sandbox. A pull request that edits ``mkdocs.yml`` could therefore run code on the
machine that builds it. :func:`check_config` reads the file *without constructing anything*
and refuses all of that, unless the caller trusts the file (``limkb build --trust-config``):
only plugins and Markdown extensions on the allowlists below, no hooks, no Python tags, no
inherited configuration, no custom theme folder or extra templates, and ``docs_dir``, ``site_dir``
and the plugin's ``kb`` inside the project.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from limkb.errors import BuildError
from limkb.files import within

__all__ = ["ALLOWED_EXTENSIONS", "ALLOWED_PLUGINS", "check_config", "only_limkb_plugin"]

ALLOWED_PLUGINS = frozenset({"limkb", "search", "offline", "tags"})
"""Plugins a configuration may enable without ``--trust-config``: limkb's own and MkDocs' or
the theme's built-in ones, none of which reads files outside ``docs_dir`` or runs configured code."""

ALLOWED_EXTENSIONS = frozenset(
    {
        *(
            name
            for short in (
                "abbr",
                "admonition",
                "attr_list",
                "codehilite",
                "def_list",
                "extra",
                "fenced_code",
                "footnotes",
                "legacy_attrs",
                "legacy_em",
                "md_in_html",
                "meta",
                "nl2br",
                "sane_lists",
                "smarty",
                "tables",
                "toc",
                "wikilinks",
            )
            for name in (short, f"markdown.extensions.{short}")
        ),
        *(
            f"pymdownx.{name}"
            for name in (
                "arithmatex",
                "betterem",
                "caret",
                "critic",
                "details",
                "highlight",
                "inlinehilite",
                "keys",
                "mark",
                "smartsymbols",
                "superfences",
                "tabbed",
                "tasklist",
                "tilde",
            )
        ),
    }
)
"""Markdown extensions allowed without ``--trust-config``: Python-Markdown's own and the
pymdown extensions that neither include files (``pymdownx.snippets`` is left out: it pastes any
file into a page) nor call configured functions."""

_SAFE_TAGS = frozenset(
    {
        None,
        "!",
        "!ENV",
        "!relative",
        *(
            f"tag:yaml.org,2002:{name}"
            for name in ("str", "int", "float", "bool", "null", "map", "seq", "binary", "timestamp")
        ),
    }
)
_HINT = (
    "limkb refuses it because a pull request could run code this way; a maintainer who has "
    "read the change builds with `limkb build --trust-config`"
)


class _Reader(yaml.SafeLoader):
    """A safe loader that also reads MkDocs' own harmless tags (as plain values)."""


def _plain(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return None


def _nothing(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    """Any other tag builds nothing (it is reported, and the rest of the file still checked)."""


_Reader.add_constructor("!ENV", _plain)
_Reader.add_constructor("!relative", _plain)
_Reader.add_multi_constructor("tag:yaml.org,2002:python/", _nothing)
_Reader.add_multi_constructor("!", _nothing)


def _names(value: Any) -> list[str]:
    """The names in a list of names or of one-key mappings (MkDocs' plugin and extension lists)."""
    if isinstance(value, dict):
        return [str(k) for k in value]
    names: list[str] = []
    for item in value if isinstance(value, list) else []:
        names.extend([str(k) for k in item] if isinstance(item, dict) else [str(item)])
    return names


def _inside(project: Path, value: Any, default: str) -> bool:
    return within(project, project / str(value if value is not None else default))


def _problems(config_file: Path, project: Path) -> list[str]:
    text = config_file.read_text(encoding="utf-8")
    found: list[str] = []
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            tag = getattr(event, "tag", None)
            if tag not in _SAFE_TAGS:
                mark = event.start_mark
                where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
                found.append(f"{config_file.name}{where}: the tag {tag!r}")
        config = yaml.load(text, Loader=_Reader)
    except yaml.YAMLError as error:
        return [f"{config_file.name}: not readable YAML ({error})"]
    if not isinstance(config, dict):
        return [f"{config_file.name}: not a mapping of settings"]
    for key in ("hooks", "INHERIT", "extra_templates"):
        if config.get(key):
            found.append(f"{config_file.name}: `{key}:`")
    theme = config.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir"):
        found.append(f"{config_file.name}: `theme.custom_dir:` (its templates run unsandboxed)")
    for name in _names(config.get("plugins", [])):
        if name not in ALLOWED_PLUGINS:
            found.append(
                f"{config_file.name}: the plugin {name!r} (allowed: {', '.join(sorted(ALLOWED_PLUGINS))})"
            )
    for name in _names(config.get("markdown_extensions", [])):
        if name not in ALLOWED_EXTENSIONS:
            found.append(f"{config_file.name}: the Markdown extension {name!r}")
    for key, default in (("docs_dir", "docs"), ("site_dir", "site")):
        if not _inside(project, config.get(key), default):
            found.append(f"{config_file.name}: `{key}: {config.get(key)}` lies outside the project")
    plugins = config.get("plugins")
    options = (
        next((i["limkb"] for i in plugins if isinstance(i, dict) and "limkb" in i), None)
        if isinstance(plugins, list)
        else None
    )
    if isinstance(options, dict) and not _inside(project, options.get("kb"), "kb"):
        found.append(
            f"{config_file.name}: the limkb plugin's `kb: {options.get('kb')}` lies outside the project"
        )
    return found


def only_limkb_plugin(config_file: Path) -> bool:
    """Whether ``config_file`` enables the limkb plugin and no other (read as plain values, so
    nothing runs): then no plugin but limkb's sees the pages, and a build may skip some."""
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Reader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    if not isinstance(config, dict) or config.get("INHERIT"):
        return False
    return _names(config.get("plugins", [])) == ["limkb"]


def check_config(config_file: Path, *, trust: bool = False) -> None:
    """Raise :class:`~limkb.errors.BuildError` listing everything in ``config_file`` that could
    run code or reach outside the project, unless ``trust``. Nothing is constructed from the file
    but plain values, so checking it runs nothing."""
    if trust:
        return
    config_file = Path(config_file)
    found = _problems(config_file, config_file.resolve().parent)
    if found:
        listed = "\n".join(f"  - {item}" for item in found)
        raise BuildError(
            "config", f"{config_file.name} asks for what limkb does not run unasked:\n{listed}\n{_HINT}"
        )
