/**
 * Binary checkpoint container: a JSON header plus named typed arrays, with a CRC-32 over everything, written
 * atomically (temporary file + rename). A truncated, corrupt or foreign file is refused with a one-line message.
 *
 * Layout (little-endian):
 *   bytes 0..7   magic "PFCKPT01"
 *   bytes 8..11  u32 header length H
 *   bytes 12..   H bytes of UTF-8 JSON: { meta, arrays: [{ name, dtype: 'f64' | 'f32' | 'u32', length, offset }] }
 *   then the array payloads (offsets relative to the payload start, 8-byte aligned)
 *   last 4 bytes u32 CRC-32 of all preceding bytes
 */
import { readFileSync, existsSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';

const MAGIC = 'PFCKPT01';

export type CheckpointArray = Float64Array | Float32Array | Uint32Array;

export interface CheckpointData<M = unknown> {
  meta: M;
  arrays: Record<string, CheckpointArray>;
}

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3), as used by zip and PNG. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function dtypeOf(a: CheckpointArray): 'f64' | 'f32' | 'u32' {
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Float32Array) return 'f32';
  return 'u32';
}

export function encodeCheckpoint(data: CheckpointData): Uint8Array {
  const entries: Array<{ name: string; dtype: string; length: number; offset: number }> = [];
  let offset = 0;
  for (const [name, a] of Object.entries(data.arrays)) {
    entries.push({ name, dtype: dtypeOf(a), length: a.length, offset });
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const header = Buffer.from(JSON.stringify({ meta: data.meta, arrays: entries }), 'utf8');
  const payloadStart = Math.ceil((12 + header.length) / 8) * 8;
  const total = payloadStart + offset + 4;
  const buf = new Uint8Array(total);
  buf.set(Buffer.from(MAGIC, 'ascii'), 0);
  new DataView(buf.buffer).setUint32(8, header.length, true);
  buf.set(header, 12);
  for (const e of entries) {
    const a = data.arrays[e.name];
    buf.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), payloadStart + e.offset);
  }
  new DataView(buf.buffer).setUint32(total - 4, crc32(buf, 0, total - 4), true);
  return buf;
}

export function decodeCheckpoint<M = unknown>(buf: Uint8Array, what = 'checkpoint'): CheckpointData<M> {
  if (buf.length < 16 || Buffer.from(buf.subarray(0, 8)).toString('ascii') !== MAGIC) {
    throw new CheckpointError(`${what} is not a phaseflow checkpoint (bad magic)`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const stored = view.getUint32(buf.length - 4, true);
  if (crc32(buf, 0, buf.length - 4) !== stored)
    throw new CheckpointError(`${what} is corrupt or truncated (checksum mismatch)`);
  const hlen = view.getUint32(8, true);
  if (12 + hlen > buf.length - 4) throw new CheckpointError(`${what} is truncated (header runs past the end)`);
  let header: { meta: M; arrays: Array<{ name: string; dtype: string; length: number; offset: number }> };
  try {
    header = JSON.parse(Buffer.from(buf.subarray(12, 12 + hlen)).toString('utf8')) as typeof header;
  } catch {
    throw new CheckpointError(`${what} has an unreadable header`);
  }
  const payloadStart = Math.ceil((12 + hlen) / 8) * 8;
  const arrays: Record<string, CheckpointArray> = {};
  for (const e of header.arrays) {
    const size = e.dtype === 'f64' ? 8 : 4;
    const start = payloadStart + e.offset;
    if (start + e.length * size > buf.length - 4)
      throw new CheckpointError(`${what}: array "${e.name}" runs past the end of the file`);
    const bytes = buf.slice(start, start + e.length * size);
    arrays[e.name] =
      e.dtype === 'f64'
        ? new Float64Array(bytes.buffer)
        : e.dtype === 'f32'
          ? new Float32Array(bytes.buffer)
          : new Uint32Array(bytes.buffer);
  }
  return { meta: header.meta, arrays };
}

export function saveCheckpoint(path: string, data: CheckpointData): void {
  writeFileAtomic(path, encodeCheckpoint(data));
}

export function loadCheckpoint<M = unknown>(path: string): CheckpointData<M> {
  if (!existsSync(path)) throw new CheckpointError(`no checkpoint at ${path}`);
  return decodeCheckpoint<M>(new Uint8Array(readFileSync(path)), path);
}
