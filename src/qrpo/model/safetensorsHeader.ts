// The safetensors header: 8 bytes of little-endian u64 length, then that many bytes of JSON mapping each tensor name
// to {dtype, shape, data_offsets} (offsets relative to the start of the data section), plus an optional
// `__metadata__` object of strings. This module validates a parsed header so that every later read can trust it.
import { ModelFormatError } from '../errors';

/** Every dtype the safetensors format defines, with its element size in bytes. */
export const SAFETENSORS_DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BYTES;

export interface TensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Byte offsets [begin, end) within the data section (which starts right after the header). */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** Tensors in file order (ascending offsets). */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;
  /** Absolute file offset of the data section: 8 + header length. */
  readonly dataStart: number;
}

/** Largest header the reference implementation accepts (100 MB); anything larger is a corrupt length field. */
const MAX_HEADER_BYTES = 100_000_000;

/** Validates the 8-byte length prefix against the file size and returns the header's byte length. */
export function checkHeaderLength(file: string, fileSize: number, prefix: Uint8Array | undefined): number {
  if (fileSize < 8 || !prefix) {
    throw new ModelFormatError(`${file} is not a safetensors file: it holds ${fileSize} bytes, fewer than the 8-byte header length`);
  }
  const length = Buffer.from(prefix.buffer, prefix.byteOffset, 8).readBigUInt64LE(0);
  if (length > BigInt(fileSize - 8) || length > BigInt(MAX_HEADER_BYTES)) {
    throw new ModelFormatError(
      `${file} is not a safetensors file: its header length field says ${length} bytes but only ${fileSize - 8} bytes follow it`,
    );
  }
  return Number(length);
}

/** Parses and validates the JSON header; `dataBytes` is the size of the data section actually present in the file. */
export function parseHeader(file: string, headerBytes: Uint8Array, dataBytes: number): SafetensorsHeader {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (error) {
    throw new ModelFormatError(`${file} is not a safetensors file: its header is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(json)) {
    throw new ModelFormatError(`${file} is not a safetensors file: its header is ${describeJson(json)}, not a JSON object`);
  }
  let metadata: Record<string, string> = {};
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') metadata = parseMetadata(file, entry);
    else tensors.push(parseTensorEntry(file, name, entry));
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkNoOverlap(file, tensors);
  checkNotTruncated(file, tensors, dataBytes);
  return {
    tensors: new Map(tensors.map((t) => [t.name, t])),
    metadata,
    dataStart: 8 + headerBytes.length,
  };
}

function parseMetadata(file: string, entry: unknown): Record<string, string> {
  if (!isPlainObject(entry)) throw new ModelFormatError(`${file}: "__metadata__" is ${describeJson(entry)}, not a JSON object`);
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(entry)) {
    // The Python library only writes strings; other values are kept in their JSON text rather than rejected.
    metadata[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return metadata;
}

function parseTensorEntry(file: string, name: string, entry: unknown): TensorInfo {
  const where = `${file}: tensor "${name}"`;
  if (!isPlainObject(entry)) throw new ModelFormatError(`${where} is described by ${describeJson(entry)}, not a JSON object`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPE_BYTES)) {
    throw new ModelFormatError(
      `${where} has unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')})`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d))) {
    throw new ModelFormatError(`${where} has shape ${JSON.stringify(shape)}, not a list of integers`);
  }
  if (shape.some((d) => d < 0)) {
    throw new ModelFormatError(`${where} has a negative dimension in shape ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    throw new ModelFormatError(`${where} has data_offsets ${JSON.stringify(offsets)}, not [begin, end] with 0 ≤ begin ≤ end`);
  }
  const typedDtype = dtype as SafetensorsDtype;
  const [begin, end] = offsets as [number, number];
  const needed = shape.reduce((n: number, d: number) => n * d, 1) * SAFETENSORS_DTYPE_BYTES[typedDtype];
  if (end - begin !== needed) {
    throw new ModelFormatError(
      `${where} has data_offsets [${begin}, ${end}] (${end - begin} bytes) but shape ${JSON.stringify(shape)} of ${dtype} needs ${needed} bytes`,
    );
  }
  return { name, dtype: typedDtype, shape, begin, end };
}

/** In offset order, a tensor overlaps an earlier one exactly when it begins before the furthest end seen so far. */
function checkNoOverlap(file: string, sorted: readonly TensorInfo[]): void {
  let furthest: TensorInfo | undefined;
  for (const current of sorted) {
    if (current.end === current.begin) continue; // empty tensors occupy no bytes
    if (furthest && current.begin < furthest.end) {
      throw new ModelFormatError(
        `${file}: tensors "${furthest.name}" and "${current.name}" overlap in the data section ` +
          `(bytes ${furthest.begin}–${furthest.end} and ${current.begin}–${current.end})`,
      );
    }
    if (!furthest || current.end > furthest.end) furthest = current;
  }
}

function checkNotTruncated(file: string, tensors: readonly TensorInfo[], dataBytes: number): void {
  let last: TensorInfo | undefined;
  for (const t of tensors) if (!last || t.end > last.end) last = t;
  if (last && last.end > dataBytes) {
    throw new ModelFormatError(
      `${file} is truncated: tensor "${last.name}" ends at byte ${last.end} of the data section ` +
        `but the file holds only ${dataBytes} bytes of data`,
    );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
