// `qrpo generate`: n completions per prompt from a Hugging Face model folder, with each completion's log-probability
// under the model at temperature 1 (log π_ref(y|x) when the model is the reference), as JSONL.
import { resolve } from 'node:path';
import { ConfigError } from '../errors';
import { chatTemplateOf, encodePrompt } from '../model/chatTemplate';
import { writeLinesAtomic } from '../run/atomicFile';
import type { ExecutionProvider } from '../runtime';
import { generateBatches, loadGenerator, readPrompts, textBeforeStop, type GeneratedSequence, type OnnxDecoderOptions, type PromptRow } from '../sample';
import { choiceOption, numberOption, parseCommandLine, requireOption } from './arguments';
import type { CommandOutput } from './output';

export const generateUsage = `qrpo generate --model DIR --prompts FILE --max-new-tokens M [options]

Samples completions from a Hugging Face causal LM and writes one JSON line per completion: prompt, completion,
completion_ids, num_tokens, logp (the sum of the sampled tokens' log-probs under the model at temperature 1),
sampling_logp (under the distribution actually sampled from), finish_reason (eos | stop | length), sample_index,
prompt_index and the prompt row's other fields.

  --model DIR              model folder: config.json, *.safetensors, tokenizer.json, tokenizer_config.json
  --prompts FILE           a dataset with a "prompt" field (a string, or messages rendered with the chat template):
                           JSONL, JSON, CSV, Parquet or a Hugging Face datasets folder
  -n, --num-return-sequences N
                           completions per prompt (default 1)
  --temperature T          0 decodes greedily (default 1, as reference sampling for QRPO)
  --top-p P                nucleus sampling mass in (0, 1] (default 1: off)
  --top-k K                keep the K most likely tokens (default 0: off)
  --max-new-tokens M       tokens per completion at most
  --seed S                 integer seed; each (prompt, sample) has its own stream (default 0)
  --stop STR               stop once the completion contains STR (repeatable); the tokens that wrote it are kept
  --trim-stop              cut the completion text before the stop string (ids and log-probs still cover every token)
  --batch-size B           sequences per forward pass (default 8)
  --device D               cpu | webgpu | cuda (default cpu)
  --threads N              onnxruntime intra-op threads (default 1)
  --out FILE               write the JSONL there, atomically (default: stdout)`;

