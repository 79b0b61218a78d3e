// The JSON Schema (draft-07) of a run config, generated from RUN_CONFIG_FIELDS. It ships as
// schemas/run-config.schema.json for editor completion and hovers, and the runtime validator compiles the same
// object, so what the editor accepts and what `qrpo run` accepts cannot drift apart.
import { describeAccepted, defaultOf, type FieldMap, type FieldSpec } from './fieldSpec';
import { RUN_CONFIG_FIELDS } from './runConfigFields';

export const RUN_CONFIG_SCHEMA_ID = 'https://qrpo-lab.dev/schemas/run-config.schema.json';
/** Where the generated schema is committed, relative to the repository root. */
export const RUN_CONFIG_SCHEMA_FILE = 'schemas/run-config.schema.json';

type Schema = Record<string, unknown>;

function fieldSchema(spec: FieldSpec): Schema {
  const described = { description: `${spec.description} Accepts ${describeAccepted(spec)}.${spec.required ? ' Required.' : ''}` };
  const withDefault = spec.required ? {} : { default: defaultOf(spec) };
  const nullable = (type: string) => (spec.nullable ? [type, 'null'] : type);
  switch (spec.kind) {
    case 'block':
      return { type: 'object', description: spec.description, ...withDefault, ...objectSchema(spec.fields) };
    case 'choice':
      return { type: 'string', enum: [...spec.values], ...described, ...withDefault };
    case 'boolean':
      return { type: nullable('boolean'), ...described, ...withDefault };
    case 'string':
      return { type: nullable('string'), ...(spec.required ? { minLength: 1 } : {}), ...described, ...withDefault };
    case 'string-list':
      return { type: nullable('array'), items: { type: 'string', minLength: 1 }, ...described, ...withDefault };
    default: {
      const bounds: Schema = {};
      if (spec.minimum !== undefined) bounds.minimum = spec.minimum;
      if (spec.maximum !== undefined) bounds.maximum = spec.maximum;
      if (spec.exclusiveMinimum !== undefined) bounds.exclusiveMinimum = spec.exclusiveMinimum;
      if (spec.exclusiveMaximum !== undefined) bounds.exclusiveMaximum = spec.exclusiveMaximum;
      return { type: nullable(spec.kind), ...bounds, ...described, ...withDefault };
    }
  }
}

function objectSchema(fields: FieldMap): Schema {
  const properties: Record<string, Schema> = {};
  for (const [name, spec] of Object.entries(fields)) properties[name] = fieldSchema(spec);
  const required = Object.entries(fields).filter(([, spec]) => spec.required).map(([name]) => name);
  return { properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

/** The schema object; `JSON.stringify(runConfigSchema(), null, 2)` is the committed file. */
export function runConfigSchema(): Schema {
  const body = objectSchema(RUN_CONFIG_FIELDS);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: RUN_CONFIG_SCHEMA_ID,
    title: 'QRPO Lab run config',
    description: 'A QRPO (or DPO, SimPO, REBEL, SFT) training run: `qrpo run CONFIG` writes its run folder. JSON or YAML.',
    type: 'object',
    ...body,
    properties: {
      $schema: { type: 'string', description: 'The JSON Schema this file follows, for editors; ignored by the engine.' },
      ...(body.properties as Schema),
    },
  };
}

export function runConfigSchemaText(): string {
  return `${JSON.stringify(runConfigSchema(), null, 2)}\n`;
}
