/*
 * 适老化 and 无障碍 controls, part 3 of 3: what the bar's buttons do (markup: theme/partials/access.html; the
 * store and the first paint: theme/partials/access-head.html).
 *
 *   字号 标准 / 大 / 特大   html[data-fs-text] (the scales live in access.css), saved, announced
 *   高对比度               html[data-fs-contrast="high"], saved, announced
 *   朗读 / 停止朗读         the page's article (not the nav, the bar or the footer) read with the browser's own
 *                          speechSynthesis, a Chinese voice when there is one; the button is removed where the
 *                          browser cannot speak
 *
 * Every button is a real <button>: Tab reaches it, Enter and Space press it, nothing needs a hover. The choice
 * is kept by window.__fsAccess (localStorage, else a cookie, else this page only; the status line says so when
 * it cannot be kept). One delegated listener serves the bar, including a bar swapped in by mkdocs-material's
 * instant navigation. Plain ES5, as copy.js, for old phone browsers.
 */
(function () {
  "use strict";

  var SIZE_NAMES = {standard: "标准", large: "大", xlarge: "特大"};
  var SIZE_SCALES = {standard: "100%", large: "125%", xlarge: "150%"};
  var NOT_KEPT = "此浏览器不允许保存设置，打开其他页面时需要重新选择。";
  var CHUNK = 120; /* characters per utterance: some engines stop a long utterance after about 15 seconds */
  var SKIP = "button, script, style, template, noscript, svg, img, picture, video, audio, iframe, " +
    "input, select, textarea, [hidden], [aria-hidden='true'], .fs-copy__status, .headerlink, .md-source-file";

  var root = document.documentElement;
  var store = window.__fsAccess || fallbackStore();
  var reading = null; /* {chunks, next, generation} while reading aloud */
  var generation = 0;
  var announceTimer = null;

  function fallbackStore() {
    var memory = {text: "", contrast: ""};
    return {
      kind: "page",
      read: function () {
        return {text: memory.text, contrast: memory.contrast};
      },
      write: function (state) {
        memory = {text: state.text, contrast: state.contrast};
        return false;
      },
      apply: function (state) {
        if (state.text && state.text !== "standard") {
          root.setAttribute("data-fs-text", state.text);
        } else {
          root.removeAttribute("data-fs-text");
        }
        if (state.contrast === "high") {
          root.setAttribute("data-fs-contrast", "high");
        } else {
          root.removeAttribute("data-fs-contrast");
        }
      }
    };
  }

  function closest(node, attribute) {
    while (node && node !== document) {
      if (node.getAttribute && node.getAttribute(attribute) !== null) {
        return node;
      }
      node = node.parentNode;
    }
    return null;
  }

  function current() {
    var state = store.read();
    if (!SIZE_NAMES.hasOwnProperty(state.text)) {
      state.text = "standard";
    }
    state.contrast = state.contrast === "high" ? "high" : "";
    return state;
  }

  function announce(message) {
    var status = document.querySelector("[data-fs-access-status]");
    if (!status) {
      return;
    }
    /* Emptied first, then filled: a screen reader announces the same words again on a second press. */
    status.textContent = "";
    if (announceTimer) {
      window.clearTimeout(announceTimer);
    }
    announceTimer = window.setTimeout(function () {
      status.textContent = message;
      announceTimer = null;
    }, 60);
  }

  /* The buttons say what is chosen now (aria-pressed; the look follows it in access.css). */
  function sync() {
    var state = current();
    var sizes = document.querySelectorAll("[data-fs-size]");
    for (var i = 0; i < sizes.length; i++) {
      sizes[i].setAttribute("aria-pressed", sizes[i].getAttribute("data-fs-size") === state.text ? "true" : "false");
    }
    var contrast = document.querySelector("[data-fs-contrast-toggle]");
    if (contrast) {
      contrast.setAttribute("aria-pressed", state.contrast === "high" ? "true" : "false");
    }
    store.apply(state);
    prepareSpeech();
    markScrollers();
  }

  /* A table wider than the screen scrolls in its own box; a keyboard reaches that box only if it can take focus. */
  function markScrollers() {
    var boxes = document.querySelectorAll(".md-typeset__scrollwrap");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", "表格（可左右滑动查看）");
          box.setAttribute("data-fs-scroller", "");
        }
      } else if (box.hasAttribute("data-fs-scroller")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        box.removeAttribute("data-fs-scroller");
      }
    }
  }

  function choose(change) {
    var state = current();
    if (change.text !== undefined) {
      state.text = change.text;
    }
    if (change.contrast !== undefined) {
      state.contrast = change.contrast;
    }
    store.apply(state);
    var kept = store.write(state);
    sync();
    return kept;
  }

  function onSize(button) {
    var name = button.getAttribute("data-fs-size");
    if (!SIZE_NAMES.hasOwnProperty(name)) {
      return;
    }
    var kept = choose({text: name});
    announce("字号已调为" + SIZE_NAMES[name] + "（" + SIZE_SCALES[name] + "）。" + (kept ? "" : NOT_KEPT));
  }

  function onContrast() {
    var high = current().contrast !== "high";
    var kept = choose({contrast: high ? "high" : ""});
    announce((high ? "已开启高对比度。" : "已关闭高对比度，恢复标准配色。") + (kept ? "" : NOT_KEPT));
  }

  /* ---- 朗读 ---- */

  function canSpeak() {
    return "speechSynthesis" in window && !!window.speechSynthesis &&
      typeof window.speechSynthesis.speak === "function" &&
      typeof window.SpeechSynthesisUtterance !== "undefined";
  }

  /* Where the browser cannot speak, the button is not there at all (not merely hidden). */
  function prepareSpeech() {
    var buttons = document.querySelectorAll("[data-fs-speak]");
    for (var i = 0; i < buttons.length; i++) {
      if (!canSpeak() || !article()) {
        buttons[i].parentNode.removeChild(buttons[i]);
      }
    }
    if (!canSpeak()) {
      root.removeAttribute("data-fs-speech");
      return;
    }
    try {
      window.speechSynthesis.getVoices(); /* some browsers load their voices only once asked */
    } catch (ignore) { /* asked again when reading starts */ }
  }

  function article() {
    return document.querySelector("article.md-content__inner") || document.querySelector("main article");
  }

  /* Phrase tags stay in the line they belong to, even when a flex or grid parent makes them blocks (a link shown
     as a block is a card, and keeps its own line). */
  var PHRASE = /^(ABBR|B|BDI|BDO|CITE|CODE|DATA|DFN|EM|I|KBD|LABEL|MARK|Q|S|SAMP|SMALL|SPAN|STRONG|SUB|SUP|TIME|U|VAR)$/;

  /* The article's text as a reader sees it: hidden parts, buttons and images left out, blocks on their own lines,
     table cells and boxed words (badges, figures) apart by a space. */
  function collect(node, parts) {
    if (node.nodeType === 3) {
      parts.push(node.nodeValue.replace(/\s+/g, " ")); /* a line break in the source is not a pause */
      return;
    }
    if (node.nodeType !== 1) {
      return;
    }
    if (node.tagName === "BR") {
      parts.push("\n");
      return;
    }
    if (node.matches ? node.matches(SKIP) : (node.msMatchesSelector && node.msMatchesSelector(SKIP))) {
      return;
    }
    var style = window.getComputedStyle(node);
    if (style.display === "none" || style.visibility === "hidden") {
      return;
    }
    var inline = style.display === "inline" || style.display === "contents";
    var line = !inline && !PHRASE.test(node.tagName) && style.display !== "table-cell" &&
      style.display.indexOf("inline") !== 0;
    var edge = line ? "\n" : (inline ? "" : " ");
    parts.push(edge);
    for (var child = node.firstChild; child; child = child.nextSibling) {
      collect(child, parts);
    }
    parts.push(edge);
  }

  function articleLines() {
    var parts = [];
    var target = article();
    if (target) {
      collect(target, parts);
    }
    var lines = parts.join("").split("\n");
    var out = [];
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].replace(/\s+/g, " ").replace(/^ | $/g, "");
      if (line) {
        out.push(line);
      }
    }
    return out;
  }

  /* Lines cut at sentence ends (then commas, then anywhere) into pieces of at most CHUNK characters. */
  function chunks(lines) {
    var out = [];
    for (var i = 0; i < lines.length; i++) {
      var rest = lines[i];
      while (rest.length > CHUNK) {
        var cut = -1;
        var marks = ["。", "！", "？", "；", ". ", "，", "、", ", ", " "];
        for (var m = 0; m < marks.length && cut < 0; m++) {
          var at = rest.lastIndexOf(marks[m], CHUNK - 1);
          if (at >= CHUNK / 3) {
            cut = at + marks[m].length;
          }
        }
        if (cut < 0) {
          cut = CHUNK;
        }
        out.push(rest.slice(0, cut));
        rest = rest.slice(cut).replace(/^ /, "");
      }
      if (rest) {
        out.push(rest);
      }
    }
    return out;
  }

  /* A voice on the reader's own device first: a network voice (Chrome's "Google 普通话") sends the page away and
     is often unreachable from mainland networks. Then mainland Chinese before other Chinese; none: the engine
     picks by lang. */
  function chineseVoice() {
    var voices = [];
    try {
      voices = window.speechSynthesis.getVoices() || [];
    } catch (ignore) { /* voices unknown: the engine picks one by lang */ }
    var best = null;
    var bestRank = 0;
    for (var i = 0; i < voices.length; i++) {
      var lang = String(voices[i].lang || "").replace("_", "-").toLowerCase();
      var rank = 0;
      if (lang === "zh-cn" || lang === "cmn-hans-cn" || lang === "zh-hans-cn") {
        rank = 2;
      } else if (lang.indexOf("zh") === 0 || lang.indexOf("cmn") === 0) {
        rank = 1;
      }
      if (rank && voices[i].localService !== false) {
        rank += 2;
      }
      if (rank > bestRank) {
        best = voices[i];
        bestRank = rank;
      }
    }
    return best;
  }

  function speakButton() {
    return document.querySelector("[data-fs-speak]");
  }

  function showReading(on) {
    var button = speakButton();
    if (!button) {
      return;
    }
    var label = button.querySelector("[data-fs-speak-label]") || button;
    label.textContent = on ? "停止朗读" : "朗读";
    if (on) {
      button.setAttribute("data-fs-reading", "true");
    } else {
      button.removeAttribute("data-fs-reading");
    }
  }

  function speakNext(run) {
    if (!reading || reading.generation !== run) {
      return;
    }
    if (reading.next >= reading.chunks.length) {
      reading = null;
      showReading(false);
      announce("朗读完毕。");
      return;
    }
    var utterance = new window.SpeechSynthesisUtterance(reading.chunks[reading.next]);
    reading.next += 1;
    utterance.lang = "zh-CN";
    var voice = chineseVoice();
    if (voice) {
      try {
        utterance.voice = voice;
      } catch (ignore) { /* an engine that refuses the voice still reads by lang */ }
    }
    utterance.rate = 0.9; /* a little slower than the default, for older listeners */
    utterance.onend = function () {
      speakNext(run);
    };
    utterance.onerror = function (event) {
      if (!reading || reading.generation !== run) {
        return;
      }
      var error = event && event.error;
      if (error === "interrupted" || error === "canceled") {
        return;
      }
      stopReading("朗读中断：此浏览器的朗读功能出错，请稍后再试。");
    };
    window.speechSynthesis.speak(utterance);
  }

  function startReading() {
    var pieces = chunks(articleLines());
    if (!pieces.length) {
      announce("本页没有可以朗读的正文。");
      return;
    }
    try {
      window.speechSynthesis.cancel(); /* anything left over from another page */
    } catch (ignore) { /* nothing to cancel */ }
    generation += 1;
    reading = {chunks: pieces, next: 0, generation: generation};
    showReading(true);
    announce("开始朗读本页正文，再按一次“停止朗读”可停止。");
    speakNext(generation);
  }

  function stopReading(message) {
    var wasReading = !!reading;
    reading = null;
    generation += 1;
    try {
      window.speechSynthesis.cancel();
    } catch (ignore) { /* already quiet */ }
    showReading(false);
    if (wasReading && message) {
      announce(message);
    }
  }

  function onSpeak() {
    if (!canSpeak()) {
      return;
    }
    if (reading) {
      stopReading("已停止朗读。");
    } else {
      startReading();
    }
  }

  function onClick(event) {
    var target = event.target;
    var button = closest(target, "data-fs-size");
    if (button) {
      onSize(button);
      return;
    }
    if (closest(target, "data-fs-contrast-toggle")) {
      onContrast();
      return;
    }
    if (closest(target, "data-fs-speak")) {
      onSpeak();
    }
  }

  if (window.__fivestarAccess) {
    return;
  }
  window.__fivestarAccess = true;
  document.addEventListener("click", onClick, false);
  /* Another tab changed the choice; or this page came back from the back-forward cache. */
  window.addEventListener("storage", function (event) {
    if (!event || !event.key || event.key.indexOf("fivestar.access:") === 0) {
      sync();
    }
  }, false);
  window.addEventListener("pageshow", function (event) {
    if (event && event.persisted) {
      sync();
    }
  }, false);
  var resizing = false;
  window.addEventListener("resize", function () {
    if (!resizing) {
      resizing = true;
      window.setTimeout(function () {
        resizing = false;
        markScrollers();
      }, 200);
    }
  }, false);
  window.addEventListener("pagehide", function () {
    stopReading("");
  }, false);
  if (typeof window.document$ !== "undefined" && window.document$ && window.document$.subscribe) {
    window.document$.subscribe(function () {
      stopReading("");
      sync();
    });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", sync, false);
  } else {
    sync();
  }
}());
