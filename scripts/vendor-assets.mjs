// Copy the front-end files the web pages need from node_modules into
// src/passerelle/web/static/vendor/ (git-ignored). Run after `npm ci`:
//
//     npm ci --no-audit --no-fund && node scripts/vendor-assets.mjs
//
// Nothing is fetched here and nothing is loaded from a CDN at run time: the
// node serves these files itself, so the pages work with no internet.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const target = join(root, "src", "passerelle", "web", "static", "vendor");

// [package, file inside the package, name under static/vendor/]
const FILES = [
  ["htmx.org", "dist/htmx.min.js", "htmx.min.js"],
  ["htmx.org", "dist/htmx.min.js.map", "htmx.min.js.map"],
  ["htmx.org", "LICENSE", "htmx.LICENSE.txt"],
  // Swagger UI, so the API docs at /docs also work offline
  ["swagger-ui-dist", "swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"],
  ["swagger-ui-dist", "swagger-ui.css", "swagger-ui/swagger-ui.css"],
  ["swagger-ui-dist", "LICENSE", "swagger-ui/LICENSE.txt"],
  ["swagger-ui-dist", "NOTICE", "swagger-ui/NOTICE.txt"],
  // Leaflet for the crime picture's map (no tile layer: H3 cells and borders only)
  ["leaflet", "dist/leaflet.js", "leaflet/leaflet.js"],
  ["leaflet", "dist/leaflet.css", "leaflet/leaflet.css"],
  ["leaflet", "LICENSE", "leaflet/LICENSE.txt"],
  ["world-atlas", "LICENSE", "world-atlas.LICENSE.txt"],
];

function version(pkg) {
  const manifest = join(modules, pkg, "package.json");
  if (!existsSync(manifest)) {
    console.error(`vendor-assets: ${pkg} is not installed; run \`npm ci\` first`);
    process.exit(1);
  }
  return JSON.parse(readFileSync(manifest, "utf8")).version;
}

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
const copied = {};
for (const [pkg, file, name] of FILES) {
  const source = join(modules, pkg, file);
  if (!existsSync(source)) {
    console.error(`vendor-assets: ${pkg}/${file} not found`);
    process.exit(1);
  }
  mkdirSync(dirname(join(target, name)), { recursive: true });
  copyFileSync(source, join(target, name));
  copied[name] = `${pkg}@${version(pkg)}`;
}
// Country borders for the crime map: BE, NL, LU, DE from Natural Earth 1:10m
// (world-atlas, public domain), as GeoJSON, converted here with topojson-client.
{
  const { feature } = await import("topojson-client");
  const world = JSON.parse(readFileSync(join(modules, "world-atlas", "countries-10m.json"), "utf8"));
  const wanted = { "056": "BE", "528": "NL", "442": "LU", "276": "DE" };
  const all = feature(world, world.objects.countries);
  const features = all.features
    .filter((f) => f.id in wanted)
    .map((f) => ({ ...f, properties: { country: wanted[f.id], name: f.properties.name } }));
  writeFileSync(
    join(target, "borders.geojson"),
    JSON.stringify({ type: "FeatureCollection", features }),
  );
  copied["borders.geojson"] = `world-atlas@${version("world-atlas")} countries-10m`;
}
writeFileSync(join(target, "MANIFEST.json"), JSON.stringify(copied, null, 2) + "\n");
for (const [name, from] of Object.entries(copied)) {
  console.log(`vendor-assets: ${name} <- ${from}`);
}
