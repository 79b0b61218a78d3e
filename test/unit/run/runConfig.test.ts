// The run config: the committed JSON Schema is the one generated from the field definitions, the validator agrees
// with the schema, and bad configs (JSON or YAML) give errors that name the file, the line, the field, what is wrong
// and what is allowed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import {
  RUN_CONFIG_FIELDS,
  RUN_CONFIG_SCHEMA_FILE,
  loadRunConfig,
  parseConfigDocument,
  resolveRunConfig,
  runConfigSchema,
  runConfigSchemaText,
  RunConfigError,
  type FieldMap,
} from '../../../src/qrpo/run/config';
import { ConfigError } from '../../../src/qrpo/errors';

const root = resolve(__dirname, '../../../..');

function errorOf(text: string, file: string): string {
  try {
    resolveRunConfig(parseConfigDocument(text, file));
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`expected ${file} to be rejected`);
}

const base = 'model_name_or_path: models/tiny\ndataset_name: data/train.jsonl\n';

describe('run config schema', () => {
  test('the committed schema equals the one generated from the field definitions', () => {
    const committed = readFileSync(join(root, RUN_CONFIG_SCHEMA_FILE), 'utf8');
    assert.ok(
      committed === runConfigSchemaText(),
      `${RUN_CONFIG_SCHEMA_FILE} is out of date with src/qrpo/run/config/runConfigFields.ts: run 'node scripts/generate-schema.mjs' and commit the result`,
    );
  });

  test('every field has a description, and every optional field a default', () => {
    function walk(schema: Record<string, unknown>, path: string): void {
      const properties = schema.properties as Record<string, Record<string, unknown>>;
      const required = (schema.required as string[] | undefined) ?? [];
      assert.equal(schema.additionalProperties, false, `${path || 'root'} allows unknown fields`);
      for (const [name, property] of Object.entries(properties)) {
        const at = path ? `${path}.${name}` : name;
        assert.ok(typeof property.description === 'string' && property.description.length > 20, `${at} has no description`);
        if (name === '$schema') continue;
        if (!required.includes(name)) assert.ok('default' in property, `${at} has no default`);
        if (property.type === 'object') walk(property, at);
      }
    }
    walk(runConfigSchema(), '');
  });

  test('the schema is valid draft-07 with enums and bounds from the field definitions', () => {
    const schema = runConfigSchema() as { properties: Record<string, Record<string, unknown>> };
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    assert.ok(ajv.validateSchema(schema), JSON.stringify(ajv.errors));
    assert.deepEqual(schema.properties.loss_type.enum, ['qrpo', 'dpo', 'simpo', 'rebel', 'sft']);
    assert.deepEqual(schema.properties.qrpo_transform_type.enum, ['identity', 'log', 'sqrt', 'square', 'normal-icdf', 'scaled-normal-icdf']);
    assert.equal(schema.properties.beta.exclusiveMinimum, 0);
    assert.deepEqual([schema.properties.warmup_ratio.minimum, schema.properties.warmup_ratio.maximum], [0, 1]);
    assert.equal(schema.properties.max_steps.default, -1);
    assert.equal((schema.properties.reference_sampling.properties as Record<string, Record<string, unknown>>).temperature.default, 1);
  });

  test('the validator accepts the schema defaults and rejects what the schema rejects, field by field', () => {
    const schema = runConfigSchema();
    const ajv = new Ajv({ strict: true, allowUnionTypes: true }).compile(schema);
    const wrongValues = (spec: FieldMap[string]): unknown[] => {
      switch (spec.kind) {
        case 'choice':
          return ['not-a-choice', 1];
        case 'boolean':
          return ['true', 1];
        case 'string':
          return [3, true];
        case 'string-list':
          return ['q_proj', [1]];
        case 'block':
          return [3, { no_such_field: 1 }];
        default:
          return ['1', ...(spec.kind === 'integer' ? [1.5] : []), ...(spec.minimum !== undefined ? [spec.minimum - 1] : []), ...(spec.exclusiveMinimum !== undefined ? [spec.exclusiveMinimum] : []), ...(spec.maximum !== undefined ? [spec.maximum + 1] : [])];
      }
    };
    let checked = 0;
    const visit = (fields: FieldMap, prefix: string[]) => {
      for (const [name, spec] of Object.entries(fields)) {
        for (const wrong of wrongValues(spec)) {
          const value: Record<string, unknown> = { model_name_or_path: 'm', dataset_name: 'd' };
          let target = value;
          for (const part of prefix) target = (target[part] = {}) as Record<string, unknown>;
          target[name] = wrong;
          assert.equal(ajv(value), false, `schema accepts ${[...prefix, name].join('.')} = ${JSON.stringify(wrong)}`);
          const document = parseConfigDocument(JSON.stringify(value), 'a.json');
          assert.throws(() => resolveRunConfig(document), RunConfigError, `validator accepts ${[...prefix, name].join('.')} = ${JSON.stringify(wrong)}`);
          checked++;
        }
        if (spec.kind === 'block') visit(spec.fields, [...prefix, name]);
      }
    };
    visit(RUN_CONFIG_FIELDS, []);
    assert.ok(checked > 100);
  });
});

