// The quick inputs of "Prepare Quantile Rewards…": β, the transform f, and how many reference rewards to use.
// Each answer already given (by a caller that knows it) skips its prompt.
import * as vscode from 'vscode';

export interface PrepareOptions {
  readonly beta: number;
  readonly transform: Transform;
  /** Undefined: use every reference reward of each prompt. */
  readonly numRef?: number;
}


export const transforms = ['identity', 'log', 'sqrt', 'square', 'normal-icdf', 'scaled-normal-icdf'] as const;
export type Transform = (typeof transforms)[number];

// Details follow docs/qrpo.md §3: each transform's formula and what it does to the targets.
const transformDetails: Record<Transform, string> = {
  identity: 'f(q) = q; the paper\'s experiments. log Z = log β + 1/β + log1p(−e^(−1/β)).',
  log: 'f(q) = log q, q clamped to ≥ 1/n; the optimum is best-of-N with N = 1 + 1/β.',
  sqrt: 'f(q) = √q; compresses differences among high quantiles.',
  square: 'f(q) = q²; stretches differences among high quantiles.',
  'normal-icdf': 'f(q) = Φ⁻¹(q), q clamped to [1/n, (n−1)/n]; needs n ≥ 3.',
  'scaled-normal-icdf': 'f(q) = σₓ·Φ⁻¹(q), σₓ the prompt\'s reference-reward spread relative to the dataset mean.',
};

export async function askPrepareOptions(given: Partial<PrepareOptions> = {}): Promise<PrepareOptions | undefined> {
  const beta = given.beta ?? (await askBeta());
  if (beta === undefined) return undefined;
  const transform = given.transform ?? (await askTransform());
  if (transform === undefined) return undefined;
  if ('numRef' in given) return { beta, transform, numRef: given.numRef };
  const numRef = await askNumRef();
  if (numRef === null) return undefined;
  return { beta, transform, numRef };
}

async function askBeta(): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'Prepare Quantile Rewards (1/3): β',
    prompt: 'KL regularisation strength β (> 0). Smaller β lets the policy move further from the reference.',
    value: '0.1',
    validateInput: (value) => (parsePositiveNumber(value) === undefined ? 'Enter a positive number, e.g. 0.1 or 1e-3.' : undefined),
  });
  return text === undefined ? undefined : parsePositiveNumber(text);
}

async function askTransform(): Promise<Transform | undefined> {
  const picked = await vscode.window.showQuickPick(
    transforms.map((label) => ({ label, detail: transformDetails[label] })),
    { title: 'Prepare Quantile Rewards (2/3): transform of the quantile', matchOnDetail: true },
  );
  return picked?.label;
}

/** A positive integer, undefined for "use all", or null when the user cancelled. */
async function askNumRef(): Promise<number | undefined | null> {
  const text = await vscode.window.showInputBox({
    title: 'Prepare Quantile Rewards (3/3): reference rewards per prompt',
    prompt: 'Use the first n reference rewards of each prompt, as the reference code does.',
    placeHolder: 'use all',
    validateInput: (value) => (value.trim() === '' || parsePositiveInteger(value) !== undefined ? undefined : 'Enter a positive whole number, or leave empty to use all.'),
  });
  if (text === undefined) return null;
  return text.trim() === '' ? undefined : parsePositiveInteger(text);
}

export function parsePositiveNumber(text: string): number | undefined {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(value) && value > 0 ? value : undefined;
}

export function parsePositiveInteger(text: string): number | undefined {
  const value = Number(text.trim());
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
