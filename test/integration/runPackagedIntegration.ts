// Runs only the installed-VSIX tests (packagedIntegration.ts), for working on packaging without the development
// suite: `node scripts/build.mjs --no-typecheck && node out/test/integration/runPackagedIntegration.js`.
// Ends with `integration: N passed, M failed` like runIntegration.js, which runs these tests too.
import { resolve } from 'node:path';
import { runPackagedIntegration } from './packagedIntegration';

void runPackagedIntegration(resolve(__dirname, '../../..')).then(({ passed, failed }) => {
  console.log(`integration: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
});
