// A `.wat` import is assembled to a WebAssembly binary at build time (watPlugin.mjs, used by scripts/build.mjs).
declare module '*.wat' {
  const wasm: Uint8Array<ArrayBuffer>;
  export default wasm;
}
