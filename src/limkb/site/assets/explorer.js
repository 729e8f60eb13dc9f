/*
 * limkb graph explorer.
 *
 * Draws the knowledge graph in <div id="limkb-graph"> with Cytoscape.js. The data comes from
 * assets/limkb/graph-data.js, a plain script that sets
 *   window.LIMKB_GRAPH = {nodes: [{id, name, kind, url}], edges: [{source, target, relation}],
 *                         colours: {kind: "#rrggbb"}}
 * so that the page also works when opened from file:// (no fetch, no request to any host).
 * Node urls are Markdown paths from the site root (worked out from this script's own src), made
 * the built URLs by search.js (window.limkbSearch), which every page of the site loads first.
 *
 * The div's content (e.g. a "needs JavaScript" fallback) is replaced by: a toolbar (search box,
 * one checkbox per kind with its colour and count), the canvas, and an info panel for the
 * clicked node. Pages without the div are left untouched. The Cytoscape instance is exposed as
 * window.limkbExplorer.cy for scripting and tests; kinds hidden at start (references) are added
 * to it when their box is first ticked (window.limkbExplorer.waiting() counts what is left).
 *
 * The graph opens readable rather than as a hairball: the HUBS most connected entries are
 * labelled at every zoom, and the view starts on the most connected one and its neighbours;
 * "Show all" fits the whole graph.
 */
