// Config file → resolved RunConfig. The shape is checked by Ajv against the generated schema (the one the editor
// uses), and each Ajv error is reworded from the field's own definition; then defaults are filled in, the "same as"
// nulls resolved, paths made absolute against the config file's folder, and the cross-field rules applied.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { closestMatch } from '../../cli/arguments';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { readConfigDocument, type ConfigDocument } from './configDocument';
import { ConfigProblems, showValue } from './configProblems';
import { checkCrossFieldRules } from './crossFieldRules';
import { defaultsOf, describeAccepted, fieldAt, type FieldMap } from './fieldSpec';
import { RUN_CONFIG_FIELDS, type RunConfig } from './runConfigFields';
import { runConfigSchema } from './runConfigSchema';

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(runConfigSchema());
  return compiled;
}

export interface LoadedRunConfig {
  config: RunConfig;
  /** The parsed file, for errors that later checks (datasets, models) attach to a field's line. */
  document: ConfigDocument;
}

/** Reads, validates and resolves a run config file (JSON or YAML by extension). Throws RunConfigError. */
export async function loadRunConfig(file: string): Promise<LoadedRunConfig> {
  const document = await readConfigDocument(file);
  return { config: resolveRunConfig(document), document };
}

export function resolveRunConfig(document: ConfigDocument): RunConfig {
  const problems = new ConfigProblems(document);
  const raw = document.value;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.add([], `run config ${document.file} must be an object of fields, got ${showValue(raw)}`);
    problems.throwIfAny();
  }
  const validate = schemaValidator();
  if (!validate(raw)) {
    for (const error of validate.errors ?? []) reportSchemaError(error, raw, problems);
  }
  problems.throwIfAny();

  const config = fillDefaults(RUN_CONFIG_FIELDS, raw as Record<string, unknown>) as RunConfig;
  fillDerivedFields(config, document.file);
  checkCrossFieldRules(config, problems);
  problems.throwIfAny();
  return config;
}

function reportSchemaError(error: ErrorObject, raw: unknown, problems: ConfigProblems): void {
  const path = error.instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const specPath = path.filter((part) => !/^\d+$/.test(part));
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = (error.params as { additionalProperty: string }).additionalProperty;
      const parent = specPath.length ? fieldAt(RUN_CONFIG_FIELDS, specPath) : undefined;
      const known = parent?.kind === 'block' ? Object.keys(parent.fields) : Object.keys(RUN_CONFIG_FIELDS);
      problems.unknownField([...path, name], known);
      return;
    }
    case 'required': {
      const name = (error.params as { missingProperty: string }).missingProperty;
      const spec = fieldAt(RUN_CONFIG_FIELDS, [...specPath, name]);
      problems.add([...path, name], `missing field "${name}" in ${problems.document.file}`, spec ? `It is ${lowerFirst(spec.description)}` : undefined);
      return;
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: string[] }).allowedValues;
      const value = valueAt(raw, path);
      const suggestion = typeof value === 'string' ? closestValue(value, allowed) : undefined;
      problems.field(path, `must be one of ${allowed.join(', ')}; got ${showValue(value)}`, suggestion ? `Did you mean "${suggestion}"?` : undefined);
      return;
    }
    default: {
      const spec = fieldAt(RUN_CONFIG_FIELDS, specPath);
      const inList = path.length > specPath.length;
      const accepted = inList ? 'a non-empty string' : spec ? describeAccepted(spec) : String(error.message);
      problems.field(path, `must be ${accepted}, got ${showValue(valueAt(raw, path))}`);
    }
  }
}

function closestValue(value: string, allowed: readonly string[]): string | undefined {
  const lower = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (lower !== undefined) return lower;
  // Typos first; then a prefix ("cos" for "cosine").
  return closestMatch(value, allowed) ?? allowed.find((candidate) => value.length >= 3 && candidate.startsWith(value));
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const part of path) current = (current as Record<string, unknown> | undefined)?.[part];
  return current;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function fillDefaults(fields: FieldMap, raw: Record<string, unknown>): Record<string, unknown> {
  const filled = defaultsOf(fields);
  for (const [name, value] of Object.entries(raw)) {
    if (name === '$schema') continue;
    const spec = fields[name];
    filled[name] = spec.kind === 'block' ? fillDefaults(spec.fields, value as Record<string, unknown>) : value;
  }
  return filled;
}

/** The nulls that mean "same as another field", and paths relative to the config file's folder. */
function fillDerivedFields(config: RunConfig, file: string): void {
  const base = dirname(resolve(file));
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(base, path));
  const absoluteDataset = (path: string) => {
    // `folder:split` keeps its split; a Windows drive letter is not a split.
    const split = /^(.+[^:/\\]):([^:/\\]+)$/.exec(path);
    return split && !/^[A-Za-z]$/.test(split[1]) ? `${absolute(split[1])}:${split[2]}` : absolute(path);
  };
  config.model_name_or_path = absolute(config.model_name_or_path);
  config.ref_model_name_or_path = config.ref_model_name_or_path === null ? config.model_name_or_path : absolute(config.ref_model_name_or_path);
  config.dataset_name = absoluteDataset(config.dataset_name);
  if (config.eval_dataset_name !== null) config.eval_dataset_name = absoluteDataset(config.eval_dataset_name);
  config.run_name ??= basename(file, extname(file));
  config.output_dir = config.output_dir === null ? resolve(base, 'runs', config.run_name) : absolute(config.output_dir);
  config.eval_steps ??= config.save_steps;
  config.reference_sampling.num_samples ??= config.num_ref_rewards;
  config.reference_sampling.max_new_tokens ??= config.max_completion_length;
  if (config.reward.path !== null) config.reward.path = absolute(config.reward.path);
}
