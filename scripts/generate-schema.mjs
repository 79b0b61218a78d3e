// Writes schemas/run-config.schema.json from the run config's field definitions (src/qrpo/run/config). Run it after
// changing a field; a unit test fails while the committed file differs from what this script writes.
import { build } from 'esbuild';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bundle = await build({
  entryPoints: [join(root, 'src/qrpo/run/config/runConfigSchema.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  write: false,
  logLevel: 'warning',
});
const module = { exports: {} };
new Function('module', 'exports', 'require', bundle.outputFiles[0].text)(module, module.exports, (await import('node:module')).createRequire(import.meta.url));
const { runConfigSchemaText, RUN_CONFIG_SCHEMA_FILE } = module.exports;
mkdirSync(join(root, 'schemas'), { recursive: true });
writeFileSync(join(root, RUN_CONFIG_SCHEMA_FILE), runConfigSchemaText());
console.log(`wrote ${RUN_CONFIG_SCHEMA_FILE}`);
