// Keys of the screening queue (the page lists them). Everything works without this file, by
// Tab and Enter on the same buttons.
(function () {
  "use strict";

  function card() {
    return document.getElementById("screening-card");
  }

  function suggestions() {
    var c = card();
    return c ? Array.prototype.slice.call(c.querySelectorAll("[data-suggestion]")) : [];
  }

  // The suggestion being worked on: the one holding focus, else the first.
  function current() {
    return focused() || suggestions()[0] || null;
  }

  function submit(form) {
    if (!form) return;
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  function focused() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("[data-suggestion]") : null;
  }

  // J and K: the next or previous suggestion; from outside the list, the first or the last.
  function move(step) {
    var items = suggestions();
    if (!items.length) return;
    var index = items.indexOf(focused());
    var next =
      index < 0
        ? items[step > 0 ? 0 : items.length - 1]
        : items[Math.max(0, Math.min(items.length - 1, index + step))];
    var button = next.querySelector("[data-accept] button");
    if (button) button.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && target.closest && target.closest("input, select, textarea, [contenteditable]")) {
      return;
    }
    var item = current();
    var key = event.key.toLowerCase();
    var acted = true;
    if (key === "j") move(1);
    else if (key === "k") move(-1);
    else if (key === "a" && item) {
      var button = item.querySelector("[data-accept] button");
      if (button) button.focus();
      submit(item.querySelector("[data-accept]"));
    } else if (key === "p" && item) {
      var form = item.querySelector("[data-accept]");
      form.querySelector("select[name=significance]").value = "principal";
      form.querySelector("button").focus();
      submit(form);
    } else if (key === "d" && item) {
      var dismiss = item.querySelector("[data-dismiss] button");
      if (dismiss) dismiss.focus();
      submit(item.querySelector("[data-dismiss]"));
    } else if (key === "s") {
      var screened = document.getElementById("screening-screened");
      if (screened) {
        screened.focus();
        submit(screened.closest("form"));
      }
    } else if (key === "n") {
      var next = document.getElementById("screening-next");
      if (next) next.click();
    } else acted = false;
    if (acted) event.preventDefault();
  });
})();
