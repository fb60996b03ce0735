#!/usr/bin/env bash
# Builds the front end for production into target/release-site (or the folder given):
#
#   1. the app's wasm with the `wasm-release` profile (opt-level z, LTO, one codegen unit,
#      panic = abort; see Cargo.toml) and Leptos' `erase_components`,
#   2. wasm-bindgen's JS glue,
#   3. binaryen's `wasm-opt -Oz` (from the npm registry: cargo-leptos' own release build
#      downloads wasm-opt, which these machines cannot),
#   4. content-hashed file names and an `assets.json` naming them, so the server can let
#      browsers cache them for a year (`immutable`) and a new build is never served stale,
#   5. brotli and gzip copies next to each file, which the server sends as they are.
#
# Serve it with LEPTOS_SITE_ROOT=target/release-site (see README, "Production build").
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

out=${1:-target/release-site}
pkg="$out/pkg"
wasm=target/wasm32-unknown-unknown/wasm-release/app.wasm

# `erase_components`: Leptos types each component's view as `AnyView` instead of its full
# nested type, so far fewer generic instantiations are compiled (340 → 314 KB brotli here;
# opt-level "s" instead of "z" was larger).
#
# `--remap-path-prefix`: panic messages and debug strings name source files; without it the
# wasm carries this machine's absolute paths (the checkout, the cargo registry, the home
# folder), which say more about the build machine than anyone needs to know.
# When several prefixes match, rustc applies the last: the home folder first, then what lies in it.
remap="--remap-path-prefix=$HOME=/home --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"
remap="$remap --remap-path-prefix=$(rustc --print sysroot)=/rustc --remap-path-prefix=$PWD=/studio"
RUSTFLAGS="--cfg erase_components $remap" \
  cargo build --quiet -p app --lib --target wasm32-unknown-unknown --profile wasm-release \
  --no-default-features --features csr

rm -rf "$out"
mkdir -p "$pkg"
cp -R public/. "$out/"
wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name studio "$wasm"
# Rust's wasm32 target emits these post-MVP features; wasm-opt must be told it may keep them.
end2end/node_modules/.bin/wasm-opt -Oz \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$pkg/studio_bg.wasm" -o "$pkg/studio.wasm"
rm "$pkg/studio_bg.wasm"
cp style/main.css "$pkg/studio.css"
leaked=$({ grep -aoE "($PWD|$HOME|${CARGO_HOME:-$HOME/.cargo})/" "$pkg/studio.wasm" "$pkg/studio.js" || true; } | wc -l)
if [ "$leaked" -ne 0 ]; then
  echo "the release front end names $leaked absolute paths of this machine" >&2
  exit 1
fi
node scripts/fingerprint.mjs "$pkg"
