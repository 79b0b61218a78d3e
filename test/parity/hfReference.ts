// Runs test/parity/hf_reference.py (PyTorch, float64) on a batch of cases and returns its results. The reference
// needs Debian's /usr/bin/python3 with python3-torch; a missing torch fails loudly (CI installs it), never skips.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const PYTHON = process.env.QRPO_PARITY_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(repositoryRoot(), 'test', 'parity', 'hf_reference.py');

/** The folder holding package.json above this file (the bundle runs from out/test/…). */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export interface ReferenceCase {
  model_dir: string;
  input_ids: number[][];
  attention_mask: number[][];
  completion_mask?: number[][];
  qrpo?: { targets: number[]; ref_logps: number[]; beta: number };
  score_weights?: number[][];
  /** A PEFT LoRA adapter folder: base weights frozen, gradients of its A and B only (causal LMs). */
  lora_dir?: string;
}

export interface ReferenceResult {
  logp?: number[];
  token_logps?: number[][];
  scores?: number[][];
  loss: number;
  grads: Record<string, number[]>;
}

export function runReference(cases: readonly ReferenceCase[], script = SCRIPT): { torch: string; results: ReferenceResult[] } {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `the PyTorch parity reference needs ${PYTHON} with torch: ${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}. ` +
        'Install it with `apt-get install python3-torch` (CI does), or point QRPO_PARITY_PYTHON at a python3 with torch',
    );
  }
  const run = spawnSync(PYTHON, [script], { input: JSON.stringify({ cases }), encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (run.status !== 0) throw new Error(`${script} failed (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}
