/* Diagram interactions for the editor: pan/zoom, click to open, drag to move, search.
 *
 * The SVG comes from Graphviz; elements carry ids that map back to model objects:
 *   <g id="table-<uid>" class="node">, <g id="column-<uid>">, <g id="rel-<uid>" class="edge">.
 * Dragging a table sends the delta in SVG units to .../t/<uid>/move/; the server stores the
 * new position and the diagram re-renders with every table pinned where it is.
 */
(function () {
  "use strict";
  const pane = document.getElementById("diagram-pane");
  if (!pane) return;
  const slug = pane.dataset.slug;
  const base = pane.dataset.editorUrl.replace(/edit\/$/, "");  // /p/<slug>/ or /p/<slug>/d/<id>/
  const canEdit = pane.dataset.canEdit === "1";
  const host = () => document.querySelector("#diagram .svg-host");
  const svgEl = () => document.querySelector("#diagram svg");
  const viewKey = "er-view:" + slug;
  const csrf = () => {
    const raw = document.body.getAttribute("hx-headers") || "{}";
    try { return JSON.parse(raw)["X-CSRFToken"]; } catch (e) { return ""; }
  };
  const uidOf = (el, kind) => {
    const g = el && el.closest && el.closest('[id^="' + kind + '-"]');
    if (!g) return null;
    return g.id.slice(kind.length + 1).split("__")[0];
  };

  // ---------------------------------------------------------------- pan & zoom (viewBox)
  let home = null;  // the SVG's own viewBox (what "Fit" returns to)
  let homeStale = false;  // a patch may have drawn beyond it (extendHome)
  const MAX_FIT = 1.5;  // screen pixels per SVG unit (pt) at most when fitting
  function viewBox(svg) {
    const vb = svg.viewBox.baseVal;
    return { x: vb.x, y: vb.y, w: vb.width, h: vb.height };
  }
  function setViewBox(svg, v) {
    svg.setAttribute("viewBox", [v.x, v.y, v.w, v.h].join(" "));
    sessionStorage.setItem(viewKey, JSON.stringify(v));
  }
  function prepare() {
    const svg = svgEl();
    if (!svg) return;
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    home = viewBox(svg);
    homeStale = false;
    // Fit, but do not blow a small drawing up past MAX_FIT (one table filling the pane).
    const r = svg.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && home.w > 0 && home.h > 0 &&
        Math.min(r.width / home.w, r.height / home.h) > MAX_FIT) {
      const w = r.width / MAX_FIT, h = r.height / MAX_FIT;
      home = { x: home.x - (w - home.w) / 2, y: home.y - (h - home.h) / 2, w: w, h: h };
      svg.setAttribute("viewBox", [home.x, home.y, home.w, home.h].join(" "));
    }
    // The first drawing of a page, and the one after a view change (direction, detail,
    // focus...), show the whole design; later drawings keep the user's pan and zoom.
    const saved = fitNext ? null : sessionStorage.getItem(viewKey);
    if (fitNext) { fitNext = false; sessionStorage.removeItem(viewKey); }
    if (saved) {
      try { setViewBox(svg, JSON.parse(saved)); } catch (e) { /* ignore */ }
    }
    const h = host();
    if (h && h.dataset.rev) pane.dataset.rev = h.dataset.rev;
    highlightSelected();
    showNewTables();
  }
  let fitNext = true;
  document.addEventListener("change", (evt) => {
    if (evt.target.closest && evt.target.closest("#view-form")) fitNext = true;
  });
  // A table that appears (added here or by someone else) outside the part of the drawing
  // on screen: the view moves to it.
  let knownTables = null;
  function showNewTables() {
    const svg = svgEl();
    if (!svg) return;
    const ids = Array.from(svg.querySelectorAll('g.node[id^="table-"]')).map((g) => g.id);
    const before = knownTables;
    knownTables = new Set(ids);
    if (!before) return;
    const fresh = ids.filter((id) => !before.has(id));
    if (fresh.length === 0) return;
    const pane = svg.getBoundingClientRect();
    const g = svg.getElementById(fresh[0]);
    const r = g.getBoundingClientRect();
    const inside = r.left >= pane.left && r.right <= pane.right &&
      r.top >= pane.top && r.bottom <= pane.bottom;
    if (!inside) centerOn(fresh[0].slice("table-".length));
  }
  function zoom(factor, cx, cy) {
    const svg = svgEl();
    if (!svg) return;
    const v = viewBox(svg);
    extendHome();
    const px = cx === undefined ? v.x + v.w / 2 : cx;
    const py = cy === undefined ? v.y + v.h / 2 : cy;
    const w = Math.min(Math.max(v.w * factor, 20), home ? home.w * 20 : v.w * 20);
    const h = v.h * (w / v.w);
    setViewBox(svg, { x: px - (px - v.x) * (w / v.w), y: py - (py - v.y) * (h / v.h), w: w, h: h });
  }
  function svgPoint(svg, evt) {
    const pt = svg.createSVGPoint();
    pt.x = evt.clientX; pt.y = evt.clientY;
    return pt.matrixTransform(svg.getScreenCTM().inverse());
  }
  function centerOn(uid) {
    const svg = svgEl();
    const g = svg && svg.getElementById("table-" + uid);
    if (!g) return;
    const b = g.getBBox();
    const v = viewBox(svg);
    // the node group's bbox is in the coordinates of the graph group; apply its transform
    const m = g.getCTM(), s = svg.getCTM();
    const toView = s.inverse().multiply(m);
    const corner = (x, y) => { const p = svg.createSVGPoint(); p.x = x; p.y = y;
      return p.matrixTransform(toView); };
    const a = corner(b.x, b.y), z = corner(b.x + b.width, b.y + b.height);
    const c = { x: (a.x + z.x) / 2, y: (a.y + z.y) / 2 };
    // zoomed in so far that the table does not fit: zoom out until it does (with a margin)
    const grow = Math.max(1, 1.1 * Math.abs(z.x - a.x) / v.w, 1.1 * Math.abs(z.y - a.y) / v.h);
    const w = v.w * grow, h = v.h * grow;
    setViewBox(svg, { x: c.x - w / 2, y: c.y - h / 2, w: w, h: h });
  }
  document.addEventListener("click", (evt) => {
    const z = evt.target.closest && evt.target.closest("[data-zoom]");
    if (!z) return;
    if (z.dataset.zoom === "in") zoom(0.8);
    else if (z.dataset.zoom === "out") zoom(1.25);
    else if (home) { extendHome(); setViewBox(svgEl(), home); sessionStorage.removeItem(viewKey); }
  });
  const diagram = document.getElementById("diagram");
  diagram.addEventListener("wheel", (evt) => {
    const svg = svgEl();
    if (!svg) return;
    evt.preventDefault();
    const p = svgPoint(svg, evt);
    zoom(evt.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
  }, { passive: false });

  // ------------------------------------------------------- drag: pan background / move table
  let drag = null;
  diagram.addEventListener("pointerdown", (evt) => {
    const svg = svgEl();
    if (!svg || evt.button !== 0) return;
    const tableUid = uidOf(evt.target, "table");
    const start = svgPoint(svg, evt);
    if (tableUid && canEdit) {
      const g = svg.getElementById("table-" + tableUid);
      drag = { kind: "table", uid: tableUid, g: g, start: start, dx: 0, dy: 0,
               badge: isBadge(evt.target) };
    } else if (!tableUid) {
      // Remember the edge under the pointer: it opens on pointerup without a pan (with
      // the pointer captured, the click that follows targets #diagram, not the edge).
      drag = { kind: "pan", start: { x: evt.clientX, y: evt.clientY }, v: viewBox(svg),
               rel: uidOf(evt.target, "rel"), moved: false };
    }
    if (drag) diagram.setPointerCapture(evt.pointerId);
  });
  diagram.addEventListener("pointermove", (evt) => {
    if (!drag) return;
    const svg = svgEl();
    if (drag.kind === "pan") {
      if (Math.abs(evt.clientX - drag.start.x) + Math.abs(evt.clientY - drag.start.y) > 3) drag.moved = true;
      const rect = svg.getBoundingClientRect();
      const scale = Math.max(drag.v.w / rect.width, drag.v.h / rect.height);
      setViewBox(svg, { x: drag.v.x - (evt.clientX - drag.start.x) * scale,
                        y: drag.v.y - (evt.clientY - drag.start.y) * scale,
                        w: drag.v.w, h: drag.v.h });
    } else {
      const p = svgPoint(svg, evt);
      drag.dx = p.x - drag.start.x; drag.dy = p.y - drag.start.y;
      drag.g.setAttribute("transform", "translate(" + drag.dx + " " + drag.dy + ")");
      drag.g.classList.add("dragging");
    }
  });
  function endDrag(evt) {
    if (!drag) return;
    const d = drag; drag = null;
    if (d.kind === "pan") {
      if (d.rel && !d.moved && evt.type === "pointerup") open("rel", d.rel);
      return;
    }
    if (Math.abs(d.dx) < 3 && Math.abs(d.dy) < 3) {
      d.g.removeAttribute("transform");
      if (d.badge) openFindings(d.uid); else open("table", d.uid);
      return;
    }
    const body = new URLSearchParams({ dx: d.dx.toFixed(2), dy: d.dy.toFixed(2) });
    const done = ownStarted();
    fetch(base + "t/" + d.uid + "/move/", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "HX-Request": "true" },
    }).then((r) => {
      if (!r.ok) d.g.removeAttribute("transform");
      htmx.trigger(document.body, "schema-changed");
      if (r.ok) refreshPanel("#undo-bar");  // the drag is the undo button's step now
    }).finally(done);
  }
  diagram.addEventListener("pointerup", endDrag);
  diagram.addEventListener("pointercancel", endDrag);

  // ------------------------------------------------------------------ click to open
  let selected = null;
  let marked = null;  // the element highlightSelected() marked
  function open(kind, uid) {
    selected = uid;
    const url = base + (kind === "rel" ? "r/" : "t/") + uid + "/";
    htmx.ajax("GET", url, { target: "#panel", swap: "innerHTML" });
    highlightSelected();
  }
  function highlightSelected() {
    const svg = svgEl();
    if (!svg) return;
    // the element marked last, else a look through the drawing (a new one, or marked by
    // someone else): not a selector run over every element of it at each patch
    if (marked && marked.isConnected && svg.contains(marked)) marked.classList.remove("selected");
    else svg.querySelectorAll(".selected").forEach((g) => g.classList.remove("selected"));
    marked = null;
    if (!selected) return;
    const g = svg.getElementById("table-" + selected) || svg.getElementById("rel-" + selected);
    if (g) { g.classList.add("selected"); marked = g; }
  }
  diagram.addEventListener("click", (evt) => {
    if (canEdit) return;  // with editing, pointerup handles table clicks
    const t = uidOf(evt.target, "table");
    if (t && isBadge(evt.target)) openFindings(t);
    else if (t) open("table", t);
  });
  // a table's finding badge ("3 · BLOCK") opens the findings list, that table's marked
  function isBadge(el) {
    return !!(el && el.closest && el.closest('[id^="a_table-"][id$="__badge"]'));
  }
  function openFindings(uid) {
    selected = uid;
    highlightSelected();
    htmx.ajax("GET", pane.dataset.editorUrl, { target: "#panel", swap: "innerHTML" }).then(() => {
      const box = document.getElementById("findings");
      if (!box) return;
      box.open = true;
      const items = box.querySelectorAll("li[data-target]");
      items.forEach((li) => li.classList.toggle("finding-focus", li.dataset.target === uid));
      const first = box.querySelector("li.finding-focus") || box;
      first.scrollIntoView({ block: "start" });
    });
  }
  document.addEventListener("click", (evt) => {
    const a = evt.target.closest && evt.target.closest("[data-select]");
    if (a) { selected = a.dataset.select; highlightSelected(); }
  });

  // ------------------------------------------------------------------------ search
  document.addEventListener("input", (evt) => {
    if (evt.target.id !== "table-search") return;
    const q = evt.target.value.trim().toLowerCase();
    // a table matches by its name or by one of its columns' names (the hit is shown)
    document.querySelectorAll("#table-list li[data-name]").forEach((li) => {
      const byName = q === "" || li.dataset.name.includes(q);
      const cols = (li.dataset.columns || "").split(" ").filter((c) => c && q && c.includes(q));
      li.hidden = !byName && cols.length === 0;
      const hint = li.querySelector(".column-hit");
      if (hint) {
        hint.hidden = byName || cols.length === 0;
        hint.textContent = hint.hidden ? "" : "column " + cols.join(", ");
      }
    });
    const svg = svgEl();
    if (!svg) return;
    svg.querySelectorAll("g.node").forEach((g) => g.classList.remove("search-hit"));
    if (!q) return;
    const first = document.querySelector("#table-list li[data-name]:not([hidden]) a[data-select]");
    document.querySelectorAll("#table-list li[data-name]:not([hidden]) a[data-select]").forEach((a) => {
      const g = svg.getElementById("table-" + a.dataset.select);
      if (g) g.classList.add("search-hit");
    });
    if (first) centerOn(first.dataset.select);
  });

  const subjectOf = () => {  // what the panel shows: a table or relationship uid, or ""
    const t = document.querySelector("#panel-title");
    return t ? (t.dataset.table || t.dataset.relationship || "") : "";
  };
  let panelSubject = subjectOf();
  // htmx "settles" a swapped element's class attribute after afterSwap (it puts the old
  // element's classes on for a moment, then the new ones back), which drops the
  // "selected" class set in prepare(): set it again once the swap has settled.
  document.body.addEventListener("htmx:afterSettle", (evt) => {
    // an edit settles on #panel, with the new diagram swapped in out of band
    if (evt.target.id === "diagram" || evt.target.id === "panel") highlightSelected();
  });
  // a patch replaced some elements (the second part of this file): keep the selection
  document.body.addEventListener("diagram:patched", () => {
    highlightSelected();
    showNewTables();
    homeStale = true;
  });
  // A table placed beyond the drawing's box by a patch: "Fit" takes it in from now on.
  // Measured when "Fit" or a zoom needs it, not at each patch: the drawing's box is a
  // layout of the whole drawing, forced before the patch could paint (issue #17).
  function extendHome() {
    if (!homeStale) return;
    homeStale = false;
    const svg = svgEl(), g = svg && svg.querySelector("g.graph");
    if (!svg || !g || !home) return;
    let b, m;
    try { b = g.getBBox(); m = svg.getCTM().inverse().multiply(g.getCTM()); } catch (e) { return; }
    const pts = [[b.x, b.y], [b.x + b.width, b.y + b.height]].map(([x, y]) => {
      const p = svg.createSVGPoint(); p.x = x; p.y = y; return p.matrixTransform(m);
    });
    const x0 = Math.min(home.x, pts[0].x, pts[1].x), y0 = Math.min(home.y, pts[0].y, pts[1].y);
    const x1 = Math.max(home.x + home.w, pts[0].x, pts[1].x);
    const y1 = Math.max(home.y + home.h, pts[0].y, pts[1].y);
    home = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  }
  // an edit's response carries the new diagram out of band (htmx fires oobAfterSwap even
  // when a patch was applied instead, shouldSwap false: the drawing is the same element,
  // and preparing it again would reset its viewBox and lay out and paint all of it again)
  document.body.addEventListener("htmx:oobAfterSwap", (evt) => {
    const d = evt.detail;
    if (d && d.target && d.target.id === "diagram" && d.shouldSwap !== false) prepare();
  });
  document.body.addEventListener("htmx:afterSwap", (evt) => {
    if (evt.target.id === "diagram") prepare();
    if (evt.target.id === "panel") {
      // Another table (or the overview) now: show its top, not the old scroll position.
      const subject = subjectOf();
      if (subject !== panelSubject) evt.target.scrollTop = 0;
      panelSubject = subject;
    }
    // (the panel's revision is not the drawing's: the poller asks about the drawing, which
    // sets pane.dataset.rev in prepare() and in a patch; a panel opened after a change the
    // drawing does not show yet must not hide that change from the poller)
    const title = document.querySelector("#panel-title[data-table]");
    if (evt.target.id === "panel" && title) { selected = title.dataset.table; highlightSelected(); }
  });
  // ------------------------------------------------ somebody else changed the design
  // The poller (every 3 s) fires "schema-changed" when the design's revision moved on: the
  // diagram re-fetches itself; the panel follows unless the user is typing in it, then a
  // notice offers the refresh (their input stays; a stale save would get 409 anyway).
  let panelDirty = false;
  const panelEl = document.getElementById("panel");
  panelEl.addEventListener("input", (evt) => {
    if (evt.target.id !== "table-search") panelDirty = true;
  });
  document.body.addEventListener("htmx:afterSwap", (evt) => {
    // a refused form (422, a stale 409) is shown again with what the user typed, unsaved:
    // the panel is still being edited, so the poller offers the refresh instead of taking it
    const xhr = evt.detail && evt.detail.xhr;
    if (evt.target.id === "panel") panelDirty = !!xhr && xhr.status >= 400;
  });
  function panelBusy() {
    const a = document.activeElement;
    const typing = a && panelEl.contains(a) && /^(INPUT|SELECT|TEXTAREA)$/.test(a.tagName) &&
      a.id !== "table-search";
    return panelDirty || typing || (a && a.id === "table-search" && a.value.trim() !== "");
  }
  function refreshPanel(only) {  // only: a part of the panel (a selector), else all of it
    const t = document.querySelector("#panel-title");
    let url = pane.dataset.editorUrl;  // the overview, or the table: gone tables fall back
    if (t && t.dataset.relationship) url = base + "r/" + t.dataset.relationship + "/";
    else if (t && t.dataset.table) url += "?table=" + encodeURIComponent(t.dataset.table);
    if (typeof only === "string" && document.querySelector(only)) {
      htmx.ajax("GET", url, { target: only, select: only, swap: "outerHTML" });
    } else htmx.ajax("GET", url, { target: "#panel", swap: "innerHTML" });
  }
  function staleNotice() {
    if (document.getElementById("stale-panel")) return;
    const inner = panelEl.querySelector(".panel-inner");
    if (!inner) return;
    const box = document.createElement("div");
    box.id = "stale-panel";
    box.className = "box notice";
    box.setAttribute("role", "status");
    box.textContent = "Someone else changed this design. ";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Show the current state";
    button.addEventListener("click", refreshPanel);
    box.appendChild(button);
    inner.prepend(box);
  }
  // The poller's answer says which revision the design is at (X-Design-Revision). It is
  // ignored when it is no newer than the drawing shown (an edit's own response set that
  // revision: a poll sent before the edit answered may come back after it), and while
  // this page's own edits or drawing refreshes are in flight or started after the poll
  // was sent (the next poll asks again with the revision they bring). A page that shows
  // the provisional placement says so (provisional=1): the server then answers "changed"
  // once the layout is stored, and that answer is always followed.
  const own = new Set();  // this page's requests in flight that bring a new drawing
  let ownSeq = 0;  // how many such requests were started
  const provisional = () => !!document.querySelector("#diagram [data-provisional]");
  function ownStarted() {
    const token = {};
    ownSeq += 1;
    own.add(token);
    return () => own.delete(token);
  }
  document.body.addEventListener("htmx:configRequest", (evt) => {
    const elt = evt.detail.elt;
    if (elt && elt.id === "poller" && provisional()) evt.detail.parameters.provisional = "1";
  });
  document.body.addEventListener("htmx:beforeRequest", (evt) => {
    const d = evt.detail;
    if (!d || !d.xhr) return;
    if (d.elt && d.elt.id === "poller") { d.xhr.ownSeq = ownSeq; return; }
    const verb = ((d.requestConfig && d.requestConfig.verb) || "get").toLowerCase();
    if (verb === "get" && !(d.target && d.target.id === "diagram")) return;
    d.xhr.addEventListener("loadend", ownStarted());
  });
  document.body.addEventListener("htmx:beforeOnLoad", (evt) => {
    const d = evt.detail;
    if (!d || !d.elt || d.elt.id !== "poller" || !d.xhr || d.xhr.status !== 200) return;
    const said = d.xhr.getResponseHeader("X-Design-Revision");
    const rev = said === null ? NaN : Number(said);
    const known = Number(pane.dataset.rev);
    const mine = own.size > 0 || d.xhr.ownSeq !== ownSeq;
    const old = Number.isFinite(rev) && Number.isFinite(known) && rev <= known && !provisional();
    if (mine || old) evt.preventDefault();  // no "schema-changed": nothing to fetch
  });
  document.body.addEventListener("schema-changed", (evt) => {
    if (!evt.detail || evt.detail.rev === undefined) return;  // a local drag, not the poller
    if (panelBusy()) staleNotice(); else refreshPanel();
  });

  prepare();
})();

