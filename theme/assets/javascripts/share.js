/*
 * 扫码分享: the button under each page's content shows and hides the QR code of the page's address (markup:
 * theme/partials/share.html; the code itself is made at build time, generator/site/share.py).
 *
 * A disclosure: the button says aria-expanded, the panel is `hidden` until opened. Enter and Space press the
 * button (a real <button>); Esc closes the panel from anywhere on the page and gives focus back to the button.
 * One delegated listener, so a page swapped in by mkdocs-material's instant navigation works too. Plain ES5,
 * as copy.js and access.js, for old phone browsers.
 */
(function () {
  "use strict";

  function panelOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function setOpen(button, open) {
    var panel = panelOf(button);
    if (!panel) {
      return;
    }
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      panel.removeAttribute("hidden");
    } else {
      panel.setAttribute("hidden", "");
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("[data-fs-share-toggle]") : null;
    if (button) {
      setOpen(button, button.getAttribute("aria-expanded") !== "true");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") {
      return;
    }
    var open = document.querySelectorAll("[data-fs-share-toggle][aria-expanded='true']");
    for (var i = 0; i < open.length; i++) {
      var panel = panelOf(open[i]);
      var focusInside = panel && panel.contains(document.activeElement);
      setOpen(open[i], false);
      if (focusInside || document.activeElement === open[i] || document.activeElement === document.body) {
        open[i].focus();
      }
    }
  });
})();
