/* The editor's text mode: a DBML code editor written for this app (no library, no CDN).
 *
 * Every [data-dbml-editor] holding a <textarea> gets line numbers and DBML highlighting: a
 * highlighted copy of the text is drawn behind the textarea, whose own text is transparent
 * (the caret, selection, undo, copy/paste and accessibility stay the browser's). User text
 * only ever goes into text nodes (never innerHTML). A parse error of the preview
 * (#textmode-error[data-error-line]) marks its line and puts the caret there.
 * Loaded by templates/editor/_textmode.html; CSP-safe (no inline script, no eval).
 */
(function () {
  "use strict";

  var MAX_HIGHLIGHT = 400000; // characters; above, line numbers only (a typing stays fast)
  var TOKEN = new RegExp([
    "(\\/\\/[^\\n]*|\\/\\*[\\s\\S]*?(?:\\*\\/|$))",          // 1 comment
    "('''[\\s\\S]*?(?:'''|$)|'(?:[^'\\\\\\n]|\\\\.)*'?)",     // 2 string
    "(`[^`]*`?)",                                            // 3 expression
    "(\"(?:[^\"\\\\\\n]|\\\\.)*\"?)",                          // 4 quoted name
    "(#[0-9A-Fa-f]{3,8}\\b|\\b\\d+(?:\\.\\d+)?\\b)",           // 5 number, colour
    "\\b(Table|TableGroup|TablePartial|Ref|Enum|Project|Note|Records|indexes|checks|as)\\b", // 6
    "(\\b(?:pk|primary key|not null|null|unique|increment|cascade|restrict|set null|" +
      "set default|no action)\\b|\\b(?:default|note|ref|name|type|delete|update|" +
      "headercolor|color|database_type)(?=\\s*:))",           // 7 setting
    "(<>|[<>]|(?<=\\s)-(?=\\s))"                              // 8 reference operator
  ].join("|"), "gi");
  var CLASSES = [null, "c", "s", "x", "q", "n", "k", "st", "o"];

  function tokens(text) {
    var out = [];
    var last = 0;
    var m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === "") { TOKEN.lastIndex++; continue; }
      if (m.index > last) out.push([null, text.slice(last, m.index)]);
      for (var g = 1; g < CLASSES.length; g++) {
        if (m[g] !== undefined) { out.push([CLASSES[g], m[0]]); break; }
      }
      last = m.index + m[0].length;
    }
    if (last < text.length) out.push([null, text.slice(last)]);
    return out;
  }

  function render(editor) {
    var text = editor.area.value;
    var lines = text.split("\n");
    var code = editor.code;
    var gutter = editor.gutter;
    var errLine = editor.errorLine;
    var frag = document.createDocumentFragment();
    var line = document.createElement("span");
    var number = 1;
    line.className = "line" + (errLine === 1 ? " err" : "");
    var parts = text.length <= MAX_HIGHLIGHT ? tokens(text) : [[null, text]];
    parts.forEach(function (part) {
      var pieces = part[1].split("\n");
      pieces.forEach(function (piece, i) {
        if (i > 0) {
          frag.appendChild(line);
          number++;
          line = document.createElement("span");
          line.className = "line" + (errLine === number ? " err" : "");
        }
        if (piece === "") return;
        if (part[0] === null) {
          line.appendChild(document.createTextNode(piece));
        } else {
          var span = document.createElement("span");
          span.className = part[0];
          span.textContent = piece;
          line.appendChild(span);
        }
      });
    });
    frag.appendChild(line);
    code.replaceChildren(frag);
    // the gutter: one text node per run of plain numbers (a long design has many lines)
    var width = String(lines.length).length;
    editor.root.style.setProperty("--gutter", (width * 8 + 22) + "px");
    var before = [];
    var after = [];
    for (var n = 1; n <= lines.length; n++) {
      if (errLine === null || n < errLine) before.push(n);
      else if (n > errLine) after.push(n);
    }
    gutter.replaceChildren(document.createTextNode(before.join("\n") +
                                                   (before.length ? "\n" : "")));
    if (errLine !== null && errLine <= lines.length) {
      var mark = document.createElement("span");
      mark.className = "err";
      mark.title = "The error is on this line";
      mark.textContent = String(errLine);
      gutter.appendChild(mark);
      gutter.appendChild(document.createTextNode("\n" + after.join("\n")));
    }
    sync(editor);
  }

  function sync(editor) {
    editor.code.scrollTop = editor.area.scrollTop;
    editor.code.scrollLeft = editor.area.scrollLeft;
    editor.gutter.scrollTop = editor.area.scrollTop;
  }

  function enhance(root) {
    if (root.dbmlEditor) return root.dbmlEditor;
    var area = root.querySelector("textarea");
    if (!area) return null;
    var gutter = document.createElement("div");
    gutter.className = "dbml-gutter";
    gutter.setAttribute("aria-hidden", "true");
    var code = document.createElement("pre");
    code.className = "dbml-code";
    code.setAttribute("aria-hidden", "true");
    root.insertBefore(gutter, area);
    root.insertBefore(code, area);
    root.classList.add("enhanced");
    var editor = { root: root, area: area, gutter: gutter, code: code, errorLine: null,
                   pending: false };
    root.dbmlEditor = editor;
    area.addEventListener("input", function () {
      editor.errorLine = null;
      if (editor.pending) return;
      editor.pending = true;
      window.requestAnimationFrame(function () { editor.pending = false; render(editor); });
    });
    area.addEventListener("scroll", function () { sync(editor); });
    render(editor);
    return editor;
  }

  function showError(container) {
    var box = container.querySelector ? container.querySelector("#textmode-error") : null;
    if (!box && container.id === "textmode-error") box = container;
    var root = document.querySelector("[data-dbml-editor]");
    var editor = root ? enhance(root) : null;
    if (!editor) return;
    var line = box ? parseInt(box.getAttribute("data-error-line") || "", 10) : NaN;
    editor.errorLine = isNaN(line) ? null : line;
    render(editor);
    if (editor.errorLine === null) return;
    var lines = editor.area.value.split("\n");
    var offset = 0;
    for (var i = 0; i < editor.errorLine - 1 && i < lines.length; i++) {
      offset += lines[i].length + 1;
    }
    editor.area.focus({ preventScroll: true });
    editor.area.setSelectionRange(offset, offset);
    var lineHeight = parseFloat(window.getComputedStyle(editor.area).lineHeight) || 19;
    editor.area.scrollTop = Math.max(0, (editor.errorLine - 3) * lineHeight);
    sync(editor);
  }

  function enhanceAll(scope) {
    (scope || document).querySelectorAll("[data-dbml-editor]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.body && enhanceAll(document);
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "textmode-result") showError(target);
  });
})();
