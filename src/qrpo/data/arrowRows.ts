// Arrow IPC files, batch by batch through apache-arrow's RecordBatchReader. Hugging Face `datasets` writes the
// streaming format (save_to_disk shards); the random-access file format is accepted too. Rows are numbered from 1
// within each shard, which the error message names.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { RecordBatchReader } from 'apache-arrow';
import type { RecordBatch } from 'apache-arrow';
import type { SourceRow } from './records';
import { plainValue } from './plainValue';
import { errorReason, fileError } from './rowErrors';

export async function* arrowRows(file: string): AsyncGenerator<SourceRow> {
  const handle = await open(file, 'r');
  let iterator: AsyncIterator<RecordBatch> | undefined;
  try {
    await checkMagic(file, handle);
    const batches = await failAsArrowError(file, async () => (await RecordBatchReader.from(handle)).open());
    const batchIterator = batches[Symbol.asyncIterator]();
    iterator = batchIterator;
    let row = 0;
    for (;;) {
      const next = await failAsArrowError(file, () => batchIterator.next());
      if (next.done) break;
      const batch = next.value;
      for (let i = 0; i < batch.numRows; i++) {
        row++;
        yield { location: { file, line: row, unit: 'row' }, row: plainValue(batch.get(i)) };
      }
    }
  } finally {
    await iterator?.return?.().catch(() => undefined);
    await handle.close().catch(() => undefined);
  }
}

// The file format starts with "ARROW1"; a stream starts with a message, whose length is prefixed by the
// continuation marker 0xFFFFFFFF since Arrow 0.15 (every file `datasets` writes).
async function checkMagic(file: string, handle: FileHandle): Promise<void> {
  const head = Buffer.alloc(6);
  const { bytesRead } = await handle.read(head, 0, 6, 0);
  const fileFormat = bytesRead === 6 && head.toString('latin1') === 'ARROW1';
  const streamFormat = bytesRead >= 4 && head.readUInt32LE(0) === 0xffffffff;
  if (!fileFormat && !streamFormat) throw fileError(`invalid Arrow file ${file}: it is neither an Arrow IPC file nor an Arrow IPC stream`, file);
}

async function failAsArrowError<T>(file: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw fileError(`invalid Arrow file ${file}: ${errorReason(error)}`, file);
  }
}
