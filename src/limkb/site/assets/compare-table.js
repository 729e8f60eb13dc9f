/*
 * limkb comparison tables (compare/<family>.html): one quantity's values across strategies.
 * Loaded by compare.js (on every page, small) only on a page that holds a comparison table.
 *
 * The page holds <div id="limkb-compare" data-script="URL">; the script at URL (added by this
 * one, so it works from file:// too) sets window.LIMKB_COMPARE = {strings, entries (label, id,
 * family, more words: aliases and "made by ...", url or its pattern), family_ids, urls, sources,
 * groups, components, families, count, columns, packs}: per column an array, {all: v} when every
 * row holds v, {runs: [v, n, ...]}, or places among its values written as characters alone or
 * packed with other columns (see limkb/site/comparison_pages.py). From it this draws:
 * - facets (strategy family, cell, protocol, electrolyte component, strategy) and a text filter;
 * - the table, sortable by any column (values by their number in the family's unit; a value in
 *   a unit that does not convert sorts last), drawn PAGE rows at a time;
 * - the filter and sort kept in the address's query (?cell=Li%7C%7CCu&sort=value-desc), restored
 *   on load, so a view can be linked and reloaded (strategy pages link theirs);
 * - "Download CSV": the filtered rows, in the order shown, as a CSV file made in the browser.
 */
