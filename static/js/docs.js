// Starts Swagger UI on /docs from the vendored bundle (no inline script, no CDN), shaped to
// fit the page around it (templates/docs.html):
// - the page's own introduction replaces Swagger UI's title block;
// - "Authorize" sits in a labelled region and the operations under an h2, so that every part
//   of the page is in a landmark and headings go h1, h2, h3;
// - operation rows are not links (deep links would nest a link inside the row's button);
// - no schema list and no syntax colouring: both draw text below 4.5:1 contrast.
(function () {
  "use strict";

  function pageLayout(system) {
    var h = system.React.createElement;
    return {
      components: {
        InfoContainer: function () {
          return null;
        },
      },
      wrapComponents: {
        AuthorizeBtnContainer: function (Original) {
          return function (props) {
            return h(
              "section",
              { className: "docs-authorize", "aria-labelledby": "docs-authorize-title" },
              h("h2", { id: "docs-authorize-title", className: "visually-hidden" }, "Authorization"),
              h(Original, props)
            );
          };
        },
        operations: function (Original) {
          return function (props) {
            return h(
              "div",
              { className: "docs-operations__list" },
              h("h2", { className: "docs-operations__title" }, "Operations"),
              h(Original, props)
            );
          };
        },
      },
    };
  }

  // What Swagger UI draws without a name or out of reach of the keyboard is mended as it
  // appears: a parameter's list of values (a <select> with no label) takes the parameter's
  // name, the request body its own, and an example that scrolls in its box a place in the tab order.
  function mend(root) {
    root.querySelectorAll("tr[data-param-name]").forEach(function (row) {
      var name = row.getAttribute("data-param-name");
      var where = row.querySelector(".parameter__in");
      var label = name + (where ? " " + where.textContent.trim() : "");
      row.querySelectorAll("select, input, textarea").forEach(function (field) {
        if (!field.labels || !field.labels.length) {
          if (field.getAttribute("aria-label") !== label) field.setAttribute("aria-label", label);
        }
      });
    });
    root.querySelectorAll("textarea.body-param__text:not([aria-label])").forEach(function (body) {
      body.setAttribute("aria-label", "Request body");
    });
    // Tables of responses are regions, which need names that tell them apart.
    root.querySelectorAll("[role=region]:not([aria-label]):not([aria-labelledby])").forEach(
      function (region) {
        var operation = region.closest(".opblock");
        var summary = operation && operation.querySelector(".opblock-summary-control");
        var what = region.closest(".live-responses-table") ? "Server response" : "Responses";
        var of = summary ? summary.textContent.replace(/\s+/g, " ").trim() : "";
        region.setAttribute("aria-label", of ? what + " of " + of : what);
      }
    );
    // A button is named by the words it shows (not "Apply credentials" for "Authorize").
    root.querySelectorAll("button[aria-label]").forEach(function (button) {
      var shown = button.textContent.trim();
      var name = button.getAttribute("aria-label");
      if (shown && name.toLowerCase().indexOf(shown.toLowerCase()) === -1) {
        button.removeAttribute("aria-label");
      }
    });
    root.querySelectorAll("button.close-modal:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", "Close");
    });
    root.querySelectorAll("pre, .curl").forEach(function (box) {
      if (!box.hasAttribute("tabindex") && box.scrollHeight > box.clientHeight) {
        box.setAttribute("tabindex", "0");
      }
    });
  }

  window.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("swagger-ui");
    new MutationObserver(function () {
      mend(root);
    }).observe(root, { childList: true, subtree: true });
    window.SwaggerUIBundle({
      url: root.dataset.openapiUrl,
      domNode: root,
      plugins: [pageLayout],
      deepLinking: false,
      defaultModelsExpandDepth: -1,
      syntaxHighlight: { activated: false },
      displayRequestDuration: true,
    });
  });
})();
