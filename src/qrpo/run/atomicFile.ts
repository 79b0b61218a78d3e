// Atomic file writes: data goes to a temporary file beside the target, is flushed to disk, then renamed over the
// target, so a reader (or a resumed run) sees either the old file or the complete new one, never a torn one.
import { createWriteStream, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';

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
