// The CLI runs compute commands in a child started with the tuned allocator settings (cli/allocatorRelaunch.ts):
// the process that owns the run has them, a SIGTERM to the `qrpo` the user started still stops the run gracefully,
// and settings the user chose are left alone, with no second process. (Killing the parent outright is covered by
// crashResume.test.ts: its kills hit the parent, and every resume needs the child gone.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TUNED_ALLOCATOR_ENVIRONMENT, engineAllocatorEnvironment } from '../../../src/qrpo/runtime/allocatorTuning';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { writeRunConfig, writeRunWorkspace } from './runFixture';

const cli = resolve(__dirname, '../../../../dist/cli.js');

describe('allocator settings for engine processes', () => {
  test('Linux gets the tuned settings, except those the user set; other systems get none', () => {
    assert.deepEqual(engineAllocatorEnvironment({}, 'linux'), TUNED_ALLOCATOR_ENVIRONMENT);
    assert.deepEqual(engineAllocatorEnvironment({ MALLOC_TRIM_THRESHOLD_: '0' }, 'linux'), { MALLOC_MMAP_THRESHOLD_: '33554432' });
    assert.deepEqual(engineAllocatorEnvironment({}, 'darwin'), {});
    assert.deepEqual(engineAllocatorEnvironment({}, 'win32'), {});
  });
});

interface Started {
  readonly spawnedPid: number;
  readonly ownerPid: number;
  readonly ownerEnvironment: Record<string, string>;
  readonly finished: Promise<{ code: number | null; events: Record<string, unknown>[] }>;
}

/** Starts `qrpo run` and waits for training to start; the run's owner is read from run.lock. */
async function startRun(dir: string, name: string, env: NodeJS.ProcessEnv): Promise<Started> {
  const { config, runDir } = writeRunConfig(dir, name, { maxSteps: 400, saveSteps: 1000 });
  const child = spawn(process.execPath, [cli, 'run', config, '--json'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const finished = new Promise<{ code: number | null; events: Record<string, unknown>[] }>((done) =>
    child.on('close', (code) => done({ code, events: stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)) })),
  );
  await new Promise<void>((reached, failed) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('"event":"metrics"')) reached();
    });
    child.on('close', (code) => failed(new Error(`qrpo run exited ${code} before training: ${stderr}`)));
  });
  const ownerPid = (JSON.parse(readFileSync(join(runDir, 'run.lock'), 'utf8')) as { pid: number }).pid;
  const ownerEnvironment = Object.fromEntries(
    readFileSync(`/proc/${ownerPid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
  return { spawnedPid: child.pid!, ownerPid, ownerEnvironment, finished };
}

describe('qrpo run restarts itself with the tuned allocator', { skip: process.platform !== 'linux' && 'glibc settings: Linux only' }, () => {
  const untuned = Object.fromEntries(Object.entries(process.env).filter(([name]) => !(name in TUNED_ALLOCATOR_ENVIRONMENT)));

  test('the run is owned by a child with the settings, and a SIGTERM to qrpo stops it between steps', async () => {
    const dir = temporaryFolder('qrpo-relaunch-');
    await writeRunWorkspace(dir);
    const run = await startRun(dir, 'relaunched', untuned);
    assert.notEqual(run.ownerPid, run.spawnedPid, 'a second process owns the run');
    for (const [name, value] of Object.entries(TUNED_ALLOCATOR_ENVIRONMENT)) assert.equal(run.ownerEnvironment[name], value, name);
    process.kill(run.spawnedPid, 'SIGTERM');
    const { code, events } = await run.finished;
    assert.equal(code, 0);
    assert.equal(events.find((e) => e.event === 'run_finished')?.state, 'stopped');
  });

  test('settings of the user\'s own: no second process, and theirs are kept', async () => {
    const dir = temporaryFolder('qrpo-relaunch-');
    await writeRunWorkspace(dir);
    const run = await startRun(dir, 'own', { ...untuned, MALLOC_MMAP_THRESHOLD_: '65536', MALLOC_TRIM_THRESHOLD_: '131072' });
    assert.equal(run.ownerPid, run.spawnedPid);
    assert.equal(run.ownerEnvironment.MALLOC_MMAP_THRESHOLD_, '65536');
    process.kill(run.spawnedPid, 'SIGTERM');
    assert.equal((await run.finished).code, 0);
  });
});
