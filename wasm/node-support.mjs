// Node-only helpers for the engine module (the CLI, tests and benchmarks). Not imported by the
// browser code: Node 20 cannot let Emscripten fetch the .wasm from a file path (toolchain trap 3),
// so the bytes are read here and passed as `wasmBinary`.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createEngine, loadEngineModule } from './engine-api.mjs';

/** Path of the built wasm binary (wasm/dist/engine.wasm). */
export const WASM_PATH = fileURLToPath(new URL('./dist/engine.wasm', import.meta.url));

let binaryPromise = null;

/** The bytes of wasm/dist/engine.wasm (read once). */
export function readWasmBinary() {
  if (!binaryPromise) binaryPromise = readFile(WASM_PATH);
  return binaryPromise;
}

/** A fresh wasm module instance in Node. */
export async function loadNodeEngineModule() {
  return loadEngineModule({ wasmBinary: await readWasmBinary() });
}

/** A fresh engine (with its own wasm instance) in Node. */
export async function createNodeEngine() {
  return createEngine({ wasmBinary: await readWasmBinary() });
}
