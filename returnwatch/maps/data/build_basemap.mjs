// Builds basemap.json (committed) from Natural Earth and US Census boundaries, at build time only.
//
//   sh returnwatch/maps/data/build.sh      (installs the npm packages into a temp dir, runs this)
//
// Sources: npm `world-atlas` 2.0.2 (Natural Earth 1:50m countries, public domain) and `us-atlas`
// 3.0.1 (US Census Bureau cartographic boundaries 1:10m states, public domain); both packages
// ISC-licensed by Mike Bostock. Output: SVG path data already projected (Lambert conformal conic,
// standard parallels 17.5° and 29.5°, central meridian 102° W, as INEGI maps Mexico), simplified,
// clipped to the border region, plus the projection's constants so Python places cities with the
// same projection (returnwatch/maps/geo.py; a test checks it against the points d3 gives here).
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { geoConicConformal, geoConicConformalRaw, geoPath } from "d3-geo";
import * as topojson from "topojson-client";
import { presimplify, simplify } from "topojson-simplify";

const require = createRequire(process.cwd() + "/");
const world = require("world-atlas/countries-50m.json");
const states = require("us-atlas/states-10m.json");

const WIDTH = 400; // SVG user units; the page scales it
const MINI_WIDTH = 120; // the small multiples
const BOX = { west: -118.4, east: -86.6, south: 14.4, north: 36.6 };
const PARALLELS = [17.5, 29.5];
const ROTATE = 102;

function boxOutline() {
  const pts = [];
  for (let i = 0; i <= 40; i++) {
    const t = i / 40;
    pts.push([BOX.west + t * (BOX.east - BOX.west), BOX.south]);
    pts.push([BOX.west + t * (BOX.east - BOX.west), BOX.north]);
    pts.push([BOX.west, BOX.south + t * (BOX.north - BOX.south)]);
    pts.push([BOX.east, BOX.south + t * (BOX.north - BOX.south)]);
  }
  return { type: "MultiPoint", coordinates: pts };
}

function projectionFor(width) {
  const p = geoConicConformal().parallels(PARALLELS).rotate([ROTATE, 0]).fitWidth(width, boxOutline());
  const [[, y0], [, y1]] = geoPath(p).bounds(boxOutline());
  const height = Math.ceil(y1 - y0);
  // Shift so the top of the box is at y = 0.
  const [tx, ty] = p.translate();
  p.translate([tx, ty - y0]);
  p.clipExtent([[0, 0], [width, height]]);
  const raw = geoConicConformalRaw((PARALLELS[0] * Math.PI) / 180, (PARALLELS[1] * Math.PI) / 180);
  const [rx0, ry0] = raw(0, 0);
  const k = p.scale();
  const [x, y] = p.translate();
  return { p, height, constants: { parallels: PARALLELS, rotate: ROTATE, k, dx: x - k * rx0, dy: y + k * ry0 } };
}

// d3 writes absolute "M x,y L x,y …Z"; relative moves with implicit line-tos are ~40% smaller.
// Absolute points are rounded first, then differenced, so rounding never accumulates.
function relative(d, digits) {
  const q = 10 ** digits;
  const round = (v) => Math.round(v * q) / q;
  const num = (v) => {
    const t = round(v).toFixed(digits).replace(/\.?0+$/, (m) => (m.startsWith(".") ? "" : m)).replace(/^(-?)0\./, "$1.");
    return t === "-0" || t === "" ? "0" : t;
  };
  const pair = (a, b) => { const u = num(a), v = num(b); return u + (v.startsWith("-") ? "" : " ") + v; };
  let out = "", x = 0, y = 0, sx = 0, sy = 0;
  for (const [, cmd, body] of d.matchAll(/([MLZ])([^MLZ]*)/g)) {
    if (cmd === "Z") { out += "z"; x = sx; y = sy; continue; }
    const [ax, ay] = body.split(",").map((v) => round(+v));
    const step = pair(ax - x, ay - y);
    if (cmd === "M") { out += "m" + step; sx = ax; sy = ay; }
    else out += (step.startsWith("-") ? "" : " ") + step;
    x = ax; y = ay;
  }
  return out; // a leading "m" is absolute, the pairs after it relative line-tos
}

function layers(width, minWeight, digits) {
  const { p, height, constants } = projectionFor(width);
  const path = geoPath(p).digits(digits);
  const w = simplify(presimplify(world), minWeight);
  const s = simplify(presimplify(states), minWeight);
  const countries = topojson.feature(w, w.objects.countries).features;
  const byName = (names) => ({ type: "FeatureCollection", features: countries.filter((f) => names.includes(f.properties.name)) });
  const mx = (g) => g.properties.name === "Mexico";
  const us = (g) => g.properties.name === "United States of America";
  const isBorder = (g) => ["Arizona", "California", "New Mexico", "Texas"].includes(g.properties.name);
  const out = {
    width,
    height,
    projection: constants,
    other: path(byName(["Guatemala", "Belize", "Honduras", "El Salvador", "Cuba"])) || "",
    us: path(byName(["United States of America"])) || "",
    mx: path(byName(["Mexico"])) || "",
    // US–Mexico border and other international borders (shared arcs: no slivers).
    us_mx: path(topojson.mesh(w, w.objects.countries, (a, b) => (mx(a) && us(b)) || (us(a) && mx(b)))) || "",
    borders: path(topojson.mesh(w, w.objects.countries, (a, b) => a !== b && !((mx(a) && us(b)) || (us(a) && mx(b))))) || "",
    // Lines of the four US border states (Census boundaries), not of every state in view.
    state_lines: path(topojson.mesh(s, s.objects.states, (a, b) => a !== b && (isBorder(a) || isBorder(b)))) || "",
  };
  for (const [key, value] of Object.entries(out)) if (typeof value === "string") out[key] = relative(value, digits);
  // Points d3 projects, for the test of the Python projection.
  out.check = [[-117.0382, 32.5149], [-97.5027, 25.869], [-92.2633, 14.9058], [-106.4245, 31.6904]].map((ll) => [ll, p(ll)]);
  return out;
}

const full = layers(WIDTH, 0.004, 1);
const mini = layers(MINI_WIDTH, 0.08, 0);
const data = {
  source:
    "Natural Earth 1:50m countries (world-atlas 2.0.2) and US Census Bureau 1:10m states (us-atlas 3.0.1); " +
    "public domain data, packages ISC licence. Built by returnwatch/maps/data/build_basemap.mjs.",
  box: BOX,
  full,
  mini: { width: mini.width, height: mini.height, projection: mini.projection, us: mini.us, mx: mini.mx, other: mini.other, us_mx: mini.us_mx, check: mini.check },
};
writeFileSync(process.argv[2] || "basemap.json", JSON.stringify(data, null, 1) + "\n");
for (const [k, v] of Object.entries(full)) if (typeof v === "string") console.log(k, v.length);
console.log("height", full.height, "mini", mini.height);
