// Atomic file writes: data goes to a temporary file beside the target, is flushed to disk, then renamed over the
// target, so a reader (or a resumed run) sees either the old file or the complete new one, never a torn one.
import { createWriteStream, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';

const TEMPORARY_FILE = /^\..+\.\d+-[0-9a-z]+-[0-9a-z]+\.tmp$/;

function temporaryPathFor(target: string): string {
  const suffix = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return join(dirname(target), `.${basename(target)}.${suffix}.tmp`);
}

/** Writes `content` to `target` atomically. */
export async function writeFileAtomic(target: string, content: string | Uint8Array): Promise<void> {
  await writeLinesAtomic(target, (async function* () {
    yield content;
  })());
}

/**
 * Streams chunks into `target` atomically, honouring back-pressure. If the source throws, the temporary file is
 * removed and the target is left as it was.
 */
export async function writeLinesAtomic(target: string, chunks: AsyncIterable<string | Uint8Array>): Promise<void> {
  await fs.mkdir(dirname(target), { recursive: true });
  const temporary = temporaryPathFor(target);
  const stream = createWriteStream(temporary, { flags: 'wx' });
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  try {
    await Promise.race([once(stream, 'open'), failed]);
    for await (const chunk of chunks) {
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), failed]);
    }
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const handle = await fs.open(temporary, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, target);
  } catch (error) {
    stream.destroy();
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Removes the temporary files that killed writers left under `folder` (hidden, never read, but they pile up).
 * Only safe while no other process writes there: the run pipeline calls it holding the run's lock.
 */
export async function removeTemporaryFiles(folder: string): Promise<number> {
  let removed = 0;
  for (const entry of await fs.readdir(folder, { withFileTypes: true }).catch(() => [])) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) removed += await removeTemporaryFiles(path);
    else if (TEMPORARY_FILE.test(entry.name)) {
      await fs.rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}
