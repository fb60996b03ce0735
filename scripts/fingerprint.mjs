// Gives the release bundle content-hashed names and precompressed copies.
//
//   node scripts/fingerprint.mjs <pkg folder>
//
// Renames studio.{js,wasm,css} to studio.<hash>.{js,wasm,css} (hash: the first 16 hex digits of
// the file's SHA-256) and writes assets.json naming them, which the server reads at start-up
// and serves as immutable. A split build (`site build --split`) also has wasm chunks
// (split_*.wasm, chunk_*.wasm) and their loader (__wasm_split.<22 underscores>.js), which
// studio.js imports by that fixed name and which imports studio.js and fetches the chunks:
//   - each chunk is renamed by its hash, and the loader rewritten to fetch the new names;
//   - the loader's import of ./studio.js is rewritten to studio.<hash>.js, so it shares the
//     module instance the page loaded (studio.js names the loader, never the other way round
//     by content, so hashing studio.js first is sound);
//   - the loader keeps its name (studio.js and the main wasm name it), so it is listed as
//     `loader` and served no-cache, and the chunks as `chunks`, immutable.
// Then writes a .br (quality 11) and a .gz (level 9) beside every JS, wasm and CSS file of the
// folder, snippets included. Only Node's standard library is used.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const pkg = process.argv[2];
if (!pkg) {
  console.error('usage: node scripts/fingerprint.mjs <pkg folder>');
  process.exit(2);
}

const hashOf = (path) => createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
const LOADER = `__wasm_split.${'_'.repeat(22)}.js`;
const assets = {};

const loaderPath = join(pkg, LOADER);
if (existsSync(loaderPath)) {
  let loader = readFileSync(loaderPath, 'utf8');
  const chunks = readdirSync(pkg).filter((name) => /^(split|chunk)_.*\.wasm$/.test(name));
  assets.chunks = [];
  for (const chunk of chunks) {
    const hashed = chunk.replace(/\.wasm$/, `.${hashOf(join(pkg, chunk))}.wasm`);
    // Quoted, so chunk_1 never matches inside chunk_10.
    const quoted = new RegExp(`(["'])\\./${chunk.replace(/[.]/g, '\\.')}\\1`, 'g');
    if (!quoted.test(loader)) throw new Error(`the split loader does not name ${chunk}`);
    loader = loader.replace(quoted, `$1./${hashed}$1`);
    renameSync(join(pkg, chunk), join(pkg, hashed));
    assets.chunks.push(hashed);
  }
  assets.chunks.sort();
  writeFileSync(loaderPath, loader);
  assets.loader = LOADER;
}

for (const kind of ['js', 'wasm', 'css']) {
  const plain = `studio.${kind}`;
  assets[kind] = `studio.${hashOf(join(pkg, plain))}.${kind}`;
  renameSync(join(pkg, plain), join(pkg, assets[kind]));
}

if (assets.loader) {
  const loader = readFileSync(loaderPath, 'utf8');
  const imports = /(["'])\.\/studio\.js\1/g;
  if (!imports.test(loader)) throw new Error('the split loader does not import ./studio.js');
  writeFileSync(loaderPath, loader.replace(imports, `$1./${assets.js}$1`));
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
