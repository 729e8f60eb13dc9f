/*
 * limkb tables: sorting and filtering without a server.
 *
 * - Every <table class="limkb-sortable"> sorts its first <tbody> by a column when that column's
 *   header is clicked (or activated with Enter/Space); a second click reverses the order. Cells
 *   are compared as numbers when both parse as numbers ("−1.5", "1,200", "92 %"), otherwise as
 *   text with natural ordering of digits ("Li2O" before "Li10..."). A cell's data-sort attribute,
 *   when present, is used instead of its text. Empty cells go last in both directions.
 * - Every <input class="limkb-filter" data-table="TABLE_ID"> hides the rows of that table whose
 *   text does not contain all the words typed; when TABLE_ID names an element other than a table
 *   (the bibliography's letters), the rows of every table in it, and each table left empty
 *   with its letter's heading (case-insensitive, Unicode subscripts folded);
 *   a row's data-terms attribute (short names and aliases of what it shows) counts as its text.
 *   The first filter of a page starts with the page URL's ?q= value, so a link can open a
 *   table already filtered (browse/questions.html?q=XPS).
 *   An element with data-count-for="TABLE_ID", if present, shows "N of M rows".
 *   A table's summary row (<tr data-summary-of="TABLE_ID"> in its tfoot) counts, in each cell
 *   with data-summary-column="I", the shown rows whose cell I is marked known (class
 *   limkb-cell-known): the coverage matrix's "Strategies covered" follows the filter. A table
 *   with data-list="LIST_ID" hides the items of that list (data-filter-row="N") along with its
 *   rows (data-row="N"): the coverage matrix's list view on phones.
 * Pages without such tables or inputs are left untouched.
 */
