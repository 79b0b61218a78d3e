// An ONNX sequence classifier exported from a tiny reward model folder with our own graph IR, laid out as optimum
// exports one: the .onnx file (model.onnx or onnx/model.onnx), config.json and the tokenizer files beside it, and
// no safetensors. Inputs input_ids, attention_mask (and position_ids when asked), output logits [batch, 1].
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeModel } from '../../../src/qrpo/graph';
import { loadModelWeights, readDecoderConfig } from '../../../src/qrpo/model';
import { decoderForward, sequenceScores } from '../../../src/qrpo/model/families';
import { sequenceInputs } from '../../../src/qrpo/model/graphs';
import { loadTokenizer } from '../../../src/qrpo/model/tokenizer';

export async function writeOnnxClassifier(rewardModelDir: string, outDir: string, options: { layout: 'root' | 'onnx-folder'; positionIds?: boolean }): Promise<string> {
  const config = await readDecoderConfig(rewardModelDir);
  const tokenizer = await loadTokenizer(rewardModelDir);
  const weights = await loadModelWeights(rewardModelDir, config, { tokenizerVocabSize: tokenizer.vocabSize });
  const { graph, params, inputIds, attentionMask, positionIds } = sequenceInputs(config, weights, { positionIds: options.positionIds ? 'input' : undefined }, 'none');
  const { hidden } = decoderForward(config, params, { inputIds, attentionMask, positionIds });
  graph.output('logits', sequenceScores(config, params, hidden, inputIds, attentionMask));
  const file = join(outDir, options.layout === 'root' ? 'model.onnx' : join('onnx', 'model.onnx'));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, encodeModel(graph));
  for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(rewardModelDir, name), join(outDir, name));
  return file;
}