describe('loading a run config', () => {
  test('a minimal YAML config resolves with every default and absolute paths', () => {
    const config = resolveRunConfig(parseConfigDocument(base, '/work/exp/qrpo-small.yaml'));
    assert.equal(config.model_name_or_path, '/work/exp/models/tiny');
    assert.equal(config.ref_model_name_or_path, '/work/exp/models/tiny');
    assert.equal(config.dataset_name, '/work/exp/data/train.jsonl');
    assert.equal(config.run_name, 'qrpo-small');
    assert.equal(config.output_dir, '/work/exp/runs/qrpo-small');
    assert.equal(config.beta, 0.1);
    assert.equal(config.lr_scheduler_type, 'cosine');
    assert.equal(config.reference_sampling.temperature, 1);
    assert.equal(config.reference_sampling.top_p, 1);
    assert.equal(config.reference_sampling.num_samples, config.num_ref_rewards);
    assert.equal(config.reference_sampling.max_new_tokens, config.max_completion_length);
    assert.equal(config.eval_steps, config.save_steps);
    assert.equal(config.lora_dropout, 0);
    assert.equal(config.lora_target_modules, null);
    assert.equal(config.eval_dataset_name, null);
  });

  test('the resolved config validates against the schema, so run.json is itself a valid config', () => {
    const config = resolveRunConfig(parseConfigDocument(base, '/work/exp/a.yaml'));
    const ajv = new Ajv({ strict: true, allowUnionTypes: true }).compile(runConfigSchema());
    assert.ok(ajv(config), JSON.stringify(ajv.errors));
    const again = resolveRunConfig(parseConfigDocument(JSON.stringify(config), '/elsewhere/run.json'));
    assert.deepEqual(again, config);
  });

  test('YAML 1.2 reads 1e-6 as a number and keeps a dataset split', () => {
    const config = resolveRunConfig(parseConfigDocument(`${base.replace('data/train.jsonl', 'data/hf:test')}learning_rate: 1e-6\n`, '/w/a.yml'));
    assert.equal(config.learning_rate, 1e-6);
    assert.equal(config.dataset_name, '/w/data/hf:test');
  });

  test('JSON and YAML configs of the same content resolve alike; $schema is allowed', () => {
    const json = JSON.stringify({ $schema: '../schemas/run-config.schema.json', model_name_or_path: 'models/tiny', dataset_name: 'data/train.jsonl', beta: 0.01, reward: { source: 'model', path: 'rm' } }, null, 2);
    const yaml = `${base}beta: 0.01\nreward:\n  source: model\n  path: rm\n`;
    assert.deepEqual(resolveRunConfig(parseConfigDocument(json, '/w/a.json')), resolveRunConfig(parseConfigDocument(yaml, '/w/a.yaml')));
  });

  test('loadRunConfig reads a file by its extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qrpo-config-'));
    writeFileSync(join(dir, 'a.yaml'), base);
    const { config, document } = await loadRunConfig(join(dir, 'a.yaml'));
    assert.equal(config.run_name, 'a');
    assert.equal(document.lineOf(['dataset_name']), 2);
    await assert.rejects(loadRunConfig(join(dir, 'missing.yaml')), { message: `run config not found: ${join(dir, 'missing.yaml')}` });
    await assert.rejects(loadRunConfig(join(dir, 'a.toml')), { message: `cannot tell the format of run config ${join(dir, 'a.toml')}. Name it *.json, *.yaml or *.yml` });
  });
});

