/* The selected table in the address bar (issue 16, item 5).
 *
 * Whenever the side panel shows another table (a click in the diagram, the table list, a
 * search hit, keyboard), the URL becomes <editor>?table=<uid> by history.pushState; the
 * overview drops the parameter. Back and forward load the panel of the URL's table again.
 * A deep link (<editor>?table=<uid>) is served with that table open by the editor view.
 */
(function () {
  "use strict";
  const pane = document.getElementById("diagram-pane");
  if (!pane || !window.history || !window.htmx) return;
  const editorUrl = pane.dataset.editorUrl;
  const KEY = "modelerTable";

  const urlTable = () => new URL(window.location.href).searchParams.get("table") || "";
  const panelTable = () => {
    const t = document.querySelector("#panel-title");
    if (!t) return "";
    if (t.dataset.relationship) return null;  // a relationship: the URL stays as it is
    return t.dataset.table || "";
  };
  const urlFor = (uid) => {
    const u = new URL(window.location.href);
    if (uid) u.searchParams.set("table", uid); else u.searchParams.delete("table");
    return u.pathname + u.search + u.hash;
  };

  history.replaceState(Object.assign({}, history.state, { [KEY]: urlTable() }), "");

  let restoring = false;
  document.body.addEventListener("htmx:afterSwap", (evt) => {
    if (evt.target.id !== "panel") return;
    const uid = panelTable();
    if (uid === null) return;
    if (restoring) { restoring = false; return; }
    if (uid === urlTable()) return;
    history.pushState({ [KEY]: uid }, "", urlFor(uid));
  });

  window.addEventListener("popstate", (evt) => {
    if (evt.state && evt.state.htmx) return;  // htmx's own history entry
    const uid = urlTable();
    if (uid === panelTable()) return;
    restoring = true;
    const url = uid ? editorUrl + "?table=" + encodeURIComponent(uid) : editorUrl;
    htmx.ajax("GET", url, { target: "#panel", swap: "innerHTML" });
  });
})();
