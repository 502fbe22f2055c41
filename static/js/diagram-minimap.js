/* A minimap for designs of more than 50 tables (issue 16, item 5): the whole drawing in a
 * corner (an SVG <use> of the main drawing, no copy), the part on screen as a rectangle;
 * a click there centres the view on that point.
 */
(function () {
  "use strict";
  const LIMIT = 50;
  const NS = "http://www.w3.org/2000/svg";
  const diagram = document.getElementById("diagram");
  if (!diagram) return;
  let box = null, frame = null, watched = null;
  const observer = new MutationObserver(() => place());

  function drawing() { return diagram.querySelector(".svg-host > svg"); }
  function home(svg) {  // the drawing's own extent: its graph group's box
    const g = svg.querySelector("g.graph, g#er-diagram");
    try { const b = g.getBBox(); return { x: b.x, y: b.y, w: b.width, h: b.height, g: g }; }
    catch (e) { return null; }
  }
  function build() {
    const svg = drawing();
    const tables = svg ? svg.querySelectorAll('g.node[id^="table-"]').length : 0;
    if (box) { box.remove(); box = null; }
    observer.disconnect();
    if (!svg || tables <= LIMIT) return;
    const h = home(svg);
    if (!h || !h.g.id) return;
    box = document.createElementNS(NS, "svg");
    box.setAttribute("id", "minimap");
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", "Minimap of the whole design");
    const m = h.g.getCTM && svg.getCTM() ? svg.getCTM().inverse().multiply(h.g.getCTM()) : null;
    const use = document.createElementNS(NS, "use");
    use.setAttribute("href", "#" + h.g.id);
    box.appendChild(use);
    frame = document.createElementNS(NS, "rect");
    frame.setAttribute("class", "minimap-view");
    box.appendChild(frame);
    diagram.appendChild(box);
    // the whole drawing in the drawing's coordinates
    const vb = svg.viewBox.baseVal;
    const p0 = svg.createSVGPoint(), p1 = svg.createSVGPoint();
    p0.x = h.x; p0.y = h.y; p1.x = h.x + h.w; p1.y = h.y + h.h;
    const a = m ? p0.matrixTransform(m) : p0, b = m ? p1.matrixTransform(m) : p1;
    const x = Math.min(a.x, b.x, vb.x), y = Math.min(a.y, b.y, vb.y);
    box.setAttribute("viewBox", [x, y, Math.max(a.x, b.x) - x, Math.max(a.y, b.y) - y].join(" "));
    box.setAttribute("preserveAspectRatio", "xMidYMid meet");
    // pointerdown, not click: diagram.js captures the pointer on #diagram for panning
    box.addEventListener("pointerdown", (evt) => {
      evt.stopPropagation();
      evt.preventDefault();
      const pt = box.createSVGPoint(); pt.x = evt.clientX; pt.y = evt.clientY;
      const c = pt.matrixTransform(box.getScreenCTM().inverse());
      const v = svg.viewBox.baseVal;
      svg.setAttribute("viewBox", [c.x - v.width / 2, c.y - v.height / 2, v.width, v.height].join(" "));
    });
    watched = svg;
    observer.observe(svg, { attributes: true, attributeFilter: ["viewBox"] });
    place();
  }
  function place() {
    if (!box || !frame || !watched) return;
    const v = watched.viewBox.baseVal;
    frame.setAttribute("x", v.x); frame.setAttribute("y", v.y);
    frame.setAttribute("width", v.width); frame.setAttribute("height", v.height);
  }
  const later = () => window.setTimeout(build, 0);  // after diagram.js prepared the drawing
  document.body.addEventListener("htmx:afterSwap", (evt) => { if (evt.target.id === "diagram") later(); });
  document.body.addEventListener("htmx:oobAfterSwap", later);
  document.body.addEventListener("diagram:patched", later);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", later);
  else later();
})();
