"""The graph files (``graph.json``, ``graph.graphml``) and ``kb.jsonld``, joined from each
entry's pieces.

Each entry gives a piece of each file: its node and its out-going edges in node-link JSON, in
GraphML, and its JSON-LD node. A file is the pieces joined, in the order of the whole file
(nodes by id, then edges by source), between a head and a tail; the text is the one
``networkx`` and ``json.dumps(..., indent=1)`` write for the whole graph
(``tests/test_graphfiles.py`` compares them). A build keeps the pieces, each under a key of
what it reads (:func:`piece_key`: the entry, its label, its node's data and its out-going
edges), in ``build/cache/exports/graph.pickle``; the next makes again only the pieces whose key
changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from limkb.graph import KnowledgeBase

__all__ = [
    "GraphFiles",
    "GraphKeys",
    "Piece",
    "graph_files",
    "graphml_text",
    "json_text",
    "jsonld_text",
    "make_piece",
    "piece_key",
]

_NODE_LINK = ("directed", "multigraph", "graph")
"""The keys of node-link JSON before its ``nodes`` and ``links``."""


@dataclass(frozen=True)
class Piece:
    """One entry's part of each file (text, without separators)."""

    json_node: str
    json_links: list[str]
    graphml_node: str
    graphml_edges: list[str]
    jsonld_node: str | None


@dataclass(frozen=True)
class GraphKeys:
    """GraphML's ``<key>`` ids: each (scope, name, type) in the order the whole graph first
    shows it (the graph's attributes, then the nodes', then the edges')."""

    ids: dict[tuple[str, str, str], str]

    @property
    def digest(self) -> str:
        """A hash of the ids (every piece is made again when they change)."""
        return hashlib.sha256(repr(sorted(self.ids.items())).encode()).hexdigest()


def _indented(value: Any, depth: int) -> str:
    """``value`` as ``json.dumps(indent=1)`` writes it ``depth`` levels down in a document."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    pad = " " * depth
    return "\n".join(pad + line for line in text.split("\n"))


def _xml_text(text: str) -> str:
    """Character data as ElementTree writes it in ASCII (``&``, ``<``, ``>``, character references)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def _xml_attribute(text: str) -> str:
    """An attribute value as ElementTree writes it in ASCII."""
    text = _xml_text(text).replace('"', "&quot;")
    return text.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def _xml_type(value: Any) -> str:
    """GraphML's type of ``value``, as networkx names it."""
    if not _XML_TYPES:
        from networkx.readwrite.graphml import GraphMLWriter

        _XML_TYPES.update(GraphMLWriter().xml_type)
    try:
        return _XML_TYPES[type(value)]
    except KeyError:
        raise TypeError(f"GraphML does not support type {type(value)} as data values.") from None


_XML_TYPES: dict[type, str] = {}


def _node_attributes(kb: KnowledgeBase, entry_id: str, label: str) -> dict[str, Any]:
    """The node's data in the graph files: its own, ``name`` the entry's display label."""
    data = dict(kb.graph.nodes[entry_id])
    data["name"] = label
    return data


