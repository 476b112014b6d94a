/**
 * Pictures of images: an 8-bit grayscale PNG encoder (signature, IHDR, one zlib-compressed IDAT with filter 0 rows,
 * IEND; CRC-32 per chunk) and an SVG that shows a grid of images through a PNG data URI, so generated digits can sit
 * in the HTML reports without external files. Results keep grids as `ImageGrid` (the PNG in base 64), so a report can
 * be rebuilt from a stored result alone.
 */
import { deflateSync } from 'node:zlib';
import { crc32 } from '../io/checkpoint.js';
import { svgDocument, el, text, textWidth } from '../report/svg.js';
import type { ImageGrid } from './results.js';

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'ascii'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** PNG bytes of a grayscale image (row-major, `pixels[y * width + x]` in 0..255). */
export function encodeGrayPng(pixels: Uint8Array, width: number, height: number): Uint8Array {
  if (pixels.length !== width * height)
    throw new RangeError(`encodeGrayPng: ${pixels.length} pixels for ${width} x ${height}`);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit depth, grayscale, deflate, adaptive filtering, no interlace
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Tile n square images (values in [-1, 1], clamped) into one grayscale picture with a 1-pixel border. */
export function tileImages(
  images: ArrayLike<number>,
  n: number,
  size: number,
  columns = Math.ceil(Math.sqrt(n)),
): { pixels: Uint8Array; width: number; height: number } {
  const rows = Math.ceil(n / columns);
  const cell = size + 1;
  const width = columns * cell + 1,
    height = rows * cell + 1;
  const pixels = new Uint8Array(width * height).fill(128);
  for (let k = 0; k < n; k++) {
    const ox = (k % columns) * cell + 1,
      oy = Math.floor(k / columns) * cell + 1;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const v = images[k * size * size + y * size + x];
        pixels[(oy + y) * width + ox + x] = Math.round(255 * Math.min(1, Math.max(0, (v + 1) / 2)));
      }
    }
  }
  return { pixels, width, height };
}

/** `n` square images (values in [-1, 1]) tiled into one PNG (base 64), as results store them. */
export function imageGrid(
  images: ArrayLike<number>,
  n: number,
  size: number,
  columns = Math.ceil(Math.sqrt(n)),
): ImageGrid {
  const { pixels, width, height } = tileImages(images, n, size, columns);
  const png = Buffer.from(encodeGrayPng(pixels, width, height)).toString('base64');
  return { n, size, columns, width, height, png };
}

/** An SVG showing a stored image grid (scaled up with crisp pixels) under a title. */
export function gridSvg(grid: ImageGrid, opts: { title: string; scale?: number }): string {
  const scale = opts.scale ?? (grid.size <= 16 ? 5 : 3);
  const top = 28;
  const W = Math.max(grid.width * scale + 20, textWidth(opts.title, 13) + 24),
    H = grid.height * scale + top + 10;
  const body =
    text(W / 2, 18, opts.title, { 'text-anchor': 'middle', 'font-size': 13, 'font-weight': 600 }) +
    el('image', {
      x: (W - grid.width * scale) / 2,
      y: top,
      width: grid.width * scale,
      height: grid.height * scale,
      href: `data:image/png;base64,${grid.png}`,
      style: 'image-rendering:pixelated',
    });
  return svgDocument({ width: W, height: H, title: opts.title, body, className: 'image-grid' });
}

/** An SVG showing a grid of images (scaled up with crisp pixels) under a title. */
export function imageGridSvg(
  images: ArrayLike<number>,
  n: number,
  size: number,
  opts: { title: string; scale?: number; columns?: number },
): string {
  return gridSvg(imageGrid(images, n, size, opts.columns), opts);
}
