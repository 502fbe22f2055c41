/* A minimap for designs of more than 50 tables (issue 16, item 5): the whole drawing in a
 * corner, the part on screen as a rectangle; a click there centres the view on that point.
 *
 * The minimap draws a sketch of the drawing: a copy of its shapes (the tables' boxes and
 * cells, the lines), without the text, which is unreadable at that scale (issue 17). It is
 * not a live <use> of the drawing: with one, every change of the drawing (a patch after an
 * edit) made the browser clone and lay out the whole drawing a second time before the
 * change could be painted (at 300 tables, most of the time from click to paint). The sketch
 * is redrawn when the browser is idle after a change, so the change itself paints first.
 */
(function () {
  "use strict";
  const LIMIT = 50;
  const NS = "http://www.w3.org/2000/svg";
  const SHAPES = new Set(["polygon", "path", "polyline", "ellipse", "rect", "line", "circle"]);
  const HIDDEN = new Set(["text", "title", "desc", "tspan", "style", "script", "defs"]);
  const diagram = document.getElementById("diagram");
  if (!diagram) return;
  let box = null, frame = null, watched = null, pending = null;
  const observer = new MutationObserver(() => place());

  function drawing() { return diagram.querySelector(".svg-host > svg"); }
  function home(svg) {  // the drawing's own extent: its graph group's box
    const g = svg.querySelector("g.graph, g#er-diagram");
    try { const b = g.getBBox(); return { x: b.x, y: b.y, w: b.width, h: b.height, g: g }; }
    catch (e) { return null; }
  }
  // A copy of src's shapes into dst: groups (and links) become plain groups with their
  // transform; no ids or classes (the page's scripts and styles look for those).
  function sketch(src, dst) {
    for (const c of src.children) {
      const k = part(c);
      if (k) dst.appendChild(k);
    }
  }
  // the sketch of one element (null: nothing to draw)
  function part(c) {
    const tag = c.localName;
    if (HIDDEN.has(tag)) return null;
    if (tag === "g" || tag === "a") {
      const g = document.createElementNS(NS, "g");
      const t = c.getAttribute("transform");
      if (t) g.setAttribute("transform", t);
      sketch(c, g);
      return g.firstChild ? g : null;
    }
    if (!SHAPES.has(tag)) return null;
    const k = c.cloneNode(false);
    k.removeAttribute("id");
    k.removeAttribute("class");
    return k;
  }
  // the sketch of each top-level group of the drawing (a table, an edge...), by its id:
  // what a patch of the drawing redraws in the minimap, not all of it (issue #17)
  let parts = new Map();
  function sketchTop(src, dst) {
    parts = new Map();
    for (const c of src.children) {
      const k = part(c);
      if (!k) continue;
      dst.appendChild(k);
      if (c.id) parts.set(c.id, k);
    }
  }
  function remove() {
    if (box) { box.remove(); box = null; frame = null; }
    observer.disconnect();
    watched = null;
  }
  function build() {
    pending = null;
    if (pendingPatch !== null) { cancel(pendingPatch); pendingPatch = null; }
    const svg = drawing();
    const tables = svg ? svg.querySelectorAll('g.node[id^="table-"]').length : 0;
    if (!svg || tables <= LIMIT) { remove(); return; }
    const h = home(svg);
    if (!h) { remove(); return; }
    const m = h.g.getCTM && svg.getCTM() ? svg.getCTM().inverse().multiply(h.g.getCTM()) : null;
    const content = document.createElementNS(NS, "g");
    content.setAttribute("class", "minimap-drawing");
    if (m) content.setAttribute("transform", "matrix(" + [m.a, m.b, m.c, m.d, m.e, m.f].join(" ") + ")");
    sketchTop(h.g, content);
    patched = { removed: new Set(), drawn: new Set() };
    if (!box || !box.isConnected || watched !== svg) {
      remove();
      box = document.createElementNS(NS, "svg");
      box.setAttribute("id", "minimap");
      box.setAttribute("role", "img");
      box.setAttribute("aria-label", "Minimap of the whole design");
      box.setAttribute("preserveAspectRatio", "xMidYMid meet");
      box.appendChild(content);
      frame = document.createElementNS(NS, "rect");
      frame.setAttribute("class", "minimap-view");
      box.appendChild(frame);
      // pointerdown, not click: diagram.js captures the pointer on #diagram for panning
      box.addEventListener("pointerdown", (evt) => {
        evt.stopPropagation();
        evt.preventDefault();
        const shown = watched;
        if (!shown) return;
        const pt = box.createSVGPoint(); pt.x = evt.clientX; pt.y = evt.clientY;
        const c = pt.matrixTransform(box.getScreenCTM().inverse());
        const v = shown.viewBox.baseVal;
        shown.setAttribute("viewBox", [c.x - v.width / 2, c.y - v.height / 2, v.width, v.height].join(" "));
      });
      diagram.appendChild(box);
      watched = svg;
      observer.observe(svg, { attributes: true, attributeFilter: ["viewBox"] });
    } else {
      box.replaceChild(content, box.querySelector("g.minimap-drawing"));
    }
    extent(svg, h, m);
  }
  // the minimap's viewBox: the whole drawing in the drawing's coordinates
  function extent(svg, h, m) {
    const vb = svg.viewBox.baseVal;
    const p0 = svg.createSVGPoint(), p1 = svg.createSVGPoint();
    p0.x = h.x; p0.y = h.y; p1.x = h.x + h.w; p1.y = h.y + h.h;
    const a = m ? p0.matrixTransform(m) : p0, b = m ? p1.matrixTransform(m) : p1;
    const x = Math.min(a.x, b.x, vb.x), y = Math.min(a.y, b.y, vb.y);
    box.setAttribute("viewBox", [x, y, Math.max(a.x, b.x) - x, Math.max(a.y, b.y) - y].join(" "));
    place();
  }
  function place() {
    if (!box || !frame || !watched) return;
    const v = watched.viewBox.baseVal;
    frame.setAttribute("x", v.x); frame.setAttribute("y", v.y);
    frame.setAttribute("width", v.width); frame.setAttribute("height", v.height);
  }
  // After diagram.js prepared the drawing, and once the change is painted: when the
  // browser is idle (or after half a second at the latest). Changes in a row draw it once.
  function idle(f) {
    return window.requestIdleCallback ? window.requestIdleCallback(f, { timeout: 500 })
      : window.setTimeout(f, 50);
  }
  function cancel(handle) {
    if (window.requestIdleCallback) window.cancelIdleCallback(handle);
    else window.clearTimeout(handle);
  }
  function later() {
    if (pending !== null) return;
    pending = idle(build);
  }
  // A patch of the drawing: its groups redrawn in the sketch, the others kept.
  let patched = { removed: new Set(), drawn: new Set() }, pendingPatch = null;
  function patchLater(evt) {
    const d = evt.detail || {};
    if (pending !== null) return;  // the whole sketch is drawn again anyway
    if (!box || !box.isConnected || !d.svg || d.svg !== watched || !d.removed || !d.drawn) {
      later();
      return;
    }
    d.removed.forEach((id) => { patched.removed.add(id); patched.drawn.delete(id); });
    d.drawn.forEach((id) => { patched.drawn.add(id); patched.removed.delete(id); });
    if (pendingPatch === null) pendingPatch = idle(applyPatch);
  }
  function applyPatch() {
    pendingPatch = null;
    const svg = drawing();
    const h = svg && home(svg);
    const content = box && box.querySelector("g.minimap-drawing");
    if (!svg || svg !== watched || !h || !content) { later(); return; }
    const { removed, drawn } = patched;
    patched = { removed: new Set(), drawn: new Set() };
    // a patch that removed tables may leave LIMIT or fewer: no minimap then, as build()
    if (removed.size && svg.querySelectorAll('g.node[id^="table-"]').length <= LIMIT) {
      remove();
      return;
    }
    removed.forEach((id) => {
      const k = parts.get(id);
      if (k) k.remove();
      parts.delete(id);
    });
    for (const id of drawn) {
      const el = svg.getElementById(id);
      if (!el || el.parentNode !== h.g) { later(); return; }  // not a top-level group
      const k = part(el), old = parts.get(id);
      parts.delete(id);
      if (old) old.remove();
      if (!k) continue;
      // before the sketch of the next group that has one, as in the drawing
      let next = el.nextElementSibling;
      while (next && !(next.id && parts.has(next.id))) next = next.nextElementSibling;
      if (next) content.insertBefore(k, parts.get(next.id)); else content.appendChild(k);
      parts.set(id, k);
    }
    const m = h.g.getCTM && svg.getCTM() ? svg.getCTM().inverse().multiply(h.g.getCTM()) : null;
    extent(svg, h, m);
  }
  document.body.addEventListener("htmx:afterSwap", (evt) => { if (evt.target.id === "diagram") later(); });
  // (an edit's answer with a patch fires it with shouldSwap false: diagram:patched follows)
  document.body.addEventListener("htmx:oobAfterSwap", (evt) => {
    const d = evt.detail;
    if (d && d.target && d.target.id === "diagram" && d.shouldSwap !== false) later();
  });
  document.body.addEventListener("diagram:patched", patchLater);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", later);
  else later();
})();
