// The dry validation pass: before any expensive stage, the datasets are read in full (every row must parse and
// carry what the config needs) and the model folders must hold a config.json the engine supports. Problems name the
// config field and its line, then the dataset file and row.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigDocument, resolveRunConfig, RunConfigError } from '../../../src/qrpo/run/config';
import { validateRun } from '../../../src/qrpo/run/validateRun';
import { startRun } from '../../../src/qrpo/run/startRun';
import { quantilesStage } from '../../../src/qrpo/run/stages/quantilesStage';
import { writeTinyGpt2 } from '../../fixtures/models/tinyModels';
import { writeOnnxClassifier } from '../reward/onnxClassifier';
import { samplePairs, scratch } from './runTestKit';

let dir = '';

before(async () => {
  dir = scratch('qrpo-validate-');
  await writeTinyGpt2(join(dir, 'policy'), { seed: 1 });
  await writeTinyGpt2(join(dir, 'rm'), { seed: 2, head: 'sequence-classification' });
  mkdirSync(join(dir, 'data'));
  const good = { prompt: 'p', completion: 'c', reward: 0.5, ref_rewards: [0.1, 0.2, 0.3] };
  writeFileSync(join(dir, 'data/pointwise.jsonl'), [good, good, { prompt: 'p', completion: 'c', ref_rewards: [0.1, 0.2, 0.3] }, { completion: 'c', reward: 1 }, good, 'not json'].map((row) => (typeof row === 'string' ? row : JSON.stringify(row))).join('\n'));
  writeFileSync(join(dir, 'data/unscored.jsonl'), `${JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b' })}\n`);
  mkdirSync(join(dir, 'notamodel'));
});

/** These datasets have a handful of prompts: without this, evaluation would hold them all out of training. */
const NO_EVAL = 'eval:\n  checkpoints: none\n';

async function validate(yaml: string, evalBlock = NO_EVAL) {
  const document = parseConfigDocument(yaml + evalBlock, join(dir, 'run.yaml'));
  return validateRun(resolveRunConfig(document), { document });
}

async function problems(yaml: string, evalBlock = NO_EVAL): Promise<string> {
  try {
    await validate(yaml, evalBlock);
  } catch (error) {
    assert.ok(error instanceof RunConfigError, String(error));
    return error.message.replaceAll(`${dir}/`, '');
  }
  assert.fail('expected validation to fail');
}

