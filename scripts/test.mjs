// `npm test`: builds, runs the unit tests with Node's test runner (one compute thread), then the integration tests
// in a real VS Code extension host (code-server, driven by headless Chromium). Exits non-zero if either fails.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = new Set(process.argv.slice(2));
const runUnit = !args.has('--integration');
const runIntegration = !args.has('--unit');

function run(command, commandArgs, env = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

function findTests(dir) {
  let found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(findTests(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found.sort();
}

if (run(process.execPath, [join(root, 'scripts/build.mjs')]) !== 0) process.exit(1);

const threads = { OMP_NUM_THREADS: '1', QRPO_INTRA_OP_THREADS: '1' };
let failed = false;
if (runUnit) {
  const files = findTests(join(root, 'out/test/unit'));
  failed = run(process.execPath, ['--test', '--test-concurrency=1', ...files], threads) !== 0 || failed;
}
if (runIntegration) {
  failed = run(process.execPath, [join(root, 'out/test/integration/runIntegration.js')], threads) !== 0 || failed;
}
process.exit(failed ? 1 : 0);
