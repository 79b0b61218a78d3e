// Reads safetensors files lazily: opening parses and validates only the header, and each tensor is read on demand
// with positional reads, so a 500 MB checkpoint is never held whole in memory. Async and sync variants share the
// header validation in safetensorsHeader.ts. Tensor data is little-endian, as is every platform Node runs on, so
// the bytes read become typed arrays without byte swapping.
import { closeSync, fstatSync, openSync, promises as fs, readSync } from 'node:fs';
import { ModelFormatError } from '../errors';
import type { FileRegion } from '../graph';
import { bf16ToFloat32, f16ToFloat32 } from './halfFloat';
import { checkHeaderLength, parseHeader } from './safetensorsHeader';
import type { SafetensorsDtype, SafetensorsHeader, TensorInfo } from './safetensorsHeader';

export type TensorArray =
  | Float64Array
  | Float32Array
  | Uint16Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/** A tensor's header entry plus the file that holds it (which differs between shards of one checkpoint). */
export interface LocatedTensorInfo extends TensorInfo {
  readonly file: string;
}

/** Anything parameters can be read from by name: one safetensors file or a sharded checkpoint. */
export interface TensorSource {
  /** The file a user would look at, for messages: `model.safetensors` or `model.safetensors.index.json`. */
  readonly description: string;
  names(): string[];
  info(name: string): LocatedTensorInfo | undefined;
  /** Reads a floating-point tensor (F32, F16, BF16 or F64) widened or narrowed to float32. */
  readFloat32(name: string): Promise<Float32Array>;
  /**
   * The byte range of the file that holds a tensor's raw data, for readers that leave tensors where they are
   * (weights.ts loadFrozen); a source that cannot say leaves this out, and its tensors are read instead.
   */
  region?(name: string): FileRegion | undefined;
}

/** Positional reads from one open file, either asynchronous or synchronous. */
interface ByteReader {
  read(target: Uint8Array, position: number): number | Promise<number>;
}

export class SafetensorsFile implements TensorSource {
  private constructor(
    readonly path: string,
    readonly header: SafetensorsHeader,
  ) {}

  /** Opens `path` and validates its header; no tensor data is read. */
  static async open(path: string): Promise<SafetensorsFile> {
    const handle = await openForReading(path);
    try {
      const stat = await handle.stat();
      if (stat.isDirectory()) throw cannotOpen(path, { code: 'EISDIR' });
      const { size } = stat;
      const reader = asyncReader(handle);
      const prefix = size >= 8 ? await readBytes(path, reader, 8, 0) : undefined;
      const headerLength = checkHeaderLength(path, size, prefix);
      const headerBytes = await readBytes(path, reader, headerLength, 8);
      return new SafetensorsFile(path, parseHeader(path, headerBytes, size - 8 - headerLength));
    } finally {
      await handle.close();
    }
  }

  /** Synchronous `open`, for callers that cannot await (the header is small; tensors are still read lazily). */
  static openSync(path: string): SafetensorsFile {
    const fd = openSyncForReading(path);
    try {
      const stat = fstatSync(fd);
      if (stat.isDirectory()) throw cannotOpen(path, { code: 'EISDIR' });
      const { size } = stat;
      const reader = syncReader(fd);
      const prefix = size >= 8 ? readBytesSync(path, reader, 8, 0) : undefined;
      const headerLength = checkHeaderLength(path, size, prefix);
      const headerBytes = readBytesSync(path, reader, headerLength, 8);
      return new SafetensorsFile(path, parseHeader(path, headerBytes, size - 8 - headerLength));
    } finally {
      closeSync(fd);
    }
  }

  get description(): string {
    return this.path;
  }

  get metadata(): Readonly<Record<string, string>> {
    return this.header.metadata;
  }

  names(): string[] {
    return [...this.header.tensors.keys()];
  }

  info(name: string): LocatedTensorInfo | undefined {
    const info = this.header.tensors.get(name);
    return info && { ...info, file: this.path };
  }

  region(name: string): FileRegion | undefined {
    const info = this.header.tensors.get(name);
    return info && { path: this.path, offset: this.header.dataStart + info.begin, length: info.end - info.begin };
  }

  /** The tensor in its stored dtype: F16 and BF16 as raw Uint16Array bits, BOOL as Uint8Array, F8 as raw bytes. */
  async readRaw(name: string): Promise<TensorArray> {
    const info = this.require(name);
    const handle = await openForReading(this.path);
    try {
      const bytes = await readBytes(this.path, asyncReader(handle), info.end - info.begin, this.header.dataStart + info.begin);
      return viewAs(info.dtype, bytes.buffer as ArrayBuffer);
    } finally {
      await handle.close();
    }
  }

