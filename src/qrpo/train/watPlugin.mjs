// An esbuild plugin that assembles hand-written WebAssembly text (`import wasm from './kernel.wat'`) into its binary
// at build time with wabt, so no assembler ships in a bundle. The import's default export is a Uint8Array.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function watPlugin() {
  let wabt;
  return {
    name: 'wat',
    setup(build) {
      build.onLoad({ filter: /\.wat$/ }, async (args) => {
        wabt ??= await require('wabt')();
        const text = await readFile(args.path, 'utf8');
        let module;
        try {
          module = wabt.parseWat(args.path, text, { simd: true });
          module.validate();
          return { contents: module.toBinary({}).buffer, loader: 'binary' };
        } catch (error) {
          return { errors: [{ text: `cannot assemble ${args.path}: ${error.message}` }] };
        } finally {
          module?.destroy();
        }
      });
    },
  };
}
