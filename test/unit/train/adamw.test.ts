import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AdamW, excludedFromWeightDecay, wasmSimdAvailable } from '../../../src/qrpo/train/adamw';
import { parseDecoderConfig } from '../../../src/qrpo/model/config';
import { decoderParameters } from '../../../src/qrpo/model/decoderParameters';
import { Random } from '../../../src/qrpo/train/random';

const SETTINGS = { betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0.1 };
/** Tensor lengths that cross chunk boundaries (chunkElements 8) and leave 1–3 lanes over. */
const SIZES: Record<string, number> = { 'fc.weight': 37, 'fc.bias': 5, 'ln.weight': 8, emb: 1 };
/** Learning rates and clip factors of successive steps, as a schedule and clipping would give them. */
const LRS = [1e-3, 3e-3, 2e-3, 5e-4, 1e-2];
const GRAD_SCALES = [1, 0.5, 1, 0.25, 1];

function problem(seed: number): { params: Map<string, Float32Array>; grads: Map<string, Float32Array>[] } {
  const rng = Random.fromSeed(seed);
  const draw = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rng.nextFloat() * 2 - 1) * scale);
  const params = new Map(Object.entries(SIZES).map(([name, n]) => [name, draw(n, 1)]));
  // Gradients of very different sizes across steps and elements, as real ones are.
  const grads = LRS.map((_, step) => new Map(Object.entries(SIZES).map(([name, n]) => [name, draw(n, 10 ** -(step % 3))])));
  return { params, grads };
}

function copy(params: Map<string, Float32Array>): Map<string, Float32Array> {
  return new Map([...params].map(([name, values]) => [name, values.slice()]));
}

function runOptimizer(kernel: 'wasm' | 'js', seed = 1): AdamW {
  const { params, grads } = problem(seed);
  const optimizer = new AdamW(params, { ...SETTINGS, kernel, chunkElements: 8 });
  grads.forEach((g, step) => optimizer.step(copy(g), { lr: LRS[step], gradScale: GRAD_SCALES[step] }));
  return optimizer;
}

