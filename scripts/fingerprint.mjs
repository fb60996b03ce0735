// Gives the release bundle content-hashed names and precompressed copies.
//
//   node scripts/fingerprint.mjs <pkg folder>
//
// Renames studio.{js,wasm,css} to studio.<hash>.{js,wasm,css} (hash: the first 16 hex digits of
// the file's SHA-256), writes assets.json ({"js", "wasm", "css"}: the new names, which the
// server reads at start-up), then writes a .br (quality 11) and a .gz (level 9) beside every
// JS, wasm and CSS file of the folder, snippets included. Only Node's standard library is used.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const pkg = process.argv[2];
if (!pkg) {
  console.error('usage: node scripts/fingerprint.mjs <pkg folder>');
  process.exit(2);
}

const assets = {};
for (const kind of ['js', 'wasm', 'css']) {
  const plain = `studio.${kind}`;
  const hash = createHash('sha256').update(readFileSync(join(pkg, plain))).digest('hex').slice(0, 16);
  assets[kind] = `studio.${hash}.${kind}`;
  renameSync(join(pkg, plain), join(pkg, assets[kind]));
}
writeFileSync(join(pkg, 'assets.json'), JSON.stringify(assets, null, 2) + '\n');

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(js|wasm|css)$/.test(name)) yield path;
  }
}

for (const path of files(pkg)) {
  const raw = readFileSync(path);
  writeFileSync(`${path}.br`, brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  }));
  writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
}
console.log(JSON.stringify(assets));
