// Sharded checkpoints: `model.safetensors.index.json` maps each tensor name to the shard file that holds it
// (`{metadata: {total_size}, weight_map: {name: "model-00001-of-00002.safetensors"}}`). Opening one gives a single
// lookup over all shards; the helper at the bottom picks the index or the single file a model folder holds.
import { existsSync, promises as fs } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { ModelFormatError } from '../errors';
import type { FileRegion } from '../graph';
import { SafetensorsFile } from './safetensors';
import type { LocatedTensorInfo, TensorSource } from './safetensors';

export const SAFETENSORS_INDEX_NAME = 'model.safetensors.index.json';
export const SAFETENSORS_SINGLE_NAME = 'model.safetensors';

export class ShardedSafetensors implements TensorSource {
  private constructor(
    readonly indexPath: string,
    /** Tensor name → the shard holding it, in the index's order. */
    private readonly shardOf: ReadonlyMap<string, SafetensorsFile>,
    readonly totalSize: number | undefined,
  ) {}

  /** Reads the index and every shard's header; fails if a shard is missing or lacks a tensor the index promises. */
  static async open(indexPath: string): Promise<ShardedSafetensors> {
    const { weightMap, totalSize } = await readIndex(indexPath);
    const folder = dirname(indexPath);
    const shardNames = [...new Set(weightMap.values())];
    const shards = new Map<string, SafetensorsFile>();
    for (const shardName of shardNames) {
      const shardPath = join(folder, shardName);
      if (!existsSync(shardPath)) throw missingShard(indexPath, shardName, shardPath, weightMap);
      shards.set(shardName, await SafetensorsFile.open(shardPath));
    }
    const shardOf = new Map<string, SafetensorsFile>();
    for (const [tensor, shardName] of weightMap) {
      const shard = shards.get(shardName)!;
      if (!shard.info(tensor)) {
        throw new ModelFormatError(`${indexPath} puts tensor "${tensor}" in ${shardName}, but that shard has no such tensor`);
      }
      shardOf.set(tensor, shard);
    }
    return new ShardedSafetensors(indexPath, shardOf, totalSize);
  }

  get description(): string {
    return this.indexPath;
  }

  names(): string[] {
    return [...this.shardOf.keys()];
  }

  info(name: string): LocatedTensorInfo | undefined {
    return this.shardOf.get(name)?.info(name);
  }

  region(name: string): FileRegion | undefined {
    return this.shardOf.get(name)?.region(name);
  }

  async readFloat32(name: string): Promise<Float32Array> {
    const shard = this.shardOf.get(name);
    if (!shard) throw new ModelFormatError(`${this.indexPath} has no tensor named "${name}"`);
    return shard.readFloat32(name);
  }
}

/**
 * The weights of a Hugging Face model folder: the sharded index when there is one (as `from_pretrained` prefers),
 * otherwise `model.safetensors`. A path to a `.safetensors` or index file is opened as given.
 */
export async function openModelWeights(folderOrFile: string): Promise<TensorSource> {
  const stat = await fs.stat(folderOrFile).catch(() => undefined);
  if (!stat) throw new ModelFormatError(`${folderOrFile} does not exist`);
  if (stat.isFile()) {
    return folderOrFile.endsWith('.json') ? ShardedSafetensors.open(folderOrFile) : SafetensorsFile.open(folderOrFile);
  }
  const indexPath = join(folderOrFile, SAFETENSORS_INDEX_NAME);
  if (existsSync(indexPath)) return ShardedSafetensors.open(indexPath);
  const singlePath = join(folderOrFile, SAFETENSORS_SINGLE_NAME);
  if (existsSync(singlePath)) return SafetensorsFile.open(singlePath);
  const hint = existsSync(join(folderOrFile, 'pytorch_model.bin'))
    ? 'It holds pytorch_model.bin, a pickle the engine does not read: convert it with `model.save_pretrained(dir, safe_serialization=True)`'
    : undefined;
  throw new ModelFormatError(`${folderOrFile} has neither ${SAFETENSORS_SINGLE_NAME} nor ${SAFETENSORS_INDEX_NAME}`, hint);
}

async function readIndex(indexPath: string): Promise<{ weightMap: Map<string, string>; totalSize?: number }> {
  let text: string;
  try {
    text = await fs.readFile(indexPath, 'utf8');
  } catch {
    throw new ModelFormatError(`${indexPath} does not exist or cannot be read`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(`${indexPath} is not valid JSON (${(error as Error).message})`);
  }
  const weightMapJson = isObject(json) ? json.weight_map : undefined;
  if (!isObject(weightMapJson)) throw new ModelFormatError(`${indexPath} has no "weight_map" object`);
  const weightMap = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(weightMapJson)) {
    if (typeof shard !== 'string' || !isInsideFolder(shard)) {
      throw new ModelFormatError(`${indexPath} maps tensor "${tensor}" to ${JSON.stringify(shard)}, not a file name beside the index`);
    }
    weightMap.set(tensor, shard);
  }
  const metadata = isObject(json) && isObject(json.metadata) ? json.metadata : {};
  const totalSize = typeof metadata.total_size === 'number' ? metadata.total_size : undefined;
  return { weightMap, totalSize };
}

function missingShard(indexPath: string, shardName: string, shardPath: string, weightMap: Map<string, string>): ModelFormatError {
  const tensors = [...weightMap].filter(([, shard]) => shard === shardName).map(([tensor]) => tensor);
  const which = tensors.length === 1 ? `tensor "${tensors[0]}"` : `${tensors.length} tensors (first "${tensors[0]}")`;
  return new ModelFormatError(
    `${indexPath} names shard ${shardName} for ${which}, but ${shardPath} does not exist`,
    'Download every shard the index lists, or remove the index if the weights are in a single model.safetensors',
  );
}

/** Shard names are relative file names; an absolute path or `..` would read outside the model folder. */
function isInsideFolder(name: string): boolean {
  return name.length > 0 && !isAbsolute(name) && !normalize(name).startsWith('..');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
