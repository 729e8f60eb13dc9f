/*
 * limkb comparison tables: every page loads this; only a page that holds a comparison table
 * (<div id="limkb-compare">) loads the script that draws it, compare-table.js beside this one,
 * so the other pages do not carry it. Likewise the bibliography (<div class="limkb-bibliography"
 * data-script="...">) loads its own script, the one that opens its long "Cited by" lists.
 */
(function () {
  "use strict";

  var self = document.currentScript;

  /* Add a script to the page once: the flag attribute on `root` says it is there already. */
  function addOnce(root, flag, src) {
    if (!root || !src || root.getAttribute(flag) === "1") {
      return;
    }
    root.setAttribute(flag, "1");
    var script = document.createElement("script");
    script.src = src;
    document.head.appendChild(script);
  }

  function load() {
    var bibliography = document.querySelector("div.limkb-bibliography[data-script]");
    addOnce(bibliography, "data-own-script", bibliography && bibliography.getAttribute("data-script"));
    var root = document.getElementById("limkb-compare");
    if (self) {
      addOnce(root, "data-table-script", self.src.replace(/compare\.js([?#].*)?$/, "compare-table.js"));
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
