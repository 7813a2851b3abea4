// The control room's ANPR page: hits arrive over server-sent events
// (/api/v1/anpr/hits/stream); each new hit's card is fetched from the node,
// already translated, and put at the top of the list and on the map (Leaflet,
// served from the package, no tile layer: borders and cameras only).
(function () {
  "use strict";
  const list = document.getElementById("anpr-hits");
  const status = document.getElementById("anpr-status");
  const empty = document.getElementById("anpr-empty");
  const mapEl = document.getElementById("anpr-map");
  if (!list) return;

  let map = null;
  const markers = {};
  function addPoint(p) {
    if (!map || !p || p.lat == null || p.lon == null || markers[p.hit_id]) return;
    const colour = p.action === "discreet_observation" ? "#b45309" : "#c0392b";
    markers[p.hit_id] = L.circleMarker([p.lat, p.lon], {
      radius: 8, color: colour, weight: 2, fillColor: colour, fillOpacity: 0.55,
    }).bindPopup(p.plate + " · " + p.site + " · " + p.read_at).addTo(map);
  }
  if (mapEl && typeof L !== "undefined") {
    const data = JSON.parse(mapEl.dataset.map || "{}");
    map = L.map(mapEl, { zoomSnap: 0.25, attributionControl: true });
    map.attributionControl.addAttribution("Borders: Natural Earth");
    // the cameras and the hits shown (a partner's hit on our entry lies abroad)
    const cams = (data.cameras || []).concat(data.hits || []).map((c) => [c.lat, c.lon]);
    if (cams.length) map.fitBounds(cams, { padding: [20, 20], maxZoom: 12 });
    else map.setView([50.75, 5.9], 9);
    fetch("/static/vendor/borders.geojson")
      .then((r) => (r.ok ? r.json() : null))
      .then((gj) => {
        if (gj) L.geoJSON(gj, { style: { color: "#1b1f23", weight: 2, fill: false, interactive: false } }).addTo(map);
      });
    (data.cameras || []).forEach((c) => {
      L.circleMarker([c.lat, c.lon], { radius: 3, color: "#6b7280", weight: 1, fillOpacity: 0.8 })
        .bindTooltip(c.site).addTo(map);
    });
    (data.hits || []).forEach(addPoint);
  }

  function show(html) {
    const tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    const node = tpl.content.firstElementChild;
    if (!node) return;
    const old = document.getElementById(node.id);
    if (old) old.replaceWith(node);
    else {
      list.prepend(node);
      node.classList.add("anpr-new");
      const count = document.getElementById("anpr-count");
      if (count) {
        const total = Number(count.dataset.total || 0) + 1;
        count.dataset.total = String(total);
        count.textContent = "(" + total.toLocaleString(document.documentElement.lang) + ")";
      }
    }
    if (empty) empty.hidden = true;
    if (window.htmx && typeof window.htmx.process === "function") window.htmx.process(node);
    if (node.dataset.point) addPoint(JSON.parse(node.dataset.point));
  }
  function load(id) {
    fetch("/anpr/hits/" + encodeURIComponent(id) + "/card", { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : null))
      .then((html) => { if (html) show(html); });
  }
  if (typeof EventSource === "undefined") return;
  const live = document.createElement("span");
  status.prepend(live, " ");
  const stream = new EventSource("/api/v1/anpr/hits/stream");
  stream.addEventListener("open", () => { live.textContent = status.dataset.live; status.dataset.state = "live"; });
  stream.addEventListener("error", () => { live.textContent = status.dataset.lost; status.dataset.state = "lost"; });
  stream.addEventListener("anpr.hits", (ev) => {
    const hit = JSON.parse(ev.data);
    if (!hit.duplicate_of) load(hit.hit_id);
  });
  stream.addEventListener("anpr.dispositions", (ev) => {
    const d = JSON.parse(ev.data);
    if (document.getElementById("hit-" + d.hit_id)) load(d.hit_id);
  });
})();
