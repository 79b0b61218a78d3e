// One writer per run folder: a second process is refused with who holds the folder, a lock left by a dead process
// is taken over, and `qrpo stop` reaches the running process (SIGTERM) and through stop.request.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireRunLock, readRunLock, RunLockedError } from '../../../src/qrpo/run/runLock';
import { RunFolder, RUN_FILES } from '../../../src/qrpo/run/runFolder';
import { requestStop } from '../../../src/qrpo/run/stopRequest';
import { runPipeline, type Stage } from '../../../src/qrpo/run/pipeline';
import { configIn, scratch } from './runTestKit';

const childMode = process.env.QRPO_RUN_TEST_CHILD;
const childDir = process.env.QRPO_RUN_TEST_DIR ?? '';

/** A stage that counts until stopped, checking the signal between "steps". */
const spinStage: Stage = {
  name: 'spin',
  isComplete: async () => false,
  async run({ progress, signal }) {
    progress.start(1_000_000);
    for (;;) {
      signal.throwIfAborted();
      progress.advance();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  },
};

if (childMode === 'lock') {
  void acquireRunLock(childDir).then(
    () => {
      process.stdout.write('locked\n');
      setInterval(() => undefined, 1000);
    },
    (error: Error) => process.stdout.write(`refused: ${error.message}\n`),
  );
} else if (childMode === 'pipeline') {
  void RunFolder.open(childDir).then(async (folder) => {
    const outcome = await runPipeline(folder, [spinStage], { handleSignals: true, stopPollMs: 50 });
    process.stdout.write(`${JSON.stringify({ state: outcome.state })}\n`);
  });
} else {
  describe('run lock', () => {
    test('a second process is refused while the first holds the folder', async () => {
      const dir = scratch();
      const child = spawnChild('lock', dir);
      try {
        await waitForLine(child, 'locked');
        await assert.rejects(acquireRunLock(dir), (error: Error) => {
          assert.ok(error instanceof RunLockedError);
          assert.equal(error.owner.pid, child.pid);
          assert.match(error.message, new RegExp(`^run folder ${escape(dir)} is in use by process ${child.pid} \\(started \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\); stop it with 'qrpo stop ${escape(dir)}'$`));
          return true;
        });
      } finally {
        child.kill('SIGKILL');
        await exited(child);
      }
      // Killed without releasing: the lock is stale now, and taken over with a message.
      const messages: string[] = [];
      const lock = await acquireRunLock(dir, { onTakeover: (message) => messages.push(message) });
      assert.equal(messages.length, 1);
      assert.match(messages[0], new RegExp(`^took over the lock of ${escape(dir)}: process ${child.pid} \\(started .*\\) is no longer running$`));
      assert.equal((await readRunLock(dir))?.pid, process.pid);
      await lock.release();
      assert.equal(existsSync(join(dir, RUN_FILES.lock)), false);
    });

    test('a lock from a dead process on this host is taken over', async () => {
      const dir = scratch();
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      writeFileSync(join(dir, RUN_FILES.lock), JSON.stringify({ pid: dead, hostname: hostname(), startedAt: new Date().toISOString() }));
      let message = '';
      const lock = await acquireRunLock(dir, { onTakeover: (text) => (message = text) });
      assert.match(message, /is no longer running$/);
      await lock.release();
    });

    test('of several processes finding the same stale lock, exactly one takes it over', async () => {
      const dir = scratch();
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      writeFileSync(join(dir, RUN_FILES.lock), JSON.stringify({ pid: dead, hostname: hostname(), startedAt: new Date().toISOString() }));
      const children = [0, 1, 2, 3].map(() => spawnChild('lock', dir));
      try {
        const lines = await Promise.all(children.map((child) => waitForLine(child, '')));
        assert.equal(lines.filter((line) => line === 'locked').length, 1, lines.join('\n'));
        assert.equal(lines.filter((line) => line.startsWith('refused: run folder')).length, 3, lines.join('\n'));
      } finally {
        for (const child of children) child.kill('SIGKILL');
        await Promise.all(children.map(exited));
      }
    });

    test('a lock whose pid now belongs to a younger process is stale (pid reuse)', { skip: !existsSync('/proc/self/stat') }, async () => {
      const dir = scratch();
      // This process started after the lock's time, so it cannot be the lock's owner.
      writeFileSync(join(dir, RUN_FILES.lock), JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: new Date(Date.now() - 86_400_000 * 30).toISOString() }));
      const lock = await acquireRunLock(dir);
      await lock.release();
    });

    test('a lock held by this very process refuses a second acquire', async () => {
      const dir = scratch();
      const lock = await acquireRunLock(dir);
      await assert.rejects(acquireRunLock(dir), RunLockedError);
      await lock.release();
    });

    test('a lock from another host is respected and says where it runs', async () => {
      const dir = scratch();
      writeFileSync(join(dir, RUN_FILES.lock), JSON.stringify({ pid: 4242, hostname: 'gpu-box-7', startedAt: '2025-01-02T03:04:05.678Z' }));
      await assert.rejects(acquireRunLock(dir), {
        message: `run folder ${dir} is in use by process 4242 on gpu-box-7 (started 2025-01-02T03:04:05Z); stop it with 'qrpo stop ${dir}' on gpu-box-7, or delete ${join(dir, 'run.lock')} if that process is gone`,
      });
    });
  });

  describe('stop request', () => {
    test('qrpo stop signals the running process, which stops between steps and records it', async () => {
      const dir = scratch();
      const folder = await RunFolder.create(configIn(dir));
      const child = spawnChild('pipeline', folder.dir);
      try {
        await waitFor(async () => (await folder.readStatus())?.stages[0]?.state === 'running');
        const result = await requestStop(folder.dir);
        assert.equal(result.signalled, true);
        assert.equal(result.owner?.pid, child.pid);
        assert.deepEqual(JSON.parse(await waitForLine(child, '{')), { state: 'stopped' });
        assert.equal(await exited(child), 0);
      } finally {
        child.kill('SIGKILL');
      }
      const status = await folder.readStatus();
      assert.equal(status?.state, 'stopped');
      assert.equal(status?.stages[0].state, 'stopped');
      assert.equal(existsSync(folder.path(RUN_FILES.lock)), false, 'the lock is released');
      assert.deepEqual(await requestStop(folder.dir), { owner: undefined, signalled: false, running: false });
    });

    test('a stop.request file alone stops a run (a run on another host sees only the file)', async () => {
      const dir = scratch();
      const folder = await RunFolder.create(configIn(dir));
      const running = runPipeline(folder, [spinStage], { stopPollMs: 20 });
      await waitFor(async () => (await folder.readStatus())?.state === 'running');
      writeFileSync(folder.path(RUN_FILES.stopRequest), '{}\n');
      assert.equal((await running).state, 'stopped');
      const status = JSON.parse(readFileSync(folder.path(RUN_FILES.status), 'utf8'));
      assert.equal(status.state, 'stopped');
    });

    test('a stale stop.request from an earlier stop does not stop the next run', async () => {
      const dir = scratch();
      const folder = await RunFolder.create(configIn(dir));
      writeFileSync(folder.path(RUN_FILES.stopRequest), '{}\n');
      const quick: Stage = { name: 'quick', isComplete: async () => false, run: async () => new Promise((resolve) => setTimeout(resolve, 100)) };
      assert.equal((await runPipeline(folder, [quick], { stopPollMs: 10 })).state, 'done');
    });
  });
}

function spawnChild(mode: string, dir: string): ChildProcess {
  return spawn(process.execPath, [__filename], { env: { ...process.env, QRPO_RUN_TEST_CHILD: mode, QRPO_RUN_TEST_DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
}

function waitForLine(child: ChildProcess, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`no line starting with ${prefix} from the child`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').slice(0, -1).find((candidate) => candidate.startsWith(prefix));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', () => reject(new Error(`child exited before printing ${prefix}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
