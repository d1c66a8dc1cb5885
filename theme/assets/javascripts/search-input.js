/*
 * Search that starts without a key press: paste (also long-press paste on a phone), voice input, an IME's
 * committed text, autofill.
 *
 * Workaround, and why: mkdocs-material 9.8 (components/search/query, watchSearchQuery) reads the search box on
 * `keyup` and `focus` only. Text that arrives without a key going up (the cases above, and WeChat's in-app
 * browser, whose IMEs send no key events while composing) leaves "键入以开始搜索" and no results until the reader
 * presses another key. Material exposes no public call to push a query, so this script announces each such change
 * as the event material listens for: a plain `keyup` on the same input. Material drops values it has already
 * searched (distinctUntilChanged), so a real key-up after ours costs nothing.
 *
 * - `input`: every change of the value, typed or not; skipped while an IME is still composing (the value then
 *   holds pinyin letters, not the reader's words);
 * - `compositionend`: the committed words (Chrome sends no `input` after it);
 * - `paste`: the value changes just after the event, so the announcement waits a tick.
 * One delegated listener serves every page. Plain ES5, so old phone browsers run it.
 */
(function () {
  "use strict";

  var SELECTOR = "input.md-search__input";

  function isSearchBox(node) {
    return !!node && node.nodeType === 1 && typeof node.matches === "function" && node.matches(SELECTOR);
  }

  function announce(input) {
    var event;
    if (typeof KeyboardEvent === "function") {
      event = new KeyboardEvent("keyup", { bubbles: true, cancelable: true });
    } else {
      event = document.createEvent("Event");
      event.initEvent("keyup", true, true);
    }
    input.dispatchEvent(event);
  }

  document.addEventListener("input", function (event) {
    if (isSearchBox(event.target) && !event.isComposing) {
      announce(event.target);
    }
  }, true);

  document.addEventListener("compositionend", function (event) {
    if (isSearchBox(event.target)) {
      announce(event.target);
    }
  }, true);

  document.addEventListener("paste", function (event) {
    var input = event.target;
    if (isSearchBox(input)) {
      window.setTimeout(function () { announce(input); }, 0);
    }
  }, true);
})();
