// Turns a PNG (a QR code) into a YUV4MPEG2 video for Chromium's fake camera
// (--use-file-for-fake-video-capture): the image centred on a white frame, 4:2:0 chroma.
import { readFile } from 'node:fs/promises';
import pngjs from 'pngjs';

const { PNG } = pngjs;

/**
 * @param {Buffer | null} png PNG bytes, or null for a blank white frame
 * @param {{ width?: number, height?: number, frames?: number, fps?: number, margin?: number }} [options]
 * @returns {Buffer} the Y4M file
 */
export function pngToY4m(png, { width = 640, height = 480, frames = 5, fps = 10, margin = 24 } = {}) {
  // 4:2:0 halves both dimensions: pad to even.
  const W = width + (width % 2);
  const H = height + (height % 2);
  const luma = new Uint8Array(W * H).fill(255);
  if (png) {
    const img = PNG.sync.read(png); // RGBA, whatever the source format
    const scale = Math.min(1, (W - 2 * margin) / img.width, (H - 2 * margin) / img.height);
    const w = Math.max(1, Math.floor(img.width * scale));
    const h = Math.max(1, Math.floor(img.height * scale));
    const x0 = Math.floor((W - w) / 2);
    const y0 = Math.floor((H - h) / 2);
    for (let y = 0; y < h; y += 1) {
      for (let x = 0; x < w; x += 1) {
        // Box filter over the source pixels this output pixel covers (area downscaling).
        const sx0 = Math.floor(x / scale);
        const sx1 = Math.max(sx0 + 1, Math.floor((x + 1) / scale));
        const sy0 = Math.floor(y / scale);
        const sy1 = Math.max(sy0 + 1, Math.floor((y + 1) / scale));
        let sum = 0;
        let n = 0;
        for (let sy = sy0; sy < Math.min(sy1, img.height); sy += 1) {
          for (let sx = sx0; sx < Math.min(sx1, img.width); sx += 1) {
            const i = (sy * img.width + sx) * 4;
            const a = img.data[i + 3] / 255; // composite over white
            const r = img.data[i] * a + 255 * (1 - a);
            const g = img.data[i + 1] * a + 255 * (1 - a);
            const b = img.data[i + 2] * a + 255 * (1 - a);
            sum += 0.299 * r + 0.587 * g + 0.114 * b; // BT.601 luma, full range (JPEG)
            n += 1;
          }
        }
        luma[(y0 + y) * W + x0 + x] = Math.round(sum / Math.max(1, n));
      }
    }
  }
  // Grey picture: chroma is neutral everywhere.
  const chroma = new Uint8Array((W / 2) * (H / 2)).fill(128);
  const header = Buffer.from(`YUV4MPEG2 W${W} H${H} F${fps}:1 Ip A1:1 C420\n`, 'ascii');
  const frame = Buffer.concat([Buffer.from('FRAME\n', 'ascii'), luma, chroma, chroma]);
  return Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]);
}

/** pngToY4m for a PNG file. */
export async function pngFileToY4m(path, options) {
  return pngToY4m(await readFile(path), options);
}
