// Writes safetensors files the way the reference Python/Rust library does: tensors ordered by element size (largest
// first) then name so every tensor starts aligned to its element size, `__metadata__` first in the header, and the
// header padded with spaces to a multiple of 8 bytes. The file is streamed to a temporary file and renamed into place,
// so a checkpoint on disk is always complete.
import { ArgumentError } from '../errors';
import { writeLinesAtomic } from '../run/atomicFile';
import { float32ToBf16, float32ToF16 } from './halfFloat';
import { SAFETENSORS_DTYPE_BYTES } from './safetensorsHeader';

export type WritableDtype = 'F32' | 'F16' | 'BF16';

export interface WritableTensor {
  readonly dtype: WritableDtype;
  readonly shape: readonly number[];
  /** Values in row-major order; F16 and BF16 are rounded to nearest even on the way out. */
  readonly data: Float32Array;
}

export async function writeSafetensors(
  path: string,
  tensors: Readonly<Record<string, WritableTensor>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const ordered = orderLikeReferenceWriter(tensors);
  const header = headerBytes(ordered, metadata);
  await writeLinesAtomic(
    path,
    (async function* () {
      yield header;
      for (const [, tensor] of ordered) yield encode(tensor);
    })(),
  );
}

function orderLikeReferenceWriter(tensors: Readonly<Record<string, WritableTensor>>): [string, WritableTensor][] {
  const entries = Object.entries(tensors);
  for (const [name, tensor] of entries) {
    const elements = tensor.shape.reduce((n, d) => n * d, 1);
    if (tensor.shape.some((d) => !Number.isInteger(d) || d < 0) || elements !== tensor.data.length) {
      throw new ArgumentError(`tensor "${name}" has ${tensor.data.length} values but shape ${JSON.stringify(tensor.shape)}`);
    }
  }
  const size = (t: WritableTensor) => SAFETENSORS_DTYPE_BYTES[t.dtype];
  return entries.sort(([a, ta], [b, tb]) => size(tb) - size(ta) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The 8-byte length prefix followed by the space-padded JSON header. */
function headerBytes(ordered: readonly [string, WritableTensor][], metadata?: Readonly<Record<string, string>>): Uint8Array {
  const json: Record<string, unknown> = {};
  if (metadata) json.__metadata__ = metadata;
  let offset = 0;
  for (const [name, tensor] of ordered) {
    const bytes = tensor.data.length * SAFETENSORS_DTYPE_BYTES[tensor.dtype];
    json[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const text = new TextEncoder().encode(JSON.stringify(json));
  const padded = text.length + ((8 - (text.length % 8)) % 8);
  const out = new Uint8Array(8 + padded).fill(0x20, 8 + text.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(text, 8);
  return out;
}

function encode(tensor: WritableTensor): Uint8Array {
  const { data } = tensor;
  const encoded = tensor.dtype === 'F32' ? data : tensor.dtype === 'F16' ? float32ToF16(data) : float32ToBf16(data);
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}