/** torch.optim.AdamW's update written out in float64, from its documentation's algorithm. */
function float64Reference(seed: number) {
  const { params, grads } = problem(seed);
  const [b1, b2] = SETTINGS.betas;
  const state = new Map([...params].map(([name, p]) => [name, { p: Float64Array.from(p), m: new Float64Array(p.length), v: new Float64Array(p.length) }]));
  grads.forEach((stepGrads, index) => {
    const t = index + 1;
    const lr = LRS[index];
    for (const [name, s] of state) {
      const wd = excludedFromWeightDecay(name) ? 0 : SETTINGS.weightDecay;
      const g = stepGrads.get(name)!;
      for (let i = 0; i < s.p.length; i++) {
        const gi = g[i] * GRAD_SCALES[index];
        s.p[i] *= 1 - lr * wd;
        s.m[i] = b1 * s.m[i] + (1 - b1) * gi;
        s.v[i] = b2 * s.v[i] + (1 - b2) * gi * gi;
        const mHat = s.m[i] / (1 - b1 ** t);
        const vHat = s.v[i] / (1 - b2 ** t);
        s.p[i] -= (lr * mHat) / (Math.sqrt(vHat) + SETTINGS.eps);
      }
    }
  });
  return state;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < actual.length; i++) {
    const tolerance = relative * Math.max(Math.abs(expected[i]), 1e-30);
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (relative ${Math.abs(actual[i] - expected[i]) / Math.abs(expected[i])})`);
  }
}

const PYTHON = '/usr/bin/python3';
function torchAvailable(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

// Feeds the same parameters, gradients, learning rates and clip factors to torch.optim.AdamW (float32, two param
// groups as HF Trainer builds them) and prints the parameters and exp_avg / exp_avg_sq after every step.
const TORCH_SCRIPT = `
import json, sys, torch
spec = json.load(sys.stdin)
params = {n: torch.nn.Parameter(torch.tensor(v, dtype=torch.float32)) for n, v in spec['params'].items()}
groups = [
  {'params': [params[n] for n in spec['decay']], 'weight_decay': spec['weight_decay']},
  {'params': [params[n] for n in spec['no_decay']], 'weight_decay': 0.0},
]
opt = torch.optim.AdamW(groups, lr=spec['lrs'][0], betas=tuple(spec['betas']), eps=spec['eps'])
for step, grads in enumerate(spec['grads']):
  for n, p in params.items():
    p.grad = torch.tensor(grads[n], dtype=torch.float32)
    p.grad.mul_(torch.tensor(spec['grad_scales'][step], dtype=torch.float32))
  for g in opt.param_groups:
    g['lr'] = spec['lrs'][step]
  opt.step()
out = {n: {'param': p.detach().tolist(), 'exp_avg': opt.state[p]['exp_avg'].tolist(), 'exp_avg_sq': opt.state[p]['exp_avg_sq'].tolist()} for n, p in params.items()}
print(json.dumps(out))
`;

describe('AdamW', () => {
  test('runs the WebAssembly SIMD kernel on Node 20', () => {
    assert.ok(wasmSimdAvailable());
    assert.equal(new AdamW(new Map()).kernel, 'wasm');
  });

  test('the wasm kernel and the JS fallback give the same bits, across chunk boundaries and odd lengths', () => {
    const wasm = runOptimizer('wasm');
    const js = runOptimizer('js');
    assert.equal(js.kernel, 'js');
    for (const [name, values] of wasm.params) {
      assert.deepEqual(values, js.params.get(name), name);
      assert.deepEqual(wasm.state.get(name), js.state.get(name), `${name} moments`);
    }
  });

  test('matches a float64 reference of the AdamW algorithm within 1e-6 relative over five steps', () => {
    const optimizer = runOptimizer('wasm', 2);
    for (const [name, reference] of float64Reference(2)) {
      assertClose(optimizer.params.get(name)!, reference.p, 1e-6, name);
      assertClose(optimizer.state.get(name)!.expAvg, reference.m, 1e-5, `${name} exp_avg`);
      assertClose(optimizer.state.get(name)!.expAvgSq, reference.v, 1e-5, `${name} exp_avg_sq`);
    }
    assert.equal(optimizer.stepCount, LRS.length);
  });

  test('matches torch.optim.AdamW (PyTorch at /usr/bin/python3) within 1e-6 relative', { skip: !torchAvailable() && 'no torch at /usr/bin/python3' }, () => {
    const seed = 3;
    const { params, grads } = problem(seed);
    const names = [...params.keys()];
    const spec = {
      params: Object.fromEntries([...params].map(([n, v]) => [n, [...v]])),
      grads: grads.map((g) => Object.fromEntries([...g].map(([n, v]) => [n, [...v]]))),
      lrs: LRS,
      grad_scales: GRAD_SCALES,
      betas: SETTINGS.betas,
      eps: SETTINGS.eps,
      weight_decay: SETTINGS.weightDecay,
      decay: names.filter((n) => !excludedFromWeightDecay(n)),
      no_decay: names.filter((n) => excludedFromWeightDecay(n)),
    };
    const result = spawnSync(PYTHON, ['-c', TORCH_SCRIPT], { input: JSON.stringify(spec), encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    assert.equal(result.status, 0, result.stderr);
    const torch = JSON.parse(result.stdout) as Record<string, { param: number[]; exp_avg: number[]; exp_avg_sq: number[] }>;
    const optimizer = runOptimizer('wasm', seed);
    for (const name of names) {
      assertClose(optimizer.params.get(name)!, torch[name].param, 1e-6, name);
      assertClose(optimizer.state.get(name)!.expAvg, torch[name].exp_avg, 1e-6, `${name} exp_avg`);
      assertClose(optimizer.state.get(name)!.expAvgSq, torch[name].exp_avg_sq, 1e-6, `${name} exp_avg_sq`);
    }
  });

  test('no weight decay for biases and LayerNorm/RMSNorm weights, as HF Trainer, for GPT-2 and Llama names', () => {
    const gpt2 = parseDecoderConfig({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: 16, n_embd: 8, n_layer: 1, n_head: 2, n_positions: 8 });
    const llama = parseDecoderConfig({
      architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 16, hidden_size: 8, intermediate_size: 16,
      num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 8, attention_bias: true,
    });
    const excluded = (config: typeof gpt2) => decoderParameters(config).filter((p) => excludedFromWeightDecay(p.name)).map((p) => p.name);
    assert.deepEqual(excluded(gpt2), [
      'h.0.ln_1.weight', 'h.0.ln_1.bias', 'h.0.attn.c_attn.bias', 'h.0.attn.c_proj.bias', 'h.0.ln_2.weight', 'h.0.ln_2.bias',
      'h.0.mlp.c_fc.bias', 'h.0.mlp.c_proj.bias', 'ln_f.weight', 'ln_f.bias',
    ]);
    assert.deepEqual(excluded(llama), [
      'layers.0.input_layernorm.weight', 'layers.0.self_attn.q_proj.bias', 'layers.0.self_attn.k_proj.bias',
      'layers.0.self_attn.v_proj.bias', 'layers.0.self_attn.o_proj.bias', 'layers.0.post_attention_layernorm.weight', 'norm.weight',
    ]);
    for (const name of ['transformer.h.3.ln_2.weight', 'model.norm.weight', 'encoder.LayerNorm.weight', 'model.layers.0.q_norm.weight']) {
      assert.ok(excludedFromWeightDecay(name), name);
    }
    for (const name of ['transformer.wte.weight', 'lm_head.weight', 'model.layers.0.mlp.down_proj.weight', 'score.weight']) {
      assert.ok(!excludedFromWeightDecay(name), name);
    }
  });

  test('decay shrinks decayed weights only: with zero gradients a bias stays, a weight becomes p·(1 − lr·wd)', () => {
    const params = new Map([['w.weight', Float32Array.of(2, -4)], ['w.bias', Float32Array.of(2, -4)]]);
    const optimizer = new AdamW(params, { lr: 0.1, weightDecay: 0.5 });
    optimizer.step(new Map([['w.weight', new Float32Array(2)], ['w.bias', new Float32Array(2)]]));
    assert.deepEqual([...params.get('w.weight')!], [Math.fround(2 * Math.fround(0.95)), Math.fround(-4 * Math.fround(0.95))]);
    assert.deepEqual([...params.get('w.bias')!], [2, -4]);
    assert.ok(optimizer.decays('w.weight') && !optimizer.decays('w.bias'));
  });

  test('names a missing or mis-sized gradient and invalid settings', () => {
    const optimizer = new AdamW(new Map([['a', new Float32Array(3)]]));
    assert.throws(() => optimizer.step(new Map()), /AdamW\.step: no gradient for parameter "a"/);
    assert.throws(() => optimizer.step(new Map([['a', new Float32Array(2)]])), /gradient of "a" has 2 values, the parameter 3/);
    assert.throws(() => new AdamW(new Map(), { betas: [1, 0.999], lr: -1 }), /invalid AdamW settings: learning rate -1 < 0, beta1 1 outside \[0, 1\)/);
    assert.equal(optimizer.stepCount, 0);
  });
});