  readRawSync(name: string): TensorArray {
    const info = this.require(name);
    const fd = openSyncForReading(this.path);
    try {
      const bytes = readBytesSync(this.path, syncReader(fd), info.end - info.begin, this.header.dataStart + info.begin);
      return viewAs(info.dtype, bytes.buffer as ArrayBuffer);
    } finally {
      closeSync(fd);
    }
  }

  async readFloat32(name: string): Promise<Float32Array> {
    this.requireFloat(name);
    return toFloat32(this.require(name).dtype, await this.readRaw(name));
  }

  readFloat32Sync(name: string): Float32Array {
    this.requireFloat(name);
    return toFloat32(this.require(name).dtype, this.readRawSync(name));
  }

  private require(name: string): TensorInfo {
    const info = this.header.tensors.get(name);
    if (!info) throw new ModelFormatError(`${this.path} has no tensor named "${name}"`);
    return info;
  }

  private requireFloat(name: string): void {
    const { dtype } = this.require(name);
    if (!FLOAT32_READABLE.has(dtype)) {
      throw new ModelFormatError(`${this.path}: tensor "${name}" has dtype ${dtype}, which cannot be read as float32 parameters`);
    }
  }
}

const FLOAT32_READABLE = new Set<SafetensorsDtype>(['F32', 'F16', 'BF16', 'F64']);

function toFloat32(dtype: SafetensorsDtype, raw: TensorArray): Float32Array {
  switch (dtype) {
    case 'F32':
      return raw as Float32Array;
    case 'F16':
      return f16ToFloat32(raw as Uint16Array);
    case 'BF16':
      return bf16ToFloat32(raw as Uint16Array);
    default:
      return Float32Array.from(raw as Float64Array);
  }
}

/** Views freshly allocated (hence aligned) bytes as the typed array of `dtype`. */
function viewAs(dtype: SafetensorsDtype, buffer: ArrayBuffer): TensorArray {
  switch (dtype) {
    case 'F64':
      return new Float64Array(buffer);
    case 'F32':
      return new Float32Array(buffer);
    case 'F16':
    case 'BF16':
    case 'U16':
      return new Uint16Array(buffer);
    case 'I64':
      return new BigInt64Array(buffer);
    case 'U64':
      return new BigUint64Array(buffer);
    case 'I32':
      return new Int32Array(buffer);
    case 'U32':
      return new Uint32Array(buffer);
    case 'I16':
      return new Int16Array(buffer);
    case 'I8':
      return new Int8Array(buffer);
    default: // U8, BOOL, F8_E4M3, F8_E5M2
      return new Uint8Array(buffer);
  }
}

/** fs reads stop at 2 GiB per call; large embeddings (a 128k-token BF16 vocabulary) need several. */
const MAX_READ_BYTES = 1 << 30;

function asyncReader(handle: fs.FileHandle): ByteReader {
  return { read: async (target, position) => (await handle.read(target, 0, target.length, position)).bytesRead };
}

function syncReader(fd: number): ByteReader {
  return { read: (target, position) => readSync(fd, target, 0, target.length, position) };
}

/** Reads `length` bytes at `position` into a fresh (so suitably aligned) buffer. */
async function readBytes(path: string, reader: ByteReader, length: number, position: number): Promise<Uint8Array> {
  const target = new Uint8Array(length);
  for (let done = 0; done < length; ) {
    const read = await reader.read(target.subarray(done, Math.min(length, done + MAX_READ_BYTES)), position + done);
    if (read === 0) throw changedSinceOpened(path, position + done);
    done += read;
  }
  return target;
}

function readBytesSync(path: string, reader: ByteReader, length: number, position: number): Uint8Array {
  const target = new Uint8Array(length);
  for (let done = 0; done < length; ) {
    const read = reader.read(target.subarray(done, Math.min(length, done + MAX_READ_BYTES)), position + done) as number;
    if (read === 0) throw changedSinceOpened(path, position + done);
    done += read;
  }
  return target;
}

function changedSinceOpened(path: string, position: number): ModelFormatError {
  return new ModelFormatError(`${path} ended at byte ${position} while reading it; was it truncated or replaced after it was opened?`);
}

async function openForReading(path: string): Promise<fs.FileHandle> {
  try {
    return await fs.open(path, 'r');
  } catch (error) {
    throw cannotOpen(path, error);
  }
}

function openSyncForReading(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw cannotOpen(path, error);
  }
}

function cannotOpen(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ModelFormatError(`${path} does not exist`);
  if (code === 'EISDIR') return new ModelFormatError(`${path} is a folder, not a safetensors file`);
  return error as Error;
}
