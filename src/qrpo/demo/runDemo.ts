// The demo, top to bottom: a synthetic but genuine alignment task on one CPU core. (1) Prompts and a noisy corpus
// from the reward module's categories; (2) a tokenizer and a GPT-2-style model made from nothing and trained on the
// corpus (SFT), which becomes π_ref; (3) QRPO and DPO runs from that model through the run pipeline, on the same
// prompts, reference samples and rewards; (4) the held-out results of both, printed and written to summary.json and
// summary.md. Nothing is hard-coded: every number comes from the runs' evaluation folders.
import { existsSync, promises as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors';
import { readDecoderConfig } from '../model';
import { SafetensorsFile } from '../model/safetensors';
import { displayPath } from '../run/displayPath';
import { ProgressRenderer, formatDuration, type TerminalStream } from '../run/progressRenderer';
import { type DemoScale, DEMO_SCALES } from './demoScale';
import { publishModel, sftModel, writeInitialModel } from './demoModel';
import { type DemoPaths, demoLayout, runDemoMethod, writeDemoConfig, writeDemoData } from './demoRuns';
import { type DemoMethodResult, methodResult, resultsTable } from './demoSummary';
import { demoCorpus, demoPrompts, loadDemoRewardModule, splitPrompts } from './demoTask';

export const DEMO_METHODS = ['qrpo', 'dpo'] as const;

export interface DemoOptions {
  /** Output folder; default demo-runs/ in the current folder. */
  readonly out?: string;
  /** samples/demo/ (config templates, reward.js); default: found above the running code (findDemoSamples). */
  readonly samples?: string;
  readonly quick?: boolean;
  readonly seed?: number;
  /** Where progress and results are printed for people; default process.stdout. */
  readonly terminal?: TerminalStream;
  /**
   * Machine-readable events instead of progress bars (`qrpo demo --json`, which the extension's "Open Demo" reads):
   * each run's pipeline events, the SFT's as stage `sft`, and a closing `summary` event with summary.json's path.
   */
  readonly onEvent?: (event: { event: string } & Record<string, unknown>) => void;
  /** Stops the demo between steps when aborted (SFT, then the runs, which keep what they have and can be resumed). */
  readonly signal?: AbortSignal;
}

export interface DemoSummary {
  readonly scale: DemoScale['name'];
  readonly seed: number;
  readonly seconds: number;
  readonly prompts: { readonly train: number; readonly heldOut: number };
  readonly model: { readonly dir: string; readonly parameters: number; readonly vocabSize: number; readonly sftSteps: number; readonly sftLoss: { readonly first: number; readonly last: number } };
  readonly methods: Record<string, DemoMethodResult>;
  /** QRPO's held-out mean quantile after minus before. */
  readonly qrpoQuantileGain: number;
}

/** Runs the demo; undefined when it was stopped (options.signal) before the end. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary | undefined> {
  const started = Date.now();
  const terminal = options.terminal ?? process.stdout;
  const print = (line = '') => terminal.write(`${line}\n`);
  const scale = DEMO_SCALES[options.quick ? 'quick' : 'full'];
  const seed = options.seed ?? 42;
  const paths: DemoPaths = { out: resolve(options.out ?? 'demo-runs'), samples: resolve(options.samples ?? findDemoSamples()) };
  const layout = demoLayout(paths.out);
  await prepareOutputFolder(paths.out);

  print(`QRPO Lab demo (${scale.name}, seed ${seed}) → ${displayPath(paths.out)}`);
  const rewardModule = loadDemoRewardModule(join(paths.samples, 'reward.js'));
  const prompts = splitPrompts(demoPrompts(rewardModule.categories), scale.heldOutPrompts, seed, scale.trainPrompts);
  const corpus = demoCorpus(prompts.train, rewardModule.categories, scale.corpusPerPrompt, seed);
  await writeDemoData(paths.out, prompts, rewardModule.categories, seed);
  const corpusReward = mean(corpus.map((row) => rewardModule.reward(row.prompt, row.completion)));
  print(`task: ${prompts.train.length} training and ${prompts.heldOut.length} held-out prompts ("${prompts.heldOut[0].prompt}" …); SFT corpus of ${corpus.length} answers, mean reward ${corpusReward.toFixed(2)}`);

  // π_ref: a model made from nothing and fine-tuned on the corpus.
  await writeInitialModel(layout.initialModel, corpus, { seed, ...scale.model });
  const modelConfig = await readDecoderConfig(layout.initialModel);
  const sftStarted = Date.now();
  let lastShown = 0;
  const { onEvent } = options;
  onEvent?.({ event: 'stage_started', stage: 'sft', index: 0, stages: 1, total: scale.sft.steps, time: new Date().toISOString() });
  const sft = await sftModel(layout.initialModel, layout.sftRun, corpus, { ...scale.sft, seed }, options.signal, (entry) => {
    if (onEvent) onEvent({ event: 'progress', stage: 'sft', done: entry.step, total: scale.sft.steps, etaSeconds: null, loss: entry.loss, time: new Date().toISOString() });
    else if (terminal.isTTY) terminal.write(`\r\x1b[2Ksft  step ${entry.step}/${scale.sft.steps}  loss ${entry.loss.toFixed(3)}`);
    else if (entry.step >= lastShown + scale.sft.steps / 4 || entry.step === scale.sft.steps) {
      lastShown = entry.step;
      print(`sft  step ${entry.step}/${scale.sft.steps}  loss ${entry.loss.toFixed(3)}`);
    }
  });
  if (!onEvent && terminal.isTTY) terminal.write('\r\x1b[2K');
  onEvent?.({ event: 'stage_finished', stage: 'sft', state: sft ? 'done' : 'stopped', skipped: false, seconds: (Date.now() - sftStarted) / 1000, time: new Date().toISOString() });
  if (sft === undefined) {
    print('demo stopped during SFT');
    return undefined;
  }
  await publishModel(sft.checkpoint, layout.model);
  const parameters = await parameterCount(layout.model);
  const sftLoss = { first: sft.log[0].loss, last: sft.log.at(-1)!.loss };
  print(
    `π_ref: GPT-2-style, ${modelConfig.numLayers} layers × ${modelConfig.hiddenSize}, ${parameters.toLocaleString('en-US')} parameters, vocabulary ${modelConfig.vocabSize} ` +
      `(byte-level BPE trained on the corpus); SFT from random weights, ${scale.sft.steps} steps, token loss ${sftLoss.first.toFixed(2)} → ${sftLoss.last.toFixed(2)} ` +
      `in ${formatDuration((Date.now() - sftStarted) / 1000)}`,
  );

  const methods: Record<string, DemoMethodResult> = {};
  for (const method of DEMO_METHODS) {
    print();
    print(`${method.toUpperCase()} run (reference sampling → rewards → quantiles → reference log-probs → training → evaluation)`);
    const configFile = await writeDemoConfig(paths, method, seed, scale.runOverrides);
    const renderer = new ProgressRenderer(terminal);
    const { folder, state } = await runDemoMethod(configFile, { onEvent: onEvent ?? ((event) => renderer.handle(event)), signal: options.signal });
    if (state === 'stopped') {
      print(`demo stopped during the ${method.toUpperCase()} run; 'qrpo resume ${displayPath(folder.dir)}' finishes that run`);
      return undefined;
    }
    methods[method] = await methodResult(method, folder);
  }

  const summary: DemoSummary = {
    scale: scale.name,
    seed,
    seconds: (Date.now() - started) / 1000,
    prompts: { train: prompts.train.length, heldOut: prompts.heldOut.length },
    model: { dir: layout.model, parameters, vocabSize: modelConfig.vocabSize, sftSteps: scale.sft.steps, sftLoss },
    methods,
    qrpoQuantileGain: methods.qrpo.after.meanQuantile - methods.qrpo.before.meanQuantile,
  };
  const report = renderReport(summary);
  await fs.writeFile(layout.summaryJson, `${JSON.stringify(summary, null, 2)}\n`);
  await fs.writeFile(layout.summaryMarkdown, `${report}\n`);
  print();
  print(report);
  print();
  onEvent?.({ event: 'summary', path: layout.summaryJson, ...summary, time: new Date().toISOString() });
  print(`wrote ${displayPath(layout.summaryJson)} and ${displayPath(layout.summaryMarkdown)}; the run folders ${DEMO_METHODS.map((m) => displayPath(layout.run(m))).join(' and ')} open in the QRPO Lab extension`);
  return summary;
}

/** The results as markdown: what was measured, the table, and how to read it. */
export function renderReport(summary: DemoSummary): string {
  const results = Object.values(summary.methods);
  const first = results[0];
  return [
    `Held-out results (${first.after.prompts} prompts never trained on, ${first.after.samples} samples per method; reference samples' mean reward ${first.before.meanRefReward.toFixed(2)}):`,
    '',
    resultsTable(results),
    '',
    `Mean quantile: where a sample's reward falls among π_ref's rewards for the same prompt (ties count as wins, so π_ref itself scores a little above 0.5). ` +
      `QRPO moved it by ${summary.qrpoQuantileGain >= 0 ? '+' : '−'}${Math.abs(summary.qrpoQuantileGain).toFixed(3)} at a KL of ${summary.methods.qrpo.after.klPerSequence.toFixed(2)} nats per sequence. ` +
      `Length-bias ρ: Spearman correlation of the implicit reward log πθ/π_ref with standardised length on the trained policy's own samples (before training the implicit reward is 0 everywhere). ` +
      `${summary.scale} demo, seed ${summary.seed}, ${formatDuration(summary.seconds)} wall time.`,
  ].join('\n');
}

/** Folder layout owned by the demo is recreated on each run; a new output folder also gets a .gitignore of everything. */
async function prepareOutputFolder(out: string): Promise<void> {
  const fresh = !existsSync(out);
  await fs.mkdir(out, { recursive: true });
  if (fresh) await fs.writeFile(join(out, '.gitignore'), '# Written by `qrpo demo`: generated models, data and runs.\n*\n');
  const layout = demoLayout(out);
  for (const owned of [layout.data, layout.configs, dirname(layout.model), ...DEMO_METHODS.map(layout.run), layout.summaryJson, layout.summaryMarkdown]) {
    await fs.rm(owned, { recursive: true, force: true });
  }
}

/** samples/demo/ of the repository or package this code runs from (dist/cli.js, or a test bundle under out/). */
export function findDemoSamples(start = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'samples', 'demo');
    if (existsSync(join(candidate, 'reward.js'))) return candidate;
    if (dirname(dir) === dir) throw new ConfigError(`samples/demo/reward.js was not found above ${start}`, 'Pass the folder with --samples');
  }
}

async function parameterCount(modelDir: string): Promise<number> {
  const file = await SafetensorsFile.open(join(modelDir, 'model.safetensors'));
  return [...file.header.tensors.values()].reduce((n, tensor) => n + tensor.shape.reduce((a, b) => a * b, 1), 0);
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
