// The run folder's files: run.json written once and atomically, metrics.jsonl append-only with torn-line repair and
// no step twice, status.json throttled, folders that appear whole.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunFolder, RUN_FILES } from '../../../src/qrpo/run/runFolder';
import { MetricsLog, readMetrics } from '../../../src/qrpo/run/metricsLog';
import { initialStatus, StatusWriter } from '../../../src/qrpo/run/runStatus';
import { writeDirectoryAtomic } from '../../../src/qrpo/run/atomicDirectory';
import { ConfigError } from '../../../src/qrpo/errors';
import { configIn, scratch } from './runTestKit';

describe('run folder', () => {
  test('create writes run.json with the resolved config, the engine version and the creation time', async () => {
    const dir = scratch();
    const config = configIn(dir);
    const folder = await RunFolder.create(config, { configFile: join(dir, 'run.yaml') });
    assert.equal(folder.dir, join(dir, 'runs/run'));
    const manifest = JSON.parse(readFileSync(folder.path(RUN_FILES.manifest), 'utf8'));
    assert.deepEqual(manifest.config, config);
    assert.match(manifest.engineVersion, /^\d+\.\d+\.\d+/);
    assert.ok(Math.abs(Date.parse(manifest.createdAt) - Date.now()) < 60_000);
    assert.equal(manifest.configFile, join(dir, 'run.yaml'));
    assert.deepEqual(readdirSync(folder.dir), ['run.json'], 'no temporary file is left behind');
  });

  test('the same config reuses its folder; a different config is refused with the fields that differ', async () => {
    const dir = scratch();
    const folder = await RunFolder.create(configIn(dir));
    const createdAt = (await folder.readManifest()).createdAt;
    await RunFolder.create(configIn(dir));
    assert.equal((await folder.readManifest()).createdAt, createdAt);
    await assert.rejects(RunFolder.create(configIn(dir, 'beta: 0.5\nreward:\n  batch_size: 2\n')), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^run folder .*runs\/run already holds a run with a different config \(beta, reward\.batch_size differ\)\. Resume it with 'qrpo resume .*runs\/run', or give this config another output_dir or run_name$/);
      return true;
    });
  });

  test('open refuses a folder without run.json', async () => {
    const dir = scratch();
    await assert.rejects(RunFolder.open(dir), { message: `not a run folder: ${dir} has no run.json. Start a run with 'qrpo run CONFIG'` });
  });

  test('a folder written with writeDirectoryAtomic appears whole, replaces an old copy, and a failed fill leaves nothing', async () => {
    const dir = scratch();
    const target = join(dir, 'checkpoint-10');
    await writeDirectoryAtomic(target, async (folder) => writeFileSync(join(folder, 'model.safetensors'), 'v1'));
    await writeDirectoryAtomic(target, async (folder) => writeFileSync(join(folder, 'model.safetensors'), 'v2'));
    assert.equal(readFileSync(join(target, 'model.safetensors'), 'utf8'), 'v2');
    await assert.rejects(writeDirectoryAtomic(join(dir, 'checkpoint-20'), async (folder) => {
      writeFileSync(join(folder, 'half'), 'x');
      throw new Error('killed mid-way');
    }));
    assert.deepEqual(readdirSync(dir), ['checkpoint-10']);
    // A leftover from a killed writer is cleaned up by the next write of the same folder.
    mkdirSync(join(dir, '.checkpoint-20.partial-99999'));
    await writeDirectoryAtomic(join(dir, 'checkpoint-20'), async () => undefined);
    assert.deepEqual(readdirSync(dir).sort(), ['checkpoint-10', 'checkpoint-20']);
    assert.deepEqual(await new RunFolder(dir).checkpoints(), [10, 20]);
  });
});

