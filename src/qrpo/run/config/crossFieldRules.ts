// Rules that involve more than one field, checked on the resolved config (defaults filled in). Each names the field
// the user most likely has to change, on its line.
import { minimumNumRef } from '../../math';
import type { ConfigProblems } from './configProblems';
import { PAIRWISE_LOSSES, type RunConfig } from './runConfigFields';

export function checkCrossFieldRules(config: RunConfig, problems: ConfigProblems): void {
  const written = (path: string[]) => problems.document.lineOf(path) !== undefined;

  if (config.loss_type === 'qrpo') {
    const transform = config.qrpo_transform_type;
    const minimum = minimumNumRef(transform);
    if (config.num_ref_rewards < minimum) {
      const why = transform === 'log'
        ? 'With one reference reward every clamped log-quantile is 0, a constant target with no learning signal'
        : 'The quantile is clamped into [1/n, (n−1)/n], which leaves no spread below n = 3';
      const path = written(['num_ref_rewards']) ? ['num_ref_rewards'] : ['qrpo_transform_type'];
      problems.add(path, `num_ref_rewards in ${problems.where(path)} must be ≥ ${minimum} for qrpo_transform_type "${transform}", got ${config.num_ref_rewards}`, why);
    }
  }

  if (config.max_prompt_length >= config.max_length) {
    problems.field(['max_prompt_length'], `must be less than max_length (${config.max_length}), got ${config.max_prompt_length}`, 'A sequence needs room for at least one completion token');
  }
  if (config.max_completion_length >= config.max_length) {
    problems.field(['max_completion_length'], `must be less than max_length (${config.max_length}), got ${config.max_completion_length}`, 'A sequence needs room for at least one prompt token');
  }
  if (config.max_steps === 0) {
    problems.field(['max_steps'], 'must be -1 (train for num_train_epochs) or a positive number of steps, got 0');
  }

  if (PAIRWISE_LOSSES.includes(config.loss_type) && config.sample_selector !== 'both') {
    problems.field(['sample_selector'], `is "${config.sample_selector}", but loss_type "${config.loss_type}" compares both sides of each pair`, 'Remove sample_selector or set it to both');
  }

  const sampled = config.training_data !== 'offline';
  if (sampled && config.loss_type === 'sft') {
    problems.field(['training_data'], `is "${config.training_data}", but loss_type "sft" trains on the dataset's own completions`, 'Use training_data: offline');
  }
  if (sampled && config.reward.source === 'column') {
    problems.field(['training_data'], `is "${config.training_data}", which ranks reference samples by reward, but reward.source is "column" and a dataset column cannot score new samples`, 'Set reward.source to model or module');
  }
  if (sampled && config.reference_sampling.num_samples < 2) {
    problems.field(['reference_sampling', 'num_samples'], `must be ≥ 2 for training_data "${config.training_data}", got ${config.reference_sampling.num_samples}`, 'A pair needs two reference samples per prompt');
  }
  if (config.reference_sampling.num_samples < config.num_ref_rewards) {
    problems.field(['reference_sampling', 'num_samples'], `must be at least num_ref_rewards (${config.num_ref_rewards}), got ${config.reference_sampling.num_samples}`, 'Each quantile is computed from num_ref_rewards reference rewards');
  }

  if (config.reward.source !== 'column' && config.reward.path === null) {
    const what = config.reward.source === 'model' ? 'a reward model folder' : 'a JavaScript module exporting reward(prompt, completion)';
    problems.add(['reward', 'source'], `reward.path is missing in ${problems.where(['reward', 'source'])}: reward.source "${config.reward.source}" needs ${what}`);
  }
}
