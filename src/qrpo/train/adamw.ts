// AdamW as torch.optim.AdamW computes it (decoupled weight decay, bias-corrected moments), in place on the
// Float32Arrays a GradientSource trains. The update runs in a WebAssembly SIMD kernel (adamw.wat): each tensor is
// streamed through a small scratch area of wasm memory in cache-sized chunks, so the moments stay ordinary
// Float32Arrays of any size (no 4 GiB wasm32 limit, nothing resident in wasm) while main-memory traffic stays that
// of a resident kernel. Where WebAssembly SIMD is unavailable a JS loop computes the same float32 operations.
import { ArgumentError } from '../errors';
import adamwWasm from './adamw.wat';

export interface AdamWOptions {
  /** Base learning rate (`learning_rate`); a schedule passes the current one to `step`. Default 1e-3. */
  readonly lr?: number;
  /** (`adam_beta1`, `adam_beta2`); default (0.9, 0.999). */
  readonly betas?: readonly [number, number];
  /** `adam_epsilon`; default 1e-8. */
  readonly eps?: number;
  /** `weight_decay`, decoupled: p ← p − lr·wd·p. Default 0, as in TrainingArguments (torch's own default is 0.01). */
  readonly weightDecay?: number;
  /** Which tensors get no weight decay; default `excludedFromWeightDecay` (biases and norm weights). */
  readonly noDecay?: (name: string) => boolean;
  /** `wasm` (WebAssembly SIMD, the default where available) or `js`. */
  readonly kernel?: 'auto' | 'wasm' | 'js';
  /** Elements per chunk streamed through wasm memory; four chunks should fit the L2 cache. Default 65536 (1 MiB of scratch). */
  readonly chunkElements?: number;
}

export interface MomentBuffers {
  /** First moment, `exp_avg` in torch's optimizer state. */
  readonly expAvg: Float32Array;
  /** Second moment, `exp_avg_sq`. */
  readonly expAvgSq: Float32Array;
}

export interface AdamWStepOptions {
  /** The learning rate for this step (from the schedule); default the base one. */
  readonly lr?: number;
  /** Multiplies every gradient before the update: the clip coefficient of clip_grad_norm_, applied in the same pass. */
  readonly gradScale?: number;
}

/**
 * HF Trainer's default: no weight decay for biases and for LayerNorm/RMSNorm weights. Trainer finds norms by module
 * type (GPT-2's `ln_1`, `ln_2`, `ln_f`) and by name (`layernorm`, `rmsnorm`, `norm`, `*_norm`); by name alone that
 * is the patterns below, which cover GPT-2 and the Llama family (`input_layernorm`, `post_attention_layernorm`, `norm`).
 */
export function excludedFromWeightDecay(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower.includes('bias') ||
    /layernorm|rmsnorm|(^|\.)norm($|\.)|_norm($|\.)|(^|\.)ln_(\d+|f)($|\.)/.test(lower)
  );
}

/** Per-step constants, rounded to float32 as torch rounds a Python float scalar applied to a float32 tensor. */
interface StepCoefficients {
  gradScale: number;
  decay: number;
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  negStepSize: number;
  biasCorrection2Sqrt: number;
  eps: number;
}

type WasmKernel = (
  n: number, p: number, g: number, m: number, v: number,
  gradScale: number, decay: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
  negStepSize: number, biasCorrection2Sqrt: number, eps: number,
) => void;

let compiledKernel: WebAssembly.Module | null | undefined;

/** The assembled kernel, or null where this runtime lacks WebAssembly SIMD. */
function kernelModule(): WebAssembly.Module | null {
  if (compiledKernel === undefined) compiledKernel = WebAssembly.validate(adamwWasm) ? new WebAssembly.Module(adamwWasm) : null;
  return compiledKernel;
}

export function wasmSimdAvailable(): boolean {
  return kernelModule() !== null;
}

export class AdamW {
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  /** Optimizer steps taken so far (torch's `state['step']`, the t in the bias corrections). */
  stepCount = 0;
  readonly state = new Map<string, MomentBuffers>();
  readonly kernel: 'wasm' | 'js';
  private readonly decayed = new Set<string>();
  private readonly wasm?: WasmScratch;

  constructor(
    readonly params: ReadonlyMap<string, Float32Array>,
    options: AdamWOptions = {},
  ) {
    this.lr = options.lr ?? 1e-3;
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    checkHyperparameters(this.lr, this.betas, this.eps, this.weightDecay);
    const noDecay = options.noDecay ?? excludedFromWeightDecay;
    for (const [name, values] of params) {
      this.state.set(name, { expAvg: new Float32Array(values.length), expAvgSq: new Float32Array(values.length) });
      if (!noDecay(name)) this.decayed.add(name);
    }
    const wanted = options.kernel ?? 'auto';
    const module = wanted === 'js' ? null : kernelModule();
    if (wanted === 'wasm' && !module) throw new ArgumentError('this runtime has no WebAssembly SIMD; use the js AdamW kernel');
    this.kernel = module ? 'wasm' : 'js';
    if (module) this.wasm = new WasmScratch(module, options.chunkElements ?? 65536);
  }

  /** Whether `name` gets weight decay. */
  decays(name: string): boolean {
    return this.decayed.has(name);
  }