describe('validateRun', () => {
  test('a good config passes and reports rows and models', async () => {
    const result = await validate(`model_name_or_path: policy\ndataset_name: ${samplePairs}\nnum_ref_rewards: 8\nreward:\n  source: model\n  path: rm\n`);
    assert.deepEqual(result.datasets.map((d) => [d.field, d.rows, d.records, d.invalidRows]), [['dataset_name', 24, 48, 0]]);
    assert.deepEqual(result.models.map((m) => [m.field, m.architecture]), [['model_name_or_path', 'GPT2LMHeadModel'], ['reward.path', 'GPT2ForSequenceClassification']]);
  });

  test('every bad row is counted and the first are listed with file, line and field', async () => {
    const lines = (await problems('model_name_or_path: policy\ndataset_name: data/pointwise.jsonl\n')).split('\n');
    // The last line carries V8's own JSON.parse wording after the colon.
    assert.match(lines.pop()!, /^ {2}invalid JSON in data\/pointwise\.jsonl line 6: /);
    assert.deepEqual(
      lines,
      [
        'dataset_name in run.yaml line 2: 3 of 6 rows of data/pointwise.jsonl are invalid:',
        '  missing reward (reward.source is "column") in data/pointwise.jsonl line 3 (field "reward")',
        '  prompt is missing in data/pointwise.jsonl line 4 (field "prompt")',
      ],
    );
  });

  test('a missing dataset, a folder without config.json, and the wrong model head are all reported at once', async () => {
    const message = await problems('model_name_or_path: notamodel\ndataset_name: data/nope.jsonl\nreward:\n  source: model\n  path: policy\n');
    assert.deepEqual(message.split('\n'), [
      'model_name_or_path in run.yaml line 1: notamodel/config.json does not exist or cannot be read. A Hugging Face model folder holds config.json beside its weights',
      'dataset_name in run.yaml line 2: dataset not found: data/nope.jsonl',
      'reward.path in run.yaml line 5: policy holds a GPT2LMHeadModel, but reward.path needs a reward model (*ForSequenceClassification)',
    ]);
  });

  test('an ONNX reward model in onnx/model.onnx passes, whatever architecture its config.json names', async () => {
    // A DeBERTa reward model exported with optimum: the engine cannot build the architecture, but runs the export.
    await writeOnnxClassifier(join(dir, 'rm'), join(dir, 'rm-onnx'), { layout: 'onnx-folder' });
    const configFile = join(dir, 'rm-onnx', 'config.json');
    writeFileSync(configFile, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), architectures: ['DebertaV2ForSequenceClassification'] }));
    const result = await validate(`model_name_or_path: policy\ndataset_name: ${samplePairs}\nnum_ref_rewards: 8\nreward:\n  source: model\n  path: rm-onnx\n`);
    assert.deepEqual(result.models.map((m) => [m.field, m.architecture]), [['model_name_or_path', 'GPT2LMHeadModel'], ['reward.path', 'onnx']]);
    assert.match(
      await problems(`model_name_or_path: policy\ndataset_name: ${samplePairs}\nnum_ref_rewards: 8\nreward:\n  source: model\n  path: data\n`),
      /^reward\.path in run\.yaml line 6: reward model data holds neither safetensors weights with a config\.json nor an ONNX model/,
    );
  });

  test('held-out eval prompts that would take every training prompt are reported before any stage runs', async () => {
    const config = `model_name_or_path: policy\ndataset_name: ${samplePairs}\nnum_ref_rewards: 8\n`;
    assert.equal(
      await problems(config, 'eval:\n  num_prompts: 100\n'),
      'eval.num_prompts in run.yaml line 5: dataset_name has 24 distinct prompts and evaluation holds 100 out of training, so nothing is left to train on; lower eval.num_prompts, give an eval_dataset_name, or set eval.checkpoints to none',
    );
    await validate(config, 'eval:\n  num_prompts: 23\n');
    await validate(config, `eval_dataset_name: ${samplePairs}\neval:\n  num_prompts: 100\n`);
  });

  test('a model path that is not a folder says the engine loads folders from disk', async () => {
    assert.equal(
      await problems(`model_name_or_path: Qwen/Qwen2-0.5B\ndataset_name: ${samplePairs}\nnum_ref_rewards: 8\n`),
      'model_name_or_path in run.yaml line 1: Qwen/Qwen2-0.5B is not a model folder; the engine loads Hugging Face model folders (config.json, *.safetensors, tokenizer files) from disk',
    );
  });

  test('rewards from a column need rewards and reference rewards in the data; a reward model does not', async () => {
    assert.match(
      await problems('model_name_or_path: policy\ndataset_name: data/unscored.jsonl\n'),
      /^dataset_name in run\.yaml line 2: 1 of 1 rows of data\/unscored\.jsonl are invalid:\n {2}missing reward \(reward\.source is "column"\) in data\/unscored\.jsonl line 1 \(field "reward"\)$/,
    );
    await validate('model_name_or_path: policy\ndataset_name: data/unscored.jsonl\nreward:\n  source: model\n  path: rm\n');
    await validate('model_name_or_path: policy\ndataset_name: data/unscored.jsonl\nloss_type: dpo\n');
  });

  test('pairwise losses need pairs in offline data', async () => {
    assert.match(
      await problems('model_name_or_path: policy\ndataset_name: data/pointwise.jsonl\nloss_type: dpo\n'),
      /line 1 \(field "chosen"\)/,
    );
  });

  test('startRun validates before it creates the run folder or runs any stage, then runs the stages', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'model_name_or_path: policy\ndataset_name: data/pointwise.jsonl\n');
    let stagesAsked = false;
    await assert.rejects(startRun(join(dir, 'bad.yaml'), () => ((stagesAsked = true), [])), RunConfigError);
    assert.equal(stagesAsked, false);
    assert.equal(existsSync(join(dir, 'runs/bad')), false);

    writeFileSync(join(dir, 'good.yaml'), `model_name_or_path: policy\ndataset_name: ${samplePairs}\nnum_ref_rewards: 8\n${NO_EVAL}`);
    const started = await startRun(join(dir, 'good.yaml'), () => [quantilesStage()]);
    assert.equal(started.outcome.state, 'done');
    assert.equal(started.folder.dir, join(dir, 'runs/good'));
    assert.equal(started.validation.datasets[0].rows, 24);
  });
});
