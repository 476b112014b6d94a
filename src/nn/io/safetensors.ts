/**
 * The safetensors container (https://github.com/huggingface/safetensors), readable by `safetensors.torch.load_file`:
 *   bytes 0..7    u64 little-endian N, the header size
 *   bytes 8..8+N  UTF-8 JSON: { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, ...,
 *                               "__metadata__": { "<key>": "<string value>" } }   (padded with spaces to 8 bytes)
 *   then the data section; offsets are relative to its start, tensors are row-major little-endian and tile it.
 * Written here in float32 only (the engine's dtype); reading accepts F32 and F64 and reports any other dtype.
 */

export interface SafeTensor {
  dtype: string;
  shape: number[];
  data: Float32Array | Float64Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

const DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  U16: 2,
  U32: 4,
  U64: 8,
};
const MAX_HEADER = 100 * 1024 * 1024;

/** Serialises float32 tensors (in the given order) and string metadata. */
export function encodeSafetensors(
  tensors: { name: string; shape: readonly number[]; data: ArrayLike<number> }[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let off = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || t.name in header)
      throw new SafetensorsError(`duplicate or reserved tensor name "${t.name}"`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new SafetensorsError(
        `tensor "${t.name}": shape [${t.shape.join(',')}] needs ${n} values, got ${t.data.length}`,
      );
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [off, off + 4 * n] };
    off += 4 * n;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hbytes = enc.encode(json);
  const pad = (8 - (hbytes.length % 8)) % 8;
  if (pad) {
    json += ' '.repeat(pad);
    hbytes = enc.encode(json);
  }
  const out = new Uint8Array(8 + hbytes.length + off);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let p = 8 + hbytes.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, p += 4) dv.setFloat32(p, t.data[i], true);
  }
  return out;
}

/** Parses and validates a safetensors file; `what` names it in error messages. */
export function decodeSafetensors(bytes: Uint8Array, what = 'safetensors file'): SafetensorsFile {
  const fail = (msg: string): never => {
    throw new SafetensorsError(`${what}: ${msg}`);
  };
  if (bytes.length < 8) fail(`truncated: ${bytes.length} bytes, shorter than the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) fail(`header length ${n64} is implausible (not a safetensors file?)`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(`truncated: the header needs ${n} bytes but only ${bytes.length - 8} follow`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n))) as Record<
      string,
      unknown
    >;
  } catch {
    return fail('the header is not valid UTF-8 JSON (not a safetensors file?)');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null) fail('__metadata__ is not an object');
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`entry "${name}" is not an object`);
    const { dtype, shape, data_offsets: offs } = e;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES))
      fail(`tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
      fail(`tensor "${name}" has an invalid shape`);
    if (
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((d) => Number.isInteger(d) && d >= 0) ||
      offs[0] > offs[1]
    ) {
      fail(`tensor "${name}" has invalid data_offsets`);
    }
    const [b, end] = offs as [number, number];
    const dims = shape as number[];
    const count = dims.reduce((a, c) => a * c, 1);
    const dt = dtype as string;
    if (end - b !== count * DTYPE_BYTES[dt]) {
      fail(
        `tensor "${name}": ${end - b} bytes for shape [${dims.join(',')}] of ${dt} (expected ${count * DTYPE_BYTES[dt]})`,
      );
    }
    if (end > dataLen) fail(`truncated: tensor "${name}" ends at data byte ${end} but the file holds only ${dataLen}`);
    spans.push([b, end, name]);
    let data: Float32Array | Float64Array;
    if (dt === 'F32') {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = dv.getFloat32(dataStart + b + 4 * i, true);
    } else if (dt === 'F64') {
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = dv.getFloat64(dataStart + b + 8 * i, true);
    } else {
      data = new Float32Array(0); // other dtypes are described but not decoded; loaders report them
    }
    tensors.set(name, { dtype: dt, shape: shape as number[], data });
  }
  spans.sort((x, y) => x[0] - y[0]);
  let cursor = 0;
  for (const [b, end, name] of spans) {
    if (b !== cursor) fail(`tensor "${name}" starts at data byte ${b}, expected ${cursor} (overlap or hole)`);
    cursor = end;
  }
  if (cursor !== dataLen) fail(`${dataLen - cursor} trailing bytes after the last tensor`);
  return { tensors, metadata };
}
