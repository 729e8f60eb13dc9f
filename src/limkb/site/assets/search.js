/*
 * limkb search: the header's search box, and the ranking the graph explorer shares.
 *
 * The index is assets/limkb/search-index.js, a plain script that sets
 *   window.LIMKB_SEARCH = {order: [kind, ...], pages: [{path, title, kind, names: [...], text}],
 *                          words: {kind: [word, ...]}}
 * (path: the page's Markdown path from the site root; order and words: the kind registry's,
 * limkb.site.kinds, so this script names no kind). It is loaded on the first use of the
 * box, by a <script> element, so pages stay light and search works from file:// too.
 *
 * Ranking, best first (window.limkbSearch.rank):
 *   0  a name is the query           ("LiF" is the formula of the species Lithium fluoride)
 *   1  a name starts with the query  ("dendrite" -> Dendrite growth)
 *   2  a word of a name starts with it
 *   3  a name contains it            (3 characters or more)
 *   4  every word of the query starts a word of the title or summary
 *   5  every word starts a word of the title, summary or the names of the entries it links to
 *   6  some of the words do (queries of two words or more; more words matched first)
 * Names are the id, the name, aliases, formula, abbreviation, symbol and DOI; matching ignores
 * case, spaces, hyphens, punctuation and Unicode sub/superscripts (Li2O = Li₂O = li-2o). Ties
 * go to the kind readers look for first (species, strategies, materials, techniques ...),
 * then to the shorter title.
 *
 * A word of the query that names a kind ("questions", "analyses", "correlation", "techniques")
 * keeps that kind only, and the other words rank within it: "cryo-TEM questions" lists the
 * questions linked to cryo-TEM. Entries whose name matches the whole query still come first
 * ("Open questions" the page), and a kind word alone adds every entry of its kind.
 */
