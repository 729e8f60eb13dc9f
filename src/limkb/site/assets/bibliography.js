/*
 * limkb bibliography: a reference cited by many entries shows their number in a <details>;
 * opening it lists them, read from the script named by data-cited-script (cited-by-data.js),
 * which is loaded only then. Without JavaScript the <details> links the reference's page,
 * which lists the same entries.
 */
(function () {
  "use strict";

  function fill(box) {
    var data = window.LIMKB_CITED;
    var row = box.closest("tr");
    var list = data && row && data.lists[row.id];
    if (!list || box.getAttribute("data-filled") === "1") {
      return;
    }
    var p = document.createElement("p");
    list.forEach(function (number, i) {
      var entry = data.entries[number];
      var a = document.createElement("a");
      a.href = entry[1];
      a.textContent = entry[0];
      if (i) {
        p.appendChild(document.createTextNode(", "));
      }
      p.appendChild(a);
    });
    box.replaceChild(p, box.querySelector("p"));
    box.setAttribute("data-filled", "1");
  }

  function load(root, then) {
    if (window.LIMKB_CITED) {
      then();
      return;
    }
    var script = document.createElement("script");
    script.src = root.getAttribute("data-cited-script");
    script.addEventListener("load", then);
    document.head.appendChild(script);
  }

  function start() {
    var root = document.querySelector("div.limkb-bibliography[data-cited-script]");
    if (!root || root.getAttribute("data-cited-ready") === "1") {
      return;
    }
    root.setAttribute("data-cited-ready", "1");
    root.addEventListener("toggle", function (event) {
      var box = event.target;
      if (box.open && box.classList && box.classList.contains("limkb-cited")) {
        load(root, function () { fill(box); });
      }
    }, true);  /* toggle does not bubble: listen while it is captured */
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
