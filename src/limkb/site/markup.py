"""Entry prose to safe HTML: Markdown without raw HTML, sanitised against an allow-list.

Entry text is data, never markup we trust. It is converted with python-markdown with raw
HTML switched off (the ``html_block`` preprocessor and the ``html`` inline pattern are
removed, so ``<script>`` arrives as text), with no extension that reads attributes from
the text (no ``attr_list``, no ``md_in_html``), and the result is cleaned by nh3: only the
tags and attributes below survive, links may only be http, https or mailto. In its
text, braces, line breaks and the characters that start Markdown syntax become character
references, so no later stage could read ``{{ ... }}`` as a template and no Markdown engine
(MkDocs' or a CommonMark one reading ``limkb render --out``) could find a link or the end of
an HTML block in it. The output is one line, meant to be placed inside a block-level HTML
element of a page, where Markdown engines leave it alone. :func:`plain` does the same for
every other value a template prints.
"""

from __future__ import annotations

import hashlib
import re
import threading

import markdown  # type: ignore[import-untyped]  # no stubs published for python-markdown here
import nh3
from markupsafe import Markup

__all__ = ["ALLOWED_TAGS", "URL_SCHEMES", "plain", "prose", "text_title"]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p",
        "br",
        "hr",
        "em",
        "strong",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "sub",
        "sup",
        "h3",
        "h4",
        "h5",
        "h6",
    }
)
"""Tags entry prose may produce; anything else is removed and its text kept."""

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}}
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
"""Link schemes entry prose may use; ``javascript:``, ``data:`` and the rest are dropped."""

_MARKDOWN_ACTIVE = "\\`*_[]|~"
"""Characters that start Markdown syntax: link and image brackets (without them ``(`` and
``!`` are plain), emphasis, code, table cells, strikethrough and escapes. They are written as
numeric character references, which every Markdown engine shows as the character and none
reads as syntax."""


def _references(chars: str) -> dict[int, str]:
    return {ord(char): f"&#{ord(char)};" for char in chars}


_SPECIALS: dict[int, str] = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;"}
_ENTITIES = str.maketrans({**_references(_MARKDOWN_ACTIVE + "{}'"), **_SPECIALS})
_NEEDS_ESCAPE = re.compile("[" + re.escape(_MARKDOWN_ACTIVE + "&<>\"'{}") + "]")
_TEXT_ENTITIES = str.maketrans(_references(_MARKDOWN_ACTIVE + "{}\n"))
_TAG = re.compile(r"(<[^>]*>)")

_CACHE_LIMIT = 50_000
_cache: dict[str, Markup] = {}
_lock = threading.Lock()
_local = threading.local()


def _converter() -> markdown.Markdown:
    """One Markdown converter per thread, with raw HTML switched off."""
    md: markdown.Markdown | None = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        _local.md = md
    return md


def _inert_text(cleaned: str) -> str:
    """Sanitised HTML whose text no Markdown engine or template could read as syntax.

    Between tags, Markdown's active characters, braces and line breaks become character
    references: the HTML shows the same, the whole fragment is one line (so no blank line can
    end an HTML block in a CommonMark engine and expose the rest to Markdown), and nothing in
    it can start a link or a template expression. Tags are nh3's output and stay as they are.
    """
    parts = _TAG.split(cleaned)
    parts[::2] = [part.translate(_TEXT_ENTITIES) for part in parts[::2]]
    return "".join(parts)


def prose(text: str | None) -> Markup:
    """Entry Markdown as sanitised HTML, safe to place in a page (empty for ``None``)."""
    if not text:
        return Markup("")
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    cached = _cache.get(key)
    if cached is not None:
        return cached
    md = _converter()
    md.reset()
    converted = md.convert(text)
    cleaned = nh3.clean(
        converted,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    result = Markup(_inert_text(cleaned))
    with _lock:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[key] = result
    return result


def plain(text: object) -> Markup:
    """Any value as inert text in HTML *and* Markdown context (the templates' ``finalize``).

    Besides the HTML specials and braces, every character that could start Markdown syntax
    becomes a character reference, so an entry's name placed in a heading, a table cell or a
    list item shows as written and never becomes a link, an image or emphasis.
    """
    if isinstance(text, Markup):
        return text
    value = str(text)
    if _NEEDS_ESCAPE.search(value) is None:  # most values: nothing to escape (called for every output)
        return Markup(value)
    return Markup(value.translate(_ENTITIES))


_TITLE_SWAPS = str.maketrans({"<": "‹", ">": "›", "&": "＆", "{": "(", "}": ")", '"': "”", "`": "'"})


def text_title(text: str) -> str:
    """A page title with no character that HTML or Markdown could read as markup.

    Themes place page titles into the HTML unescaped (and unescape entities in ``<title>``),
    so a title that comes from entry data keeps none of ``< > & { } " ` ``.
    """
    return " ".join(text.translate(_TITLE_SWAPS).split())
