// Every field of a QRPO run config, defined once: `schemas/run-config.schema.json` (editor completion and hovers),
// the runtime validation and the resolved `RunConfig` type are generated from this list. Names follow TRL's
// DPOConfig/TrainingArguments and the QRPO reference code; defaults follow the paper where it fixes one (one epoch,
// cosine schedule with 10% warm-up, reference sampling at temperature 1 and top-p 1) and TRL elsewhere.
import { QUANTILE_TRANSFORMS } from '../../math';
import {
  blockField,
  booleanField,
  choiceField,
  integerField,
  numberField,
  stringField,
  stringListField,
  type ConfigOf,
} from './fieldSpec';

export const LOSS_TYPES = ['qrpo', 'dpo', 'simpo', 'rebel', 'sft'] as const;
/** Losses defined on a (chosen, rejected) pair; qrpo and sft are pointwise. */
export const PAIRWISE_LOSSES: readonly string[] = ['dpo', 'simpo', 'rebel'];

export const RUN_CONFIG_FIELDS = {
  model_name_or_path: stringField('The policy to train: a Hugging Face model folder (config.json, *.safetensors, tokenizer files). Relative paths are resolved against the config file\'s folder.', { required: true }),
  ref_model_name_or_path: stringField('The frozen reference model π_ref. Default (null): the same folder as model_name_or_path, i.e. the start of training.', { nullable: true, filledIn: true, default: null }),
  dataset_name: stringField('Training data: a JSONL, JSON, CSV or Parquet file, or a Hugging Face datasets folder (`folder:split` picks a split). Pointwise rows {prompt, completion, reward, ref_rewards}, TRL pairs {prompt, chosen, rejected} or the QRPO authors\' format.', { required: true }),
  eval_dataset_name: stringField('Held-out prompts for evaluation, in any format dataset_name accepts. Default (null): eval.num_prompts prompts of dataset_name are held out from training.', { nullable: true, default: null }),
  output_dir: stringField('The run folder (run.json, status.json, metrics.jsonl, stages/, checkpoint-<step>/, evals/). Default (null): runs/<run_name> beside the config file.', { nullable: true, filledIn: true, default: null }),
  run_name: stringField('A name for the run, shown in the Runs view. Default (null): the config file\'s name without its extension.', { nullable: true, filledIn: true, default: null }),

  beta: numberField('β, the KL regularisation strength: the target is f(q) − β·log Z_f(β) and the regressed quantity β·(log πθ − log π_ref). The paper used 3e-4 to 3e-3 for chat models.', { default: 0.1, exclusiveMinimum: 0 }),
  learning_rate: numberField('Peak learning rate of AdamW. The paper swept 1e-7, 3e-7 and 1e-6 for 8B chat models.', { default: 1e-6, exclusiveMinimum: 0 }),
  num_train_epochs: numberField('Passes over the training data (fractions allowed). Ignored when max_steps > 0.', { default: 1, exclusiveMinimum: 0 }),
  max_steps: integerField('Total optimizer steps; -1 derives them from num_train_epochs.', { default: -1, minimum: -1 }),
  per_device_train_batch_size: integerField('Training records (a pair counts as one) per forward/backward pass.', { default: 8, minimum: 1 }),
  per_device_eval_batch_size: integerField('Sequences per batch when scoring, sampling and evaluating.', { default: 8, minimum: 1 }),
  gradient_accumulation_steps: integerField('Micro-batches accumulated per optimizer step; the effective batch is per_device_train_batch_size × this.', { default: 1, minimum: 1 }),
  max_grad_norm: numberField('Clip the global gradient norm to this value; 0 disables clipping.', { default: 1, minimum: 0 }),
  weight_decay: numberField('AdamW decoupled weight decay.', { default: 0, minimum: 0 }),
  adam_beta1: numberField('AdamW β1.', { default: 0.9, minimum: 0, exclusiveMaximum: 1 }),
  adam_beta2: numberField('AdamW β2.', { default: 0.999, minimum: 0, exclusiveMaximum: 1 }),
  adam_epsilon: numberField('AdamW ε.', { default: 1e-8, exclusiveMinimum: 0 }),
  max_length: integerField('Maximum tokens of prompt plus completion.', { default: 1024, minimum: 2 }),
  max_prompt_length: integerField('Maximum prompt tokens; longer prompts keep their last tokens (as the reference code).', { default: 512, minimum: 1 }),
  max_completion_length: integerField('Maximum completion tokens; longer completions keep their first tokens.', { default: 512, minimum: 1 }),
  lr_scheduler_type: choiceField('Learning-rate schedule after warm-up (the paper: cosine).', ['linear', 'cosine', 'constant', 'constant_with_warmup'], 'cosine'),
  warmup_ratio: numberField('Share of the total steps spent warming the learning rate up linearly from 0 (the paper: 0.1).', { default: 0.1, minimum: 0, maximum: 1 }),
  warmup_steps: integerField('Warm-up steps; when > 0 it overrides warmup_ratio (as in transformers).', { default: 0, minimum: 0 }),
  seed: integerField('Seed of data order, sampling and initialisation; a resumed run continues the same random streams.', { default: 42, minimum: 0 }),
  logging_steps: integerField('Append a line of metrics to metrics.jsonl every this many optimizer steps.', { default: 10, minimum: 1 }),
  save_steps: integerField('Write checkpoint-<step>/ every this many optimizer steps (and at the end).', { default: 500, minimum: 1 }),
  eval_steps: integerField('Evaluate every this many optimizer steps. Default (null): at each checkpoint that eval.checkpoints selects.', { nullable: true, filledIn: true, default: null, minimum: 1 }),

  num_ref_rewards: integerField('n, the number of reference rewards per prompt that each quantile is computed from (the first n stored, as the reference code). The paper: 1–3 for offline data, up to 50 off-policy.', { default: 3, minimum: 1 }),
  loss_type: choiceField('The objective: qrpo (pointwise regression on quantile rewards), dpo, simpo, rebel (pairwise baselines on the same engine) or sft.', LOSS_TYPES, 'qrpo'),
  qrpo_transform_type: choiceField('f applied to the quantile reward q before it becomes a target; log Z_f is exact for each (qrpo.md §3). identity is what the paper\'s experiments use.', QUANTILE_TRANSFORMS, 'identity'),
  qrpo_loss_type: choiceField('Penalty on the residual target − β·logratio: mse (the paper) or mae.', ['mse', 'mae'], 'mse'),
  log_z: choiceField('log Z for the identity transform: exact, or simplified (log β + 1/β, the reference code\'s shortcut, off by 4.5e-5 at β = 0.1 and badly wrong for large β).', ['exact', 'simplified'], 'exact'),
  simpo_gamma_beta_ratio: numberField('SimPO margin γ/β.', { default: 0.5, minimum: 0 }),
  sample_selector: choiceField('Which side of each pair a pointwise loss (qrpo, sft) trains on: both (each side as an independent sample, the reference code), chosen, rejected, or one side at random.', ['both', 'chosen', 'rejected', 'random'], 'both'),
  training_data: choiceField('offline: the dataset\'s own completions; off-policy-best-worst: the best and worst reference samples per prompt; off-policy-random-pairs: two random reference samples per prompt (the paper\'s regimes).', ['offline', 'off-policy-best-worst', 'off-policy-random-pairs'], 'offline'),

  reference_sampling: blockField('Sampling of reference completions from π_ref. Quantiles assume exactly this sampling; the paper samples at temperature 1 and top-p 1.', {
    num_samples: integerField('Completions sampled per prompt. Default (null): num_ref_rewards.', { nullable: true, filledIn: true, default: null, minimum: 1 }),
    temperature: numberField('Sampling temperature.', { default: 1, exclusiveMinimum: 0 }),
    top_p: numberField('Nucleus sampling mass; 1 keeps the whole distribution.', { default: 1, exclusiveMinimum: 0, maximum: 1 }),
    top_k: integerField('Keep only the k most likely tokens; 0 disables top-k.', { default: 0, minimum: 0 }),
    max_new_tokens: integerField('Maximum tokens per sampled completion. Default (null): max_completion_length.', { nullable: true, filledIn: true, default: null, minimum: 1 }),
  }),
  reward: blockField('Where rewards come from.', {
    source: choiceField('model: a reward model folder (ONNX or an HF *ForSequenceClassification); column: rewards already in the dataset; module: a JavaScript module in the workspace exporting reward(prompt, completion), run only in a trusted workspace.', ['model', 'column', 'module'], 'column'),
    path: stringField('The reward model folder (source: model) or the JavaScript module (source: module), relative to the config file.', { nullable: true, default: null }),
    column: stringField('The dataset column that holds rewards (source: column). Default (null): reward for pointwise rows, chosen_rewards/rejected_rewards for pairs.', { nullable: true, default: null }),
    batch_size: integerField('Completions scored per batch.', { default: 8, minimum: 1 }),
  }),
  sft: blockField('Optional supervised fine-tuning of the reference on the chosen completions before anything is sampled (qrpo.md §7 step 2).', {
    enabled: booleanField('Run the SFT stage.', false),
    epochs: numberField('SFT passes over the chosen completions.', { default: 1, exclusiveMinimum: 0 }),
    learning_rate: numberField('SFT peak learning rate.', { default: 2e-5, exclusiveMinimum: 0 }),
  }),
  eval: blockField('Evaluation of checkpoints on held-out prompts: samples, rewards, quantiles against the reference, KL, lengths and length bias.', {
    num_prompts: integerField('Held-out prompts evaluated.', { default: 100, minimum: 1 }),
    samples_per_prompt: integerField('Completions sampled per prompt and checkpoint.', { default: 4, minimum: 1 }),
    checkpoints: choiceField('Which checkpoints to evaluate: all saved ones, the last, or none.', ['all', 'last', 'none'], 'all'),
    selection_split: numberField('Share of the eval prompts used to select a checkpoint; the rest report its results (the paper\'s selection/reporting split). 0 reports on all prompts.', { default: 0.5, minimum: 0, exclusiveMaximum: 1 }),
  }),

  use_peft: booleanField('Train a LoRA adapter instead of all weights.', false),
  lora_r: integerField('LoRA rank.', { default: 16, minimum: 1 }),
  lora_alpha: numberField('LoRA scaling α (the update is scaled by α/r).', { default: 32, exclusiveMinimum: 0 }),
  lora_dropout: numberField('Dropout on the LoRA input.', { default: 0, minimum: 0, exclusiveMaximum: 1 }),
  lora_target_modules: stringListField('Modules that get adapters, e.g. [q_proj, v_proj]. Default (null): every linear projection of the attention and MLP blocks.', { nullable: true, default: null }),

  device: choiceField('Where compute runs: cpu, webgpu, cuda, or auto (the fastest available).', ['cpu', 'webgpu', 'cuda', 'auto'], 'auto'),
  threads: integerField('CPU threads for compute; 0 lets the runtime decide.', { default: 0, minimum: 0 }),
} as const;

/** A resolved run config: every field present, defaults and the null "same as" fields filled in. */
export type RunConfig = ConfigOf<typeof RUN_CONFIG_FIELDS>;
