// Editor forms that stay out of the way (issue 16, item 4). No inline script (CSP): loaded
// by the editor page.
//  - After a column is added the "Add a column" form stays open (server side) and its first
//    field gets the focus for the next column ([data-focus="first"]).
//  - A refused form stays open where it was: the refusal box inside it ([data-focus=
//    "refusal"]) and the first invalid field are scrolled into view and focused.
//  - Column pickers keep the order the columns were picked in (the browser posts checked
//    boxes in document order: a newly checked row moves after the rows checked before).
(function () {
  "use strict";

  function focusable(root) {
    return root.querySelector(
      "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])");
  }

  function reveal(el) {
    if (!el) return;
    var details = el.closest("details");
    while (details) {
      details.open = true;
      details = details.parentElement && details.parentElement.closest("details");
    }
    el.scrollIntoView({ block: "center", inline: "nearest" });
    el.focus({ preventScroll: true });
  }

  function settle(root) {
    root = root || document;
    var refusal = root.querySelector("[data-focus='refusal']");
    if (refusal) {
      var form = refusal.closest("form");
      var invalid = form && form.querySelector(".field.invalid");
      // the box is read first (role=alert); the focus goes to the first field to fix,
      // or to the box itself when the rule is about the whole element
      refusal.scrollIntoView({ block: "center", inline: "nearest" });
      reveal(invalid ? focusable(invalid) : refusal);
      return;
    }
    var top = root.querySelector("#panel #edit-errors");
    if (top) {
      reveal(top);
      return;
    }
    var invalidField = root.querySelector("#panel .field.invalid");
    if (invalidField) {
      reveal(focusable(invalidField));
      return;
    }
    var first = root.querySelector("[data-focus='first']");
    if (first) {
      first.removeAttribute("data-focus");
      // a field inside it, else the element itself (a new table's panel title)
      reveal(focusable(first) || (first.hasAttribute("tabindex") ? first : null));
    }
  }

  document.addEventListener("DOMContentLoaded", function () { settle(document); });
  document.body.addEventListener("htmx:afterSettle", function (evt) {
    if (evt.target && evt.target.id === "panel") settle(document);
  });

  document.addEventListener("change", function (evt) {
    var box = evt.target;
    if (!box || box.type !== "checkbox" || !box.closest) return;
    var picker = box.closest(".column-picker[data-picker='checkbox']");
    var row = box.closest(".pick-row");
    if (!picker || !row || !box.checked || box.name.slice(-6) === "__desc") return;
    // move the row after the last row checked before it
    var rows = Array.prototype.slice.call(picker.querySelectorAll(".pick-row"));
    var last = null;
    rows.forEach(function (r) {
      var b = r.querySelector(".pick input");
      if (r !== row && b && b.checked) last = r;
    });
    if (last) last.after(row); else picker.prepend(row);
    box.focus();
  });
})();

// "s" in the editor opens the versions page at its save form: put the cursor in it.
(function () {
  "use strict";
  if (window.location.hash !== "#save-version") return;
  document.addEventListener("DOMContentLoaded", function () {
    var message = document.getElementById("message");
    if (message) message.focus();
  });
})();

// New project: the slug follows the name until the user edits the slug themselves.
(function () {
  "use strict";
  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 50).replace(/-+$/, "");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var name = document.querySelector("[data-slug-source]");
    var slug = name && document.getElementById(name.dataset.slugSource);
    if (!slug) return;
    var last = slug.value === "" ? "" : null;  // a slug already there is the user's
    name.addEventListener("input", function () {
      if (last === null || slug.value !== last) return;
      last = slugify(name.value);
      slug.value = last;
    });
    slug.addEventListener("input", function () { last = null; });
  });
})();

// A closed section of the htmx table panel fetches its form when opened
// (templates/editor/_lazy_part.html): a failed fetch (the table deleted meanwhile, the
// role taken away, the server unreachable) says so instead of "Loading…" for ever.
(function () {
  "use strict";
  function failed(evt) {
    var part = evt.detail && evt.detail.elt;
    if (!part || !part.classList || !part.classList.contains("lazy-part")) return;
    var xhr = evt.detail.xhr;
    var why = xhr && xhr.status === 404 ? "this table or form is no longer there"
      : xhr && xhr.status ? "the server answered " + xhr.status : "the server is unreachable";
    var note = document.createElement("small");
    note.className = "muted";
    note.setAttribute("role", "alert");
    note.textContent = "This form could not be loaded (" + why + "): reload the page.";
    part.replaceChildren(note);
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
})();
