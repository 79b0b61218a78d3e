// AdamW step cost at GPT-2-small size (124M float32 parameters in its 148 tensors), one thread: a plain JS loop
// (float64 arithmetic, the loop engine-notes.md measured), our JS fallback (float32-exact with Math.fround) and the
// WebAssembly SIMD kernel. Bundle and run (the .wat import needs the build's plugin):
//   node -e "import('esbuild').then(async (e) => e.build({ entryPoints: ['bench/adamwBench.ts'], bundle: true, platform: 'node', target: 'node20', outfile: 'out/bench/adamwBench.js', plugins: [(await import('./src/qrpo/train/watPlugin.mjs')).watPlugin()] }))" && node out/bench/adamwBench.js
import { cpus } from 'node:os';
import { AdamW } from '../src/qrpo/train/adamw';

const STEPS = Number(process.env.STEPS ?? 3);
/** Elements per chunk streamed through wasm memory (AdamWOptions.chunkElements). */
const CHUNK = process.env.CHUNK ? Number(process.env.CHUNK) : undefined;

/** GPT-2 small: wte, wpe, 12 blocks of (ln_1, c_attn, c_proj, ln_2, c_fc, c_proj), ln_f; tied head. */
function gpt2SmallShapes(): Map<string, number> {
  const H = 768;
  const sizes = new Map<string, number>([['wte.weight', 50257 * H], ['wpe.weight', 1024 * H]]);
  for (let i = 0; i < 12; i++) {
    const p = `h.${i}`;
    for (const [name, size] of [
      ['ln_1.weight', H], ['ln_1.bias', H], ['attn.c_attn.weight', H * 3 * H], ['attn.c_attn.bias', 3 * H],
      ['attn.c_proj.weight', H * H], ['attn.c_proj.bias', H], ['ln_2.weight', H], ['ln_2.bias', H],
      ['mlp.c_fc.weight', H * 4 * H], ['mlp.c_fc.bias', 4 * H], ['mlp.c_proj.weight', 4 * H * H], ['mlp.c_proj.bias', H],
    ] as const) sizes.set(`${p}.${name}`, size);
  }
  sizes.set('ln_f.weight', H).set('ln_f.bias', H);
  return sizes;
}

function filled(n: number, seed: number, scale: number): Float32Array {
  const values = new Float32Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    values[i] = (x / 4294967296 - 0.5) * scale;
  }
  return values;
}

/** The straightforward loop: float64 arithmetic on Float32Array elements. */
function plainJsStep(params: Map<string, Float32Array>, grads: Map<string, Float32Array>, state: Map<string, [Float32Array, Float32Array]>, t: number): void {
  const lr = 1e-4, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01;
  const bc1 = 1 - b1 ** t, bc2 = 1 - b2 ** t;
  for (const [name, p] of params) {
    const g = grads.get(name)!;
    const [m, v] = state.get(name)!;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      const mi = (m[i] = b1 * m[i] + (1 - b1) * gi);
      const vi = (v[i] = b2 * v[i] + (1 - b2) * gi * gi);
      p[i] = p[i] * (1 - lr * wd) - (lr / bc1) * mi / (Math.sqrt(vi / bc2) + eps);
    }
  }
}

function seconds(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main(): void {
  const shapes = gpt2SmallShapes();
  const total = [...shapes.values()].reduce((a, b) => a + b, 0);
  const params = new Map<string, Float32Array>();
  const grads = new Map<string, Float32Array>();
  let seed = 1;
  for (const [name, size] of shapes) {
    params.set(name, filled(size, seed++, 0.04));
    grads.set(name, filled(size, seed++, 0.002));
  }
  console.log(`AdamW step, ${(total / 1e6).toFixed(1)}M float32 params in ${shapes.size} tensors, 1 thread, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, median of ${STEPS} steps after one warm-up step`);

  const state = new Map([...params].map(([name, p]) => [name, [new Float32Array(p.length), new Float32Array(p.length)] as [Float32Array, Float32Array]]));
  const plain = [0, ...Array.from({ length: STEPS }, (_, i) => i + 1)].map((t) => seconds(() => plainJsStep(params, grads, state, t + 1))).slice(1);
  state.clear();

  const results: [string, number][] = [['plain JS loop (float64 math)', median(plain)]];
  for (const kernel of ['js', 'wasm'] as const) {
    const optimizer = new AdamW(params, { lr: 1e-4, weightDecay: 0.01, kernel, chunkElements: CHUNK });
    const times = Array.from({ length: STEPS + 1 }, () => seconds(() => optimizer.step(grads))).slice(1);
    results.push([kernel === 'js' ? 'AdamW js fallback (float32-exact)' : 'AdamW wasm SIMD f32x4 (chunked)', median(times)]);
  }
  const baseline = results[0][1];
  for (const [label, time] of results) console.log(`${label.padEnd(36)} ${time.toFixed(3)} s/step  ${(baseline / time).toFixed(1)}× vs plain JS`);
}

main();
