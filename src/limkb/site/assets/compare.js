/*
 * limkb comparison tables: every page loads this; only a page that holds a comparison table
 * (<div id="limkb-compare">) loads the script that draws it, compare-table.js beside this one,
 * so the other pages do not carry it. Likewise the bibliography (<div class="limkb-bibliography"
 * data-script="...">) loads its own script, the one that opens its long "Cited by" lists.
 */
(function () {
  "use strict";

  var self = document.currentScript;

  function loadOwn() {
    var root = document.querySelector("div.limkb-bibliography[data-script]");
    if (!root || root.getAttribute("data-own-script") === "1") {
      return;
    }
    root.setAttribute("data-own-script", "1");
    var script = document.createElement("script");
    script.src = root.getAttribute("data-script");
    document.head.appendChild(script);
  }

  function load() {
    loadOwn();
    var root = document.getElementById("limkb-compare");
    if (!root || !self || root.getAttribute("data-table-script") === "1") {
      return;
    }
    root.setAttribute("data-table-script", "1");
    var script = document.createElement("script");
    script.src = self.src.replace(/compare\.js([?#].*)?$/, "compare-table.js");
    document.head.appendChild(script);
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
