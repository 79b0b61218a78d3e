// `npm run package`: builds in production mode and packages a platform VSIX with @vscode/vsce, offline.
//   node scripts/package.mjs [--target linux-x64] [--out file.vsix] [--no-build] [--no-typecheck] [--json]
// Everything is bundled by esbuild except onnxruntime-node (native), so vsce runs with --no-dependencies on a
// fresh staging folder (in the system temp folder, removed after) that holds an allow-list of what the extension reads at run time, with
// onnxruntime-node and onnxruntime-common under dist/node_modules/ and only the target's native binaries: dist/cli.js
// resolves `require('onnxruntime-node')` there first. (vsce --no-dependencies never packs a top-level node_modules.)
// .vscodeignore then filters the staged files (source maps, type declarations). --no-build packages the dist/ that
// is there (the integration test does, after `npm test` built it); --json ends with one line describing the VSIX.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
};

/** vsce's target names → onnxruntime-node's bin/napi-v6/<platform>/<arch>. alpine (musl) has no binaries. */
const onnxBinaries = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'darwin-arm64': 'darwin/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
};

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const target = option('--target') ?? `${process.platform}-${process.arch}`;
const out = resolve(option('--out') ?? join(root, `${manifest.name}-${manifest.version}-${target}.vsix`));
const json = flag('--json');
const log = (line) => (json ? console.error(line) : console.log(line));

if (!onnxBinaries[target]) {
  console.error(`package: no onnxruntime-node binaries for target ${target}; one of ${Object.keys(onnxBinaries).join(', ')}`);
  process.exit(2);
}

if (!flag('--no-build')) {
  const buildArgs = [join(root, 'scripts/build.mjs'), '--production', ...(flag('--no-typecheck') ? ['--no-typecheck'] : [])];
  execFileSync(process.execPath, buildArgs, { cwd: root, stdio: ['ignore', json ? 2 : 'inherit', 'inherit'] });
}
for (const file of ['dist/extension.js', 'dist/cli.js', 'dist/webview.js', 'dist/codicon.css', 'LICENSE', 'README.md']) {
  if (!existsSync(join(root, file))) {
    console.error(`package: ${file} is missing${file.startsWith('dist/') ? ' (build first, or drop --no-build)' : ''}`);
    process.exit(1);
  }
}

// Unique per call: tests and `npm run package` may package at the same time from one checkout.
const staging = mkdtempSync(join(tmpdir(), `qrpo-vsix-${target}-`));
process.on('exit', () => rmSync(staging, { recursive: true, force: true }));
const noMaps = (source) => !source.endsWith('.map');
const copy = (from, to = from, filter = () => true) => cpSync(join(root, from), join(staging, to), { recursive: true, filter });

// What the extension and the CLI read at run time; see the header.
for (const file of ['package.json', 'README.md', 'LICENSE', '.vscodeignore']) copy(file);
copy('dist', 'dist', (source) => noMaps(source) && !relative(join(root, 'dist'), source).startsWith('node_modules'));
copy('media');
copy('schemas');
copy('samples/demo');
stageOnnxRuntime(onnxBinaries[target]);

const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
mkdirSync(dirname(out), { recursive: true });
execFileSync(
  process.execPath,
  // No repository in the manifest: README links stay relative (they resolve inside the installed extension).
  [vsce, 'package', '--no-dependencies', '--target', target, '--out', out, '--allow-missing-repository', '--no-rewrite-relative-links'],
  { cwd: staging, stdio: ['ignore', json ? 2 : 'inherit', 'inherit'] },
);

const entries = zipEntries(readFileSync(out));
const summary = { vsix: out, target, bytes: statSync(out).size, files: entries.length, folders: summarize(entries) };
log(`package: ${relative(process.cwd(), out) || out}: ${mib(summary.bytes)} MiB, ${entries.length} files`);
for (const [folder, { files, bytes, compressed }] of Object.entries(summary.folders)) {
  log(`  ${folder.padEnd(48)} ${String(files).padStart(4)} files ${mib(bytes).padStart(7)} MiB (${mib(compressed)} MiB packed)`);
}
if (json) console.log(JSON.stringify(summary));

/** onnxruntime-node's JS, package.json and one platform's binaries; onnxruntime-common's CommonJS build. */
function stageOnnxRuntime(binaries) {
  const from = (pkg) => join(root, 'node_modules', pkg);
  const to = (pkg) => join('dist', 'node_modules', pkg);
  for (const pkg of ['onnxruntime-node', 'onnxruntime-common']) {
    if (!existsSync(from(pkg))) throw new Error(`node_modules/${pkg} is missing: run npm ci`);
    copy(join('node_modules', pkg, 'package.json'), join(to(pkg), 'package.json'));
  }
  copy('node_modules/onnxruntime-node/dist', join(to('onnxruntime-node'), 'dist'), (s) => noMaps(s) && !s.endsWith('.d.ts'));
  const bin = join('bin', 'napi-v6', binaries);
  if (!existsSync(join(from('onnxruntime-node'), bin))) throw new Error(`node_modules/onnxruntime-node/${bin} is missing`);
  copy(join('node_modules/onnxruntime-node', bin), join(to('onnxruntime-node'), bin));
  copy('node_modules/onnxruntime-common/dist/cjs', join(to('onnxruntime-common'), 'dist', 'cjs'), (s) => noMaps(s) && !s.endsWith('.d.ts'));
}

/** Names and sizes from the zip's central directory. */
function zipEntries(zip) {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${out} is not a zip file`);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    entries.push({ name, compressed: zip.readUInt32LE(at + 20), bytes: zip.readUInt32LE(at + 24) });
    at += 46 + skip;
  }
  return entries.filter((entry) => !entry.name.endsWith('/'));
}

/** Totals per folder, two levels below extension/ (three inside dist/node_modules). */
function summarize(entries) {
  const folders = {};
  for (const { name, bytes, compressed } of entries) {
    const parts = name.split('/');
    const depth = name.startsWith('extension/dist/node_modules/') ? 4 : 2;
    const key = parts.length > depth ? parts.slice(0, depth).join('/') + '/' : parts.length > 2 ? parts.slice(0, -1).join('/') + '/' : name;
    const total = (folders[key] ??= { files: 0, bytes: 0, compressed: 0 });
    total.files++;
    total.bytes += bytes;
    total.compressed += compressed;
  }
  return folders;
}

function mib(bytes) {
  return (bytes / 1024 / 1024).toFixed(2);
}
