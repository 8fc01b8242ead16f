/* 四双 · the audit page: copy a command line or a checkpoint note (data-copy names it). */
(function () {
  "use strict";

  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var el = document.querySelector(button.dataset.copy);
    if (!el) return;
    var text = el.textContent;
    var S = window.Sishuang;
    var done = function () { if (S) S.say(null, "已复制到剪贴板。", "ok"); };
    var fallback = function () {
      selectText(el);
      if (S) S.say(null, "已选中，请按 Ctrl+C 复制。", "ok");
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  });
})();
