// Builds everything with esbuild: the extension, the engine library, the CLI, the webview bundle and the test
// bundles, then type-checks with tsc. Tests are bundled too so that ESM-only dependencies run under CommonJS.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, mkdirSync, copyFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { watPlugin } from '../src/qrpo/train/watPlugin.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = new Set(process.argv.slice(2));
const production = args.has('--production');

function findFiles(dir, suffix) {
  let found = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return found;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(findFiles(path, suffix));
    else if (name.endsWith(suffix)) found.push(path);
  }
  return found;
}

// Native and host-provided modules stay outside every Node bundle.
const nodeExternals = ['vscode', 'onnxruntime-node', 'mocha', 'playwright-core', 'fast-check'];
const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: production,
  external: nodeExternals,
  logLevel: 'warning',
  // Hand-written WebAssembly kernels (`*.wat`) are assembled into the bundles (src/qrpo/train/adamw.wat).
  plugins: [watPlugin()],
};

const [, , , , testBuild] = await Promise.all([
  build({ ...nodeCommon, entryPoints: [join(root, 'src/extension/extension.ts')], outfile: join(root, 'dist/extension.js') }),
  build({ ...nodeCommon, entryPoints: [join(root, 'src/qrpo/index.ts')], outfile: join(root, 'dist/engine.js') }),
  build({
    ...nodeCommon,
    entryPoints: [join(root, 'src/qrpo/cli.ts')],
    outfile: join(root, 'dist/cli.js'),
    banner: { js: '#!/usr/bin/env node' },
  }),
  build({
    entryPoints: [join(root, 'webview/main.ts')],
    outfile: join(root, 'dist/webview.js'),
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    minify: production,
    logLevel: 'warning',
  }),
  build({
    ...nodeCommon,
    entryPoints: findFiles(join(root, 'test'), '.ts').filter((f) => !f.includes(`${join(root, 'test/fixtures')}/data/`)),
    outdir: join(root, 'out/test'),
    outbase: join(root, 'test'),
    metafile: true,
  }),
]);

// Remove test bundles whose sources are gone, rather than emptying out/ first: a test running while another build
// starts keeps its files.
const built = new Set(Object.keys(testBuild.metafile.outputs).map((path) => join(root, path)));
for (const file of findFiles(join(root, 'out/test'), '.js').concat(findFiles(join(root, 'out/test'), '.js.map'))) {
  if (!built.has(file)) rmSync(file);
}

mkdirSync(join(root, 'dist'), { recursive: true });
copyFileSync(join(root, 'node_modules/@vscode/codicons/dist/codicon.css'), join(root, 'dist/codicon.css'));
copyFileSync(join(root, 'node_modules/@vscode/codicons/dist/codicon.ttf'), join(root, 'dist/codicon.ttf'));

if (!args.has('--no-typecheck')) {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
}
console.log(`built dist/ and out/test/ (${relative(process.cwd(), root) || '.'})`);