(function () {
  "use strict";

  var SCRIPT_SUFFIX = "assets/limkb/explorer.js";
  var SCRIPT = document.currentScript;

  /* Colours and order of the kinds come with the data (limkb.site.kinds.DISPLAY, one source). */
  var KIND_COLOURS = {};
  var KIND_ORDER = [];
  var KIND_WORDS = {};  /* from the graph data: limkb.site.kinds.KIND_WORDS */
  var EXTRA_COLOURS = ["#117733", "#999933", "#AA4499", "#661100", "#6699CC", "#888888"];

  /* Above this many nodes the force-directed refinement is skipped: it is quadratic per step. */
  var COSE_LIMIT = 1500;

  var HIDDEN_AT_START = ["reference"];

  /* Above this many entries the drawing trades detail for speed (straight edges, no arrows,
     edges hidden while panning). */
  var LARGE = 2000;
  var HUBS = 12;

  function siteRoot() {
    var src = SCRIPT && SCRIPT.src;
    if (!src) {
      var scripts = document.getElementsByTagName("script");
      for (var i = 0; i < scripts.length; i++) {
        if (scripts[i].src && scripts[i].src.split(/[?#]/)[0].slice(-SCRIPT_SUFFIX.length) === SCRIPT_SUFFIX) {
          src = scripts[i].src;
          break;
        }
      }
    }
    if (!src) {
      return new URL("./", document.baseURI).href;
    }
    src = src.split(/[?#]/)[0];
    var at = src.lastIndexOf(SCRIPT_SUFFIX);
    return at >= 0 ? src.slice(0, at) : new URL("../../", src).href;
  }

  /* The page of a node: its Markdown path (entries/x/y.md) as the built site's URL, in the
     form the site was built with (search.js knows it). */
  function pageUrl(root, url) {
    return window.limkbSearch.pageUrl(url, root);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") {
        node.textContent = attrs[key];
      } else {
        node.setAttribute(key, attrs[key]);
      }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function kindLabel(kind) {
    return kind.replace(/-/g, " ");
  }

  function colours(kinds) {
    var map = {};
    var extra = 0;
    kinds.forEach(function (kind) {
      map[kind] = KIND_COLOURS[kind] || EXTRA_COLOURS[extra++ % EXTRA_COLOURS.length];
    });
    return map;
  }

  function sortedKinds(nodes) {
    var seen = {};
    nodes.forEach(function (n) { seen[n.kind] = (seen[n.kind] || 0) + 1; });
    var kinds = Object.keys(seen).sort(function (a, b) {
      var ia = KIND_ORDER.indexOf(a), ib = KIND_ORDER.indexOf(b);
      ia = ia < 0 ? KIND_ORDER.length : ia;
      ib = ib < 0 ? KIND_ORDER.length : ib;
      return ia - ib || (a < b ? -1 : a > b ? 1 : 0);
    });
    return {kinds: kinds, counts: seen};
  }

  function message(container, text) {
    container.textContent = "";
    container.appendChild(el("p", {"class": "limkb-graph-message", text: text}));
  }

  function elements(data, palette) {
    var ids = {};
    var degree = {};
    var nodes = [];
    var edges = [];
    (data.nodes || []).forEach(function (n) {
      if (!n || typeof n.id !== "string" || ids[n.id]) {
        return;
      }
      ids[n.id] = true;
      degree[n.id] = 0;
    });
    (data.edges || []).forEach(function (e, i) {
      if (!e || !ids[e.source] || !ids[e.target]) {
        return;
      }
      degree[e.source]++;
      degree[e.target]++;
      edges.push({group: "edges", data: {
        id: "e" + i, source: e.source, target: e.target, relation: String(e.relation || "")
      }});
    });
    var done = {};
    (data.nodes || []).forEach(function (n) {
      if (!n || typeof n.id !== "string" || done[n.id]) {
        return;
      }
      done[n.id] = true;
      var kind = String(n.kind || "entry");
      var node = {group: "nodes", classes: "kind-" + kind, data: {
        id: n.id,
        name: String(n.name || n.id),
        kind: kind,
        url: String(n.url || ""),
        colour: palette[kind],
        size: 14 + 6 * Math.sqrt(degree[n.id]),
        names: Array.isArray(n.names) ? n.names.map(String) : []
      }};
      if (typeof n.x === "number" && typeof n.y === "number") {
        node.position = {x: n.x, y: n.y};  /* laid out at build time (limkb.site.layout) */
        node.data.placed = true;
      }
      nodes.push(node);
    });
    return nodes.concat(edges);
  }

  function style(container) {
    var fg = getComputedStyle(container).color || "#222";
    return [
      {selector: "node", style: {
        "background-color": "data(colour)",
        "border-width": 1,
        "border-color": "#ffffff",
        "width": "data(size)",
        "height": "data(size)",
        "label": "data(name)",
        "font-size": 10,
        "color": fg,
        "text-valign": "bottom",
        "text-margin-y": 3,
        "text-wrap": "ellipsis",
        "text-max-width": 140,
        "min-zoomed-font-size": 7
      }},
      {selector: "edge", style: {
        "width": 1,
        "line-color": "#b0b0b0",
        "target-arrow-color": "#b0b0b0",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.6,
        "curve-style": "bezier",
        "opacity": 0.7,
        "font-size": 9,
        "color": fg,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 2
      }},
      {selector: "edge.hover", style: {
        "label": "data(relation)",
        "width": 2.5,
        "line-color": "#555555",
        "target-arrow-color": "#555555",
        "opacity": 1,
        "z-index": 20
      }},
      {selector: ".filtered", style: {"display": "none"}},
      {selector: ".faded", style: {"opacity": 0.15}},
      {selector: "node.match", style: {
        "border-width": 4,
        "border-color": "#ff1744",
        "font-weight": "bold",
        "min-zoomed-font-size": 0,
        "z-index": 30
      }},
      {selector: "node.hub", style: {
        "label": "data(name)",
        "font-size": 12,
        "font-weight": "bold",
        "min-zoomed-font-size": 0,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 2,
        "z-index": 25
      }},
      {selector: "node:selected", style: {
        "border-width": 4,
        "border-color": "#000000",
        "min-zoomed-font-size": 0,
        "z-index": 40
      }}
    ];
  }

  /* Deterministic placement: rings by kind (concentric), then a force-directed refinement that
     starts from those positions. cose adds random jitter only to nodes that share a position,
     and the rings never place two nodes on one spot, so the same data gives the same drawing. */
  /* Like cy.fit, from the nodes' positions and sizes only: measuring thousands of labels for the
     extent would cost more than drawing them. */
  function fitPositions(cy, nodes, padding) {
    var box = nodes.boundingBox({includeLabels: false, includeOverlays: false});
    var w = Math.max(cy.width() - 2 * padding, 1), h = Math.max(cy.height() - 2 * padding, 1);
    var zoom = Math.min(w / Math.max(box.w, 1), h / Math.max(box.h, 1));
    zoom = Math.max(cy.minZoom(), Math.min(cy.maxZoom(), zoom));
    cy.viewport({zoom: zoom, pan: {
      x: padding + (w - zoom * box.w) / 2 - zoom * box.x1,
      y: padding + (h - zoom * box.h) / 2 - zoom * box.y1
    }});
  }

  function runLayout(cy, kinds) {
    var visible = cy.elements().not(".filtered");
    if (visible.nodes().length && visible.nodes().every(function (n) { return n.data("placed"); })) {
      fitPositions(cy, visible.nodes(), 30);  /* positions came from the build: no simulation */
      return;
    }
    /* A fixed box, not the canvas size, so every window size gets the same drawing. */
    var side = Math.max(600, 40 * Math.sqrt(visible.nodes().length) * 4);
    var box = {x1: 0, y1: 0, w: side, h: side};
    var rank = {};
    kinds.forEach(function (kind, i) { rank[kind] = kinds.length - i; });
    visible.layout({
      name: "concentric",
      boundingBox: box,
      concentric: function (node) { return rank[node.data("kind")] || 0; },
      levelWidth: function () { return 1; },
      sort: function (a, b) { return a.id() < b.id() ? -1 : a.id() > b.id() ? 1 : 0; },
      minNodeSpacing: 12,
      animate: false,
      fit: false
    }).run();
    if (visible.nodes().length <= COSE_LIMIT) {
      visible.layout({
        name: "cose",
        randomize: false,
        boundingBox: box,
        animate: false,
        fit: false,
        nodeRepulsion: function () { return 8000; },
        idealEdgeLength: function () { return 60; },
        gravity: 0.6,
        numIter: 600,
        componentSpacing: 60
      }).run();
    }
    cy.fit(visible.nodes(), 30);
  }

  function build(container, data, cytoscape) {
    var found = sortedKinds(data.nodes || []);
    var kinds = found.kinds;
    var palette = colours(kinds);
    var root = siteRoot();

    container.textContent = "";
    container.classList.add("limkb-graph-ready");

    var search = el("input", {
      "type": "search", "class": "limkb-graph-search", "placeholder": "Find an entry…",
      "aria-label": "Find an entry in the graph", "autocomplete": "off"
    });
    var status = el("span", {"class": "limkb-graph-status", "aria-live": "polite"});
    var legend = el("fieldset", {"class": "limkb-graph-legend"}, [el("legend", {text: "Kinds"})]);
    var boxes = {};
    kinds.forEach(function (kind) {
      var box = el("input", {"type": "checkbox", "value": kind, "data-kind": kind});
      /* References start hidden: each is a leaf of the review, and together they fill half the canvas. */
      box.checked = HIDDEN_AT_START.indexOf(kind) < 0;
      boxes[kind] = box;
      var swatch = el("span", {"class": "limkb-swatch", "aria-hidden": "true"});
      swatch.style.backgroundColor = palette[kind];
      legend.appendChild(el("label", {"class": "limkb-graph-kind"}, [
        box, swatch, document.createTextNode(" " + kindLabel(kind) + " "),
        el("span", {"class": "limkb-graph-count", text: "(" + found.counts[kind] + ")"})
      ]));
    });
    var reset = el("button", {"type": "button", "class": "limkb-graph-reset", text: "Show all"});
    var toolbar = el("div", {"class": "limkb-graph-toolbar"}, [search, reset, status]);
    var canvas = el("div", {"class": "limkb-graph-canvas"});
    var info = el("div", {"class": "limkb-graph-info", "aria-live": "polite"});
    info.appendChild(el("p", {"class": "limkb-graph-hint",
      text: "Click a node to see what it is; hover an edge for its relation."}));
    container.appendChild(toolbar);
    container.appendChild(legend);
    container.appendChild(canvas);
    container.appendChild(info);

    var large = (data.nodes || []).length > LARGE;
    var styles = style(container);
    if (large) {
      /* straight edges without arrows draw several times faster; the panel names each relation */
      styles.push({selector: "edge", style: {"curve-style": "haystack", "target-arrow-shape": "none"}});
      /* names only on the entries found or clicked: measuring thousands of labels is most of the cost */
      styles.splice(1, 0, {selector: "node", style: {"label": ""}});
      styles.push({selector: "node.match, node:selected", style: {"label": "data(name)"}});
    }
    /* Kinds hidden at start join the drawing when their box is first ticked: a large KB's
       thousands of references cost nothing until a reader asks for them. */
    var all = elements(data, palette);
    var kindOf = {};
    all.forEach(function (e) {
      if (e.group === "nodes") {
        kindOf[e.data.id] = e.data.kind;
      }
    });
    function shownAtStart(e) {
      if (e.group === "nodes") {
        return HIDDEN_AT_START.indexOf(e.data.kind) < 0;
      }
      return HIDDEN_AT_START.indexOf(kindOf[e.data.source]) < 0 && HIDDEN_AT_START.indexOf(kindOf[e.data.target]) < 0;
    }
    var pending = all.filter(function (e) { return !shownAtStart(e); });
    var cy = cytoscape({
      container: canvas,
      elements: all.filter(shownAtStart),
      style: styles,
      layout: {name: "preset"},
      hideEdgesOnViewport: large,
      textureOnViewport: large,
      pixelRatio: large ? 1 : "auto",
      minZoom: 0.05,
      maxZoom: 4,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
      selectionType: "single"
    });
    applyKinds();
    runLayout(cy, kinds);
    openOnHubs();

    /* The most connected entries labelled, and the view on the first and its neighbours. */
    function openOnHubs() {
      var shown = cy.nodes().not(".filtered");
      var hubs = shown.sort(function (a, b) {
        return b.degree(false) - a.degree(false) || (a.id() < b.id() ? -1 : 1);
      }).slice(0, HUBS);
      hubs.addClass("hub");
      if (!hubs.length) {
        return;
      }
      var first = hubs[0];
      var around = first.closedNeighborhood();
      cy.elements().not(around).addClass("faded");  /* the neighbourhood stands out; the rest stays as context */
      fitPositions(cy, around.nodes().not(".filtered"), 30);
      status.textContent = "Showing " + first.data("name") + " and its neighbours; the " +
        hubs.length + " most connected entries are named. Show all fits the whole graph.";
    }

    function showNode(node) {
      info.textContent = "";
      var swatch = el("span", {"class": "limkb-swatch", "aria-hidden": "true"});
      swatch.style.backgroundColor = node.data("colour");
      var link = el("a", {"class": "limkb-graph-link", "href": pageUrl(root, node.data("url")),
                          text: "Open page"});
      var degree = node.connectedEdges().not(".filtered").length;
      info.appendChild(el("p", {}, [
        swatch, document.createTextNode(" "),
        el("strong", {"class": "limkb-graph-name", text: node.data("name")}),
        document.createTextNode(" "),
        el("span", {"class": "limkb-badge limkb-graph-kind-name", text: kindLabel(node.data("kind"))}),
        document.createTextNode(" · " + degree + (degree === 1 ? " relation · " : " relations · ")),
        link
      ]));
    }

    function applySearch(centre) {
      var query = search.value.trim();
      cy.batch(function () {
        cy.elements().removeClass("match faded");
      });
      if (!query) {
        status.textContent = "";
        return cy.collection();
      }
      /* the header search's ranking: exact names and formulas first (limkb/site/assets/search.js) */
      var items = cy.nodes().not(".filtered").map(function (node) {
        return {node: node, title: node.data("name"), kind: node.data("kind"),
                names: node.data("names").concat([node.id()])};
      });
      var ranked = window.limkbSearch.rank(query, items, KIND_WORDS).filter(function (hit) { return hit.tier < 4; });
      var matches = cy.collection(ranked.map(function (hit) { return hit.item.node; }));
      cy.batch(function () {
        if (matches.length) {
          cy.elements().not(matches).not(matches.connectedEdges()).addClass("faded");
          matches.addClass("match");
        }
      });
      status.textContent = matches.length === 1 ? "1 match" : matches.length + " matches";
      if (centre && matches.length) {
        cy.animate({fit: {eles: matches.closedNeighborhood(), padding: 60}}, {duration: 250});
      }
      return matches;
    }

    /* Add the waiting nodes of the ticked kinds, and every waiting edge whose two ends are drawn. */
    function addPending() {
      if (!pending.length) {
        return;
      }
      function wanted(e) { return boxes[e.data.kind] && boxes[e.data.kind].checked; }
      var present = {};
      cy.nodes().forEach(function (n) { present[n.id()] = true; });
      var add = [], rest = [];
      pending.forEach(function (e) {
        if (e.group === "nodes" && wanted(e)) {
          add.push(e);
          present[e.data.id] = true;
        }
      });
      pending.forEach(function (e) {
        if (e.group === "nodes") {
          if (!wanted(e)) {
            rest.push(e);
          }
        } else if (present[e.data.source] && present[e.data.target]) {
          add.push(e);
        } else {
          rest.push(e);
        }
      });
      pending = rest;
      if (add.length) {
        cy.add(add);
      }
    }

    function applyKinds() {
      addPending();
      cy.batch(function () {
        kinds.forEach(function (kind) {
          var nodes = cy.nodes('[kind = "' + kind.replace(/["\\]/g, "") + '"]');
          if (boxes[kind].checked) {
            nodes.removeClass("filtered");
          } else {
            nodes.removeClass("match").addClass("filtered").unselect();
          }
        });
      });
      applySearch(false);
    }

    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { applySearch(true); }, 150);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        clearTimeout(timer);
        var matches = applySearch(true);
        if (matches.length) {
          cy.nodes().unselect();
          matches[0].select();
          showNode(matches[0]);
        }
      }
    });
    Object.keys(boxes).forEach(function (kind) {
      boxes[kind].addEventListener("change", applyKinds);
    });
    reset.addEventListener("click", function () {
      cy.elements().removeClass("faded");
      fitPositions(cy, cy.nodes().not(".filtered"), 30);
    });
    cy.on("tap", "node", function (event) { showNode(event.target); });
    cy.on("dbltap", "node", function (event) {
      window.location.href = pageUrl(root, event.target.data("url"));
    });
    cy.on("mouseover", "edge", function (event) {
      var edge = event.target;
      edge.addClass("hover");
      canvas.title = edge.source().data("name") + " — " + edge.data("relation") + " → " +
                     edge.target().data("name");
    });
    cy.on("mouseout", "edge", function (event) {
      event.target.removeClass("hover");
      canvas.title = "";
    });
    cy.on("mouseover", "node", function (event) {
      canvas.style.cursor = "pointer";
      if (large) {
        canvas.title = event.target.data("name");  /* names are not drawn on large graphs */
      }
    });
    cy.on("mouseout", "node", function () {
      canvas.style.cursor = "";
      if (large) {
        canvas.title = "";
      }
    });

    return {cy: cy, search: applySearch, filter: applyKinds, root: root, total: all.length,
            waiting: function () { return pending.length; }, pageUrl: function (url) {
      return pageUrl(root, url);
    }};
  }

  function start() {
    var container = document.getElementById("limkb-graph");
    if (!container || container.getAttribute("data-limkb-ready") === "1") {
      return;
    }
    container.setAttribute("data-limkb-ready", "1");
    var data = window.LIMKB_GRAPH;
    if (typeof window.cytoscape !== "function") {
      message(container, "The graph explorer could not start: its drawing library is missing.");
      return;
    }
    if (!window.limkbSearch) {
      message(container, "The graph explorer could not start: the site's search script is missing.");
      return;
    }
    if (!data || !Array.isArray(data.nodes)) {
      message(container, "The graph explorer could not start: the graph data is missing.");
      return;
    }
    KIND_COLOURS = data.colours || {};
    KIND_ORDER = data.order || [];
    KIND_WORDS = data.words || {};
    if (!data.nodes.length) {
      message(container, "The knowledge base has no entries yet.");
      return;
    }
    window.limkbExplorer = build(container, data, window.cytoscape);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  /* Material for MkDocs' instant navigation swaps pages without reloading scripts. */
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);
  }
})();