describe('metrics.jsonl', () => {
  test('each append is one complete line', async () => {
    const file = join(scratch(), 'metrics.jsonl');
    const log = await MetricsLog.open(file);
    assert.equal(await log.append(10, { loss: 0.5, 'rewards/chosen': 0.1 }), true);
    assert.equal(await log.append(20, { loss: 0.4, step: 999 }), true);
    await log.close();
    assert.equal(readFileSync(file, 'utf8'), '{"step":10,"loss":0.5,"rewards/chosen":0.1}\n{"step":20,"loss":0.4}\n');
  });

  test('a torn last line is cut away on open and reported, and readers ignore it', async () => {
    const file = join(scratch(), 'metrics.jsonl');
    writeFileSync(file, '{"step":1,"loss":1}\n{"step":2,"loss":0.9}\n{"step":3,"lo');
    assert.deepEqual((await readMetrics(file)).map((record) => record.step), [1, 2]);
    const log = await MetricsLog.open(file);
    assert.deepEqual(log.repaired, { file, bytes: '{"step":3,"lo'.length });
    assert.equal(log.lastStep, 2);
    await log.append(3, { loss: 0.8 });
    await log.close();
    assert.equal(readFileSync(file, 'utf8'), '{"step":1,"loss":1}\n{"step":2,"loss":0.9}\n{"step":3,"loss":0.8}\n');
    const clean = await MetricsLog.open(file);
    assert.equal(clean.repaired, undefined);
    await clean.close();
  });

  test('a step already logged is never written twice, as when a resumed run replays steps after its checkpoint', async () => {
    const file = join(scratch(), 'metrics.jsonl');
    const first = await MetricsLog.open(file);
    for (const step of [10, 20, 30]) await first.append(step, { loss: step });
    await first.close(); // killed after step 30; the last checkpoint was at step 20
    const resumed = await MetricsLog.open(file);
    const written = [];
    for (const step of [30, 40]) written.push(await resumed.append(step, { loss: step }));
    await resumed.close();
    assert.deepEqual(written, [false, true]);
    assert.deepEqual((await readMetrics(file)).map((record) => record.step), [10, 20, 30, 40]);
  });

  test('a broken complete line is an error naming the line, not silently dropped', async () => {
    const file = join(scratch(), 'metrics.jsonl');
    writeFileSync(file, '{"step":1}\nnot json\n{"step":3}\n');
    await assert.rejects(readMetrics(file), { message: `${file} line 2 is not valid JSON; the file was changed by something other than the engine` });
    appendFileSync(file, '');
  });
});

describe('status.json', () => {
  test('progress writes are throttled to at most 2 per second; state changes are written at once', async () => {
    const dir = scratch();
    const writes: { at: number; status: { state: string; stages: { done: number }[] } }[] = [];
    const writer = new StatusWriter(join(dir, 'status.json'), initialStatus(['quantiles']), {
      write: async (_file, text) => void writes.push({ at: Date.now(), status: JSON.parse(text) }),
    });
    writer.update((s) => void (s.state = 'running'), true);
    const started = Date.now();
    let done = 0;
    while (Date.now() - started < 1200) {
      writer.update(() => void (writer.stage('quantiles').done = ++done));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const throttled = writes.length;
    await writer.flush();
    const progressWrites = writes.length - 1;
    assert.ok(progressWrites >= 2 && progressWrites <= 4, `${progressWrites} progress writes in 1.2 s`);
    for (let i = 1; i < throttled; i++) assert.ok(writes[i].at - writes[i - 1].at >= 450, 'throttled writes are at least 500 ms apart');
    assert.equal(writes.at(-1)!.status.stages[0].done, done, 'the last progress reaches the file');
    writer.update((s) => void (s.state = 'done'), true);
    await writer.flush();
    assert.equal(writes.at(-1)!.status.state, 'done');
  });

  test('status.json is written atomically and holds pid, stages and updatedAt', async () => {
    const dir = scratch();
    const writer = new StatusWriter(join(dir, 'status.json'), initialStatus(['a', 'b']));
    writer.update((s) => void (s.state = 'running'), true);
    await writer.flush();
    const status = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'));
    assert.equal(status.pid, process.pid);
    assert.deepEqual(status.stages.map((s: { name: string; state: string }) => [s.name, s.state]), [['a', 'pending'], ['b', 'pending']]);
    assert.ok(existsSync(join(dir, 'status.json')));
    assert.deepEqual(readdirSync(dir), ['status.json']);
  });
});
