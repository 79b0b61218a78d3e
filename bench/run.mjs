// Bundles one benchmark (bench/<name>.ts) with esbuild into bench/.out/<name>.js and runs it with the remaining
// arguments:  node bench/run.mjs engineBench [--sizes gpt2-0.5m,gpt2-11m]  |  node bench/run.mjs generationBench
// The .wat import of src/qrpo/train/adamw.ts needs the build's plugin; onnxruntime-node stays external (native).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { watPlugin } from '../src/qrpo/train/watPlugin.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const [name, ...args] = process.argv.slice(2);
if (!name) {
  console.error('usage: node bench/run.mjs <engineBench|engineProfile|generationBench|adamwBench> [args…]');
  process.exit(2);
}
const outfile = join(benchDir, '.out', `${name}.js`);
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(benchDir, `${name}.ts`)],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile,
  sourcemap: 'inline',
  external: ['onnxruntime-node', '@huggingface/transformers'],
  plugins: [watPlugin()],
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
