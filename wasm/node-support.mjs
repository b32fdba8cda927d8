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

// The writer thread of openBackgroundWriter: writes each chunk it is sent at its position, then
// takes its bytes off the shared in-flight count. A failed write is kept and reported at close.
const WRITER_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const inFlight = new Int32Array(workerData.shared);
let failure = null;
parentPort.on('message', (message) => {
  if (message.close) {
    parentPort.postMessage({ failure });
    parentPort.close();
    return;
  }
  const chunk = message.chunk;
  try {
    let done = 0;
    while (failure === null && done < chunk.length) {
      done += writeSync(workerData.fd, chunk, done, chunk.length - done, message.position + done);
    }
  } catch (error) {
    failure = error.message;
    Atomics.store(inFlight, 1, 1);
  }
  Atomics.sub(inFlight, 0, chunk.length);
  Atomics.notify(inFlight, 0);
});
`;

/**
 * Writes chunks to an open file from a second thread, so that the engine's export (synchronous,
 * on this thread) and the file writes overlap. At most `limit` bytes are queued: `write` waits
 * (Atomics.wait, no event loop needed) while more are in flight. `close()` resolves when every
 * chunk is written, or rejects with the first write's failure.
 * @param {number} fd
 * @param {{limit?: number}} [options]
 */
export async function openBackgroundWriter(fd, { limit = 64 << 20 } = {}) {
  const { Worker } = await import('node:worker_threads');
  const shared = new SharedArrayBuffer(8);
  const inFlight = new Int32Array(shared); // [bytes in flight, a write failed]
  const worker = new Worker(WRITER_THREAD, { eval: true, workerData: { fd, shared } });
  let position = 0;
  return {
    /** Queues a chunk (a Uint8Array; one that owns its whole buffer is transferred, not copied). */
    write(chunk) {
      if (chunk.length === 0) return;
      for (let queued = Atomics.load(inFlight, 0); queued > 0 && queued + chunk.length > limit; queued = Atomics.load(inFlight, 0)) {
        Atomics.wait(inFlight, 0, queued, 1000);
      }
      if (Atomics.load(inFlight, 1) !== 0) return; // failed: close() reports it
      const length = chunk.length; // read before a transfer empties the view
      Atomics.add(inFlight, 0, length);
      const owned = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && !(chunk.buffer instanceof SharedArrayBuffer);
      worker.postMessage({ chunk, position }, owned ? [chunk.buffer] : []);
      position += length;
    },
    /** Stops the writer thread without waiting for what is queued (after a failure elsewhere). */
    abort() {
      return worker.terminate();
    },
    /** Waits for every queued write; rejects with the first failure. */
    close() {
      return new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', ({ failure }) => {
          worker.terminate().then(() => (failure === null ? resolve() : reject(new Error(failure))), reject);
        });
        worker.postMessage({ close: true });
      });
    },
  };
}
