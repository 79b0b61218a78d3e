// The extension-test entry for the installed-VSIX run (test/integration/packagedIntegration.ts): the same mocha
// runner as the development suite, run on the `*.test.js` files of this folder (it reads the folder it is in).
export { run } from '../suite/index';
