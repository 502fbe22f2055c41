// What an htmx request's failure looks like to the user (loaded on every page after htmx).
//
// htmx swaps nothing for a 4xx/5xx answer the page's config does not swap (the editor
// swaps its 409 and 422 refusals in place), nor when the server is unreachable: a click
// did nothing, without a word. A refused or failed request now says why, in the form that
// sent it (else at the top of the page). And a request whose session ended is redirected
// by the server to the sign-in page, which htmx would swap into the panel: the whole page
// goes to the sign-in page instead, coming back here afterwards. A plain-text 422 for a
// request that swaps nothing is said too.
(function () {
  "use strict";

  var LOGIN = "/login/";

  // requests the page makes by itself (the editor's poller, an import's progress) fail
  // quietly: the next one tries again, and the user did not ask for them
  function background(elt) {
    var trigger = elt && elt.getAttribute && elt.getAttribute("hx-trigger");
    return Boolean(trigger && /\bevery\b/.test(trigger));
  }

  function lazyPart(elt) {  // a lazy form section says it itself (static/js/forms.js)
    return Boolean(elt && elt.closest && elt.closest(".lazy-part"));
  }

  function why(status) {
    if (status === 403) {
      return "Not allowed: your role in this project cannot do this, or this design is " +
        "closed for edits (your role may have changed). Nothing was saved; reload the page.";
    }
    if (status === 404) {
      return "Not found: what this changes was deleted meanwhile, or the project is no " +
        "longer shared with you. Nothing was saved; reload the page.";
    }
    if (status === 400 || status === 413) {
      return "The server refused the request as malformed or too large (" + status + "). " +
        "Nothing was saved.";
    }
    if (status === 429) {
      return "Too many requests at once: wait a moment, then try again.";
    }
    if (status >= 500) {
      return "The server failed while doing this (" + status + "). Reload the page to see " +
        "whether it was saved.";
    }
    return "The server answered " + status + ". Reload the page to see the current state.";
  }

  function show(elt, message) {
    var form = elt && elt.closest ? elt.closest("form") : null;
    var old = document.querySelectorAll(".htmx-error");
    for (var i = 0; i < old.length; i++) old[i].remove();
    var box = document.createElement("div");
    box.className = "errors box htmx-error";
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    box.textContent = message;
    if (form && form.isConnected) {
      form.insertBefore(box, form.firstChild);
    } else {
      box.style.position = "fixed";
      box.style.top = "3.5rem";
      box.style.right = "1rem";
      box.style.maxWidth = "28rem";
      box.style.zIndex = "1000";
      box.style.background = "#fff";
      document.body.appendChild(box);
    }
    box.focus({ preventScroll: false });
  }

  document.addEventListener("htmx:responseError", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (background(elt) || lazyPart(elt)) return;
    var xhr = evt.detail.xhr;
    show(elt, why(xhr ? xhr.status : 0));
  });

  document.addEventListener("htmx:sendError", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (background(elt) || lazyPart(elt)) return;
    show(elt, "The server could not be reached: check the connection, then try again " +
      "(this may not have been saved).");
  });

  // a form htmx does not send because a field is invalid (Hops 99 where the most is 6):
  // the browser says which field and why, as for a form sent without htmx
  document.addEventListener("htmx:validation:halted", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (elt && typeof elt.reportValidity === "function") elt.reportValidity();
  });

  // the session ended (signed out in another tab, expired): the answer is the sign-in page
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail && evt.detail.xhr;
    if (!xhr || !xhr.responseURL) return;
    // a refusal in plain text for a request that swaps nothing (the diagram's view
    // options: "depth must be between 0 and 6") is said, not dropped
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (xhr.status === 422 && type.indexOf("text/plain") === 0 &&
        evt.detail.requestConfig && evt.detail.requestConfig.swapOverride === undefined &&
        evt.detail.elt && evt.detail.elt.getAttribute("hx-swap") === "none") {
      show(evt.detail.elt, "Not saved: " + xhr.responseText);
      return;
    }
    var path;
    try {
      path = new URL(xhr.responseURL).pathname;
    } catch (e) {
      return;
    }
    if (path !== LOGIN || window.location.pathname === LOGIN) return;
    evt.detail.shouldSwap = false;
    if (background(evt.detail.elt)) return;
    window.location.assign(LOGIN + "?next=" +
      encodeURIComponent(window.location.pathname + window.location.search));
  });
})();
