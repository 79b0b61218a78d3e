// Per-sample and per-pair losses on sequence log-probabilities (sums over completion tokens, qrpo.md §4), each with
// the gradient of the batch-mean loss with respect to the policy's log-probs. The training engine chains these
// gradients through the token log-softmax; every token of a sequence gets its sequence's weight.
import { ArgumentError } from '../errors';
import { requireBeta, requireFinite, requireFiniteArray, requireNonEmpty, requireSameLength, show } from './arguments';

export type QrpoLossType = 'mse' | 'mae';

/** softplus(x) = log(1 + e^x) without overflow; −log σ(x) = softplus(−x). */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Checks that every named array holds finite numbers, that they have one length, and that it is at least 1. */
function requireAligned(arrays: Record<string, readonly number[]>): number {
  const entries = Object.entries(arrays);
  for (const [name, values] of entries) requireFiniteArray(name, values);
  const [firstName, first] = entries[0];
  for (const [name, values] of entries.slice(1)) requireSameLength(firstName, first, name, values);
  requireNonEmpty(firstName, first, 'a loss needs at least one sample');
  return first.length;
}

export interface QrpoLossInput {
  policyLogps: readonly number[];
  refLogps: readonly number[];
  /** f(clamp(q)) − β·log Z_f(β) per sample (see qrpoTarget). */
  targets: readonly number[];
  beta: number;
  /** `mse` is the paper's loss; `mae` is the reference code's alternative. */
  lossType?: QrpoLossType;
}

export interface QrpoLossResult {
  /** Mean over samples; a (chosen, rejected) pair is two samples, so this equals the mean of the pair losses. */
  loss: number;
  perSample: number[];
  /** target − β·(logp − ref); positive residuals push log πθ(y) up. */
  residuals: number[];
  gradPolicyLogps: number[];
}

/**
 * QRPO pointwise regression (paper Eq. 6, qrpo.md §4): L(y) = (target − β·(log πθ(y) − log π_ref(y)))², or its
 * absolute value for `mae`. ∂L/∂log πθ = −2β·residual (mse) or −β·sign(residual) (mae, 0 at the kink).
 */
export function qrpoLoss(input: QrpoLossInput): QrpoLossResult {
  const { policyLogps, refLogps, targets, beta } = input;
  const lossType = input.lossType ?? 'mse';
  if (lossType !== 'mse' && lossType !== 'mae') {
    throw new ArgumentError(`lossType must be "mse" or "mae", got ${show(lossType)}`);
  }
  requireBeta(beta);
  const n = requireAligned({ policyLogps, refLogps, targets });
  const residuals = new Array<number>(n);
  const perSample = new Array<number>(n);
  const gradPolicyLogps = new Array<number>(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const residual = targets[i] - beta * (policyLogps[i] - refLogps[i]);
    residuals[i] = residual;
    if (lossType === 'mse') {
      perSample[i] = residual * residual;
      gradPolicyLogps[i] = (-2 * beta * residual) / n;
    } else {
      perSample[i] = Math.abs(residual);
      gradPolicyLogps[i] = residual === 0 ? 0 : (-beta * Math.sign(residual)) / n;
    }
    total += perSample[i];
  }
  return { loss: total / n, perSample, residuals, gradPolicyLogps };
}

export interface PairLossResult {
  /** Mean over pairs. */
  loss: number;
  perPair: number[];
  gradPolicyChosenLogps: number[];
  gradPolicyRejectedLogps: number[];
}

export interface DpoLossInput {
  policyChosenLogps: readonly number[];
  policyRejectedLogps: readonly number[];
  refChosenLogps: readonly number[];
  refRejectedLogps: readonly number[];
  beta: number;
}

export interface DpoLossResult extends PairLossResult {
  /** TRL's implicit rewards β·(log πθ − log π_ref), logged as rewards/chosen and rewards/rejected. */
  chosenRewards: number[];
  rejectedRewards: number[];
}

/** DPO (Rafailov et al. 2023, Eq. 7; qrpo.md §6): −log σ(β[(logp_c − logp_r) − (ref_c − ref_r)]), TRL's sigmoid loss. */
export function dpoLoss(input: DpoLossInput): DpoLossResult {
  const { policyChosenLogps, policyRejectedLogps, refChosenLogps, refRejectedLogps, beta } = input;
  requireBeta(beta);
  const n = requireAligned({ policyChosenLogps, policyRejectedLogps, refChosenLogps, refRejectedLogps });
  const result = emptyPairResult(n);
  const chosenRewards = new Array<number>(n);
  const rejectedRewards = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    chosenRewards[i] = beta * (policyChosenLogps[i] - refChosenLogps[i]);
    rejectedRewards[i] = beta * (policyRejectedLogps[i] - refRejectedLogps[i]);
    setLogSigmoidPair(result, i, n, chosenRewards[i] - rejectedRewards[i], beta, beta);
  }
  return { ...finishPairResult(result, n), chosenRewards, rejectedRewards };
}

