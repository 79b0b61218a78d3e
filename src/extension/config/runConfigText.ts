// The text of a new run config (what New Run writes): the chosen fields only, each under a one-line comment from
// the schema, so the file explains itself and the next run is an edit of it. Paths are written relative to the
// config's folder, which is how the engine resolves them.
import * as path from 'node:path';
import type { RunConfigSchema } from './runConfigSchema';

export interface NewRunConfig {
  readonly runName: string;
  readonly model: string;
  readonly dataset: string;
  readonly reward: { readonly source: 'model' | 'column' | 'module'; readonly path?: string; readonly column?: string };
  readonly lossType: 'qrpo' | 'dpo' | 'simpo' | 'rebel';
  readonly beta: number;
  /** QRPO only. */
  readonly transform?: string;
}

export type ConfigFormat = 'yaml' | 'json';

export function runConfigObject(config: NewRunConfig, configDir: string): Record<string, unknown> {
  const rel = (file: string) => {
    const relative = path.relative(configDir, file).split(path.sep).join('/');
    return relative.startsWith('.') ? relative : `./${relative}`;
  };
  const reward: Record<string, unknown> = { source: config.reward.source };
  if (config.reward.path) reward.path = rel(config.reward.path);
  if (config.reward.column) reward.column = config.reward.column;
  return {
    run_name: config.runName,
    model_name_or_path: rel(config.model),
    dataset_name: rel(config.dataset),
    loss_type: config.lossType,
    beta: config.beta,
    ...(config.lossType === 'qrpo' ? { qrpo_transform_type: config.transform ?? 'identity' } : {}),
    reward,
  };
}

export function runConfigText(config: NewRunConfig, configDir: string, format: ConfigFormat, schema: RunConfigSchema): string {
  const object = runConfigObject(config, configDir);
  if (format === 'json') return `${JSON.stringify(object, null, 2)}\n`;
  const lines = [
    `# QRPO run config, written by "QRPO: New Run". Start it with the "Start Run" lens above, or \`qrpo run ${config.runName}.qrpo.yaml\`.`,
    '# Every field is documented on hover; completion (Ctrl+Space) lists the others, with their defaults.',
  ];
  for (const [key, value] of Object.entries(object)) {
    const summary = schema.summary(key);
    lines.push('', ...(summary ? [`# ${summary}`] : []));
    if (typeof value === 'object' && value !== null) {
      lines.push(`${key}:`);
      for (const [child, childValue] of Object.entries(value)) lines.push(`  ${child}: ${yamlScalar(childValue)}`);
    } else {
      lines.push(`${key}: ${yamlScalar(value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Plain scalars where YAML reads them back unchanged, quoted strings elsewhere. */
function yamlScalar(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  const plain = /^[\w./-]+$/.test(value) && !/^(true|false|null|yes|no|on|off|~)$/i.test(value) && !/^[-+]?\.?\d|^\.(inf|nan)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}