describe('run config errors', () => {
  test('an unknown field names its line and suggests the closest field', () => {
    assert.equal(
      errorOf(`${base}lerning_rate: 1e-6\n`, 'runs/a.yaml'),
      'unknown field "lerning_rate" in runs/a.yaml line 3. Did you mean "learning_rate"?',
    );
  });

  test('an unknown field inside a block names the block path and lists its fields when nothing is close', () => {
    assert.equal(
      errorOf(`${base}reward:\n  sorce: model\n`, 'runs/a.yaml'),
      'unknown field "reward.sorce" in runs/a.yaml line 4. Did you mean "reward.source"?',
    );
    assert.equal(
      errorOf(`${base}reward:\n  xyzzy: 1\n`, 'runs/a.yaml'),
      'unknown field "reward.xyzzy" in runs/a.yaml line 4. Valid fields of reward: source, path, column, batch_size',
    );
  });

  test('an unknown field in a JSON config names its line too', () => {
    const json = '{\n  "model_name_or_path": "m",\n  "dataset_name": "d",\n  "warmup_ration": 0.1\n}\n';
    assert.equal(errorOf(json, 'runs/a.json'), 'unknown field "warmup_ration" in runs/a.json line 4. Did you mean "warmup_ratio"?');
  });

  test('a wrong type says what the field accepts and what it got', () => {
    assert.equal(errorOf(`${base}beta: "0.1"\n`, 'a.yaml'), 'beta in a.yaml line 3 must be a number > 0, got "0.1" (a string)');
    assert.equal(errorOf(`${base}per_device_train_batch_size: 2.5\n`, 'a.yaml'), 'per_device_train_batch_size in a.yaml line 3 must be an integer ≥ 1, got 2.5');
    assert.equal(errorOf(`${base}use_peft: yes\n`, 'a.yaml'), 'use_peft in a.yaml line 3 must be true or false, got "yes" (a string)');
    assert.equal(errorOf(`${base}lora_target_modules: [q_proj, 3]\n`, 'a.yaml'), 'lora_target_modules[1] in a.yaml line 3 must be a non-empty string, got 3');
    assert.equal(errorOf(`${base}reward: model\n`, 'a.yaml'), 'reward in a.yaml line 3 must be an object with the fields source, path, column, batch_size, got "model" (a string)');
  });

  test('a value out of range names the range', () => {
    assert.equal(errorOf(`${base}warmup_ratio: 1.5\n`, 'a.yaml'), 'warmup_ratio in a.yaml line 3 must be a number in [0, 1], got 1.5');
    assert.equal(errorOf(`${base}beta: 0\n`, 'a.yaml'), 'beta in a.yaml line 3 must be a number > 0, got 0');
    assert.equal(errorOf(`${base}reference_sampling:\n  top_p: 1.2\n`, 'a.yaml'), 'reference_sampling.top_p in a.yaml line 4 must be a number in (0, 1], got 1.2');
    assert.equal(errorOf(`${base}max_steps: -2\n`, 'a.yaml'), 'max_steps in a.yaml line 3 must be an integer ≥ -1, got -2');
  });

  test('a bad enum value lists the allowed values and suggests the closest', () => {
    assert.equal(
      errorOf(`${base}lr_scheduler_type: cosin\n`, 'a.yaml'),
      'lr_scheduler_type in a.yaml line 3 must be one of linear, cosine, constant, constant_with_warmup; got "cosin" (a string). Did you mean "cosine"?',
    );
    assert.equal(
      errorOf(`${base}reward:\n  source: modl\n`, 'a.yaml'),
      'reward.source in a.yaml line 4 must be one of model, column, module; got "modl" (a string). Did you mean "model"?',
    );
    assert.equal(
      errorOf(`${base}loss_type: ppo\n`, 'a.yaml'),
      'loss_type in a.yaml line 3 must be one of qrpo, dpo, simpo, rebel, sft; got "ppo" (a string). Did you mean "dpo"?',
    );
  });

  test('a missing required field says what it is', () => {
    assert.equal(
      errorOf('model_name_or_path: m\n', 'a.yaml'),
      'missing field "dataset_name" in a.yaml. It is training data: a JSONL, JSON, CSV or Parquet file, or a Hugging Face datasets folder (`folder:split` picks a split). Pointwise rows {prompt, completion, reward, ref_rewards}, TRL pairs {prompt, chosen, rejected} or the QRPO authors\' format.',
    );
  });

  test('every problem of a file is reported at once, in file order', () => {
    const message = errorOf(`${base}beta: -1\nlerning_rate: 1\nloss_type: ppo\n`, 'a.yaml');
    assert.deepEqual(message.split('\n').map((line) => /line (\d+)/.exec(line)?.[1]), ['3', '4', '5']);
  });

  test('syntax errors name the line', () => {
    assert.equal(errorOf('{\n  "beta": 0.1,\n}\n', 'a.json').replace(/: not valid JSON: .*/, ''), 'a.json line 3');
    assert.match(errorOf('beta: [1, 2\nseed: 3\n', 'a.yaml'), /^a\.yaml line \d: not valid YAML: /);
    assert.equal(errorOf(`${base}beta: 0.1\nbeta: 0.2\n`, 'a.yaml'), 'duplicate field "beta" in a.yaml line 4. Each field may appear once');
    assert.equal(errorOf('{\n  "beta": 0.1,\n  "beta": 0.2\n}', 'a.json'), 'duplicate field "beta" in a.json line 3. Each field may appear once');
    assert.equal(errorOf('- 1\n- 2\n', 'a.yaml'), 'run config a.yaml must be an object of fields, got a list');
    assert.equal(errorOf('', 'a.yaml'), 'run config a.yaml is empty. It needs at least model_name_or_path and dataset_name');
  });
});

