// The run config's JSON Schema (schemas/run-config.schema.json, generated from the engine's field list) as the
// editor features use it: the properties at a dotted path, with type, enum, default and description. Read from
// the extension folder once, so the schema is never bundled twice.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface SchemaProperty {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly properties?: Readonly<Record<string, SchemaProperty>>;
  readonly items?: SchemaProperty;
  readonly required?: readonly string[];
}

export class RunConfigSchema {
  private constructor(readonly root: SchemaProperty) {}

  static fromExtension(extensionPath: string): RunConfigSchema {
    const file = path.join(extensionPath, 'schemas', 'run-config.schema.json');
    return new RunConfigSchema(JSON.parse(readFileSync(file, 'utf8')) as SchemaProperty);
  }

  /** The object schema at `keys` (the root for []), or undefined when the path leaves the schema. */
  objectAt(keys: readonly string[]): SchemaProperty | undefined {
    let node: SchemaProperty | undefined = this.root;
    for (const key of keys) node = node?.properties?.[key];
    return node?.properties ? node : undefined;
  }

  property(keys: readonly string[]): SchemaProperty | undefined {
    if (keys.length === 0) return undefined;
    return this.objectAt(keys.slice(0, -1))?.properties?.[keys[keys.length - 1]];
  }

  /** The first sentence of a field's description, for comments in generated configs. */
  summary(key: string): string | undefined {
    const description = this.root.properties?.[key]?.description;
    return description?.replace(/ Accepts .*$/, '').split(/(?<=\.)\s/)[0];
  }
}

/** "number > 0 · default 0.1" style line for hovers and completion details. */
export function describeType(property: SchemaProperty): string {
  const types = Array.isArray(property.type) ? property.type.join(' | ') : (property.type as string | undefined) ?? 'any';
  const parts = [property.enum ? property.enum.map((v) => JSON.stringify(v)).join(' | ') : types];
  if (property.default !== undefined) parts.push(`default ${JSON.stringify(property.default)}`);
  return parts.join(' · ');
}