(function () {
  "use strict";

  var KIND_ORDER = [];  /* from the index: limkb.site.kinds.SEARCH_ORDER */
  var MAX_SHOWN = 10;
  var KIND_WORDS = {};  /* from the index: limkb.site.kinds.KIND_WORDS, {kind: [word, ...]} */
  var STRIP = /[\s\-\u2010-\u2015_·.,'’()\[\]]+/g;

  function normalise(text) {
    return String(text || "").normalize("NFKC").toLowerCase().replace(STRIP, "");
  }

  function words(text) {
    return String(text || "").normalize("NFKC").toLowerCase().split(/[^\p{L}\p{N}+/]+/u)
      .filter(function (w) { return w.length > 0; });
  }

  function kindRank(kind) {
    var at = KIND_ORDER.indexOf(kind);
    return at < 0 ? KIND_ORDER.length : at;
  }

  function prepare(item) {
    if (!item._names) {
      item._names = (item.names || []).concat([item.title]).map(normalise).filter(Boolean);
      item._nameWords = [];
      (item.names || []).concat([item.title]).forEach(function (name) {
        item._nameWords = item._nameWords.concat(words(name));
      });
      item._textWords = null;
      item._aboutWords = null;
    }
    return item;
  }

  function textWords(item) {
    if (item._textWords === null) {
      item._textWords = words(item.title + " " + (item.text || ""));
    }
    return item._textWords;
  }

  function aboutWords(item) {
    if (item._aboutWords === null) {
      item._aboutWords = [];
      (item.about || []).forEach(function (name) {
        item._aboutWords = item._aboutWords.concat(words(name), [normalise(name)]);
      });
    }
    return item._aboutWords;
  }

  /* Whether a word of the query starts a word of the item's title, summary or linked names. */
  function anywhere(item, word) {
    return startsAny(textWords(item), word) || startsAny(aboutWords(item), word) ||
      startsAny(item._nameWords, word);
  }

  function startsAny(list, prefix) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].lastIndexOf(prefix, 0) === 0) {
        return true;
      }
    }
    return false;
  }

  /* The tier of one item for a query (see above), or -1 when it does not match. */
  function tier(item, query, queryWords) {
    prepare(item);
    var names = item._names, i;
    for (i = 0; i < names.length; i++) {
      if (names[i] === query) { return 0; }
    }
    for (i = 0; i < names.length; i++) {
      if (names[i].lastIndexOf(query, 0) === 0) { return 1; }
    }
    if (queryWords.length && queryWords.every(function (w) { return startsAny(item._nameWords, w); })) {
      return 2;
    }
    if (query.length >= 3) {
      for (i = 0; i < names.length; i++) {
        if (names[i].indexOf(query) >= 0) { return 3; }
      }
    }
    if (queryWords.length && queryWords.every(function (w) { return startsAny(textWords(item), w); })) {
      return 4;
    }
    if (!queryWords.length) {
      return -1;
    }
    var matched = queryWords.filter(function (w) { return anywhere(item, w); }).length;
    if (matched === queryWords.length) {
      return 5;
    }
    if (queryWords.length > 1 && matched > 0) {
      return 6 + (queryWords.length - matched) / queryWords.length;
    }
    return -1;
  }

  /* The kinds named by words of the query (kindWords: {kind: [word, ...]}), and the words left. */
  function kindsOf(queryWords, kindWords) {
    var kinds = [], rest = [];
    queryWords.forEach(function (word) {
      var kind = Object.keys(kindWords).filter(function (k) {
        return kindWords[k].indexOf(word) >= 0;
      })[0];
      if (kind) {
        kinds.push(kind);
      } else {
        rest.push(word);
      }
    });
    return {kinds: kinds, rest: rest};
  }

  /* Hits that match only some words of the query are kept only when few match them all. */
  function whole(found) {
    var all = found.filter(function (hit) { return hit.tier < 6; });
    return all.length >= MAX_SHOWN ? all : found;
  }

  function byTier(a, b) {
    return a.tier - b.tier || kindRank(a.item.kind) - kindRank(b.item.kind) ||
      a.item.title.length - b.item.title.length || (a.item.title < b.item.title ? -1 : 1);
  }

  /* The items matching text, best first, as [{item, tier}]; kindWords (the words that keep one
   * kind only) default to the index's, for a caller that has its own (the graph explorer). */
  function rank(text, items, kindWords) {
    var query = normalise(text);
    if (!query) {
      return [];
    }
    var queryWords = words(text);
    var split = kindsOf(queryWords, kindWords || KIND_WORDS);
    var found = [], named = [];
    items.forEach(function (item) {
      var t = tier(item, query, queryWords);
      if (split.kinds.length && t <= 2 && t >= 0) {
        named.push({item: item, tier: t});
      } else if (!split.kinds.length && t >= 0) {
        found.push({item: item, tier: t});
      }
    });
    if (!split.kinds.length) {
      return whole(found.sort(byTier));
    }
    var restText = split.rest.join(" ");
    var rest = normalise(restText);
    var seen = named.map(function (hit) { return hit.item; });
    items.forEach(function (item) {
      if (split.kinds.indexOf(item.kind) < 0 || seen.indexOf(item) >= 0) {
        return;
      }
      var t = rest ? tier(item, rest, split.rest) : 7;
      if (t >= 0 && (t < 6 || !rest)) {
        found.push({item: item, tier: t});
      }
    });
    if (!found.length && !named.length) {  /* no entry of that kind matches: rank all words */
      return items.map(function (item) { return {item: item, tier: tier(item, query, queryWords)}; })
        .filter(function (hit) { return hit.tier >= 0; }).sort(byTier);
    }
    return named.sort(byTier).concat(found.sort(byTier));
  }

  /* --- where pages are ------------------------------------------------------------------ */

  function siteRoot() {
    var config = document.getElementById("__config");
    var base = ".";
    if (config) {
      try {
        base = JSON.parse(config.textContent).base || ".";
      } catch (e) { /* keep "." */ }
    }
    return new URL(base.replace(/\/?$/, "/"), document.baseURI).href;
  }

  function urlStyle() {
    var meta = document.querySelector('meta[name="limkb-urls"]');
    return meta ? meta.getAttribute("content") : "directory";
  }

  /* The URL of a page given its Markdown path from the site root. */
  function pageUrl(path, root) {
    var url = String(path || "");
    if (/\.md$/.test(url)) {
      var stem = url.slice(0, -3);
      if (urlStyle() === "file") {
        url = stem + ".html";
      } else {
        url = stem === "index" ? "" : stem.replace(/(^|\/)index$/, "$1");
        if (url && url.slice(-1) !== "/") {
          url += "/";
        }
        if (location.protocol === "file:") {
          url += "index.html";
        }
      }
    }
    return new URL(url, root || siteRoot()).href;
  }

  /* --- the index, loaded once ------------------------------------------------------------ */

  var waiting = null;

  function indexPages() {
    var data = window.LIMKB_SEARCH || {};
    KIND_ORDER = data.order || [];
    KIND_WORDS = data.words || {};
    return data.pages || [];
  }

  function withIndex(callback) {
    if (window.LIMKB_SEARCH) {
      callback(indexPages());
      return;
    }
    if (waiting) {
      waiting.push(callback);
      return;
    }
    waiting = [callback];
    var script = document.createElement("script");
    script.src = siteRoot() + "assets/limkb/search-index.js";
    script.onload = function () {
      var pages = indexPages();
      var calls = waiting;
      waiting = null;
      calls.forEach(function (call) { call(pages); });
    };
    script.onerror = function () {
      waiting = null;
    };
    document.head.appendChild(script);
  }

  /* --- the header's box ------------------------------------------------------------------ */

  function kindLabel(kind) {
    return kind === "page" ? "page" : kind.replace(/-/g, " ");
  }

  /* The box is an ARIA combobox: the focus stays in the input while ArrowDown/ArrowUp move the
   * selection through the listbox of hits (aria-activedescendant names the selected one), Enter
   * opens the selected hit and Escape closes the list. */
  function setUp(form) {
    var input = form.querySelector("input");
    var panel = form.querySelector(".limkb-search-results");
    var list = form.querySelector("[role=listbox]");
    var count = form.querySelector(".limkb-search-count");
    if (!input || !panel || !list) {
      return;
    }
    var active = -1;

    function close() {
      panel.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = Math.max(-1, Math.min(index, options.length - 1));
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", options[active].id);
        if (options[active].scrollIntoView) {
          options[active].scrollIntoView({block: "nearest"});
        }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function hit(item, index, root) {
      var link = document.createElement("a");
      link.href = pageUrl(item.path, root);
      link.className = "limkb-search-hit";
      link.id = list.id + "-" + index;
      link.setAttribute("role", "option");
      var title = document.createElement("span");
      title.className = "limkb-search-title";
      title.textContent = item.title;
      var kind = document.createElement("span");
      kind.className = "limkb-badge limkb-search-kind";
      kind.textContent = kindLabel(item.kind);
      link.appendChild(title);
      link.appendChild(document.createTextNode(" "));
      link.appendChild(kind);
      if (item.text) {
        var snippet = document.createElement("span");
        snippet.className = "limkb-search-snippet";
        snippet.textContent = item.text;
        link.appendChild(snippet);
      }
      return link;
    }

    function show(pages) {
      var text = input.value.trim();
      while (list.firstChild) {
        list.removeChild(list.firstChild);
      }
      if (!text) {
        close();
        return;
      }
      var found = rank(text, pages);
      var root = siteRoot();
      found.slice(0, MAX_SHOWN).forEach(function (item, index) {
        list.appendChild(hit(item.item, index, root));
      });
      if (count) {
        count.textContent = found.length === 0 ? "No entry matches." :
          found.length > MAX_SHOWN ? MAX_SHOWN + " of " + found.length + " matches" :
          found.length === 1 ? "1 match" : found.length + " matches";
      }
      panel.dataset.query = text;  /* what the shown results answer (for scripts and tests) */
      panel.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(found.length ? 0 : -1);
    }

    /* Whether the list on screen answers what the box holds now. */
    function current() {
      return !panel.hidden && panel.dataset.query === input.value.trim();
    }

    function open(index) {
      var options = list.querySelectorAll("[role=option]");
      var chosen = options[index >= 0 ? index : 0];
      if (chosen) {
        window.location.href = chosen.href;
      }
    }

    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { withIndex(show); }, 60);
    });
    input.addEventListener("focus", function () {
      withIndex(function (pages) {
        if (input.value.trim()) {
          show(pages);
        }
      });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (panel.hidden && input.value.trim()) {
          withIndex(show);
          return;
        }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (current()) {
          open(active);
          return;
        }
        clearTimeout(timer);
        withIndex(function (pages) {
          show(pages);
          open(active);
        });
      } else if (event.key === "Escape") {
        if (!panel.hidden) {
          event.preventDefault();
          close();
        } else {
          input.value = "";
        }
      }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) {
        close();
      }
    });
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
                              target.isContentEditable);
      if (event.key === "/" && !typing) {
        event.preventDefault();
        input.focus();
      }
    });
  }

  window.limkbSearch = {normalise: normalise, rank: rank, pageUrl: pageUrl, withIndex: withIndex,
                        siteRoot: siteRoot};

  function start() {
    var forms = document.querySelectorAll("form.limkb-search");
    for (var i = 0; i < forms.length; i++) {
      setUp(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
