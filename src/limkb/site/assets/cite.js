/*
 * limkb "Cite" blocks: a Copy button puts the suggested citation on the clipboard.
 *
 * <button class="limkb-copy" data-copy="ID"> copies the text of the element with that id; its
 * label says "Copied" for a moment (and a polite live region repeats it). Where the clipboard
 * is refused (file://, an old browser) the text is selected instead, for Ctrl+C.
 */
(function () {
  "use strict";

  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function said(button, text) {
    var before = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", before);
    button.textContent = text;
    setTimeout(function () { button.textContent = before; }, 2000);
  }

  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) {
      return;
    }
    var text = target.textContent.replace(/\s+/g, " ").trim();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () {
        said(button, "Copied");
      }, function () {
        select(target);
        said(button, "Selected: press Ctrl+C");
      });
    } else {
      select(target);
      said(button, "Selected: press Ctrl+C");
    }
  }

  function start() {
    var buttons = document.querySelectorAll("button.limkb-copy");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-live", "polite");
      buttons[i].addEventListener("click", function (event) { copy(event.currentTarget); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