  /** One AdamW update of every parameter, in place, from `grads` (same names and lengths as the parameters). */
  step(grads: ReadonlyMap<string, Float32Array>, options: AdamWStepOptions = {}): void {
    for (const [name, values] of this.params) {
      const grad = grads.get(name);
      if (!grad) throw new ArgumentError(`AdamW.step: no gradient for parameter "${name}"`);
      if (grad.length !== values.length) {
        throw new ArgumentError(`AdamW.step: gradient of "${name}" has ${grad.length} values, the parameter ${values.length}`);
      }
    }
    const lr = options.lr ?? this.lr;
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new ArgumentError(`AdamW.step: learning rate ${lr} is not a finite number ≥ 0`);
    this.stepCount += 1;
    const [beta1, beta2] = this.betas;
    const biasCorrection1 = 1 - beta1 ** this.stepCount;
    const biasCorrection2 = 1 - beta2 ** this.stepCount;
    const shared = {
      gradScale: Math.fround(options.gradScale ?? 1),
      beta1: Math.fround(beta1),
      oneMinusBeta1: Math.fround(1 - beta1),
      beta2: Math.fround(beta2),
      oneMinusBeta2: Math.fround(1 - beta2),
      negStepSize: Math.fround(-(lr / biasCorrection1)),
      biasCorrection2Sqrt: Math.fround(Math.sqrt(biasCorrection2)),
      eps: Math.fround(this.eps),
    };
    for (const [name, p] of this.params) {
      const decay = Math.fround(this.decayed.has(name) ? 1 - lr * this.weightDecay : 1);
      const { expAvg, expAvgSq } = this.state.get(name)!;
      const coefficients: StepCoefficients = { ...shared, decay };
      if (this.wasm) this.wasm.update(p, grads.get(name)!, expAvg, expAvgSq, coefficients);
      else updateInJs(p, grads.get(name)!, expAvg, expAvgSq, coefficients);
    }
  }
}

function checkHyperparameters(lr: number, betas: readonly [number, number], eps: number, weightDecay: number): void {
  const problems: string[] = [];
  if (!(lr >= 0)) problems.push(`learning rate ${lr} < 0`);
  betas.forEach((beta, i) => {
    if (!(beta >= 0 && beta < 1)) problems.push(`beta${i + 1} ${beta} outside [0, 1)`);
  });
  if (!(eps >= 0)) problems.push(`eps ${eps} < 0`);
  if (!(weightDecay >= 0)) problems.push(`weight decay ${weightDecay} < 0`);
  if (problems.length > 0) throw new ArgumentError(`invalid AdamW settings: ${problems.join(', ')}`);
}

/** The kernel's arithmetic in JS: each float32 op of adamw.wat is a float64 op rounded by Math.fround, exactly. */
function updateInJs(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, c: StepCoefficients): void {
  const f = Math.fround;
  // Locals, not property loads, in the hot loop.
  const { gradScale, decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, negStepSize, biasCorrection2Sqrt, eps } = c;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const grad = f(g[i] * gradScale);
    const param = f(p[i] * decay);
    const avg = f(f(m[i] * beta1) + f(oneMinusBeta1 * grad));
    const avgSq = f(f(v[i] * beta2) + f(f(oneMinusBeta2 * grad) * grad));
    const denom = f(f(f(Math.sqrt(avgSq)) / biasCorrection2Sqrt) + eps);
    p[i] = param + f(f(negStepSize * avg) / denom);
    m[i] = avg;
    v[i] = avgSq;
  }
}

/** One kernel instance and its scratch memory: four chunk-sized regions for params, grads and the two moments. */
class WasmScratch {
  private readonly run: WasmKernel;
  private readonly offsets: readonly [number, number, number, number];
  private readonly views: readonly [Float32Array, Float32Array, Float32Array, Float32Array];

  constructor(module: WebAssembly.Module, private readonly chunk: number) {
    if (!Number.isInteger(chunk) || chunk < 4 || chunk % 4 !== 0) throw new ArgumentError(`chunkElements ${chunk} must be a positive multiple of 4`);
    const instance = new WebAssembly.Instance(module);
    const memory = instance.exports.memory as WebAssembly.Memory;
    const bytes = 4 * chunk * 4;
    const pages = Math.ceil(bytes / 65536);
    if (pages > memory.buffer.byteLength / 65536) memory.grow(pages - memory.buffer.byteLength / 65536);
    this.run = instance.exports.adamw as WasmKernel;
    const region = chunk * 4;
    this.offsets = [0, region, 2 * region, 3 * region];
    this.views = this.offsets.map((offset) => new Float32Array(memory.buffer, offset, chunk)) as unknown as WasmScratch['views'];
  }

  update(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, c: StepCoefficients): void {
    const [hp, hg, hm, hv] = this.views;
    const [op, og, om, ov] = this.offsets;
    for (let start = 0; start < p.length; start += this.chunk) {
      const end = Math.min(start + this.chunk, p.length);
      const n = end - start;
      hp.set(p.subarray(start, end));
      hg.set(g.subarray(start, end));
      hm.set(m.subarray(start, end));
      hv.set(v.subarray(start, end));
      // Lanes past n (up to the next multiple of 4) hold stale values; they are computed and never copied out.
      this.run((n + 3) & ~3, op, og, om, ov, c.gradScale, c.decay, c.beta1, c.oneMinusBeta1, c.beta2, c.oneMinusBeta2, c.negStepSize, c.biasCorrection2Sqrt, c.eps);
      p.set(hp.subarray(0, n), start);
      m.set(hm.subarray(0, n), start);
      v.set(hv.subarray(0, n), start);
    }
  }
}
