// run.lock: one process at a time writes a run folder. The lock file is created with O_EXCL and holds the owner's
// pid, host and start time. A lock left by a dead process on this host (or by a pid that has since been reused by a
// younger process) is stale and is taken over; taking over happens inside a short mkdir mutex so that two processes
// finding the same stale lock cannot both win. A lock from another host cannot be checked and is respected.
import { promises as fs, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { QrpoError } from '../errors';
import { displayPath } from './displayPath';

export const LOCK_FILE = 'run.lock';

export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the owner took the lock. */
  startedAt: string;
}

/** The folder is locked by a live process (or one on another host). */
export class RunLockedError extends QrpoError {
  constructor(readonly folder: string, readonly owner: LockOwner) {
    const shown = displayPath(folder);
    const started = owner.startedAt.replace(/\.\d+Z$/, 'Z');
    const remote = owner.hostname !== hostname();
    super(
      remote
        ? `run folder ${shown} is in use by process ${owner.pid} on ${owner.hostname} (started ${started}); stop it with 'qrpo stop ${shown}' on ${owner.hostname}, or delete ${join(shown, LOCK_FILE)} if that process is gone`
        : `run folder ${shown} is in use by process ${owner.pid} (started ${started}); stop it with 'qrpo stop ${shown}'`,
    );
  }
}

export interface RunLock {
  readonly owner: LockOwner;
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** Told when a stale lock is taken over: whose it was and why it counts as stale. */
  onTakeover?: (message: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function acquireRunLock(folder: string, options: AcquireOptions = {}): Promise<RunLock> {
  const path = join(folder, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  const content = `${JSON.stringify(owner)}\n`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await createExclusive(path, content)) return heldLock(path, owner, content);
    const seen = await readLockText(path);
    if (seen === undefined) continue; // released between our attempt and the read
    const staleness = await staleReason(seen, path);
    if (staleness === undefined) throw new RunLockedError(folder, parseOwner(seen)!);
    if (staleness === 'being written') {
      await sleep(20);
      continue;
    }
    if (await takeOver(path, seen, content)) {
      options.onTakeover?.(`took over the lock of ${displayPath(folder)}: ${staleness}`);
      return heldLock(path, owner, content);
    }
  }
  throw new QrpoError(`could not lock run folder ${displayPath(folder)}: ${LOCK_FILE} keeps changing`);
}

/** The owner of a run folder's lock, if the folder is locked (whether or not the owner is alive). */
export async function readRunLock(folder: string): Promise<LockOwner | undefined> {
  const text = await readLockText(join(folder, LOCK_FILE));
  return text === undefined ? undefined : parseOwner(text);
}

/** true: running on this host; false: gone (or its pid reused); undefined: on another host, cannot tell. */
export function isOwnerAlive(owner: LockOwner): boolean | undefined {
  if (owner.hostname !== hostname()) return undefined;
  if (!pidAlive(owner.pid) || isZombie(owner.pid)) return false;
  const started = processStartTime(owner.pid);
  // A process that started after the lock was taken cannot be its owner: the pid was reused.
  return !(started !== undefined && started > Date.parse(owner.startedAt) + 2000);
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

function heldLock(path: string, owner: LockOwner, content: string): RunLock {
  // A process that exits without releasing (an uncaught error, process.exit) still removes its lock.
  const onExit = () => {
    try {
      if (readFileSync(path, 'utf8') === content) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  return {
    owner,
    release: async () => {
      process.removeListener('exit', onExit);
      if ((await readLockText(path)) === content) await fs.rm(path, { force: true });
    },
  };
}

async function readLockText(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.hostname === 'string' && typeof owner.startedAt === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Why a lock is stale, 'being written' for a fresh unreadable one, or undefined when its owner lives. */
async function staleReason(text: string, path: string): Promise<string | undefined> {
  const owner = parseOwner(text);
  if (owner === undefined) {
    const age = Date.now() - (await fs.stat(path).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
    return age < 2000 ? 'being written' : `its ${LOCK_FILE} was unreadable`;
  }
  const alive = isOwnerAlive(owner);
  if (alive !== false) return undefined;
  return `process ${owner.pid} (started ${owner.startedAt.replace(/\.\d+Z$/, 'Z')}) is no longer running`;
}

/** Replaces the stale lock `seen` with ours, under a mutex; false if the lock changed meanwhile. */
async function takeOver(path: string, seen: string, content: string): Promise<boolean> {
  const mutex = `${path}.takeover`;
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.mkdir(mutex);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stat = await fs.stat(mutex).catch(() => undefined);
      // A mutex older than a few seconds belongs to a process that died mid-takeover.
      if (stat && Date.now() - stat.mtimeMs > 5000) await fs.rm(mutex, { recursive: true, force: true });
      else if (attempt > 100) return false;
      else await sleep(20);
    }
  }
  try {
    if ((await readLockText(path)) !== seen) return false;
    await fs.rm(path, { force: true });
    return await createExclusive(path, content);
  } finally {
    await fs.rm(mutex, { recursive: true, force: true });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The fields of /proc/PID/stat after the parenthesised command name (which may hold spaces), from field 3 on; empty
 * where /proc cannot tell (not Linux, or the process is gone).
 */
function procStatFields(pid: number): string[] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return [];
  }
}

/**
 * A process that has exited but is not yet reaped still answers kill(pid, 0). An engine child whose parent was
 * killed waits as a zombie until init reaps it, which some inits do lazily; it holds nothing.
 */
function isZombie(pid: number): boolean {
  const state = procStatFields(pid)[0];
  return state === 'Z' || state === 'X';
}

/** When a process started (ms since the epoch), from /proc on Linux; undefined elsewhere. */
function processStartTime(pid: number): number | undefined {
  const fields = procStatFields(pid);
  if (fields.length === 0) return undefined;
  try {
    // starttime is field 22, in clock ticks (100/s).
    const ticks = Number(fields[19]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(bootSeconds) ? (bootSeconds + ticks / 100) * 1000 : undefined;
  } catch {
    return undefined;
  }
}