(function () {
  "use strict";

  var collator = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});

  function fold(text) {
    return String(text || "").normalize("NFKC").toLowerCase();
  }

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) {
      return "";
    }
    var explicit = cell.getAttribute("data-sort");
    return (explicit !== null ? explicit : cell.textContent).trim();
  }

  /* A number when the whole cell is one (units and percent signs after it allowed), else null. */
  function asNumber(text) {
    var cleaned = text.replace(/\u2212/g, "-").replace(/(\d),(?=\d{3}\b)/g, "$1");
    var match = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:\s*[%a-zA-Zµ°/·\u00b2\u00b3]*)?$/.exec(cleaned);
    return match ? parseFloat(match[1]) : null;
  }

  function compare(a, b) {
    var na = asNumber(a), nb = asNumber(b);
    if (na !== null && nb !== null) {
      return na - nb;
    }
    if (na !== null) {
      return -1;
    }
    if (nb !== null) {
      return 1;
    }
    return collator.compare(a, b);
  }

  function headerCells(table) {
    var head = table.tHead;
    var row = head && head.rows.length ? head.rows[head.rows.length - 1] : null;
    if (!row && table.rows.length && table.rows[0].querySelector("th")) {
      row = table.rows[0];
    }
    return row ? Array.prototype.slice.call(row.cells) : [];
  }

  function sortBy(table, headers, index, direction) {
    var body = table.tBodies[0];
    if (!body) {
      return;
    }
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row, position) {
      return {row: row, key: cellValue(row, index), position: position};
    });
    keyed.sort(function (x, y) {
      var empty = (x.key === "") - (y.key === "");
      if (empty) {
        return empty;
      }
      var order = compare(x.key, y.key) * direction;
      return order || x.position - y.position;
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (item) { fragment.appendChild(item.row); });
    body.appendChild(fragment);
    headers.forEach(function (th, i) {
      th.setAttribute("aria-sort", i === index ? (direction > 0 ? "ascending" : "descending") : "none");
    });
  }

  function makeSortable(table) {
    if (table.getAttribute("data-limkb-sortable") === "1") {
      return;
    }
    table.setAttribute("data-limkb-sortable", "1");
    var headers = headerCells(table);
    headers.forEach(function (th, index) {
      if (th.hasAttribute("data-nosort")) {
        return;
      }
      th.setAttribute("aria-sort", "none");
      th.setAttribute("tabindex", "0");
      th.setAttribute("role", "columnheader");
      th.classList.add("limkb-sort-header");
      th.title = "Sort by this column";
      function activate(event) {
        if (event && event.target && event.target.closest && event.target.closest("a")) {
          return;  /* a link in a header (a column's property) opens its page */
        }
        var direction = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        sortBy(table, headers, index, direction);
      }
      th.addEventListener("click", activate);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          activate();
        }
      });
    });
  }

  function connectFilter(input) {
    if (input.getAttribute("data-limkb-filter") === "1") {
      return;
    }
    var id = input.getAttribute("data-table");
    var target = id ? document.getElementById(id) : null;
    var tables = !target ? [] : target.tagName === "TABLE" ? [target] : Array.prototype.slice.call(target.querySelectorAll("table"));
    tables = tables.filter(function (table) { return table.tBodies.length; });
    if (!tables.length) {
      return;
    }
    input.setAttribute("data-limkb-filter", "1");
    var counter = document.querySelector('[data-count-for="' + id.replace(/["\\]/g, "") + '"]');
    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0, total = 0;
      tables.forEach(function (table) {
        var before = shown;
        Array.prototype.forEach.call(table.tBodies, function (body) {
          Array.prototype.forEach.call(body.rows, function (row) {
            total++;
            var text = fold(row.textContent + " " + (row.getAttribute("data-terms") || ""));
            var keep = words.every(function (word) { return text.indexOf(word) >= 0; });
            row.hidden = !keep;
            if (keep) {
              shown++;
            }
          });
        });
        if (tables.length > 1) {
          table.hidden = shown === before;  /* a section's table with no row left */
        }
        followFilter(table);
      });
      if (tables.length > 1) {
        followHeadings(target);
      }
      if (counter) {
        counter.textContent = words.length ? shown + " of " + total + " rows" : total + " rows";
      }
    }
    input.addEventListener("input", apply);
    var asked = new URLSearchParams(window.location.search).get("q");
    if (asked && !input.value && document.querySelectorAll("input.limkb-filter[data-table]")[0] === input) {
      input.value = asked;  /* browse/questions.html?q=XPS opens the table filtered */
    }
    if (input.value || counter) {
      apply();
    }
  }

  /* A letter's heading (h2) or a part's (h3) hides when no table under it shows a row. */
  function followHeadings(target) {
    Array.prototype.forEach.call(target.querySelectorAll("h2, h3"), function (head) {
      var shown = false;
      var node = head.nextElementSibling;
      while (node && node.tagName !== "H2" && !(head.tagName === "H3" && node.tagName === "H3")) {
        var table = node.tagName === "TABLE" ? node : node.querySelector("table");
        if (table && !table.hidden) {
          shown = true;
          break;
        }
        node = node.nextElementSibling;
      }
      head.hidden = !shown;
    });
  }

  /* The summary row and the list view of a filtered table follow the rows shown. */
  function followFilter(table) {
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var list = table.getAttribute("data-list") ? document.getElementById(table.getAttribute("data-list")) : null;
    if (list) {
      rows.forEach(function (row) {
        var item = list.querySelector('[data-filter-row="' + row.getAttribute("data-row") + '"]');
        if (item) {
          item.hidden = row.hidden;
        }
      });
    }
    Array.prototype.forEach.call(table.querySelectorAll("tfoot tr[data-summary-of]"), function (summary) {
      Array.prototype.forEach.call(summary.querySelectorAll("[data-summary-column]"), function (cell) {
        var index = parseInt(cell.getAttribute("data-summary-column"), 10);
        cell.textContent = String(rows.filter(function (row) {
          var found = row.cells[index];
          return !row.hidden && found && found.classList.contains("limkb-cell-known");
        }).length);
      });
    });
    followGaps(table);
  }

  /* The descriptors known for none of the rows shown (the coverage matrix's gaps, read on a
     phone too, where the matrix gives way to a list): the columns whose summary is 0; for a
     matrix split in tables (an element with data-gaps-group holds them), 0 in every table. */
  function followGaps(table) {
    var group = table.closest("[data-gaps-group]");
    var id = group ? group.getAttribute("id") : table.getAttribute("id");
    var line = id ? document.querySelector('[data-gaps-of="' + id.replace(/["\\]/g, "") + '"] span') : null;
    var tables = group ? Array.prototype.slice.call(group.querySelectorAll("table")) : [table];
    var summaries = tables.map(function (each) {
      return each.querySelector("tfoot tr[data-summary-of]");
    }).filter(Boolean);
    if (!line || !summaries.length) {
      return;
    }
    var heads = table.tHead.rows[0].cells, names = [];
    Array.prototype.forEach.call(summaries[0].querySelectorAll("[data-summary-column]"), function (cell) {
      var column = cell.getAttribute("data-summary-column");
      var none = summaries.every(function (summary) {
        var found = summary.querySelector('[data-summary-column="' + column + '"]');
        return !found || found.textContent === "0";
      });
      var head = heads[parseInt(column, 10)];
      if (none && head) {
        names.push(head.textContent.trim());
      }
    });
    line.textContent = names.length ? names.join("; ") : "none: every descriptor is known for at least one";
  }

  /* After a filter, the groups it emptied are hidden too: a .limkb-agenda block whose items
     are all hidden, with the heading before it, and a higher heading whose parts all are. */
  function hideEmptyGroups(bar) {
    var blocks = document.querySelectorAll(".limkb-agenda");
    Array.prototype.forEach.call(blocks, function (block) {
      var empty = !Array.prototype.some.call(block.children, function (child) { return !child.hidden; });
      block.hidden = empty;
      var heading = block.previousElementSibling;
      if (heading && /^H[3-6]$/.test(heading.tagName)) {
        heading.hidden = empty;
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll(".md-content h2"), function (h2) {
      if (bar.compareDocumentPosition(h2) & Node.DOCUMENT_POSITION_PRECEDING) {
        return;  /* headings above the chips are not groups */
      }
      var any = false, next = h2.nextElementSibling;
      while (next && next.tagName !== "H2") {
        if (next.classList.contains("limkb-agenda") && !next.hidden) {
          any = true;
        }
        next = next.nextElementSibling;
      }
      h2.hidden = !any;
    });
  }

  /* The pressed chips as the page's query (?status=open&techniques=xps), and back. */
  function chipsToUrl(chips) {
    var params = new URLSearchParams(window.location.search);
    Array.prototype.forEach.call(chips, function (chip) { params.delete(chip.getAttribute("data-facet")); });
    Array.prototype.forEach.call(chips, function (chip) {
      if (chip.getAttribute("aria-pressed") === "true") {
        params.append(chip.getAttribute("data-facet"), chip.getAttribute("data-value"));
      }
    });
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", url);
    }
  }

  function chipsFromUrl(chips) {
    var params = new URLSearchParams(window.location.search), any = false;
    Array.prototype.forEach.call(chips, function (chip) {
      var wanted = params.getAll(chip.getAttribute("data-facet"));
      if (wanted.indexOf(chip.getAttribute("data-value")) >= 0) {
        chip.setAttribute("aria-pressed", "true");
        any = true;
      }
    });
    return any;
  }

  /* Filter chips (<div class="limkb-chips" data-for="CLASS">): a chip toggles one value of
     one facet; an element of CLASS stays shown when, for every facet with a chip pressed, its
     data-<facet> attribute (space-separated values) holds one of the pressed values. The
     pressed chips live in the URL's query, and groups left empty are hidden. */
  function connectChips(bar) {
    if (bar.getAttribute("data-limkb-chips") === "1") {
      return;
    }
    bar.setAttribute("data-limkb-chips", "1");
    var items = document.getElementsByClassName(bar.getAttribute("data-for"));
    var chips = bar.querySelectorAll("button.limkb-chip");
    var shown = bar.querySelector(".limkb-chip-shown");
    var clear = bar.querySelector(".limkb-chip-clear");
    function apply() {
      var wanted = {};
      Array.prototype.forEach.call(chips, function (chip) {
        if (chip.getAttribute("aria-pressed") === "true") {
          var facet = chip.getAttribute("data-facet");
          (wanted[facet] = wanted[facet] || []).push(chip.getAttribute("data-value"));
        }
      });
      var facets = Object.keys(wanted), count = 0;
      Array.prototype.forEach.call(items, function (item) {
        var keep = facets.every(function (facet) {
          var values = (item.getAttribute("data-" + facet) || "").split(" ");
          return wanted[facet].some(function (v) { return values.indexOf(v) >= 0; });
        });
        item.hidden = !keep;
        if (keep) {
          count++;
        }
      });
      if (shown) {
        shown.textContent = count + " of " + items.length + " questions";
      }
      if (clear) {
        clear.hidden = facets.length === 0;
      }
      hideEmptyGroups(bar);
    }
    function changed() {
      apply();
      chipsToUrl(chips);
    }
    Array.prototype.forEach.call(chips, function (chip) {
      chip.addEventListener("click", function () {
        chip.setAttribute("aria-pressed", chip.getAttribute("aria-pressed") === "true" ? "false" : "true");
        changed();
      });
    });
    if (clear) {
      clear.addEventListener("click", function () {
        Array.prototype.forEach.call(chips, function (chip) { chip.setAttribute("aria-pressed", "false"); });
        changed();
      });
    }
    if (chipsFromUrl(chips)) {
      apply();
    }
  }

  /* "Cite this entry" ends with the date the reader saw it. */
  function accessDates() {
    var today = new Date().toISOString().slice(0, 10);
    Array.prototype.forEach.call(document.querySelectorAll(".limkb-accessed"), function (span) {
      span.textContent = today;
    });
  }

  function start() {
    accessDates();
    Array.prototype.forEach.call(document.querySelectorAll("div.limkb-chips[data-for]"), connectChips);
    Array.prototype.forEach.call(document.querySelectorAll("table.limkb-sortable"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("input.limkb-filter[data-table]"), connectFilter);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);
  }
})();