/* Incremental diagram updates for the editor (issue #17).
 *
 * Every drawing the server sends carries a token (<svg data-token="...">). The editor sends
 * it back in the X-Diagram-Token header with the requests that answer with a diagram (an
 * edit, which targets #panel and carries the diagram out of band; the diagram's refresh
 * after the poller saw a new revision). When the server knows that drawing, it answers
 * with a patch instead of the whole drawing:
 *
 *   <svg data-patch="<token of the drawing it applies to>" data-token="<new token>"
 *        data-remove="<ids of elements that are gone>"> <g id="table-..." class="node">...
 *
 * The groups replace the elements of the same id in place (every other element stays
 * the same DOM node); new ones go where Graphviz puts them (clusters, then edges, then
 * nodes). A patch for another drawing than the one shown is not applied: the whole
 * drawing is fetched instead.
 */
(function () {
  "use strict";
  const pane = document.getElementById("diagram-pane");
  if (!pane) return;
  const HEADER = "X-Diagram-Token";
  let wantWhole = false;  // the next refresh asks for the whole drawing

  const shown = () => document.querySelector("#diagram .svg-host > svg[data-token]");

  document.body.addEventListener("htmx:configRequest", (evt) => {
    const target = evt.detail.target;
    if (!target || (target.id !== "diagram" && target.id !== "panel")) return;
    const svg = shown();
    if (target.id === "diagram" && wantWhole) { wantWhole = false; return; }
    // a patch of the provisional placement would keep its notice (outside the <svg>), and
    // the laid-out drawing moves every table anyway: the whole drawing replaces it
    if (document.querySelector("#diagram [data-provisional]")) return;
    if (svg) evt.detail.headers[HEADER] = svg.dataset.token;
  });

  function layerOf(g) {
    if (g.classList.contains("cluster")) return 0;
    if (g.classList.contains("edge")) return 1;
    return 2;
  }

  // Apply a patch <svg> to the drawing shown; false when it is for another drawing.
  function apply(patch, rev) {
    const svg = shown();
    if (!svg || svg.dataset.token !== patch.dataset.patch) return false;
    const graph = svg.querySelector("g.graph") || svg;
    const removed = (patch.dataset.remove || "").split(" ").filter(Boolean);
    const drawn = [];  // ids of the groups replaced or added
    removed.forEach((id) => {
      const old = svg.getElementById(id);
      if (old) old.remove();
    });
    Array.from(patch.children).forEach((g) => {
      if (g.tagName.toLowerCase() !== "g" || !g.id) return;
      drawn.push(g.id);
      const old = svg.getElementById(g.id);
      if (old && old.parentNode) { old.replaceWith(g); return; }
      // a new element: after the last one of its layer, or before the first of a later one
      const layer = layerOf(g);
      const tops = Array.from(graph.children).filter((c) => c.tagName.toLowerCase() === "g");
      const after = tops.filter((c) => layerOf(c) <= layer).pop();
      if (after) after.after(g);
      else if (tops.length) tops[0].before(g);
      else graph.appendChild(g);
    });
    svg.dataset.token = patch.dataset.token;
    const host = svg.parentNode;
    if (rev !== undefined && rev !== null && rev !== "") {
      host.dataset.rev = rev;
      pane.dataset.rev = rev;
    }
    document.body.dispatchEvent(new CustomEvent("diagram:patched",
      { detail: { svg: svg, removed: removed, drawn: drawn } }));
    return true;
  }

  function fetchWhole() {
    wantWhole = true;
    htmx.trigger(document.body, "schema-changed");
  }

  // Handle a response fragment holding .svg-host; true when it was a patch (applied or not).
  function handle(root) {
    const patch = root.querySelector("svg[data-patch]");
    if (!patch) return false;
    const host = root.querySelector(".svg-host");
    if (!apply(patch, host ? host.dataset.rev : null)) fetchWhole();
    return true;
  }

  // An edit's response: the diagram comes out of band.
  document.body.addEventListener("htmx:oobBeforeSwap", (evt) => {
    const d = evt.detail;
    if (!d || !d.target || d.target.id !== "diagram" || !d.fragment) return;
    if (handle(d.fragment)) d.shouldSwap = false;
  });
  // The diagram's refresh.
  document.body.addEventListener("htmx:beforeSwap", (evt) => {
    const d = evt.detail;
    if (!d || !d.target || d.target.id !== "diagram" || !d.xhr) return;
    const text = d.serverResponse || "";
    if (text.indexOf("data-patch=") < 0) return;
    const tpl = document.createElement("template");
    tpl.innerHTML = text;
    if (handle(tpl.content)) d.shouldSwap = false;
  });
  // An edit's answer (the panel, the drawing's patch out of band): the patch is applied at
  // once and the panel is swapped a moment later (htmx's swap delay), so that the browser
  // paints the changed drawing first rather than after swapping, processing and laying out
  // the whole panel (at 300 tables, about 100 ms more before the patch could paint). The
  // moment is how long the previous patch took to paint, and a little more (20 ms at first):
  // at 1,000 tables the frame begins later than 20 ms after the patch, and a panel swapped
  // in before it held the drawing back by the panel's own cost.
  const OOB = '<div id="diagram" hx-swap-oob';
  let paintWait = 20;
  function timePaint() {  // from now (a patch applied) to just after the frame that paints it
    const t0 = performance.now();
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        paintWait = Math.min(400, Math.max(20, Math.round((performance.now() - t0) * 1.25) + 5));
      };
      ch.port2.postMessage(null);
    });
  }
  document.body.addEventListener("htmx:beforeSwap", (evt) => {
    const d = evt.detail;
    if (!d || !d.target || d.target.id !== "panel" || !d.shouldSwap || d.isError) return;
    const text = d.serverResponse || "";
    const at = text.indexOf(OOB);
    if (at < 0 || text.indexOf("data-patch=", at) < 0) return;
    const tpl = document.createElement("template");
    tpl.innerHTML = text.slice(at);
    const oob = tpl.content.querySelector("#diagram");
    if (!oob || !handle(oob)) return;
    const wait = paintWait;
    timePaint();
    oob.remove();
    d.serverResponse = text.slice(0, at) + tpl.innerHTML;
    const elt = d.requestConfig && d.requestConfig.elt;
    const own = d.swapOverride || (elt && elt.closest && elt.closest("[hx-swap]") &&
      elt.closest("[hx-swap]").getAttribute("hx-swap")) || "innerHTML";
    if (!/\bswap:/.test(own)) d.swapOverride = own + ` swap:${wait}ms`;
  });
})();
