// The JS half of the QR decoder benchmark (scripts/decoder-set makes the images): the read rate of
// the scanner page's decoder and of the alternatives, per category, on DIR/manifest.tsv.
//
//   node tools/decoder-set.js DIR
//
// Decoders, each on the image's RGBA pixels (pngjs):
//   jsQR@800        the scanner page's fallback (crates/server/static/scanner.js, when the wasm cannot
//                   load): the frame scaled to at most 800 px a side, then the vendored jsQR with
//                   inversionAttempts 'attemptBoth'
//   jsQR            the same jsQR on the full image
//   zxing-wasm@800  the scanner page's decoder: zxing-wasm's reader (ZXing-C++ in WebAssembly) with
//                   the module the server serves (static/vendor/zxing_reader.wasm) and the page's
//                   options (QR only, tryHarder, valid symbols), on the 800 px frame
//   zxing-wasm      the same on the full image
//   @zxing/library  the ZXing JS port's QR reader with TRY_HARDER, on the 800 px frame
// A read counts when the expected text is among those returned; another text counts as wrong.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { PNG } from 'pngjs';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import {
  BarcodeFormat,
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  QRCodeReader,
  RGBLuminanceSource,
} from '@zxing/library';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAX_DECODE_SIDE = 800; // as in scanner.js

// The page's copy of jsQR (a UMD bundle): loaded the way the page loads it, as a classic script.
const jsQR = (() => {
  const source = readFileSync(path.join(here, '../../crates/server/static/vendor/jsQR.js'), 'utf8');
  const module = { exports: {} };
  new Function('module', 'exports', source)(module, module.exports);
  return module.exports.default || module.exports;
})();

prepareZXingModule({
  overrides: {
    // The module the scanner page loads (the same bytes as the npm package's, pinned there).
    wasmBinary: readFileSync(path.join(here, '../../crates/server/static/vendor/zxing_reader.wasm')).buffer,
  },
  fireImmediately: true,
});

/** Bilinear scaling of RGBA pixels so the longer side is at most `max` (a canvas drawImage). */
function scaled({ data, width, height }, max) {
  const scale = Math.min(1, max / Math.max(width, height));
  if (scale === 1) return { data, width, height };
  const w = Math.round(width * scale);
  const h = Math.round(height * scale);
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(height - 1, (y + 0.5) / scale - 0.5);
    const y0 = Math.max(0, Math.floor(sy));
    const y1 = Math.min(height - 1, y0 + 1);
    const fy = Math.max(0, sy - y0);
    for (let x = 0; x < w; x++) {
      const sx = Math.min(width - 1, (x + 0.5) / scale - 0.5);
      const x0 = Math.max(0, Math.floor(sx));
      const x1 = Math.min(width - 1, x0 + 1);
      const fx = Math.max(0, sx - x0);
      for (let c = 0; c < 4; c++) {
        const top = data[(y0 * width + x0) * 4 + c] * (1 - fx) + data[(y0 * width + x1) * 4 + c] * fx;
        const bottom = data[(y1 * width + x0) * 4 + c] * (1 - fx) + data[(y1 * width + x1) * 4 + c] * fx;
        out[(y * w + x) * 4 + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return { data: out, width: w, height: h };
}

function jsqr(img) {
  const found = jsQR(img.data, img.width, img.height, { inversionAttempts: 'attemptBoth' });
  return found ? [found.data] : [];
}

async function zxingWasm(img) {
  const results = await readBarcodes(new ImageData(img.data, img.width, img.height), {
    formats: ['QRCode'],
    tryHarder: true,
    maxNumberOfSymbols: 4,
  });
  return results.filter((r) => r.isValid).map((r) => r.text);
}

function zxingLibrary(img) {
  const luminance = new Uint8ClampedArray(img.width * img.height);
  for (let i = 0; i < luminance.length; i++) {
    const [r, g, b] = [img.data[i * 4], img.data[i * 4 + 1], img.data[i * 4 + 2]];
    luminance[i] = (r * 306 + g * 601 + b * 117) >> 10;
  }
  const hints = new Map([
    [DecodeHintType.TRY_HARDER, true],
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.QR_CODE]],
  ]);
  try {
    const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminance, img.width, img.height)));
    return [new QRCodeReader().decode(bitmap, hints).getText()];
  } catch {
    return [];
  }
}

// ImageData for zxing-wasm outside a browser.
if (typeof globalThis.ImageData === 'undefined') {
  globalThis.ImageData = class ImageData {
    constructor(data, width, height) {
      Object.assign(this, { data, width, height, colorSpace: 'srgb' });
    }
  };
}

const DECODERS = [
  ['jsQR@800', (full, small) => jsqr(small)],
  ['jsQR', (full) => jsqr(full)],
  ['zxing-wasm@800', (full, small) => zxingWasm(small)],
  ['zxing-wasm', (full) => zxingWasm(full)],
  ['@zxing/library@800', (full, small) => zxingLibrary(small)],
];

async function main() {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node tools/decoder-set.js DIR');
    process.exit(2);
  }
  const rows = readFileSync(path.join(dir, 'manifest.tsv'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [file, category, ...text] = line.split('\t');
      return { file, category, text: text.join('\t') };
    });
  const tallies = new Map(); // category -> [{ read, wrong, errors, total, ms }]
  for (const { file, category, text } of rows) {
    const png = PNG.sync.read(readFileSync(path.join(dir, file)));
    const full = { data: new Uint8ClampedArray(png.data), width: png.width, height: png.height };
    const small = scaled(full, MAX_DECODE_SIDE);
    if (!tallies.has(category)) tallies.set(category, DECODERS.map(() => ({ read: 0, wrong: 0, errors: 0, total: 0, ms: 0 })));
    const row = tallies.get(category);
    for (const [i, [, decode]] of DECODERS.entries()) {
      const started = performance.now();
      let texts;
      try {
        texts = await decode(full, small);
      } catch {
        texts = null;
      }
      const t = row[i];
      t.ms += performance.now() - started;
      t.total += 1;
      if (texts === null) t.errors += 1;
      else if (texts.includes(text)) t.read += 1;
      else if (texts.length > 0) t.wrong += 1;
    }
  }
  const notes = (t) => (t.wrong ? ` (${t.wrong} wrong)` : '') + (t.errors ? ` (${t.errors} errors)` : '');
  console.log(`| category | images | ${DECODERS.map(([name]) => name).join(' | ')} |`);
  console.log(`|---|---:|${'---:|'.repeat(DECODERS.length)}`);
  const totals = DECODERS.map(() => ({ read: 0, wrong: 0, errors: 0, total: 0, ms: 0 }));
  for (const [category, row] of [...tallies.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`| ${category} | ${row[0].total} | ${row.map((t) => `${t.read}${notes(t)}`).join(' | ')} |`);
    row.forEach((t, i) => {
      for (const k of Object.keys(t)) totals[i][k] += t[k];
    });
  }
  const pct = (t) => ((100 * t.read) / Math.max(1, t.total)).toFixed(1);
  console.log(`| **all** | ${totals[0].total} | ${totals.map((t) => `**${t.read} (${pct(t)} %)**${notes(t)}`).join(' | ')} |`);
  console.log(`| mean time per image | | ${totals.map((t) => `${(t.ms / Math.max(1, t.total)).toFixed(0)} ms`).join(' | ')} |`);
}

await main();
