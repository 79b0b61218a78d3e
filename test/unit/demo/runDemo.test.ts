// `qrpo demo --quick` end to end: a model made from nothing and fine-tuned, then QRPO and DPO through every stage of
// the run pipeline. The run folders, their evaluations and the demo's summaries must be there, and QRPO must raise
// the held-out mean quantile against π_ref (the full demo asks for +0.15; the quick one only for a gain).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_METHODS, findDemoSamples, runDemo, type DemoSummary } from '../../../src/qrpo/demo/runDemo';
import { demoCommand } from '../../../src/qrpo/cli/demoCommand';
import { ConfigError } from '../../../src/qrpo/errors';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';

describe('qrpo demo --quick', () => {
  test('builds π_ref, runs QRPO and DPO through the pipeline, and QRPO raises the held-out mean quantile', async (t) => {
    const out = join(temporaryFolder('qrpo-demo-'), 'demo-runs');
    const printed: string[] = [];
    const events: ({ event: string } & Record<string, unknown>)[] = [];
    const started = Date.now();
    const summary = await runDemo({
      out,
      quick: true,
      samples: findDemoSamples(__dirname),
      terminal: { write: (text: string) => printed.push(text) },
      onEvent: (event) => events.push(event),
    });
    t.diagnostic(`quick demo in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.ok(summary);

    for (const method of DEMO_METHODS) {
      const runDir = join(out, method);
      for (const file of ['run.json', 'status.json', 'metrics.jsonl', 'stages/reference_sampling/samples.jsonl', 'stages/quantiles/train.prepared.jsonl', 'evals/0/summary.json']) {
        assert.ok(existsSync(join(runDir, file)), `${method}: ${file}`);
      }
      assert.equal(JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')).state, 'done');
      const result = summary.methods[method];
      assert.ok(result.after.step > 0 && existsSync(join(runDir, `checkpoint-${result.after.step}`, 'model.safetensors')));
      assert.ok(Number.isFinite(result.after.klPerSequence) && result.after.klPerSequence > 0, `${method} KL ${result.after.klPerSequence}`);
    }
    // The events `qrpo demo --json` prints (the extension's "Open Demo" reads them): SFT, both runs, the summary.
    assert.deepEqual(events.filter((e) => e.event === 'stage_finished' && e.stage === 'sft').map((e) => e.state), ['done']);
    assert.deepEqual(events.filter((e) => e.event === 'run_finished').map((e) => [e.state, e.runDir]), DEMO_METHODS.map((m) => ['done', join(out, m)]));
    assert.equal(events.at(-1)!.event, 'summary');
    assert.equal(events.at(-1)!.path, join(out, 'summary.json'));
    const written = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as DemoSummary;
    assert.deepEqual(written.methods.qrpo.after, summary.methods.qrpo.after);
    const table = readFileSync(join(out, 'summary.md'), 'utf8');
    assert.match(table, /\| QRPO \|/);
    assert.match(table, /\| DPO \|/);
    assert.ok(printed.join('').includes(table.trim().split('\n')[2]), 'the table is printed as written');

    const { before, after } = summary.methods.qrpo;
    t.diagnostic(`QRPO held-out mean quantile ${before.meanQuantile.toFixed(3)} → ${after.meanQuantile.toFixed(3)}, KL ${after.klPerSequence.toFixed(2)}`);
    assert.ok(after.meanQuantile > before.meanQuantile, `QRPO mean quantile ${before.meanQuantile} → ${after.meanQuantile}`);
  });

  test('rejects unknown options with a suggestion', async () => {
    const output = { text: () => undefined, warn: () => undefined, event: () => undefined };
    await assert.rejects(demoCommand(['--quik'], output), (error: Error) => error instanceof ConfigError && /Did you mean --quick\?/.test(error.message));
  });
});
