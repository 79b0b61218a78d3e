// The vocabulary the run config is written in: each field says its type, default, allowed values and what it means,
// once. `runConfigFields.ts` lists the fields with these builders; the JSON Schema, the TypeScript type of a resolved
// config, the defaults and the error messages are all derived from that one list.

interface FieldBase {
  readonly description: string;
  /** Fields without a default must be given (model_name_or_path, dataset_name). */
  readonly required?: boolean;
  /** `null` is allowed (and is then the default). */
  readonly nullable?: boolean;
  /** A null is replaced when the config is resolved ("same as model_name_or_path"), so run.json never holds it. */
  readonly filledIn?: boolean;
}

export interface NumberField extends FieldBase {
  readonly kind: 'number' | 'integer';
  readonly default?: number | null;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
}

export interface StringField extends FieldBase {
  readonly kind: 'string';
  readonly default?: string | null;
}

export interface ChoiceField<V extends string = string> extends FieldBase {
  readonly kind: 'choice';
  readonly values: readonly V[];
  readonly default: V;
}

export interface BooleanField extends FieldBase {
  readonly kind: 'boolean';
  readonly default: boolean;
}

export interface StringListField extends FieldBase {
  readonly kind: 'string-list';
  readonly default: readonly string[] | null;
}

export interface BlockField<F extends FieldMap = FieldMap> extends FieldBase {
  readonly kind: 'block';
  readonly fields: F;
}

export type FieldSpec = NumberField | StringField | ChoiceField | BooleanField | StringListField | BlockField;
export type FieldMap = { readonly [name: string]: FieldSpec };

type Options<T> = Omit<T, 'kind' | 'description' | 'values' | 'fields'>;

export function numberField<const O extends Options<NumberField>>(description: string, options: O): NumberField & O {
  return { kind: 'number', description, ...options };
}

export function integerField<const O extends Options<NumberField>>(description: string, options: O): NumberField & O {
  return { kind: 'integer', description, ...options };
}

export function stringField<const O extends Options<StringField>>(description: string, options: O): StringField & O {
  return { kind: 'string', description, ...options };
}

export function choiceField<const V extends string>(description: string, values: readonly V[], defaultValue: NoInfer<V>): ChoiceField<V> {
  return { kind: 'choice', description, values, default: defaultValue };
}

export function booleanField(description: string, defaultValue: boolean): BooleanField {
  return { kind: 'boolean', description, default: defaultValue };
}

export function stringListField<const O extends Options<StringListField>>(description: string, options: O): StringListField & O {
  return { kind: 'string-list', description, ...options };
}

export function blockField<const F extends FieldMap>(description: string, fields: F): BlockField<F> {
  return { kind: 'block', description, fields };
}

type BaseValueOf<F> =
  F extends ChoiceField<infer V>
    ? V
    : F extends NumberField
      ? number
      : F extends StringField
        ? string
        : F extends BooleanField
          ? boolean
          : F extends StringListField
            ? string[]
            : F extends BlockField<infer G>
              ? ConfigOf<G>
              : never;

/** The value a field holds once the config is resolved: null only where the field is nullable and not filled in. */
export type ValueOf<F> = F extends { nullable: true } ? (F extends { filledIn: true } ? BaseValueOf<F> : BaseValueOf<F> | null) : BaseValueOf<F>;

export type ConfigOf<F extends FieldMap> = { -readonly [K in keyof F]: ValueOf<F[K]> };

/** The default of a field, blocks included (an object of their fields' defaults); undefined for required fields. */
export function defaultOf(spec: FieldSpec): unknown {
  if (spec.kind === 'block') return defaultsOf(spec.fields);
  if (spec.kind === 'string-list') return spec.default === null ? null : [...spec.default];
  return spec.default;
}

export function defaultsOf(fields: FieldMap): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fields)) {
    if (!spec.required) defaults[name] = defaultOf(spec);
  }
  return defaults;
}

/** The field at a dotted path (`reward.source`), if there is one. */
export function fieldAt(fields: FieldMap, path: readonly string[]): FieldSpec | undefined {
  let current: FieldMap = fields;
  let spec: FieldSpec | undefined;
  for (const name of path) {
    spec = Object.hasOwn(current, name) ? current[name] : undefined;
    if (spec === undefined) return undefined;
    current = spec.kind === 'block' ? spec.fields : {};
  }
  return spec;
}

/** `a positive number`, `an integer ≥ -1`, `one of qrpo, dpo`: what a field accepts, for messages and the schema. */
export function describeAccepted(spec: FieldSpec): string {
  const orNull = spec.nullable ? ' or null' : '';
  switch (spec.kind) {
    case 'choice':
      return `one of ${spec.values.join(', ')}`;
    case 'boolean':
      return `true or false${orNull}`;
    case 'string':
      return `a string${orNull}`;
    case 'string-list':
      return `a list of strings${orNull}`;
    case 'block':
      return `an object with the fields ${Object.keys(spec.fields).join(', ')}`;
    default: {
      const noun = spec.kind === 'integer' ? 'an integer' : 'a number';
      const bounds = describeBounds(spec);
      return `${noun}${bounds ? ` ${bounds}` : ''}${orNull}`;
    }
  }
}

export function describeBounds(spec: NumberField): string {
  const lower = spec.exclusiveMinimum !== undefined ? `> ${spec.exclusiveMinimum}` : spec.minimum !== undefined ? `≥ ${spec.minimum}` : undefined;
  const upper = spec.exclusiveMaximum !== undefined ? `< ${spec.exclusiveMaximum}` : spec.maximum !== undefined ? `≤ ${spec.maximum}` : undefined;
  if (lower && upper) return `in ${spec.exclusiveMinimum !== undefined ? '(' : '['}${spec.exclusiveMinimum ?? spec.minimum}, ${spec.exclusiveMaximum ?? spec.maximum}${spec.exclusiveMaximum !== undefined ? ')' : ']'}`;
  return lower ?? upper ?? '';
}
