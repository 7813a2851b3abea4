// The crime picture map: H3 hotspot cells and the country borders, drawn with Leaflet.
// No tile layer (no internet needed); the page's filter form drives both the map and the
// HTMX panel. Served from the package, as is Leaflet (static/vendor/leaflet).
(function () {
  "use strict";
  const form = document.getElementById("crime-filters");
  const el = document.getElementById("crime-map");
  if (!form || !el || typeof L === "undefined") return;
  const months = (form.dataset.months || "").split(",").filter(Boolean);
  const from = document.getElementById("from-month");
  const to = document.getElementById("to-month");
  const since = document.getElementById("since");
  const until = document.getElementById("until");

  function lastDay(month) {
    const [y, m] = month.split("-").map(Number);
    const d = new Date(Date.UTC(y, m, 0));
    return d.toISOString().slice(0, 10);
  }
  function syncPeriod() {
    if (!months.length) return;
    let a = Number(from.value), b = Number(to.value);
    if (a > b) { if (this === from) { to.value = a; b = a; } else { from.value = b; a = b; } }
    document.getElementById("from-label").textContent = months[a];
    document.getElementById("to-label").textContent = months[b];
    since.value = a === 0 ? "" : months[a] + "-01";
    until.value = b === months.length - 1 ? "" : lastDay(months[b]);
  }
  from.addEventListener("input", syncPeriod);
  to.addEventListener("input", syncPeriod);

  const map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.addAttribution("Borders: Natural Earth · Grid: H3");
  map.setView([50.85, 5.95], 10);
  const colours = { hot: "#c0392b", cold: "#2e86c1", "": "#aab7b8" };
  let cells = null;

  fetch("/static/vendor/borders.geojson")
    .then((r) => (r.ok ? r.json() : null))
    .then((gj) => {
      if (!gj) return;
      L.geoJSON(gj, {
        style: { color: "#1b1f23", weight: 2, fill: false, interactive: false },
      }).addTo(map);
    });

  // the analyst's own boundaries (uploaded or configured), when there are any
  let areas = null;
  const legend = document.getElementById("areas-legend");
  function drawAreas() {
    return fetch("/api/v1/crime/boundaries", { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((gj) => {
        if (areas) map.removeLayer(areas);
        areas = null;
        const n = gj && gj.features ? gj.features.length : 0;
        if (legend) legend.hidden = n === 0;
        if (!n) return 0;
        areas = L.geoJSON(gj, {
          style: { color: "#6c3483", weight: 2, dashArray: "6 4", fill: false },
          onEachFeature: (f, layer) => layer.bindTooltip(String(f.properties.name)),
        }).addTo(map);
        return n;
      });
  }
  drawAreas();
  const upload = document.getElementById("boundaries-form");
  const status = document.getElementById("boundaries-status");
  function refresh(n) {
    status.textContent = n ? upload.dataset.loaded.replace("{n}", n) : "";
    form.dispatchEvent(new Event("change", { bubbles: true })); // panel and cells again
  }
  function failed(r) {
    return r.json().then((b) => { status.textContent = (b.error && b.error.message) || r.statusText; });
  }
  if (upload) {
    upload.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const file = document.getElementById("boundaries-file").files[0];
      if (!file) return;
      const name = document.getElementById("boundaries-name").value || "name";
      file.text().then((text) =>
        fetch("/api/v1/crime/boundaries?name_property=" + encodeURIComponent(name), {
          method: "PUT",
          credentials: "same-origin",
          headers: { "Content-Type": "application/geo+json" },
          body: text,
        })
      ).then((r) => (r.ok ? drawAreas().then(refresh) : failed(r)));
    });
    document.getElementById("boundaries-clear").addEventListener("click", () => {
      fetch("/api/v1/crime/boundaries", { method: "DELETE", credentials: "same-origin" })
        .then((r) => (r.ok ? drawAreas().then(refresh) : failed(r)));
    });
  }

  function params() {
    const p = new URLSearchParams(new FormData(form));
    for (const [k, v] of [...p.entries()]) if (!v) p.delete(k);
    return p;
  }
  function draw() {
    const p = params();
    fetch("/api/v1/crime/hotspots?" + p.toString(), { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((gj) => {
        if (!gj) return;
        if (cells) map.removeLayer(cells);
        cells = L.geoJSON(gj, {
          style: (f) => ({
            color: "#ffffff",
            weight: 0.5,
            fillColor: colours[f.properties.class || ""],
            fillOpacity: f.properties.class ? 0.75 : 0.35,
          }),
          onEachFeature: (f, layer) => {
            const q = f.properties;
            layer.bindTooltip(q.cell + " · n=" + q.count + " · z=" + Number(q.z).toFixed(2));
          },
        }).addTo(map);
        const hot = gj.features.filter((f) => f.properties.class === "hot");
        if (hot.length) map.fitBounds(L.geoJSON({ type: "FeatureCollection", features: hot }).getBounds(), { maxZoom: 13, padding: [40, 40] });
      });
  }
  form.addEventListener("change", draw);
  draw();
})();
