#!/bin/sh
# Rebuild returnwatch/maps/data/basemap.json from the npm boundary packages (build time only;
# nothing is downloaded when the site runs). Needs node and npm.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent \
  world-atlas@2.0.2 us-atlas@3.0.1 topojson-client@3.1.0 topojson-simplify@3.0.3 d3-geo@3.1.2
cp "$here/build_basemap.mjs" .
node build_basemap.mjs "$here/basemap.json"
