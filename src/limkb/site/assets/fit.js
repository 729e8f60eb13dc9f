/*
 * limkb wide tables: a table wider than its box scrolls inside it, and says so.
 *
 * Every .limkb-scroll box and every sortable table (which scrolls itself) that is wider than
 * the page column gets the class limkb-overflows, and the CSS then shows a line "Scroll
 * sideways for more columns" above it; the first column stays in view while it scrolls
 * (position: sticky, in limkb.css). The check runs on load and when the window is resized.
 */
(function () {
  "use strict";

  var SELECTOR = ".limkb-scroll, .md-typeset table.limkb-sortable";

  function mark() {
    var boxes = document.querySelectorAll(SELECTOR);
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      box.classList.toggle("limkb-overflows", box.scrollWidth > box.clientWidth + 1);
      if (box.classList.contains("limkb-overflows") && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");  /* a box that scrolls can be scrolled from the keyboard */
      }
    }
  }

  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(mark, 100);
  });
  if (document.readyState === "complete") {
    mark();
  } else {
    window.addEventListener("load", mark);
  }
})();
