/* 品牌展厅：按学校类型筛选品牌卡片，不刷新页面。没有脚本时筛选按钮保持隐藏，全部卡片照常显示。 */
(function () {
  "use strict";

  var filter = document.querySelector("[data-fs-filter]");
  var gallery = document.querySelector("[data-fs-gallery]");
  if (!filter || !gallery) {
    return;
  }
  var count = document.querySelector("[data-fs-count]");
  var buttons = Array.prototype.slice.call(filter.querySelectorAll("button[data-kind]"));
  var cards = Array.prototype.slice.call(gallery.querySelectorAll("li[data-kind]"));

  function apply(kind) {
    var shown = 0;
    cards.forEach(function (card) {
      var match = kind === "" || card.getAttribute("data-kind") === kind;
      card.hidden = !match;
      if (match) {
        shown += 1;
      }
    });
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-kind") === kind ? "true" : "false");
    });
    if (count) {
      count.textContent = "显示 " + shown + " 个品牌" + (kind ? "（" + kind + "）" : "");
    }
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      apply(button.getAttribute("data-kind") || "");
    });
  });
  filter.hidden = false;
})();