const options = {
  model: { type: 'string' },
  prompts: { type: 'string' },
  'num-return-sequences': { type: 'string', short: 'n' },
  temperature: { type: 'string' },
  'top-p': { type: 'string' },
  'top-k': { type: 'string' },
  'max-new-tokens': { type: 'string' },
  seed: { type: 'string' },
  stop: { type: 'string', multiple: true },
  'trim-stop': { type: 'boolean' },
  'batch-size': { type: 'string' },
  device: { type: 'string' },
  threads: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const EXAMPLE = 'qrpo generate --model models/qwen2-0.5b --prompts prompts.jsonl -n 8 --max-new-tokens 256';

/** A number ≥ 0 (temperature 0 is greedy, top-k 0 is off), or an integer where `integer`. */
function nonNegativeOption(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || (integer && !Number.isInteger(parsed))) {
    throw new ConfigError(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ 0, got '${value}'`);
  }
  return parsed;
}

function integerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(parsed)) throw new ConfigError(`--${name} must be an integer, got '${value}'`);
  return parsed;
}

export async function generateCommand(argv: string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseCommandLine('generate', argv, options);
  if (values.help) {
    output.text(generateUsage);
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(`'qrpo generate' takes no positional arguments, got '${positionals[0]}'`, `Usage: ${generateUsage.split('\n')[0]}`);
  const modelDir = resolve(requireOption('model', values.model, EXAMPLE));
  const promptsPath = requireOption('prompts', values.prompts, EXAMPLE);
  const maxNewTokens = requireOption('max-new-tokens', numberOption('max-new-tokens', values['max-new-tokens'], 'positive-integer'), EXAMPLE);
  const numReturnSequences = numberOption('num-return-sequences', values['num-return-sequences'], 'positive-integer') ?? 1;
  const temperature = nonNegativeOption('temperature', values.temperature, false) ?? 1;
  const topP = numberOption('top-p', values['top-p'], 'positive') ?? 1;
  if (topP > 1) throw new ConfigError(`--top-p must be in (0, 1], got '${values['top-p']}'`);
  const topK = nonNegativeOption('top-k', values['top-k'], true) ?? 0;
  const seed = integerOption('seed', values.seed) ?? 0;
  const batchSize = numberOption('batch-size', values['batch-size'], 'positive-integer');
  const threads = numberOption('threads', values.threads, 'positive-integer');
  const device = choiceOption<ExecutionProvider>('device', values.device, ['cpu', 'webgpu', 'cuda']) ?? 'cpu';
  const stopStrings = values.stop ?? [];
  if (stopStrings.some((s) => s.length === 0)) throw new ConfigError('--stop must not be empty');

  const prompts: PromptRow[] = [];
  for await (const row of readPrompts(promptsPath)) prompts.push(row);
  const decoderOptions: OnnxDecoderOptions = { executionProvider: device, threads };
  const { config, tokenizer, decoder } = await loadGenerator(modelDir, decoderOptions);
  try {
    const template = chatTemplateOf(tokenizer);
    const promptIds = prompts.map((row) => encodePrompt(tokenizer, template, row.prompt));
    // GPT-2's learned positions end at n_positions; RoPE models extrapolate (transformers allows it, with a warning).
    if (config.family === 'gpt2') {
      const longest = promptIds.reduce((best, ids, i) => (ids.length > promptIds[best].length ? i : best), 0);
      if (promptIds.length > 0 && promptIds[longest].length + maxNewTokens > config.maxPositions) {
        throw new ConfigError(
          `prompt ${longest} has ${promptIds[longest].length} tokens; with --max-new-tokens ${maxNewTokens} it exceeds the model's ${config.maxPositions} positions`,
          'Lower --max-new-tokens or shorten the prompt',
        );
      }
    }
    const decode = (ids: readonly number[]) => tokenizer.decode(ids);
    const eos = new Set(tokenizer.eosTokenIds);
    const line = (sequence: GeneratedSequence): string => {
      const row = prompts[sequence.promptIndex];
      const textIds = sequence.finishReason === 'eos' && eos.has(sequence.tokenIds.at(-1)!) ? sequence.tokenIds.slice(0, -1) : sequence.tokenIds;
      let completion = tokenizer.decode(textIds, { skipSpecialTokens: true });
      if (values['trim-stop'] && sequence.stopString !== undefined) completion = textBeforeStop(completion, sequence.stopString);
      return JSON.stringify({
        ...row.extra,
        prompt: row.prompt,
        completion,
        completion_ids: sequence.tokenIds,
        num_tokens: sequence.tokenIds.length,
        logp: sum(sequence.modelLogProbs),
        sampling_logp: sum(sequence.samplingLogProbs),
        finish_reason: sequence.finishReason,
        ...(sequence.stopString === undefined ? {} : { stop: sequence.stopString }),
        sample_index: sequence.sampleIndex,
        prompt_index: sequence.promptIndex,
      });
    };
    const tally = { sequences: 0, tokens: 0, reasons: { eos: 0, stop: 0, length: 0 } };
    async function* lines(): AsyncGenerator<string> {
      const batches = generateBatches(decoder.step, {
        prompts: promptIds,
        numReturnSequences,
        maxNewTokens,
        sampling: { temperature, topK, topP },
        seed,
        eosTokenIds: tokenizer.eosTokenIds,
        padTokenId: tokenizer.padTokenId ?? 0,
        stopStrings,
        decode,
        batchSize,
      });
      for await (const batch of batches) {
        for (const sequence of batch) {
          tally.sequences++;
          tally.tokens += sequence.tokenIds.length;
          tally.reasons[sequence.finishReason]++;
          yield `${line(sequence)}\n`;
        }
      }
    }
    const started = Date.now();
    if (values.out !== undefined) await writeLinesAtomic(resolve(values.out), lines());
    else for await (const text of lines()) output.text(text.slice(0, -1));
    const seconds = (Date.now() - started) / 1000;
    const summary =
      `generated ${tally.sequences} completions (${prompts.length} prompts × ${numReturnSequences}), ${tally.tokens} tokens in ${seconds.toFixed(1)} s ` +
      `(${(tally.tokens / Math.max(seconds, 1e-3)).toFixed(1)} tokens/s on ${device}); finished by eos ${tally.reasons.eos}, stop ${tally.reasons.stop}, length ${tally.reasons.length}`;
    if (values.out !== undefined) output.text(`${summary} → ${resolve(values.out)}`);
    else output.warn(summary);
    return 0;
  } finally {
    await decoder.release();
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
