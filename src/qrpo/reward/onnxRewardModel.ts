// An exported ONNX sequence classifier (optimum's ORTModelForSequenceClassification layout: model.onnx or
// onnx/model.onnx, tokenizer files in the folder) run directly with onnxruntime. Inputs input_ids and
// attention_mask (token_type_ids as zeros, position_ids from the mask when the export has them); the reward is
// logits[:, 0] of an output `logits` [batch, num_labels] with num_labels = 1. Rows are right-padded with the
// tokenizer's pad id, which both encoder classifiers (first token) and decoder ones (last non-pad token) expect.
import * as ort from 'onnxruntime-node';
import { resolve } from 'node:path';
import { ModelFormatError } from '../errors';
import { chatTemplateOf } from '../model/chatTemplate';
import { loadTokenizer } from '../model/tokenizer';
import type { ExecutionProvider } from '../runtime';
import { requireExecutionProvider } from '../runtime';
import { displayPath } from '../run/displayPath';
import { requireOneLabel, type RewardModelOptions } from './engineRewardModel';
import type { RewardItem, RewardSource } from './rewardSource';
import { rewardTokenizer, scoreInBatches } from './rewardTokens';

const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids', 'position_ids']);

export async function loadOnnxRewardModel(folder: string, modelFile: string, options: RewardModelOptions = {}): Promise<RewardSource> {
  const dir = resolve(folder);
  const shown = displayPath(modelFile);
  const provider: ExecutionProvider = options.executionProvider ?? 'cpu';
  if (provider !== 'cpu') await requireExecutionProvider(provider);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelFile, { executionProviders: [provider], intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 });
  } catch (error) {
    throw new ModelFormatError(`${shown} is not an ONNX model onnxruntime can load (${(error as Error).message.split('\n')[0]})`);
  }
  try {
    const inputTypes = new Map(session.inputMetadata.map((m) => [m.name, m.isTensor ? m.type : undefined]));
    const unknown = session.inputNames.filter((name) => !KNOWN_INPUTS.has(name));
    if (!inputTypes.has('input_ids') || unknown.length > 0) {
      throw new ModelFormatError(
        `${shown} has inputs ${session.inputNames.join(', ')}; a reward model export takes input_ids and attention_mask (token_type_ids, position_ids optional)`,
        'Export it with optimum as a sequence classifier (`optimum-cli export onnx --task text-classification`)',
      );
    }
    for (const [name, type] of inputTypes) {
      if (type !== 'int64' && type !== 'int32') throw new ModelFormatError(`${shown}: input ${name} is ${type ?? 'not a tensor'}, expected int64 or int32 token ids`);
    }
    const output = session.outputNames.includes('logits') ? 'logits' : session.outputNames.length === 1 ? session.outputNames[0] : undefined;
    if (output === undefined) throw new ModelFormatError(`${shown} has outputs ${session.outputNames.join(', ')} but none named logits`, 'A sequence classifier returns logits [batch, num_labels]');
    const outputShape = session.outputMetadata.find((m) => m.name === output);
    const declaredLabels = outputShape?.isTensor ? outputShape.shape[1] : undefined;
    if (typeof declaredLabels === 'number') requireOneLabel(declaredLabels, shown);

    const tokenizer = await loadTokenizer(dir);
    const modelMaxLength = tokenizer.files.tokenizerConfig.model_max_length;
    const tokens = rewardTokenizer(tokenizer, chatTemplateOf(tokenizer), {
      model: displayPath(dir),
      maxLength: typeof modelMaxLength === 'number' && modelMaxLength < 1e7 ? modelMaxLength : undefined,
    });
    const description = `reward model ${displayPath(dir)} (ONNX)`;
    const batchSize = options.batchSize ?? 8;
    const tensor = (name: string, data: BigInt64Array, dims: readonly number[]) =>
      inputTypes.get(name) === 'int32' ? new ort.Tensor('int32', Int32Array.from(data, Number), dims) : new ort.Tensor('int64', data, dims);

    return {
      kind: 'model',
      description,
      score: (items: readonly RewardItem[]) =>
        scoreInBatches(items, tokens, batchSize, description, async (packed) => {
          const feeds: Record<string, ort.Tensor> = { input_ids: tensor('input_ids', packed.inputIds, packed.dims) };
          if (inputTypes.has('attention_mask')) feeds.attention_mask = tensor('attention_mask', packed.attentionMask, packed.dims);
          if (inputTypes.has('token_type_ids')) feeds.token_type_ids = tensor('token_type_ids', new BigInt64Array(packed.inputIds.length), packed.dims);
          if (inputTypes.has('position_ids')) feeds.position_ids = tensor('position_ids', positionsOf(packed.attentionMask, packed.dims), packed.dims);
          const result = (await session.run(feeds, [output]))[output];
          const labels = result.dims.length > 1 ? result.dims[1] : 1;
          requireOneLabel(labels, shown);
          return { data: result.data as Float32Array, labels };
        }),
      dispose: () => session.release(),
    };
  } catch (error) {
    await session.release();
    throw error;
  }
}

/** cumsum(mask) − 1 on real tokens, 1 on padding: HF's rule for positions from an attention mask. */
function positionsOf(mask: BigInt64Array, [batch, seq]: readonly number[]): BigInt64Array {
  const positions = new BigInt64Array(mask.length).fill(1n);
  for (let b = 0; b < batch; b++) {
    let next = 0n;
    for (let t = 0; t < seq; t++) if (mask[b * seq + t] === 1n) positions[b * seq + t] = next++;
  }
  return positions;
}
