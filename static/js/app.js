// Small behaviours on top of HTMX. Everything works without this file.
(function () {
  "use strict";

  // The side panel of a heatmap cell. The link that opened it is remembered, so that closing
  // the panel (Escape, or its Close button) puts focus back on that very cell.
  var opener = null;

  function panel() {
    return document.getElementById("cell-panel");
  }

  function rememberOpener(link) {
    if (link && link.closest(".heatmap")) opener = link;
  }

  // The cell to go back to: the link itself, or, if the table was drawn again meanwhile, the
  // link to the same projects in the new table.
  function cellToReturnTo() {
    if (!opener) return null;
    if (opener.isConnected) return opener;
    var href = opener.getAttribute("href");
    var links = document.querySelectorAll(".heatmap a[href]");
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("href") === href) return links[i];
    }
    return null;
  }

  function closePanel() {
    var open = panel();
    if (!open || !open.classList.contains("cell-panel--open")) return false;
    open.classList.remove("cell-panel--open");
    open.innerHTML = "";
    var back = cellToReturnTo() || document.getElementById("main");
    if (back) back.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".heatmap a");
    if (link) rememberOpener(link);
    if (event.target.closest && event.target.closest("[data-close-panel]")) {
      event.preventDefault();
      closePanel();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !event.defaultPrevented && closePanel()) {
      event.preventDefault();
    }
  });

  // Fragments that keep focus where the person was working (data-keep-focus on the element
  // HTMX swaps into): after the swap, focus goes to the element the fragment marks autofocus
  // (a field in error, a conflict to resolve), else to the control that was focused when the
  // request left (the same id in the new fragment), else to the one the form names in
  // data-focus-after (the next control, when the one that acted went away, as after a
  // removal). Never to <body>.
  var pending = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    var source = event.detail.elt;
    if (target && target.id === "cell-panel") rememberOpener(source);
    if (!target || !target.hasAttribute("data-keep-focus")) return;
    var ids = [];
    var active = document.activeElement;
    if (active && active.id && target.contains(active)) ids.push(active.id);
    var form = source && source.closest ? source.closest("form") : null;
    var after = form && form.getAttribute("data-focus-after");
    if (after) ids.push(after);
    pending = { target: target, ids: ids };
  });

  // Back and forward: a view restored from history shows the choices its address holds, as the
  // server drew them, not a choice made since (which the browser may carry over).
  document.addEventListener("htmx:historyRestore", function () {
    var forms = document.querySelectorAll("form[hx-push-url]");
    for (var i = 0; i < forms.length; i++) forms[i].reset();
  });

  // Disclosures (<details data-keep-open>) that a swap draws again stay as the person left
  // them: the heatmap's filters stay open while they are being changed.
  var opened = {};

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.querySelectorAll) return;
    opened = {};
    var kept = target.querySelectorAll("details[data-keep-open][id]");
    for (var i = 0; i < kept.length; i++) opened[kept[i].id] = kept[i].open;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    Object.keys(opened).forEach(function (id) {
      var details = document.getElementById(id);
      if (details && opened[id]) details.open = true;
    });
    opened = {};
    if (target && target.id === "cell-panel") {
      target.classList.add("cell-panel--open");
      target.focus();
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    // A polite status message after HTMX work, for screen readers: the count of results.
    var status = document.getElementById("announcer");
    var count = target && target.querySelector ? target.querySelector(".result-count") : null;
    if (status && count) status.textContent = count.textContent;

    if (!pending || pending.target !== target) return;
    var ids = pending.ids;
    pending = null;
    var chosen = target.querySelector("[autofocus]");
    for (var i = 0; !chosen && i < ids.length; i++) chosen = document.getElementById(ids[i]);
    if (chosen) chosen.focus();
  });
})();
