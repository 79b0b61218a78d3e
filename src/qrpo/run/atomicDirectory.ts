// A folder that appears whole or not at all (a checkpoint, an evaluation): it is filled under a temporary name
// beside the target, its files are flushed, and it is renamed into place. A kill mid-way leaves only a temporary
// folder, which the next write of the same target removes.
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const TEMPORARY = /^\.(.+)\.partial-\d+$/;

export async function writeDirectoryAtomic(target: string, fill: (folder: string) => Promise<void>): Promise<void> {
  const parent = dirname(target);
  await fs.mkdir(parent, { recursive: true });
  await removeLeftovers(parent, basename(target));
  const temporary = join(parent, `.${basename(target)}.partial-${process.pid}`);
  await fs.rm(temporary, { recursive: true, force: true });
  await fs.mkdir(temporary);
  try {
    await fill(temporary);
    await syncTree(temporary);
    // rename() cannot replace a non-empty folder: move an old copy aside first, then drop it.
    const previous = join(parent, `.${basename(target)}.replaced-${process.pid}`);
    const hadPrevious = await fs.rename(target, previous).then(() => true, () => false);
    await fs.rename(temporary, target);
    if (hadPrevious) await fs.rm(previous, { recursive: true, force: true });
    await syncDirectory(parent);
  } catch (error) {
    await fs.rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

async function removeLeftovers(parent: string, name: string): Promise<void> {
  for (const entry of await fs.readdir(parent)) {
    const match = TEMPORARY.exec(entry) ?? /^\.(.+)\.replaced-\d+$/.exec(entry);
    if (match?.[1] === name) await fs.rm(join(parent, entry), { recursive: true, force: true });
  }
}

async function syncTree(folder: string): Promise<void> {
  for (const entry of await fs.readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await syncTree(path);
    else if (entry.isFile()) {
      const handle = await fs.open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }
  await syncDirectory(folder);
}

async function syncDirectory(folder: string): Promise<void> {
  const handle = await fs.open(folder, 'r').catch(() => undefined);
  if (handle === undefined) return;
  try {
    await handle.sync();
  } catch {
    // Some filesystems cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}
