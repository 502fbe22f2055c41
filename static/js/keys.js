// Keyboard shortcuts of the editor (issue 16, item 3) and the "?" overlay that lists them.
// No inline script (CSP); the editor page loads this file. Single-key shortcuts are off
// while the focus is in a field (Escape leaves the field first); Ctrl+Z / Ctrl+Shift+Z in a
// text field keep the browser's own text undo.
(function () {
  "use strict";

  var pane = document.getElementById("diagram-pane");
  if (!pane) return;
  var canEdit = pane.dataset.canEdit === "1";
  var editorUrl = pane.dataset.editorUrl || "";

  var SHORTCUTS = [
    ["t", "Add a table", addTable, true],
    ["c", "Add a column to the open table", addColumn, true],
    ["r", "Draw a relationship (from the open table)", addRelationship, true],
    ["/", "Search tables and columns", search, false],
    ["f", "Fit the diagram to the screen", fit, false],
    ["F", "Focus the diagram on the open table (again: all tables)", focusTable, false],
    ["s", "Save a version", saveVersion, true],
    ["Ctrl+Z", "Undo your last change", undo, true],
    ["Ctrl+Shift+Z", "Redo (also Ctrl+Y)", redo, true],
    ["Ctrl+Enter", "Submit the form you are in", null, false],
    ["Esc", "Leave the field / close this list", null, false],
    ["?", "Show or hide this list", toggleHelp, false],
  ];

  function typing(el) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf(el.type) < 0;
  }

  function focusFirst(root) {
    if (!root) return false;
    var el = root.querySelector(
      "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])");
    if (!el) return false;
    el.scrollIntoView({ block: "center", inline: "nearest" });
    el.focus({ preventScroll: true });
    return true;
  }

  function openSection(id, then) {
    var details = document.getElementById(id);
    if (details) {
      details.open = true;
      focusFirst(details);
      if (then) then(details);
      return true;
    }
    return false;
  }

  // Run ``fn`` once the overview panel (table list, add table, relationships) is shown.
  function withOverview(fn) {
    if (document.getElementById("table-list")) { fn(); return; }
    if (!window.htmx || !editorUrl) return;
    htmx.ajax("GET", editorUrl, { target: "#panel", swap: "innerHTML" }).then(fn);
  }

  function openTable() {
    var title = document.querySelector("#panel-title[data-table]");
    return title ? title.dataset.table : null;
  }

  function addTable() { withOverview(function () { openSection("add-table"); }); }

  function addColumn() {
    if (!openSection("add-column")) notice("Open a table first (Tab to the table list, Enter).");
  }

  function addRelationship() {
    var child = openTable();
    withOverview(function () {
      openSection("add-relationship", function (details) {
        var select = details.querySelector("select[name$='-child']");
        if (child && select) select.value = child;
      });
    });
  }

  function search() {
    withOverview(function () {
      var box = document.getElementById("table-search");
      if (box) { box.focus(); box.select(); }
    });
  }

  function fit() {
    var b = document.querySelector("[data-zoom='fit']");
    if (b) b.click();
  }

  function focusTable() {
    var select = document.querySelector("#view-form select[name='focus']");
    if (!select) return;
    var uid = openTable();
    select.value = uid && select.value !== uid ? uid : "";
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function saveVersion() {
    var slug = pane.dataset.slug;
    if (slug) window.location.assign("/p/" + encodeURIComponent(slug) + "/versions/#save-version");
  }

  function press(id) {
    var b = document.getElementById(id);
    if (b && !b.disabled) { b.click(); return true; }
    notice(id === "undo-button" ? "Nothing to undo." : "Nothing to redo.");
    return false;
  }
  function undo() { press("undo-button"); }
  function redo() { press("redo-button"); }

  var live = null;
  function notice(text) {
    if (!live) {
      live = document.createElement("div");
      live.id = "keys-notice";
      live.className = "keys-notice";
      live.setAttribute("role", "status");
      document.body.appendChild(live);
    }
    live.textContent = text;
    live.hidden = false;
    window.setTimeout(function () { live.hidden = true; }, 2500);
  }

  var overlay = null;
  var before = null;
  function buildHelp() {
    overlay = document.createElement("div");
    overlay.id = "keys-help";
    overlay.className = "keys-help";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-labelledby", "keys-help-title");
    overlay.tabIndex = -1;
    var box = document.createElement("div");
    box.className = "keys-help-box";
    var h = document.createElement("h2");
    h.id = "keys-help-title";
    h.textContent = "Keyboard shortcuts";
    box.appendChild(h);
    var table = document.createElement("table");
    table.className = "grid";
    SHORTCUTS.forEach(function (s) {
      if (s[3] && !canEdit) return;
      var tr = document.createElement("tr");
      var k = document.createElement("td");
      var kbd = document.createElement("kbd");
      kbd.textContent = s[0];
      k.appendChild(kbd);
      var d = document.createElement("td");
      d.textContent = s[1];
      tr.appendChild(k);
      tr.appendChild(d);
      table.appendChild(tr);
    });
    box.appendChild(table);
    var p = document.createElement("p");
    p.className = "muted small";
    p.textContent = "Tab and Shift+Tab reach every link, button and field; Enter opens a " +
      "table from the list; Space toggles a section.";
    box.appendChild(p);
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", toggleHelp);
    box.appendChild(close);
    overlay.appendChild(box);
    overlay.addEventListener("click", function (e) { if (e.target === overlay) toggleHelp(); });
    document.body.appendChild(overlay);
  }
  function toggleHelp() {
    if (!overlay) buildHelp();
    if (overlay.hidden === false && overlay.dataset.open === "1") {
      overlay.hidden = true;
      overlay.dataset.open = "0";
      if (before && before.focus) before.focus();
      return;
    }
    before = document.activeElement;
    overlay.hidden = false;
    overlay.dataset.open = "1";
    overlay.querySelector("button").focus();
  }

  document.addEventListener("click", function (e) {
    if (e.target && e.target.closest && e.target.closest("#keys-help-button")) toggleHelp();
  });

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented) return;  // a widget (e.g. the DBML editor) handled it
    var t = e.target;
    var helpOpen = overlay && overlay.dataset.open === "1";
    if (e.key === "Escape") {
      if (helpOpen) { e.preventDefault(); toggleHelp(); return; }
      if (typing(t)) { t.blur(); e.preventDefault(); }
      return;
    }
    var mod = e.ctrlKey || e.metaKey;
    if (mod && e.key === "Enter" && t && t.form) {
      e.preventDefault();
      if (t.form.requestSubmit) t.form.requestSubmit(); else t.form.submit();
      return;
    }
    if (mod && !e.altKey && (e.key === "z" || e.key === "Z" || e.key === "y")) {
      if (!canEdit || typing(t)) return;  // the browser's own undo inside a text field
      e.preventDefault();
      if (e.key === "y" || e.shiftKey) redo(); else undo();
      return;
    }
    if (mod || e.altKey || typing(t)) return;
    if (helpOpen && e.key !== "?") return;
    for (var i = 0; i < SHORTCUTS.length; i++) {
      var s = SHORTCUTS[i];
      if (s[0] === e.key && s[2] && (!s[3] || canEdit)) {
        e.preventDefault();
        s[2]();
        return;
      }
    }
  });
})();
