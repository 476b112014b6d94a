/**
 * The IDX format of MNIST and Fashion-MNIST (raw or gzip-compressed):
 *   bytes 0..1 zero, byte 2 the element type (0x08 = unsigned byte), byte 3 the number of dimensions k,
 *   then k big-endian uint32 sizes, then the elements in row-major order.
 * Labels are 1-D (magic 0x00000801), images 3-D (magic 0x00000803).
 */
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * Bad image data: a broken or foreign file, or a data set that cannot serve (too few images, empty images). `field`
 * names the setting at fault when it is one ("data.dir", "data.maxTrain"; the CLI maps it to a flag), else the data
 * itself is (the CLI reports it under --data).
 */
export class DataError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DataError';
  }
}

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parse an IDX buffer (gzip is detected by its magic bytes). `what` names the file in error messages. */
export function parseIdx(input: Uint8Array, what = 'IDX data'): IdxArray {
  let buf = input;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = new Uint8Array(gunzipSync(buf));
    } catch {
      throw new DataError(`${what}: corrupt or truncated gzip stream`);
    }
  }
  if (buf.length < 4) throw new DataError(`${what}: too short to be an IDX file (${buf.length} bytes)`);
  if (buf[0] !== 0 || buf[1] !== 0)
    throw new DataError(
      `${what}: wrong magic number (expected 0x0000 08 0k, got 0x${Array.from(buf.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('')})`,
    );
  if (buf[2] !== 0x08)
    throw new DataError(`${what}: unsupported element type 0x${buf[2].toString(16)} (only unsigned bytes, 0x08)`);
  const k = buf[3];
  if (k < 1 || k > 4) throw new DataError(`${what}: unsupported number of dimensions ${k}`);
  if (buf.length < 4 + 4 * k) throw new DataError(`${what}: truncated header`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < k; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * k;
  if (buf.length < start + count)
    throw new DataError(`${what}: truncated (header promises ${count} bytes of data, file has ${buf.length - start})`);
  return { dims, data: buf.slice(start, start + count) };
}

export function readIdx(path: string): IdxArray {
  if (!existsSync(path)) throw new DataError(`no such file: ${path}`);
  return parseIdx(new Uint8Array(readFileSync(path)), path);
}
