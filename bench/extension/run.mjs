// The extension bench: builds dist/ (--no-build keeps the dist/ that is there), stages the extension under test in
// bench/.out/extension/ext/ (package.json, media/, schemas/, the webview bundle from dist/ and an unminified
// dist/extension.js, so profiles name our functions), bundles the launcher, the in-host bench and the metrics writer
// into bench/.out/extension/, and runs the launcher with the remaining arguments:
//   node bench/extension/run.mjs [--runs 200] [--steps 2000] [--compare 20] [--follow 10] [--rate 20]
//                                [--phase-seconds 15] [--no-build]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { watPlugin } from '../../src/qrpo/train/watPlugin.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const outdir = join(root, 'bench', '.out', 'extension');
const args = process.argv.slice(2);
const launcherArgs = args.filter((a) => a !== '--no-build');

if (!args.includes('--no-build')) {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--no-typecheck'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const ext = join(outdir, 'ext');
rmSync(ext, { recursive: true, force: true });
mkdirSync(join(ext, 'dist'), { recursive: true });
for (const item of ['package.json', 'README.md', 'media', 'schemas']) cpSync(join(root, item), join(ext, item), { recursive: true });
for (const file of ['webview.js', 'codicon.css', 'codicon.ttf']) cpSync(join(root, 'dist', file), join(ext, 'dist', file));
const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' };
await build({
  ...node,
  entryPoints: [join(root, 'src/extension/extension.ts')],
  outfile: join(ext, 'dist', 'extension.js'),
  sourcemap: true,
  external: ['vscode', 'onnxruntime-node'],
  plugins: [watPlugin()],
});
await build({
  ...node,
  entryPoints: ['launchHostBench.ts', 'hostBench.ts', 'metricsWriter.ts'].map((name) => join(here, name)),
  outdir,
  sourcemap: 'inline',
  external: ['vscode', 'playwright-core'],
});
const run = spawnSync(process.execPath, ['--enable-source-maps', join(outdir, 'launchHostBench.js'), ...launcherArgs], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
