// The built engine is importable as a library under the package's own name, as a researcher's script would use it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../../../..');

test("require('qrpo-lab/engine') from a script in the repository gives the math and the readers", () => {
  const script = `
    const engine = require('qrpo-lab/engine');
    console.log(JSON.stringify({
      logZ: engine.logPartition('identity', 0.1),
      q: engine.quantileReward([0.1, 0.2, 0.2, 0.5, 0.9], 0.2),
      readDataset: typeof engine.readDataset,
      DatasetError: typeof engine.DatasetError,
    }));`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const values = JSON.parse(result.stdout);
  assert.ok(Math.abs(values.logZ - 7.697369506) < 1e-9);
  assert.equal(values.q, 0.6);
  assert.equal(values.readDataset, 'function');
  assert.equal(values.DatasetError, 'function');
});
