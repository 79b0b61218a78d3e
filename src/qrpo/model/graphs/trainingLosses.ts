// The training objectives as graph functions of per-sample summed log-probs, the same formulas as
// src/qrpo/math/losses.ts (qrpo.md §4, §6), so autodiff gives ∂loss/∂logp = the oracle's gradPolicyLogps and
// chains it through every token. Each loss declares the inputs it needs; pair losses read the batch as all chosen
// rows, then all rejected rows (row i and row i + pairs form pair i).
import { type Graph, type Tensor, abs, div, mul, reduceMean, reduceSum, reshape, slice, softplus, squeeze, sub } from '../../graph';
import type { CompletionLogps } from './completionLogps';

export type TrainingLoss =
  /** Inputs targets [batch], ref_logps [batch], beta []. mean((target − β(logp − ref))²), or |·| for mae. */
  | { readonly kind: 'qrpo'; readonly lossType?: 'mse' | 'mae' }
  /** Inputs ref_logps [batch], beta []. mean over pairs of −log σ(β[(c − r) − (ref_c − ref_r)]). */
  | { readonly kind: 'dpo' }
  /** Inputs beta [], gamma_beta_ratio []. −log σ(β[c/|c| − r/|r|] − γ), |y| = the in-graph completion token count. */
  | { readonly kind: 'simpo' }
  /** Inputs rewards [batch], ref_logps [batch], beta []. mean over pairs of ((R_c − R_r)/β − [(c − ref_c) − (r − ref_r)])². */
  | { readonly kind: 'rebel' }
  /** No inputs. Mean token NLL over every completion token of the batch. */
  | { readonly kind: 'sft' };

/** The scalar loss, declaring the graph inputs its kind needs. */
export function trainingLoss(graph: Graph, loss: TrainingLoss, scores: CompletionLogps): Tensor {
  const perSample = () => graph.input('ref_logps', 'float32', ['batch']);
  const scalar = (name: string) => graph.input(name, 'float32', []);
  const { logp } = scores;
  switch (loss.kind) {
    case 'qrpo': {
      const targets = graph.input('targets', 'float32', ['batch']);
      const [ref, beta] = [perSample(), scalar('beta')];
      const residual = sub(targets, mul(sub(logp, ref), beta));
      return reduceMean((loss.lossType ?? 'mse') === 'mae' ? abs(residual) : mul(residual, residual));
    }
    case 'dpo': {
      const [ref, beta] = [perSample(), scalar('beta')];
      const [c, r] = pairs(logp);
      const [refC, refR] = pairs(ref);
      return reduceMean(softplus(mul(sub(sub(c, r), sub(refC, refR)), mul(beta, -1))));
    }
    case 'simpo': {
      const [beta, ratio] = [scalar('beta'), scalar('gamma_beta_ratio')];
      const [c, r] = pairs(div(logp, reduceTokens(scores)));
      const margin = sub(mul(sub(c, r), beta), mul(ratio, beta));
      return reduceMean(softplus(mul(margin, -1)));
    }
    case 'rebel': {
      const rewards = graph.input('rewards', 'float32', ['batch']);
      const [ref, beta] = [perSample(), scalar('beta')];
      const [c, r] = pairs(sub(logp, ref));
      const [rewardC, rewardR] = pairs(rewards);
      const residual = sub(div(sub(rewardC, rewardR), beta), sub(c, r));
      return reduceMean(mul(residual, residual));
    }
    case 'sft':
      // Written through logp (Σ of token log-probs) so that grad.logp = −1/(number of target tokens).
      return div(mul(reduceSum(logp), -1), reduceSum(scores.weights));
  }
}

/** Completion lengths as floats, for SimPO's average log-prob. */
function reduceTokens(scores: CompletionLogps): Tensor {
  return reduceSum(scores.weights, [1]);
}

/** [batch] → chosen [pairs], rejected [pairs]: the first half of the rows and the second half. */
function pairs(x: Tensor): [Tensor, Tensor] {
  const halves = reshape(x, [2, 'pairs']);
  return [squeeze(slice(halves, [0], [0], [1]), [0]), squeeze(slice(halves, [0], [1], [2]), [0])];
}

