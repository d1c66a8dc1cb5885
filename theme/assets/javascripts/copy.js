/*
 * 复制按钮 (copy buttons) for honour lists and press sentences.
 *
 * Contract (rendered by generator/site/templates/_macros.md.j2):
 *   <div class="fs-copy">
 *     <p class="fs-copy__text" id="copy-XYZ">the exact string</p>
 *     <button type="button" class="md-button fs-copy__button" data-copy="copy-XYZ">复制名单</button>
 *     <span class="fs-copy__status" role="status" aria-live="polite"></span>
 *   </div>
 *
 * A click (or Enter/Space: it is a real button) copies the target's textContent, trimmed of surrounding
 * whitespace only, with navigator.clipboard.writeText; where that is missing or refused (old WeChat
 * browsers, plain-http intranets) it falls back to a hidden textarea and document.execCommand("copy").
 * The status span then says 已复制 for a few seconds; if both ways fail it says how to copy by hand
 * and selects the text. One delegated listener serves every page, including pages swapped in by
 * mkdocs-material's instant navigation. Plain ES5, no Promise required, so old phone browsers run it.
 */
(function () {
  "use strict";

  var DONE = "已复制";
  var FAILED = "复制失败，请长按或拖选上面的文字手动复制";
  var RESET_MS = 4000;

  function findBlock(node) {
    while (node && node !== document) {
      if (node.className && (" " + node.className + " ").indexOf(" fs-copy ") !== -1) {
        return node;
      }
      node = node.parentNode;
    }
    return null;
  }

  function findButton(node) {
    while (node && node !== document) {
      if (node.getAttribute && node.getAttribute("data-copy") !== null &&
          (" " + node.className + " ").indexOf(" fs-copy__button ") !== -1) {
        return node;
      }
      node = node.parentNode;
    }
    return null;
  }

  function copyText(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    return target ? (target.textContent || "").replace(/^\s+|\s+$/g, "") : null;
  }

  function fallbackCopy(text, button) {
    var area = document.createElement("textarea");
    var selection = window.getSelection ? window.getSelection() : null;
    var saved = selection && selection.rangeCount ? selection.getRangeAt(0) : null;
    var ok = false;
    area.value = text;
    area.setAttribute("readonly", "");
    area.setAttribute("aria-hidden", "true");
    area.style.cssText = "position:fixed;top:0;left:0;width:1px;height:1px;padding:0;border:0;" +
      "opacity:0;font-size:16px;"; /* 16px: iOS does not zoom */
    document.body.appendChild(area);
    area.focus();
    area.select();
    try {
      area.setSelectionRange(0, text.length); /* iOS Safari needs an explicit range */
    } catch (ignore) { /* some old browsers throw on readonly fields */ }
    try {
      ok = document.execCommand("copy");
    } catch (ignore) {
      ok = false;
    }
    document.body.removeChild(area);
    if (selection) {
      selection.removeAllRanges();
      if (saved) {
        selection.addRange(saved);
      }
    }
    if (button && button.focus) {
      button.focus(); /* keyboard users stay on the button they pressed */
    }
    return ok;
  }

  function selectForHand(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    var selection = window.getSelection ? window.getSelection() : null;
    if (!target || !selection || !document.createRange) {
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(target);
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function report(button, ok) {
    var block = findBlock(button);
    var status = block ? block.querySelector(".fs-copy__status") : null;
    if (!status) {
      return;
    }
    if (status._fsCopyTimer) {
      window.clearTimeout(status._fsCopyTimer);
    }
    status.textContent = ok ? DONE : FAILED;
    if (block) {
      block.setAttribute("data-copy-state", ok ? "done" : "failed");
    }
    if (!ok) {
      selectForHand(button);
    }
    status._fsCopyTimer = window.setTimeout(function () {
      status.textContent = "";
      if (block) {
        block.removeAttribute("data-copy-state");
      }
      status._fsCopyTimer = null;
    }, ok ? RESET_MS : RESET_MS * 3);
  }

  function copy(button) {
    var text = copyText(button);
    if (text === null) {
      report(button, false);
      return;
    }
    var clipboard = navigator.clipboard;
    if (clipboard && clipboard.writeText && window.isSecureContext !== false) {
      try {
        clipboard.writeText(text).then(function () {
          report(button, true);
        }, function () {
          report(button, fallbackCopy(text, button));
        });
        return;
      } catch (ignore) { /* fall through to the textarea */ }
    }
    report(button, fallbackCopy(text, button));
  }

  function onClick(event) {
    var button = findButton(event.target);
    if (!button) {
      return;
    }
    event.preventDefault();
    copy(button);
  }

  /* Per page: tie each button to the text it copies, for assistive technology. */
  function prepare() {
    var buttons = document.querySelectorAll(".fs-copy__button[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-controls", buttons[i].getAttribute("data-copy"));
    }
  }

  if (!window.__fivestarCopy) {
    window.__fivestarCopy = true;
    document.addEventListener("click", onClick, false);
    if (typeof window.document$ !== "undefined" && window.document$ && window.document$.subscribe) {
      window.document$.subscribe(prepare); /* mkdocs-material: runs on every (instant) page load */
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", prepare, false);
    } else {
      prepare();
    }
  }
}());
