// The resolved config of a run, flattened to dotted field names (reward.source, eval.num_prompts) so runs can be
// compared field by field. run.json is {config, engineVersion, createdAt}; older or hand-written folders hold the
// fields at the top level, which is read the same way.
import * as vscode from 'vscode';

export type FlatConfig = ReadonlyMap<string, string>;

export async function readFlatRunConfig(folder: vscode.Uri): Promise<FlatConfig> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'run.json'))));
  } catch {
    return new Map();
  }
  if (!isRecord(parsed)) return new Map();
  const config = isRecord(parsed.config) ? parsed.config : parsed;
  const flat = new Map<string, string>();
  flatten(config, '', flat);
  return flat;
}

function flatten(value: Record<string, unknown>, prefix: string, into: Map<string, string>): void {
  for (const [key, field] of Object.entries(value)) {
    const name = prefix + key;
    if (isRecord(field)) flatten(field, `${name}.`, into);
    else into.set(name, field === null ? 'null' : typeof field === 'string' ? field : typeof field === 'number' ? formatNumber(field) : JSON.stringify(field));
  }
}

/** 1e-6 rather than 0.000001: learning rates and β read the way people write them in configs. */
function formatNumber(value: number): string {
  return value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential() : String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
