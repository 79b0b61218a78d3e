// The pure math of QRPO (qrpo.md): quantile rewards, their transforms and exact log-partition functions, the
// QRPO/DPO/SimPO/REBEL losses with their gradients, and the statistics the evaluation panels plot.
export { normalCdf, normalIcdf, normalPdf } from './normal';
export { quantileReward, quantileRewards } from './quantile';
export {
  QUANTILE_TRANSFORMS,
  clampQuantile,
  minimumNumRef,
  requireTransform,
  transformQuantile,
  type QuantileTransform,
  type TransformOptions,
} from './transforms';
export { logPartition, type LogPartitionMode, type LogPartitionOptions } from './partition';
export { qrpoTarget, type QrpoTarget, type QrpoTargetOptions } from './targets';
export {
  dpoLoss,
  qrpoLoss,
  rebelLoss,
  simpoLoss,
  type DpoLossInput,
  type DpoLossResult,
  type PairLossResult,
  type QrpoLossInput,
  type QrpoLossResult,
  type QrpoLossType,
  type RebelLossInput,
  type RebelLossResult,
  type SimpoLossInput,
  type SimpoLossResult,
} from './losses';
export { klEstimates, type KlEstimate, type KlEstimateInput } from './kl';
export { lengthControlledReward, type LengthControlResult, type LengthControlSample } from './lengthControl';
export {
  averageRanks,
  linearFit,
  mean,
  pearson,
  spearman,
  standardDeviation,
  std,
  variance,
  type LinearFit,
} from './statistics';