describe('run config cross-field rules', () => {
  test('normal-icdf needs at least 3 reference rewards, log at least 2', () => {
    assert.equal(
      errorOf(`${base}qrpo_transform_type: normal-icdf\nnum_ref_rewards: 2\n`, 'a.yaml'),
      'num_ref_rewards in a.yaml line 4 must be ≥ 3 for qrpo_transform_type "normal-icdf", got 2. The quantile is clamped into [1/n, (n−1)/n], which leaves no spread below n = 3',
    );
    assert.equal(
      errorOf(`${base}qrpo_transform_type: log\nnum_ref_rewards: 1\n`, 'a.yaml'),
      'num_ref_rewards in a.yaml line 4 must be ≥ 2 for qrpo_transform_type "log", got 1. With one reference reward every clamped log-quantile is 0, a constant target with no learning signal',
    );
    assert.doesNotThrow(() => resolveRunConfig(parseConfigDocument(`${base}qrpo_transform_type: log\nnum_ref_rewards: 2\n`, 'a.yaml')));
  });

  test('the prompt must leave room in max_length', () => {
    assert.equal(
      errorOf(`${base}max_length: 512\nmax_prompt_length: 512\nmax_completion_length: 256\n`, 'a.yaml'),
      'max_prompt_length in a.yaml line 4 must be less than max_length (512), got 512. A sequence needs room for at least one completion token',
    );
  });

  test('pairwise losses need both sides of a pair', () => {
    assert.equal(
      errorOf(`${base}loss_type: dpo\nsample_selector: chosen\n`, 'a.yaml'),
      'sample_selector in a.yaml line 4 is "chosen", but loss_type "dpo" compares both sides of each pair. Remove sample_selector or set it to both',
    );
  });

  test('off-policy data needs a reward source that can score new samples', () => {
    assert.equal(
      errorOf(`${base}training_data: off-policy-best-worst\n`, 'a.yaml'),
      'training_data in a.yaml line 3 is "off-policy-best-worst", which ranks reference samples by reward, but reward.source is "column" and a dataset column cannot score new samples. Set reward.source to model or module',
    );
    assert.equal(
      errorOf(`${base}reward:\n  source: module\n`, 'a.yaml'),
      'reward.path is missing in a.yaml line 4: reward.source "module" needs a JavaScript module exporting reward(prompt, completion)',
    );
  });

  test('max_steps 0 is neither "use epochs" nor a number of steps', () => {
    assert.equal(errorOf(`${base}max_steps: 0\n`, 'a.yaml'), 'max_steps in a.yaml line 3 must be -1 (train for num_train_epochs) or a positive number of steps, got 0');
  });
});
