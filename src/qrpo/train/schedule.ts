// Learning-rate schedules as transformers.optimization defines them (`lr_scheduler_type`): the multiplier of the base
// learning rate at optimizer step `step` (0-based: the first update uses step 0, so with warm-up it has lr 0, as in
// HF). Warm-up is a step count or a ratio of the training steps, ceil(ratio · total) as TrainingArguments does.
import { ArgumentError } from '../errors';

export type ScheduleName = 'linear' | 'cosine' | 'constant' | 'constant_with_warmup';
export const SCHEDULE_NAMES: readonly ScheduleName[] = ['linear', 'cosine', 'constant', 'constant_with_warmup'];

export interface ScheduleOptions {
  readonly name: ScheduleName;
  /** The number of optimizer steps in the run (`max_steps`, or epochs × steps per epoch). */
  readonly totalSteps: number;
  /** `warmup_steps`; takes precedence over the ratio when > 0, as in TrainingArguments.get_warmup_steps. */
  readonly warmupSteps?: number;
  /** `warmup_ratio`, a fraction of totalSteps (the QRPO paper: cosine with 0.1). */
  readonly warmupRatio?: number;
  /** Cosine waves over the decay (`num_cycles`); HF's default 0.5 goes from 1 down to 0 once. */
  readonly numCycles?: number;
}

export interface Schedule {
  readonly name: ScheduleName;
  readonly totalSteps: number;
  readonly warmupSteps: number;
  /** The multiplier of the base learning rate for the update at 0-based `step`. */
  factor(step: number): number;
}

export function warmupStepsFor(totalSteps: number, warmupSteps = 0, warmupRatio = 0): number {
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) throw new ArgumentError(`warmup_steps must be an integer ≥ 0, got ${warmupSteps}`);
  if (!(warmupRatio >= 0 && warmupRatio <= 1)) throw new ArgumentError(`warmup_ratio must be in [0, 1], got ${warmupRatio}`);
  return warmupSteps > 0 ? warmupSteps : Math.ceil(totalSteps * warmupRatio);
}

export function createSchedule(options: ScheduleOptions): Schedule {
  const { name, totalSteps } = options;
  if (!SCHEDULE_NAMES.includes(name)) {
    throw new ArgumentError(`unknown lr_scheduler_type "${name}"`, `Use one of ${SCHEDULE_NAMES.join(', ')}`);
  }
  if (!Number.isInteger(totalSteps) || totalSteps < 0) throw new ArgumentError(`the number of training steps must be an integer ≥ 0, got ${totalSteps}`);
  const warmup = name === 'constant' ? 0 : warmupStepsFor(totalSteps, options.warmupSteps, options.warmupRatio);
  const numCycles = options.numCycles ?? 0.5;
  const warmingUp = (step: number) => step / Math.max(1, warmup);

  const decay: Record<ScheduleName, (step: number) => number> = {
    constant: () => 1,
    constant_with_warmup: () => 1,
    // get_linear_schedule_with_warmup
    linear: (step) => Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmup)),
    // get_cosine_schedule_with_warmup
    cosine: (step) => {
      const progress = (step - warmup) / Math.max(1, totalSteps - warmup);
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * numCycles * 2 * progress)));
    },
  };
  return {
    name,
    totalSteps,
    warmupSteps: warmup,
    factor: (step) => (step < warmup ? warmingUp(step) : decay[name](step)),
  };
}
