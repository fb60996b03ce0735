#!/usr/bin/env bash
# Builds the front end for production into target/release-site (or the folder given):
#
#   1. `site build --release --split` (the workspace's `site` crate, see site/src/build.rs) on
#      the nightly toolchain (see below): the app's wasm with the
#      `wasm-release` profile (opt-level z, LTO, one codegen unit, panic = abort; see
#      Cargo.toml) and Leptos' `erase_components`, split by route (app/src/lazy_pages.rs: the
#      project page, the pipeline viewer and editor, and Connections become chunks fetched
#      when opened), wasm-bindgen's JS glue, binaryen's `wasm-opt` on every wasm file (npm's
#      binaryen), JS and CSS minified (npm's esbuild), and public/,
#   2. content-hashed file names and an `assets.json` naming them, so the server can let
#      browsers cache them for a year (`immutable`) and a new build is never served stale,
#   3. brotli and gzip copies next to each file, which the server sends as they are.
#
# Serve it with LEPTOS_SITE_ROOT=target/release-site (see README, "Production build").
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

out=${1:-target/release-site}
pkg="$out/pkg"

# `erase_components`: Leptos types each component's view as `AnyView` instead of its full
# nested type, so far fewer generic instantiations are compiled (BENCHMARKS.md, figure 2a).
#
# `--remap-path-prefix`: panic messages and debug strings name source files; without it the
# wasm carries this machine's absolute paths (the checkout, the cargo registry, the home
# folder), which say more about the build machine than anyone needs to know.
# When several prefixes match, rustc applies the last: the home folder first, then what lies in it.
# The nightly toolchain (scripts/setup.sh installs it, with the wasm32 target and the standard
# library's source) for what stable Rust cannot do, which takes the first screen under its
# 200 KB budget (BENCHMARKS.md, figure 2a):
# - `-Cpanic=immediate-abort` with the standard library rebuilt for it (`build-std`): a panic
#   is a trap at once, so no panic message, location or formatting machinery is linked (the
#   page's crash banner reacts to the trap as it did to the abort);
# - `-Zlocation-detail=none`: no file/line strings for `#[track_caller]`;
# - `-Zfmt-debug=none`: `{:?}` prints nothing (the app formats nothing with Debug).
# STUDIO_WASM_TOOLCHAIN= (empty) builds on stable without them.
toolchain=${STUDIO_WASM_TOOLCHAIN-nightly}
nightly_flags=""
wasm_env=()
if [ -n "$toolchain" ]; then
  wasm_env=(RUSTUP_TOOLCHAIN="$toolchain" CARGO_UNSTABLE_BUILD_STD=std,panic_abort)
  nightly_flags="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
fi
sysroot=$(env "${wasm_env[@]}" rustc --print sysroot)
remap="--remap-path-prefix=$HOME=/home --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"
remap="$remap --remap-path-prefix=$sysroot=/rustc --remap-path-prefix=$PWD=/studio"
rm -rf "$out"
# The tool is built first, on the default toolchain and without the wasm flags: only the
# wasm build it runs gets them (it adds its own, `--emit-relocs` for the split).
cargo build --quiet --package site
env "${wasm_env[@]}" RUSTFLAGS="${STUDIO_WASM_RUSTFLAGS---cfg erase_components} $nightly_flags $remap" \
  target/debug/site build --release --split --out "$out"
rm -f "$pkg"/*.d.ts
leaked=$({ grep -aoE "($PWD|$HOME|${CARGO_HOME:-$HOME/.cargo})/" "$pkg"/*.wasm "$pkg"/*.js || true; } | wc -l)
if [ "$leaked" -ne 0 ]; then
  echo "the release front end names $leaked absolute paths of this machine" >&2
  exit 1
fi
node scripts/fingerprint.mjs "$pkg"