(function () {
  "use strict";

  var PAGE = 200;
  var FACETS = [
    ["family", "Strategy family"],
    ["cell", "Cell"],
    ["protocol", "Protocol"],
    ["component", "Electrolyte component"],
    ["strategy", "Strategy"]
  ];
  var collator = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function fold(text) {
    return String(text || "").normalize("NFKC").toLowerCase();
  }

  /* A column written as characters (see _column and DIGITS in limkb/site/comparison_pages.py):
     each row's place among the column's distinct values, in width characters from 35 to 126
     but the backslash. */
  function digitsOf(text, width) {
    function digit(code) {
      return code - 35 - (code > 92 ? 1 : 0);
    }
    return function (i) {
      if (width === 1) {
        return digit(text.charCodeAt(i));
      }
      var n = 0;
      for (var k = width * i; k < width * (i + 1); k++) {
        n = n * 91 + digit(text.charCodeAt(k));
      }
      return n;
    };
  }

  /* A column's distinct numbers written as steps (see _steps): base-36 whole numbers, each the
     step from the one before, of the numbers times 10^decimals; a null first when "null". */
  function stepValues(column) {
    var values = column.null ? [null] : [], whole = 0, scale = Math.pow(10, column.decimals);
    column.steps.split(",").forEach(function (step) {
      whole += parseInt(step, 36);
      values.push(whole / scale);
    });
    return values;
  }

  /* Each pack's rows' places, column by column (see _pack): a row's number, read in width
     characters, holds the place in the first column as its lowest mixed-radix digit. */
  function unpack(data) {
    var places = {};
    (data.packs || []).forEach(function (pack) {
      var read = digitsOf(pack.digits, pack.width), radices = pack.names.map(function (name) {
        places[name] = new Int32Array(data.count);
        return data.columns[name].values.length;
      });
      for (var i = 0; i < data.count; i++) {
        var n = read(i);
        for (var c = 0; c < radices.length; c++) {
          var place = n % radices[c];
          places[pack.names[c]][i] = place;
          n = (n - place) / radices[c];
        }
      }
    });
    return places;
  }

  /* A column written as runs ([v, n, v, n, ...]) as one value per row. */
  function unrun(runs) {
    var values = [];
    for (var r = 0; r < runs.length; r += 2) {
      for (var n = 0; n < runs[r + 1]; n++) {
        values.push(runs[r]);
      }
    }
    return values;
  }

  /* The entries as [label, url, id, family, more words]: the data writes each as [label, id,
     family's place in family_ids, more words, url or the place of its pattern in urls]. */
  function entriesOf(data) {
    return data.entries.map(function (e) {
      var url = typeof e[4] === "number" ? data.urls[e[4]].split("{id}").join(e[1]) : e[4];
      return [e[0], url, e[1], e[2] >= 0 ? data.family_ids[e[2]] : "", e[3]];
    });
  }

  /* Every row as an object the table, the facets and the CSV read. */
  function expand(data) {
    var s = data.strings, columns = data.columns, suffix = data.unit && data.unit !== "1" ? " " + data.unit : "";
    Object.keys(columns).forEach(function (name) {
      if (columns[name] && columns[name].steps !== undefined && !columns[name].values) {
        columns[name].values = stepValues(columns[name]);
      }
    });
    var packed = unpack(data);
    if (!data.entriesRead) {  /* once, should the same data be drawn again */
      data.entries = entriesOf(data);
      data.entriesRead = true;
    }
    function column(name) {
      var found = columns[name], values;
      if (found && found.pack !== undefined) {
        var places = packed[name];
        values = found.values;
        return function (i) { return values[places[i]]; };
      }
      if (found && found.digits !== undefined) {
        var place = digitsOf(found.digits, found.width);
        values = found.values;
        return function (i) { return values[place(i)]; };
      }
      if (found && found.runs !== undefined) {
        values = unrun(found.runs);
        return function (i) { return values[i]; };
      }
      if (found && !Array.isArray(found)) {
        return function () { return found.all; };
      }
      return function (i) { return found[i]; };
    }
    var strategiesOf = column("strategies"), componentsOf = column("components"), valueOf = column("value");
    var numberOf = column("number"), entryOf = column("entry"), sourceOf = column("source");
    var topicOf = columns.topic ? column("topic") : function () { return 0; };
    var texts = {};
    ["electrolyte", "cell", "protocol", "current_density", "areal_capacity", "record", "what", "note"]
      .forEach(function (name) { var get = column(name); texts[name] = function (i) { return s[get(i)]; }; });
    var rows = [];
    for (var index = 0; index < data.count; index++) {
      var group = strategiesOf(index);  /* -2: the strategy the row is recorded in, alone */
      var strategies = group === -2 ? [data.entries[entryOf(index)]]
        : data.groups[group].map(function (i) { return data.entries[i]; });
      var components = data.groups[componentsOf(index)].map(function (i) { return s[i]; });
      var number = numberOf(index), value = valueOf(index);
      var source = sourceOf(index) >= 0 ? data.sources[sourceOf(index)] : null;
      var entry = data.entries[entryOf(index)];
      var row = {
        index: index,
        strategies: strategies,
        topic: topicOf(index) === 1,
        electrolyte: texts.electrolyte(index), cell: texts.cell(index) || "", protocol: texts.protocol(index),
        current: texts.current_density(index), capacity: texts.areal_capacity(index),
        value: value < 0 ? String(number) + suffix : s[value], number: number, entry: entry,
        record: texts.record(index), source: source, components: components, what: texts.what(index),
        note: texts.note(index),
        family: strategies.length ? strategies.map(function (e) { return e[3] || "none"; }) : ["none"],
        strategy: strategies.length ? strategies.map(function (e) { return e[2]; }) : ["none"],
        component: components
      };
      row.words = [
        strategies.map(function (e) { return e[0] + " " + (e[4] || ""); }).join(" "), row.electrolyte, row.cell,
        row.protocol, row.current, row.capacity, row.value, entry ? entry[0] : "", row.record,
        source ? source[0] + " " + source[2] : "", row.what, row.note,
        components.map(function (c) { return data.components[c] || c; }).join(" ")
      ];
      rows.push(row);
    }
    return rows;
  }

  function facetValues(row, facet) {
    if (facet === "cell" || facet === "protocol") {
      return [row[facet] || "none"];
    }
    return row[facet].length ? row[facet] : ["none"];
  }

  function facetLabel(data, facet, value) {
    if (value === "none") {
      return {family: "no strategy named", cell: "not stated", protocol: "not stated",
              component: "not stated", strategy: "no strategy named"}[facet];
    }
    if (facet === "family") {
      return data.families[value] || value;
    }
    if (facet === "component") {
      return data.components[value] || value;
    }
    if (facet === "strategy") {
      var found = data.entries.filter(function (e) { return e[2] === value; })[0];
      return found ? found[0] : value;
    }
    return value;
  }

  /* The state in the address's query: facet=value pairs, q=words, sort=key-asc|key-desc (a
     hash in the same form is read too). */
  function readState() {
    var state = {};
    [window.location.search, window.location.hash].forEach(function (part) {
      new URLSearchParams(part.replace(/^[?#]/, "")).forEach(function (value, key) { state[key] = value; });
    });
    return state;
  }

  function writeState(state) {
    var params = new URLSearchParams();
    Object.keys(state).sort().forEach(function (key) {
      if (state[key]) {
        params.set(key, state[key]);
      }
    });
    var text = params.toString();
    var url = window.location.pathname + (text ? "?" + text : "");
    try {
      window.history.replaceState(null, "", url);
    } catch (error) {
      /* an address the browser will not rewrite (some file:// setups): the view still works */
    }
  }

  function sortKey(row, key) {
    switch (key) {
      case "strategy": return row.strategies.map(function (e) { return e[0]; }).join(", ");
      case "entry": return (row.entry ? row.entry[0] : "") + " " + row.record;
      case "source": return row.source ? row.source[0] + " " + row.source[2] : "";
      default: return row[key] || "";
    }
  }

  function sorter(key, direction) {
    return function (a, b) {
      if (key === "value") {
        var na = a.number, nb = b.number;
        if (na === null || nb === null) {
          return (na === null) - (nb === null) || a.index - b.index;
        }
        return (na - nb) * direction || a.index - b.index;
      }
      var ka = sortKey(a, key), kb = sortKey(b, key);
      if (!ka || !kb) {
        return (!ka) - (!kb) || a.index - b.index;
      }
      return collator.compare(ka, kb) * direction || a.index - b.index;
    };
  }

  function link(item, cls) {
    if (!item) {
      return document.createTextNode("");
    }
    if (!item[1]) {
      return document.createTextNode(item[0]);
    }
    return el("a", {href: item[1], "class": cls || "limkb-link"}, item[0]);
  }

  /* A condition as recorded, or "not stated" (greyed) where the source read gives none. */
  function stated(text, cls) {
    var td = el("td", cls ? {"class": cls} : {});
    if (text) {
      td.textContent = text;
    } else {
      td.appendChild(el("span", {"class": "limkb-compare-unstated"}, "not stated"));
    }
    return td;
  }

  function drawRow(row) {
    var tr = el("tr");
    var strategy = el("td");
    row.strategies.forEach(function (e, i) {
      if (i) {
        strategy.appendChild(document.createTextNode(", "));
      }
      strategy.appendChild(link(e, "limkb-link limkb-kind-strategy"));
    });
    if (row.topic) {
      strategy.appendChild(el("span", {"class": "limkb-compare-note", title: "The record names no strategy: this is what its dataset is about."}, "dataset topic"));
    }
    tr.appendChild(strategy);
    var value = el("td", {"class": "limkb-number limkb-compare-value"}, row.value);
    if (row.note) {
      value.appendChild(el("span", {"class": "limkb-compare-note"}, row.note));
    }
    tr.appendChild(value);
    tr.appendChild(stated(row.electrolyte, ""));
    tr.appendChild(stated(row.cell, ""));
    tr.appendChild(stated(row.protocol, ""));
    tr.appendChild(stated(row.current, "limkb-number"));
    tr.appendChild(stated(row.capacity, "limkb-number"));
    var entry = el("td");
    entry.appendChild(link(row.entry));
    if (row.record) {
      entry.appendChild(el("span", {"class": "limkb-compare-note"}, row.record));
    } else if (row.what) {
      entry.appendChild(el("span", {"class": "limkb-compare-note"}, row.what));
    }
    tr.appendChild(entry);
    var source = el("td");
    if (row.source) {
      source.appendChild(link(row.source, "limkb-source-link"));
      if (row.source[2]) {
        source.appendChild(document.createTextNode(", " + row.source[2]));
      }
    }
    tr.appendChild(source);
    return tr;
  }

  function csvCell(text) {
    text = String(text === null || text === undefined ? "" : text);
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  var HEADER = ["strategy", "electrolyte", "cell", "protocol", "current density", "areal capacity",
                "value", "value in family unit", "family unit", "what", "recorded in", "record",
                "source", "locator", "doi", "note"];

  function csvText(rows, data) {
    var lines = [HEADER.join(",")];
    rows.forEach(function (row) {
      var number = row.number === null ? "" : String(Number(row.number.toPrecision(6)));
      lines.push([
        row.strategies.map(function (e) { return e[0]; }).join("; ") + (row.topic ? " (dataset topic)" : ""),
        row.electrolyte, row.cell,
        row.protocol, row.current, row.capacity, row.value, number, number ? data.unit : "",
        row.what, row.entry ? row.entry[0] : "", row.record, row.source ? row.source[0] : "",
        row.source ? row.source[2] : "", row.source ? row.source[3] : "", row.note
      ].map(csvCell).join(","));
    });
    return lines.join("\n") + "\n";
  }

  function start(root, data) {
    var rows = expand(data);
    var form = root.querySelector(".limkb-compare-facets");
    var table = root.querySelector("table");
    var body = table.tBodies[0];
    var shownText = root.querySelector(".limkb-compare-shown");
    var csvLink = root.querySelector(".limkb-compare-csv");
    var more = root.querySelector(".limkb-compare-more");
    var moreButton = root.querySelector(".limkb-compare-more-button");
    var state = readState();
    var current = [], limit = PAGE;
    form.textContent = "";
    var controls = {};
    FACETS.forEach(function (pair) {
      var facet = pair[0], counts = {};
      rows.forEach(function (row) {
        facetValues(row, facet).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      var values = Object.keys(counts);
      if (values.length < 2 && !state[facet]) {
        return;
      }
      values.sort(function (a, b) {
        return (a === "none") - (b === "none") ||
          collator.compare(facetLabel(data, facet, a), facetLabel(data, facet, b));
      });
      var id = "limkb-compare-" + facet;
      var label = el("label", {"for": id, "class": "limkb-compare-facet"}, pair[1] + " ");
      var select = el("select", {id: id, name: facet});
      select.appendChild(el("option", {value: ""}, "all (" + rows.length + ")"));
      values.forEach(function (v) {
        select.appendChild(el("option", {value: v}, facetLabel(data, facet, v) + " (" + counts[v] + ")"));
      });
      if (state[facet] && values.indexOf(state[facet]) < 0) {
        select.appendChild(el("option", {value: state[facet]}, facetLabel(data, facet, state[facet]) + " (0)"));
      }
      select.value = state[facet] || "";
      select.addEventListener("change", function () { state[facet] = select.value; apply(true); });
      label.appendChild(select);
      form.appendChild(label);
      controls[facet] = select;
    });
    var qLabel = el("label", {"for": "limkb-compare-q", "class": "limkb-compare-facet"}, "Words ");
    var q = el("input", {id: "limkb-compare-q", type: "search", name: "q", placeholder: "e.g. FEC, DME, 0.5"});
    q.value = state.q || "";
    q.addEventListener("input", function () { state.q = q.value; apply(true); });
    qLabel.appendChild(q);
    form.appendChild(qLabel);
    var clear = el("button", {type: "button", "class": "limkb-compare-clear"}, "Clear filters");
    clear.addEventListener("click", function () {
      state = {sort: state.sort};
      Object.keys(controls).forEach(function (f) { controls[f].value = ""; });
      q.value = "";
      apply(true);
    });
    form.appendChild(clear);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    /* on a phone the filters start folded unless the address asks for one (the table then
       shows first); the summary above the table says how many rows are shown */
    var details = root.querySelector("details.limkb-compare-filters");
    var asked = FACETS.some(function (pair) { return state[pair[0]]; }) || state.q;
    if (details && !asked && window.matchMedia && window.matchMedia("(max-width: 600px)").matches) {
      details.open = false;
    }

    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (th) {
      var key = th.getAttribute("data-key");
      var button = el("button", {type: "button", "class": "limkb-compare-sort"}, th.textContent);
      th.textContent = "";
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var now = (state.sort || "").split("-");
        var direction = now[0] === key && now[1] === "asc" ? "desc" : "asc";
        state.sort = key + "-" + direction;
        apply(true);
      });
    });

    function matches(row, words) {
      for (var f = 0; f < FACETS.length; f++) {
        var facet = FACETS[f][0];
        if (state[facet] && facetValues(row, facet).indexOf(state[facet]) < 0) {
          return false;
        }
      }
      if (words.length && row.text === undefined) {
        row.text = fold(row.words.join(" "));  /* folded on the first filter by words only */
      }
      for (var w = 0; w < words.length; w++) {
        if (row.text.indexOf(words[w]) < 0) {
          return false;
        }
      }
      return true;
    }

    function draw() {
      var fragment = document.createDocumentFragment();
      current.slice(0, limit).forEach(function (row) { fragment.appendChild(drawRow(row)); });
      body.textContent = "";
      body.appendChild(fragment);
      var drawn = Math.min(limit, current.length);
      more.hidden = drawn >= current.length;
      shownText.textContent = current.length + " of " + rows.length + " values" +
        (drawn < current.length ? " (the first " + drawn + " drawn)" : "");
      csvLink.textContent = "Download CSV (" + current.length + " rows)";
    }

    function apply(write) {
      var words = fold(state.q).split(/\s+/).filter(Boolean);
      current = rows.filter(function (row) { return matches(row, words); });
      var sort = (state.sort || "").split("-");
      if (sort[0]) {
        current.sort(sorter(sort[0], sort[1] === "desc" ? -1 : 1));
      }
      headers.forEach(function (th) {
        var key = th.getAttribute("data-key");
        th.setAttribute("aria-sort", key === sort[0] ? (sort[1] === "desc" ? "descending" : "ascending") : "none");
      });
      limit = PAGE;
      draw();
      if (write) {
        writeState(state);
      }
      root.setAttribute("data-ready", "1");
    }

    moreButton.addEventListener("click", function () { limit += PAGE; draw(); });
    csvLink.addEventListener("click", function (event) {
      event.preventDefault();
      var blob = new Blob([csvText(current, data)], {type: "text/csv;charset=utf-8"});
      var url = URL.createObjectURL(blob);
      var a = el("a", {href: url, download: data.family + "-filtered.csv"});
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    });
    window.addEventListener("popstate", function () {
      state = readState();
      Object.keys(controls).forEach(function (f) { controls[f].value = state[f] || ""; });
      q.value = state.q || "";
      apply(false);
    });
    apply(false);
  }

  /* The data script (a script, not fetched JSON, so it loads from file:// too) is added as soon
     as the page's table is there: this script runs at the end of the body, before
     DOMContentLoaded. Its URL is written for the built site (data-script is not rewritten). */
  function load() {
    var root = document.getElementById("limkb-compare");
    if (!root || root.getAttribute("data-started") === "1") {
      return;
    }
    root.setAttribute("data-started", "1");
    var script = document.createElement("script");
    script.src = root.getAttribute("data-script");
    script.onload = function () {
      if (window.LIMKB_COMPARE) {
        mark("limkb-compare-data");
        start(root, window.LIMKB_COMPARE);
        mark("limkb-compare-ready");
      }
    };
    script.onerror = function () {
      root.querySelector(".limkb-compare-facets").textContent = "The values could not be loaded; use the CSV.";
    };
    document.head.appendChild(script);
  }

  function mark(name) {
    if (window.performance && performance.mark) {
      performance.mark(name);
    }
  }

  if (document.readyState === "loading" && !document.getElementById("limkb-compare")) {
    document.addEventListener("DOMContentLoaded", load);
  } else {
    load();
  }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(load);
  }
})();
