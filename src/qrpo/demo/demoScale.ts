// How big the demo is. `full` is what `npm run demo` runs (a few minutes on one CPU core); `quick` is the same
// pipeline scaled down to well under a minute, for the demo's unit test and a first look. Run hyper-parameters that
// do not depend on the scale live in the config templates (samples/demo/*.json); these override them.
import type { ModelDimensions } from './tinyModelFolders';

export interface DemoScale {
  readonly name: 'full' | 'quick';
  /** Prompts kept out of training and SFT, evaluated before and after. */
  readonly heldOutPrompts: number;
  /** Training prompts (SFT and the runs); default every prompt not held out. */
  readonly trainPrompts?: number;
  /** SFT corpus answers per training prompt. */
  readonly corpusPerPrompt: number;
  readonly model: { readonly dimensions: Partial<ModelDimensions>; readonly merges: number };
  readonly sft: { readonly steps: number; readonly batchSize: number; readonly learningRate: number };
  /** Overrides of the run config templates' fields (dotted paths for blocks). */
  readonly runOverrides: Readonly<Record<string, unknown>>;
}

const DIMENSIONS: Partial<ModelDimensions> = { hidden: 64, layers: 2, heads: 4, positions: 48 };

export const DEMO_SCALES: Record<DemoScale['name'], DemoScale> = {
  full: {
    name: 'full',
    heldOutPrompts: 40,
    corpusPerPrompt: 20,
    model: { dimensions: DIMENSIONS, merges: 300 },
    sft: { steps: 1000, batchSize: 32, learningRate: 3e-3 },
    runOverrides: {},
  },
  quick: {
    name: 'quick',
    heldOutPrompts: 16,
    trainPrompts: 80,
    corpusPerPrompt: 12,
    model: { dimensions: DIMENSIONS, merges: 300 },
    sft: { steps: 300, batchSize: 32, learningRate: 3e-3 },
    runOverrides: {
      num_ref_rewards: 8,
      'reference_sampling.num_samples': 8,
      'eval.num_prompts': 16,
      'eval.samples_per_prompt': 4,
    },
  },
};
