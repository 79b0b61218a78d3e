// Reward sources: a reward model folder (ONNX, or HF safetensors through the engine), a JavaScript module in a
// trusted workspace, or a dataset column; all behind RewardSource.
export { RewardError, describeItem, requireFiniteRewards, type RewardItem, type RewardSource, type RewardSourceKind } from './rewardSource';
export { createRewardSource, type CreateRewardSourceOptions, type RewardBlock } from './createRewardSource';
export { columnReward, columnRewardSource } from './columnRewards';
export { loadEngineRewardModel, type RewardModelOptions } from './engineRewardModel';
export { loadOnnxRewardModel } from './onnxRewardModel';
export { loadModuleRewardSource, REWARD_MODULE_EXTENSIONS, type RewardModuleOptions } from './moduleRewardSource';
export { detectRewardModelFormat, ONNX_MODEL_FILES, type RewardModelFormat } from './rewardModelFormat';
export { rewardTokenizer, packRewardBatch, type RewardTokenizer } from './rewardTokens';