export interface SimpoLossInput {
  policyChosenLogps: readonly number[];
  policyRejectedLogps: readonly number[];
  /** Completion lengths in tokens, the normalisers of SimPO's average log-probability. */
  chosenLengths: readonly number[];
  rejectedLengths: readonly number[];
  beta: number;
  /** γ/β, the target margin over β (SimPO's gamma_beta_ratio, default 0.5). */
  gammaBetaRatio?: number;
}

export interface SimpoLossResult extends PairLossResult {
  /** β·logp/|y|, as TRL's CPO trainer logs them for SimPO. */
  chosenRewards: number[];
  rejectedRewards: number[];
}

/** SimPO (Meng et al. 2024, Eq. 6; qrpo.md §6): −log σ(β[logp_c/|y_c| − logp_r/|y_r|] − γ), no reference model. */
export function simpoLoss(input: SimpoLossInput): SimpoLossResult {
  const { policyChosenLogps, policyRejectedLogps, chosenLengths, rejectedLengths, beta } = input;
  const gammaBetaRatio = input.gammaBetaRatio ?? 0.5;
  requireBeta(beta);
  requireFinite('gammaBetaRatio', gammaBetaRatio);
  const n = requireAligned({ policyChosenLogps, policyRejectedLogps, chosenLengths, rejectedLengths });
  for (const [name, lengths] of [['chosenLengths', chosenLengths], ['rejectedLengths', rejectedLengths]] as const) {
    lengths.forEach((length, i) => {
      if (length < 1) throw new ArgumentError(`${name}[${i}] must be at least 1 token, got ${length}`);
    });
  }
  const result = emptyPairResult(n);
  const chosenRewards = new Array<number>(n);
  const rejectedRewards = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    chosenRewards[i] = (beta * policyChosenLogps[i]) / chosenLengths[i];
    rejectedRewards[i] = (beta * policyRejectedLogps[i]) / rejectedLengths[i];
    const margin = chosenRewards[i] - rejectedRewards[i] - gammaBetaRatio * beta;
    setLogSigmoidPair(result, i, n, margin, beta / chosenLengths[i], beta / rejectedLengths[i]);
  }
  return { ...finishPairResult(result, n), chosenRewards, rejectedRewards };
}

export interface RebelLossInput {
  policyChosenLogps: readonly number[];
  policyRejectedLogps: readonly number[];
  refChosenLogps: readonly number[];
  refRejectedLogps: readonly number[];
  chosenRewards: readonly number[];
  rejectedRewards: readonly number[];
  beta: number;
}

export interface RebelLossResult extends PairLossResult {
  /** (R_c − R_r)/β − [(logp_c − ref_c) − (logp_r − ref_r)]. */
  residuals: number[];
}

/**
 * REBEL (Gao et al. 2024, Eq. 3, in the offline form the QRPO authors compare against; qrpo.md §6):
 * ((R_c − R_r)/β − [(logp_c − ref_c) − (logp_r − ref_r)])², which regresses the log-ratio margin on the reward gap.
 */
export function rebelLoss(input: RebelLossInput): RebelLossResult {
  const { policyChosenLogps, policyRejectedLogps, refChosenLogps, refRejectedLogps, chosenRewards, rejectedRewards, beta } =
    input;
  requireBeta(beta);
  const n = requireAligned({
    policyChosenLogps,
    policyRejectedLogps,
    refChosenLogps,
    refRejectedLogps,
    chosenRewards,
    rejectedRewards,
  });
  const result = emptyPairResult(n);
  const residuals = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const logratioMargin = policyChosenLogps[i] - refChosenLogps[i] - (policyRejectedLogps[i] - refRejectedLogps[i]);
    const residual = (chosenRewards[i] - rejectedRewards[i]) / beta - logratioMargin;
    residuals[i] = residual;
    result.perPair[i] = residual * residual;
    result.gradPolicyChosenLogps[i] = (-2 * residual) / n;
    result.gradPolicyRejectedLogps[i] = (2 * residual) / n;
  }
  return { ...finishPairResult(result, n), residuals };
}

function emptyPairResult(n: number): PairLossResult {
  return {
    loss: 0,
    perPair: new Array<number>(n),
    gradPolicyChosenLogps: new Array<number>(n),
    gradPolicyRejectedLogps: new Array<number>(n),
  };
}

/**
 * −log σ(margin) and its gradient, where margin depends on logp_c with slope chosenSlope and on logp_r with slope
 * −rejectedSlope: ∂/∂margin[−log σ(margin)] = −σ(−margin).
 */
function setLogSigmoidPair(
  result: PairLossResult,
  i: number,
  n: number,
  margin: number,
  chosenSlope: number,
  rejectedSlope: number,
): void {
  result.perPair[i] = softplus(-margin);
  const weight = sigmoid(-margin) / n;
  result.gradPolicyChosenLogps[i] = -weight * chosenSlope;
  result.gradPolicyRejectedLogps[i] = weight * rejectedSlope;
}

function finishPairResult(result: PairLossResult, n: number): PairLossResult {
  let total = 0;
  for (const value of result.perPair) total += value;
  return { ...result, loss: total / n };
}
