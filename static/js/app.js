// Small behaviours on top of HTMX. Everything works without this file.
(function () {
  "use strict";

  // The side panel of a heatmap cell: show it, move focus to it, and let it be closed.
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = event.detail.target;
    if (panel && panel.id === "cell-panel") {
      panel.classList.add("cell-panel--open");
      panel.focus();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-close-panel]");
    if (!button) return;
    var panel = document.getElementById("cell-panel");
    panel.classList.remove("cell-panel--open");
    panel.innerHTML = "";
    var back = document.querySelector(".heatmap a:focus-visible") || document.querySelector(".heatmap");
    if (back) back.focus();
  });
  // A polite status message after HTMX work, for screen readers.
  document.addEventListener("htmx:afterSettle", function (event) {
    var status = document.getElementById("announcer");
    var target = event.detail && event.detail.target;
    var count = target && target.querySelector ? target.querySelector(".result-count") : null;
    if (status && count) status.textContent = count.textContent;
  });
})();
