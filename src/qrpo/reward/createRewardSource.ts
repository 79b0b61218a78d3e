// The reward source a run config's `reward` block names.
import type { RunConfig } from '../run/config';
import type { ExecutionProvider } from '../runtime';
import { columnRewardSource } from './columnRewards';
import { loadEngineRewardModel } from './engineRewardModel';
import { loadModuleRewardSource } from './moduleRewardSource';
import { loadOnnxRewardModel } from './onnxRewardModel';
import { detectRewardModelFormat } from './rewardModelFormat';
import type { RewardSource } from './rewardSource';
import { ConfigError } from '../errors';

export type RewardBlock = RunConfig['reward'];

export interface CreateRewardSourceOptions {
  /** Whether workspace code may run (source: module). Required so that no caller forgets to decide. */
  readonly trusted: boolean;
  readonly executionProvider?: ExecutionProvider;
  readonly threads?: number;
}

export async function createRewardSource(block: RewardBlock, options: CreateRewardSourceOptions): Promise<RewardSource> {
  const modelOptions = { executionProvider: options.executionProvider, threads: options.threads, batchSize: block.batch_size };
  switch (block.source) {
    case 'column':
      return columnRewardSource(block.column);
    case 'module':
      return loadModuleRewardSource(requirePath(block), { trusted: options.trusted });
    case 'model': {
      const format = await detectRewardModelFormat(requirePath(block));
      return format.kind === 'onnx' ? loadOnnxRewardModel(format.folder, format.modelFile, modelOptions) : loadEngineRewardModel(format.folder, modelOptions);
    }
  }
}

function requirePath(block: RewardBlock): string {
  if (block.path === null) throw new ConfigError(`reward.path is missing: reward.source "${block.source}" needs ${block.source === 'model' ? 'a reward model folder' : 'a JavaScript module'}`);
  return block.path;
}
