// Page behaviour that would otherwise be inline script, which the Content-Security-Policy
// (script-src 'self', no 'unsafe-eval') forbids. Loaded on every page right after htmx.
(function () {
  "use strict";

  // No eval: attributes like hx-vals="js:…" are refused instead of throwing a CSP error.
  if (window.htmx) {
    htmx.config.allowEval = false;
  }

  // The editor's poller sends the diagram's revision it shows (was hx-vals="js:{rev: …}").
  document.addEventListener("htmx:configRequest", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.id === "poller") {
      var pane = document.getElementById("diagram-pane");
      if (pane && pane.dataset.rev !== undefined) {
        e.detail.parameters.rev = pane.dataset.rev;
      }
    }
  });

  // Upload progress of large imports, until the server answers with the import's progress.
  document.addEventListener("htmx:xhr:progress", function (e) {
    var bar = document.getElementById("upload-bar");
    if (bar && e.detail && e.detail.lengthComputable) {
      bar.value = e.detail.loaded / e.detail.total * 100;
    }
  });

  // A finished import job says where to go next in data-redirect (templates/imports/_job.html).
  function followRedirect() {
    var target = document.querySelector("[data-redirect]");
    if (target && target.dataset.redirect) {
      var url = target.dataset.redirect;
      target.removeAttribute("data-redirect");
      window.location.assign(url);
    }
  }
  document.addEventListener("DOMContentLoaded", followRedirect);
  document.addEventListener("htmx:afterSettle", followRedirect);
})();
