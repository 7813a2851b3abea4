// The joint-action board: checkpoints on the borders (Leaflet, no tiles) and live figures.
// When the node's stream (server-sent events, topic ops.actions) says this action's board
// changed, the figures are fetched again as HTML (translated by the server) at most once
// a second, and the checkpoint circles are resized. No library beyond Leaflet.
(function () {
  "use strict";
  const root = document.getElementById("action-live");
  if (!root) return;
  const actionId = root.dataset.action;
  const boardEl = document.getElementById("action-board");
  const status = document.getElementById("action-live-status");
  const fills = { BE: "#f6e7a8", NL: "#f7c9a1", LU: "#c9dff2", DE: "#dcdcdc", FR: "#cfe8cf" };
  const circles = {};

  function radius(n, top) { return 5 + 12 * Math.sqrt(top ? n / top : 0); }
  function resize(board) {
    const per = (board && board.by_checkpoint) || {};
    const values = Object.values(per).map((e) => e.persons_checked || e.results || 0);
    const top = Math.max(0, ...values);
    for (const [id, c] of Object.entries(circles)) {
      const e = per[id] || {};
      c.setRadius(radius(e.persons_checked || e.results || 0, top));
    }
  }

  const mapEl = document.getElementById("action-map");
  if (mapEl && typeof L !== "undefined") {
    const map = L.map(mapEl, { zoomSnap: 0.25 });
    map.attributionControl.addAttribution("Borders © OpenStreetMap contributors");
    try { map.fitBounds(JSON.parse(root.dataset.bounds)); } catch (e) { map.setView([50.8, 5.9], 9); }
    fetch(root.dataset.map, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((gj) => {
        if (!gj) return;
        const points = [];
        L.geoJSON(gj, {
          filter: (f) => f.properties.kind === "country",
          style: (f) => ({ color: "#555", weight: 1, fillColor: fills[f.properties.country] || "#eee", fillOpacity: 0.7 }),
          interactive: false,
        }).addTo(map);
        for (const f of gj.features) {
          if (f.properties.kind !== "checkpoint") continue;
          const [lon, lat] = f.geometry.coordinates;
          points.push([lat, lon]);
          circles[f.properties.id] = L.circleMarker([lat, lon], {
            radius: 5, color: "#fff", weight: 1, fillColor: "#c0392b", fillOpacity: 0.85,
          }).bindTooltip(f.properties.id + " · " + f.properties.name).addTo(map);
        }
        if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 12 });
        fetch("/api/v1/actions/" + encodeURIComponent(actionId) + "/board", { credentials: "same-origin" })
          .then((r) => (r.ok ? r.json() : null)).then(resize);
      });
  }

  let timer = null;
  let latest = null;
  function refresh() {
    timer = null;
    fetch(root.dataset.board, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : null))
      .then((html) => { if (html !== null) boardEl.innerHTML = html; });
    resize(latest);
  }
  if (typeof EventSource === "undefined") return;
  const source = new EventSource(root.dataset.stream, { withCredentials: true });
  source.addEventListener("open", () => { status.textContent = status.dataset.live; });
  source.addEventListener("error", () => { status.textContent = status.dataset.offline; });
  source.addEventListener("ops.actions", (ev) => {
    let data;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    if (data.action_id !== actionId) return;
    latest = data.board;
    if (timer === null) timer = setTimeout(refresh, 1000);
  });
})();
