// LoRA gradients match an independent PyTorch computation (test/parity/hf_reference.py run_lora_case, float64):
// the adapter is saved as a PEFT folder, read back by the reference on its own, and the gradients of a QRPO loss with
// respect to every A and B agree within 1e-3 relative to the largest |gradient| of each tensor; completion log-probs
// within 1e-4. B is random (at B = 0 the gradient of A vanishes and would check nothing). The reference forms the
// adapted weight as PEFT merges it, so it also checks the Conv1D convention (fan_in_fan_out) of the saved tensors.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { buildTrainingGraph, packScoringBatch, scoringFeeds } from '../../../src/qrpo/model/graphs';
import { type LoraAdapter, loraFeeds, loraProjections, saveLoraAdapter } from '../../../src/qrpo/model/lora';
import { GraphSession } from '../../../src/qrpo/runtime/session';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { type ReferenceCase, type ReferenceResult, runReference } from '../../parity/hfReference';
import { type TinyKind, sequences, tinyModel } from '../families/familyFixtures';
import { adapterFor, withRandomB } from './loraFixtures';

const CASES: { kind: TinyKind; targetModules: readonly string[] | string }[] = [
  { kind: 'gpt2', targetModules: 'all-linear' },
  { kind: 'llama', targetModules: 'all-linear' },
  { kind: 'qwen2', targetModules: ['q_proj', 'v_proj'] },
];
const PADDINGS = ['left', 'right'] as const;
const QRPO = { targets: [0.3, -0.5, 0.1, 0.8, -0.2], ref_logps: [-20, -15, -25, -10, -12], beta: 0.1 };
const LOGP_TOLERANCE = 1e-4;
const GRAD_TOLERANCE = 1e-3;

interface Ours {
  logp: number[];
  loss: number;
  grads: Record<string, Float32Array>;
}

const rows = (data: BigInt64Array, [batch, seq]: readonly number[]): number[][] =>
  Array.from({ length: batch }, (_, b) => Array.from(data.subarray(b * seq, (b + 1) * seq), Number));

describe('LoRA gradients match an independent PyTorch implementation', () => {
  const root = temporaryFolder('qrpo-lora-parity-');
  const ours = new Map<string, Ours>();
  const reference = new Map<string, ReferenceResult>();

  before(async () => {
    const cases: ReferenceCase[] = [];
    const keys: string[] = [];
    for (const { kind, targetModules } of CASES) {
      const model = await tinyModel(kind);
      const adapter: LoraAdapter = withRandomB(adapterFor(model, { targetModules, r: 4, alpha: 8 }, 17), 23, 0.5);
      const loraDir = join(root, kind);
      await saveLoraAdapter(loraDir, model.config, adapter, { baseModelNameOrPath: model.dir });
      const built = buildTrainingGraph(model.config, model.weights, { loss: { kind: 'qrpo' }, adapter: loraProjections(adapter) });
      const session = await GraphSession.create(built.graph);
      for (const padding of PADDINGS) {
        const batch = packScoringBatch(sequences(5, 60, kind.length), { padding, padTokenId: model.config.padTokenId ?? 0 });
        const out = await session.run({
          ...scoringFeeds(batch),
          ...loraFeeds(adapter),
          targets: { data: Float32Array.from(QRPO.targets), dims: [5] },
          ref_logps: { data: Float32Array.from(QRPO.ref_logps), dims: [5] },
          beta: { data: Float32Array.of(QRPO.beta), dims: [] },
        });
        const key = `${kind} ${padding}`;
        keys.push(key);
        ours.set(key, {
          logp: Array.from(out.logp.data as Float32Array),
          loss: Number(out.loss.data[0]),
          grads: Object.fromEntries(built.parameterInputs.map((name) => [name, out[`grad.${name}`].data as Float32Array])),
        });
        cases.push({
          model_dir: model.dir,
          lora_dir: loraDir,
          input_ids: rows(batch.inputIds, batch.dims),
          attention_mask: rows(batch.attentionMask, batch.dims),
          completion_mask: rows(batch.completionMask, batch.dims),
          qrpo: QRPO,
        });
      }
      await session.release();
    }
    runReference(cases).results.forEach((r, i) => reference.set(keys[i], r));
  });

  for (const { kind, targetModules } of CASES) {
    for (const padding of PADDINGS) {
      const key = `${kind} ${padding}`;
      test(`${key}-padded, LoRA on ${JSON.stringify(targetModules)}: log-probs, QRPO loss and the gradient of every A and B`, (t) => {
        const [mine, theirs] = [ours.get(key)!, reference.get(key)!];
        const logpError = Math.max(...mine.logp.map((v, i) => Math.abs(v - theirs.logp![i])));
        const lossError = Math.abs(mine.loss - theirs.loss) / Math.max(1, Math.abs(theirs.loss));
        assert.deepEqual(Object.keys(mine.grads).sort(), Object.keys(theirs.grads).sort(), 'the same A and B on both sides');
        let [worst, where, smallest] = [0, '', Infinity];
        for (const [name, expected] of Object.entries(theirs.grads)) {
          const got = mine.grads[name];
          const scale = Math.max(1e-12, ...expected.map(Math.abs));
          const error = Math.max(...expected.map((e, i) => Math.abs(got[i] - e))) / scale;
          smallest = Math.min(smallest, scale);
          if (error > worst) [worst, where] = [error, name];
        }
        t.diagnostic(
          `max |Δ logp| ${logpError.toExponential(2)}, loss rel ${lossError.toExponential(2)}, worst grad rel ${worst.toExponential(2)} (${where}); ` +
            `${Object.keys(mine.grads).length} tensors, smallest max|grad| ${smallest.toExponential(2)}`,
        );
        assert.ok(logpError <= LOGP_TOLERANCE, `${key}: |Δ logp| ${logpError}`);
        assert.ok(lossError <= 1e-5, `${key}: loss ${mine.loss} vs PyTorch ${theirs.loss}`);
        assert.ok(worst <= GRAD_TOLERANCE, `${key}: gradient of ${where} off by ${worst} of its largest component`);
      });
    }
  }
});