def _graphml_edges(kb: KnowledgeBase, entry_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """The out-going edges of ``entry_id`` as GraphML holds them: (target, edge id, data)."""
    found = []
    for target, keyed in kb.graph.succ[entry_id].items():
        for key, data in keyed.items():
            attrs: dict[str, Any] = {"relation": key}
            for name, value in data.items():
                if value is None:
                    continue
                attrs[name] = (
                    json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value
                )
            found.append((target, f"{entry_id}--{key}--{target}", attrs))
    return found


def graph_keys(
    kb: KnowledgeBase, graph_attributes: Mapping[str, Any], labels: Mapping[str, str]
) -> GraphKeys:
    """The GraphML key ids of the whole graph (:class:`GraphKeys`)."""
    ids: dict[tuple[str, str, str], str] = {}

    def note(scope: str, data: Mapping[str, Any]) -> None:
        for name, value in data.items():
            found = (scope, str(name), _xml_type(value))
            if found not in ids:
                ids[found] = f"d{len(ids)}"

    note("graph", graph_attributes)
    for entry_id in kb.graph:
        note(
            "node",
            {k: v for k, v in _node_attributes(kb, entry_id, labels[entry_id]).items() if v is not None},
        )
    seen: set[tuple[str, type]] = set()
    for _, _, key, data in kb.graph.edges(keys=True, data=True):
        for name, value in (("relation", key), *data.items()):
            kind = str if isinstance(value, (list, dict)) else type(value)
            if value is not None and (name, kind) not in seen:
                seen.add((name, kind))
                note("edge", {name: "" if kind is str else value})
    return GraphKeys(ids)


def _graphml_element(
    tag: str, attributes: str, data: Iterable[tuple[str, Any]], keys: GraphKeys, scope: str
) -> str:
    """One ``<node>`` or ``<edge>`` with its ``<data>``, indented as networkx writes it."""
    lines = []
    for name, value in data:
        key = keys.ids[(scope, str(name), _xml_type(value))]
        text = str(value)
        lines.append(
            f'      <data key="{key}">{_xml_text(text)}</data>' if text else f'      <data key="{key}" />'
        )
    if not lines:
        return f"    <{tag} {attributes} />"
    # networkx splits its text into lines and joins them with newlines: so do the pieces
    return "\n".join("\n".join([f"    <{tag} {attributes}>", *lines, f"    </{tag}>"]).splitlines())


def piece_key(kb: KnowledgeBase, entry_id: str, digest: str, label: str, edges: str, extra: str) -> str:
    """A hash of what an entry's pieces read: its content (``digest``), ``label``, its node's
    data, its out-going ``edges`` (:meth:`~limkb.outputs.rows.RowSource.edges`) and ``extra``
    (limkb's code, the GraphML key ids)."""
    parts = [extra, entry_id, digest, label, repr(sorted(kb.graph.nodes[entry_id].items())), edges]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def make_piece(kb: KnowledgeBase, entry_id: str, label: str, keys: GraphKeys) -> Piece:
    """The pieces of ``entry_id`` in the three files."""
    from limkb.outputs.formats import jsonld_node

    node = {**kb.graph.nodes[entry_id], "id": entry_id}
    node["name"] = label
    links = [
        _indented({**data, "source": entry_id, "target": target, "key": key}, 2)
        for target, keyed in kb.graph.succ[entry_id].items()
        for key, data in keyed.items()
    ]
    shown = {k: v for k, v in _node_attributes(kb, entry_id, label).items() if v is not None}
    graphml_node = _graphml_element("node", f'id="{_xml_attribute(entry_id)}"', shown.items(), keys, "node")
    graphml_edges = [
        _graphml_element(
            "edge",
            f'source="{_xml_attribute(entry_id)}" target="{_xml_attribute(target)}" id="{_xml_attribute(edge_id)}"',
            attrs.items(),
            keys,
            "edge",
        )
        for target, edge_id, attrs in _graphml_edges(kb, entry_id)
    ]
    ld = jsonld_node(kb, entry_id, label)
    return Piece(
        json_node=_indented(node, 2),
        json_links=links,
        graphml_node=graphml_node,
        graphml_edges=graphml_edges,
        jsonld_node=None if ld is None else _indented(ld, 2),
    )


def _json_list(name: str, items: list[str]) -> str:
    """A list member of a top-level object, ``indent=1``."""
    if not items:
        return f' "{name}": []'
    return f' "{name}": [\n' + ",\n".join(items) + "\n ]"


def json_text(graph: Mapping[str, Any], pieces: list[Piece]) -> str:
    """``graph.json``: node-link JSON with the graph attributes ``graph``."""
    head = json.dumps(
        {"directed": True, "multigraph": True, "graph": dict(graph)}, ensure_ascii=False, indent=1
    )
    nodes = _json_list("nodes", [p.json_node for p in pieces])
    links = _json_list("links", [link for p in pieces for link in p.json_links])
    return head[: -len("\n}")] + ",\n" + nodes + ",\n" + links + "\n}\n"


def graphml_text(graph: Mapping[str, Any], keys: GraphKeys, pieces: list[Piece]) -> str:
    """``graph.graphml`` as networkx writes it, pretty-printed."""
    from networkx.readwrite.graphml import GraphMLWriter

    root = (
        f'<graphml xmlns="{GraphMLWriter.NS_GRAPHML}" xmlns:xsi="{GraphMLWriter.NS_XSI}" '
        f'xsi:schemaLocation="{GraphMLWriter.NS_GRAPHML} {GraphMLWriter.SCHEMALOCATION.split()[-1]}">'
    )
    declared = [
        f'  <key id="{key}" for="{scope}" attr.name="{_xml_attribute(name)}" attr.type="{kind}" />'
        for (scope, name, kind), key in reversed(list(keys.ids.items()))
    ]
    body = [p.graphml_node for p in pieces] + [edge for p in pieces for edge in p.graphml_edges]
    data = [
        f'    <data key="{keys.ids[("graph", str(name), _xml_type(value))]}">{_xml_text(str(value))}</data>'
        for name, value in graph.items()
    ]
    data = ["\n".join(line.splitlines()) for line in data]
    inner = [*body, *data]
    if not inner:
        lines = [root, *declared, '  <graph edgedefault="directed" />', "</graphml>"]
    else:
        lines = [root, *declared, '  <graph edgedefault="directed">', *inner, "  </graph>", "</graphml>"]
    return "\n".join(lines) + "\n"


def jsonld_text(head: Mapping[str, Any], pieces: list[Piece]) -> str:
    """``kb.jsonld``: ``head`` (its ``@context`` and the first nodes of ``@graph``), then the entries' nodes."""
    text = json.dumps(head, ensure_ascii=False, indent=1)
    nodes = [p.jsonld_node for p in pieces if p.jsonld_node is not None]
    if not nodes:
        return text + "\n"
    closing = "\n ]\n}"
    assert text.endswith(closing)
    return text[: -len(closing)] + ",\n" + ",\n".join(nodes) + closing + "\n"


@dataclass
class GraphFiles:
    """The pieces of every entry, in order, with the GraphML key ids they were made with, and
    what to keep for the next build (each id -> the key of its piece, the piece)."""

    keys: GraphKeys
    pieces: list[Piece]
    kept: dict[str, tuple[str, Piece]]
    made: int


def graph_files(
    kb: KnowledgeBase,
    labels: Mapping[str, str],
    digests: Mapping[str, str],
    edges: Callable[[str], str],
    code: str,
    previous: object,
) -> GraphFiles:
    """Every entry's pieces: those of ``previous`` (what the last build kept) whose key is
    unchanged, the others made."""
    from limkb.outputs.formats import GRAPH_ATTRIBUTES

    keys = graph_keys(kb, GRAPH_ATTRIBUTES, labels)
    extra = f"{code}\0{keys.digest}"
    old = previous if isinstance(previous, dict) else {}
    kept: dict[str, tuple[str, Piece]] = {}
    made = 0
    for entry_id in kb.graph:
        key = piece_key(kb, entry_id, digests[entry_id], labels[entry_id], edges(entry_id), extra)
        found = old.get(entry_id)
        if isinstance(found, tuple) and len(found) == 2 and found[0] == key and isinstance(found[1], Piece):
            kept[entry_id] = found
        else:
            kept[entry_id] = (key, make_piece(kb, entry_id, labels[entry_id], keys))
            made += 1
    return GraphFiles(keys, [piece for _, piece in kept.values()], kept, made)
