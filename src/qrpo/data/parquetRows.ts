// Parquet through hyparquet, one row group at a time, over a file handle: only the footer and the row group being
// read are in memory. Lists and structs arrive as plain arrays and objects; INT64 values become numbers.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import type { AsyncBuffer, Compressors, FileMetaData } from 'hyparquet';
import * as zlib from 'node:zlib';
import type { SourceRow } from './records';
import { plainValue } from './plainValue';
import { errorReason, fileError } from './rowErrors';

export async function* parquetRows(file: string): AsyncGenerator<SourceRow> {
  const handle = await open(file, 'r');
  try {
    const buffer = await fileBuffer(handle);
    // The smallest Parquet file is "PAR1", a 4-byte footer length and "PAR1" again, around some metadata.
    if (buffer.byteLength < 12) throw fileError(`invalid Parquet file ${file}: ${buffer.byteLength} bytes is too short for Parquet`, file);
    const metadata = await readOrFail(file, () => parquetMetadataAsync(buffer));
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const rows = await readOrFail(file, () => readRows(buffer, metadata, rowStart, rowEnd));
      for (let i = 0; i < rows.length; i++) {
        yield { location: { file, line: rowStart + i + 1, unit: 'row' }, row: plainValue(rows[i]) };
      }
      rowStart = rowEnd;
    }
  } finally {
    await handle.close();
  }
}

// hyparquet decodes SNAPPY itself (the default of pyarrow and `datasets`); Node's zlib covers GZIP and BROTLI, and
// ZSTD where the Node version has it (22.15+).
const zstdDecompressSync = (zlib as { zstdDecompressSync?: (input: Uint8Array) => Buffer }).zstdDecompressSync;
const COMPRESSORS: Compressors = {
  GZIP: (input) => zlib.gunzipSync(input),
  BROTLI: (input) => zlib.brotliDecompressSync(input),
  ...(zstdDecompressSync ? { ZSTD: (input: Uint8Array) => zstdDecompressSync(input) } : {}),
};

function readRows(file: AsyncBuffer, metadata: FileMetaData, rowStart: number, rowEnd: number): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors: COMPRESSORS });
}

async function readOrFail<T>(file: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw fileError(`invalid Parquet file ${file}: ${errorReason(error)}`, file);
  }
}

/** hyparquet's view of a file: byte ranges read on demand. */
async function fileBuffer(handle: FileHandle): Promise<AsyncBuffer> {
  const { size } = await handle.stat();
  return {
    byteLength: size,
    async slice(start: number, end: number = size): Promise<ArrayBuffer> {
      const bytes = new Uint8Array(Math.max(0, end - start));
      let filled = 0;
      while (filled < bytes.length) {
        const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return bytes.buffer;
    },
  };
}
