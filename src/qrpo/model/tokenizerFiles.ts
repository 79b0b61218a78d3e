// The tokenizer-side files of a Hugging Face model folder, read as `from_pretrained` reads them: tokenizer.json
// (required), tokenizer_config.json (special tokens, chat template), special_tokens_map.json (older saves keep the
// special tokens here), generation_config.json (the ids `generate` stops on) and config.json (its fallback), plus
// chat_template.jinja / chat_template.json, where transformers ≥ 4.43 saves the template beside the config.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError } from '../errors';

export interface TokenizerFiles {
  readonly folder: string;
  readonly tokenizerJson: Record<string, unknown>;
  readonly tokenizerConfig: Record<string, unknown>;
  readonly specialTokensMap?: Record<string, unknown>;
  readonly generationConfig?: Record<string, unknown>;
  readonly modelConfig?: Record<string, unknown>;
  /** The raw chat_template value from a separate template file, when one exists (it wins over tokenizer_config). */
  readonly chatTemplateFile?: { readonly file: string; readonly value: unknown };
}

export async function readTokenizerFiles(folder: string): Promise<TokenizerFiles> {
  const tokenizerJson = await readJsonObject(folder, 'tokenizer.json', true);
  const tokenizerConfig = (await readJsonObject(folder, 'tokenizer_config.json', false)) ?? {};
  const jinja = await readText(join(folder, 'chat_template.jinja'));
  const templateJson = await readJsonObject(folder, 'chat_template.json', false);
  const chatTemplateFile =
    jinja !== undefined
      ? { file: join(folder, 'chat_template.jinja'), value: jinja }
      : templateJson?.chat_template !== undefined
        ? { file: join(folder, 'chat_template.json'), value: templateJson.chat_template }
        : undefined;
  return {
    folder,
    tokenizerJson: tokenizerJson!,
    tokenizerConfig,
    specialTokensMap: await readJsonObject(folder, 'special_tokens_map.json', false),
    generationConfig: await readJsonObject(folder, 'generation_config.json', false),
    modelConfig: await readJsonObject(folder, 'config.json', false),
    chatTemplateFile,
  };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelFormatError(`${path} cannot be read (${(error as Error).message})`);
  }
}

async function readJsonObject(folder: string, name: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  const path = join(folder, name);
  const text = await readText(path);
  if (text === undefined) {
    if (!required) return undefined;
    throw new ModelFormatError(
      `${path} does not exist`,
      'A Hugging Face model folder needs tokenizer.json (a "fast" tokenizer); convert a slow one with AutoTokenizer.from_pretrained(...).save_pretrained(...)',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(`${path} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFormatError(`${path} is not a JSON object`);
  return json as Record<string, unknown>;
}
