// Page-side client of the engine worker (protocol: wasm/protocol.mjs).
//
//   const client = new EngineClient();
//   const stop = client.onProgress((p) => render(p));
//   await client.loadSample();
//   await client.applyBatch({ requests: [...] });
//   await client.process();                 // rejects with code 'Cancelled' after client.cancel()
//   const products = await client.query({ query: 'products' });
//
// Failures reject with EngineError {code, message}. If the worker dies (error / messageerror event,
// or a fatal reply such as a wasm trap), every pending request rejects with code 'WorkerDied', and the
// next request starts a new worker and restores the last good tenant first: the last successfully
// loaded document (or the sample), the batches applied since, the clock and actor, then processing.
import { EVENT_ID, EngineError, ErrorCode, EventType, PROTOCOL_VERSION, RequestType, plainToError } from './protocol.mjs';

export { EngineError, ErrorCode };

/** The default worker: the module worker next to this file (Vite bundles this pattern). */
function defaultCreateWorker() {
  return new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
}

/** Calls a subscriber; its failure is reported (uncaught, later) without breaking the client. */
function notify(listener, value) {
  try {
    listener(value);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

function copyBytes(bytes) {
  if (bytes instanceof ArrayBuffer) return bytes.slice(0);
  if (ArrayBuffer.isView(bytes)) return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  throw new EngineError(ErrorCode.BAD_REQUEST, 'loadDocument: expected an ArrayBuffer or a typed array');
}

export class EngineClient {
  #createWorker;
  #worker = null;
  #nextId = 1;
  /** id -> {resolve, reject, type} */
  #pending = new Map();
  #progressListeners = new Set();
  #restartListeners = new Set();
  /** What a restarted worker must replay: {base: null | 'sample' | ArrayBuffer | {blob} | {fileList}, batches, now, actor}. */
  #tenant = { base: null, batches: [], now: undefined, actor: undefined };
  /** A promise while a new worker is being started and restored. */
  #starting = null;
  /** Set after a worker died: the next request restores the tenant in a new worker. */
  #restoreNeeded = false;
  #terminated = false;

  /**
   * @param {{createWorker?: () => Worker}} [options] `createWorker` returns a Worker-like object
   *   (postMessage, terminate, addEventListener for 'message', 'error', 'messageerror').
   */
  constructor({ createWorker = defaultCreateWorker } = {}) {
    this.#createWorker = createWorker;
  }

  /** Subscribes to progress events; returns the unsubscribe function. */
  onProgress(listener) {
    this.#progressListeners.add(listener);
    return () => this.#progressListeners.delete(listener);
  }

  /**
   * Subscribes to worker restarts: the listener gets {reason, restored, error?} after a new worker
   * replaced a dead one. Returns the unsubscribe function.
   */
  onRestart(listener) {
    this.#restartListeners.add(listener);
    return () => this.#restartListeners.delete(listener);
  }

  /** Loads a tenant document (ArrayBuffer or typed array of UTF-8 JSON); resolves the load summary. */
  async loadDocument(bytes) {
    const kept = copyBytes(bytes);
    const summary = await this.#request(RequestType.LOAD_DOCUMENT, { bytes: kept });
    this.#tenant = { ...this.#tenant, base: kept, batches: [] };
    return summary;
  }

  /**
   * Loads an export given as many files (an EntraExporter folder, or section files), sending one
   * file at a time in the order the engine asks for: only one file is read into the page at once.
   * `onProgress({filesRead, files})` follows them; `signal` cancels (code 'Cancelled', the tenant
   * stays).
   * @param {{path: string, blob: Blob}[]} files
   * @param {{onProgress?: (p: {filesRead: number, files: number}) => void, signal?: AbortSignal}} [options]
   */
  async loadFileList(files, { onProgress, signal } = {}) {
    if (!Array.isArray(files)) throw new EngineError(ErrorCode.BAD_REQUEST, 'loadFileList: expected an array of {path, blob}');
    const summary = await this.#streamFiles(files, { onProgress, signal });
    this.#tenant = { ...this.#tenant, base: { fileList: files }, batches: [] };
    return summary;
  }

  async #streamFiles(files, { onProgress = undefined, signal = undefined } = {}, post = (type, payload, transfer) => this.#request(type, payload, transfer)) {
    const order = await post(RequestType.FILES_BEGIN, { paths: files.map((f) => String(f.path)) });
    try {
      let filesRead = 0;
      for (const i of order) {
        if (signal?.aborted) throw new EngineError(ErrorCode.CANCELLED, 'the load was cancelled; the tenant was kept');
        const bytes = await files[i].blob.arrayBuffer();
        await post(RequestType.FILES_PIECE, { bytes }, [bytes]);
        filesRead += 1;
        if (onProgress) notify(onProgress, { filesRead, files: order.length });
      }
      return await post(RequestType.FILES_FINISH, {});
    } catch (error) {
      await post(RequestType.LOAD_CANCEL, {}).catch(() => {});
      throw error;
    }
  }

  /**
   * Loads a tenant document of any size from a Blob (a File): the worker reads it (`stream()`) and
   * feeds the engine piece by piece; the page posts only the handle and does no work meanwhile.
   * `onProgress({bytesRead, total})` follows the reading; `signal` (an AbortSignal) cancels, and
   * then the call fails with code 'Cancelled' and the tenant stays.
   * @param {Blob} blob
   * @param {{onProgress?: (p: {bytesRead: number, total: number}) => void, signal?: AbortSignal}} [options]
   */
  async loadBlob(blob, { onProgress, signal } = {}) {
    const summary = await this.#readBlob(blob, { onProgress, signal });
    this.#tenant = { ...this.#tenant, base: { blob }, batches: [] };
    return summary;
  }

  async #readBlob(blob, { onProgress = undefined, signal = undefined } = {}, post = (type, payload) => this.#request(type, payload)) {
    if (signal?.aborted) throw new EngineError(ErrorCode.CANCELLED, 'the load was cancelled; the tenant was kept');
    const onAbort = () => post(RequestType.LOAD_CANCEL, {}).catch(() => {});
    if (onProgress) this.#loadListeners.add(onProgress);
    signal?.addEventListener('abort', onAbort);
    try {
      return await post(RequestType.LOAD_BLOB, { blob });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (onProgress) this.#loadListeners.delete(onProgress);
    }
  }

  #loadListeners = new Set();

  /** Loads the built-in sample tenant. */
  async loadSample() {
    const summary = await this.#request(RequestType.LOAD_SAMPLE, {});
    this.#tenant = { ...this.#tenant, base: 'sample', batches: [] };
    return summary;
  }

  /** Applies a Graph JSON batch (object or text); resolves the batch response. */
  async applyBatch(batch) {
    const text = typeof batch === 'string' ? batch : JSON.stringify(batch);
    const response = await this.#request(RequestType.APPLY_BATCH, { batch: text });
    this.#tenant.batches.push(text);
    return response;
  }

  /**
   * The planner's preview of a batch (or an array of batches, applied in order): resolves the
   * effect `{summary, users, skus, groups, requests}` (the users listed: a page by id, from
   * `userOffset`, at most `userLimit`); the tenant is left exactly as it was (nothing is recorded
   * for a worker restart).
   * @param {any} batch
   * @param {{userLimit?: number, userOffset?: number}} [options]
   */
  async plan(batch, { userLimit = undefined, userOffset = undefined } = {}) {
    return this.#request(RequestType.PLAN, {
      batch,
      ...(userLimit === undefined ? {} : { userLimit }),
      ...(userOffset === undefined ? {} : { userOffset }),
    });
  }

  /**
   * Runs background processing to completion; progress arrives through onProgress.
   * `usersPerSecond` paces it for a demo (the same result, delivered at that rate).
   * @param {{chunkUsers?: number, usersPerSecond?: number}} [options]
   * @returns {Promise<import('./protocol.mjs').Progress>}
   */
  process({ chunkUsers, usersPerSecond } = {}) {
    const payload = {
      ...(chunkUsers === undefined ? {} : { chunkUsers }),
      ...(usersPerSecond === undefined ? {} : { usersPerSecond }),
    };
    return this.#request(RequestType.PROCESS, payload);
  }

  /** Asks a running process() to stop; resolves {cancelled} (false when nothing was running). */
  cancel() {
    if (!this.#worker) return Promise.resolve({ cancelled: false });
    return this.#request(RequestType.CANCEL, {});
  }

  /** Answers a console query (object or JSON text). */
  query(query) {
    return this.#request(RequestType.QUERY, { query });
  }

  /**
   * The tenant as a JSON document (ArrayBuffer of UTF-8). Options: {assignedPlans, audit} (both
   * default true) leave users' assignedPlans / the directoryAudits out when false; {chunked: true}
   * resolves an array of ArrayBuffers instead (documents too big for one buffer; `new Blob(pieces)`);
   * {blob: true} a Blob built in the worker (the page copies nothing); {handle} (a
   * FileSystemFileHandle from showSaveFilePicker) writes the file from the worker and resolves
   * {bytesWritten}. `onProgress({bytesWritten})` follows the parts as they are written; aborting
   * `signal` stops the export (Cancelled; a chosen file keeps what it had).
   */
  async exportDocument(options = {}) {
    const payload = {};
    if (options.assignedPlans !== undefined) payload.assignedPlans = options.assignedPlans;
    if (options.audit !== undefined) payload.audit = options.audit;
    if (options.chunked) payload.chunked = true;
    if (options.blob) payload.blob = true;
    if (options.handle !== undefined) payload.handle = options.handle;
    const { signal } = options;
    if (signal?.aborted) throw new EngineError(ErrorCode.CANCELLED, 'the export was cancelled');
    const onAbort = () => this.#request(RequestType.EXPORT_CANCEL, {}).catch(() => {});
    signal?.addEventListener('abort', onAbort);
    const listener = options.onProgress;
    if (listener) this.#exportListeners.add(listener);
    try {
      return await this.#request(RequestType.EXPORT, payload);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (listener) this.#exportListeners.delete(listener);
    }
  }

  #exportListeners = new Set();

  /** Pins the engine clock (Unix ms or ISO 8601 text). */
  async setNow(now) {
    await this.#request(RequestType.SET_NOW, { now });
    this.#tenant.now = now;
    return null;
  }

  /** Sets the user principal name recorded as initiator of admin changes. */
  async setActor(actor) {
    await this.#request(RequestType.SET_ACTOR, { actor });
    this.#tenant.actor = actor;
    return null;
  }

  /** Stops the worker; pending requests reject with code 'Terminated'. The client is unusable after. */
  terminate() {
    this.#terminated = true;
    this.#discardWorker(new EngineError(ErrorCode.TERMINATED, 'the engine client was terminated'));
  }

  async #request(type, payload, transfer) {
    if (this.#terminated) throw new EngineError(ErrorCode.TERMINATED, 'the engine client was terminated');
    if (!this.#worker || this.#starting) {
      await this.#ensureWorker();
      if (this.#terminated) throw new EngineError(ErrorCode.TERMINATED, 'the engine client was terminated');
    }
    return this.#post(type, payload, transfer);
  }

  /** Posts a request; `transfer` lists ArrayBuffers moved to the worker, not copied. */
  #post(type, payload, transfer = []) {
    const worker = this.#worker;
    if (!worker) return Promise.reject(new EngineError(ErrorCode.WORKER_DIED, 'the engine worker is not running'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, type });
      try {
        worker.postMessage({ id, type, v: PROTOCOL_VERSION, ...payload }, transfer);
      } catch (error) {
        this.#pending.delete(id);
        reject(new EngineError(ErrorCode.BAD_REQUEST, `${type}: the request cannot be sent to the worker (${error?.message ?? error})`));
      }
    });
  }

  #ensureWorker() {
    if (!this.#starting) {
      this.#starting = this.#startWorker().finally(() => {
        this.#starting = null;
      });
    }
    return this.#starting;
  }

  async #startWorker() {
    let worker;
    try {
      worker = this.#createWorker();
    } catch (error) {
      throw new EngineError(ErrorCode.WORKER_DIED, `the engine worker cannot be started: ${error?.message ?? error}`);
    }
    this.#worker = worker;
    worker.addEventListener('message', (event) => this.#onMessage(worker, event.data));
    worker.addEventListener('error', (event) => {
      if (typeof event.preventDefault === 'function') event.preventDefault();
      this.#onDeath(worker, event.message || 'uncaught error in the worker (no message: check that worker.mjs and engine.mjs are served as JavaScript)');
    });
    worker.addEventListener('messageerror', () => this.#onDeath(worker, 'a message from the worker could not be deserialized'));
    if (!this.#restoreNeeded) return;
    this.#restoreNeeded = false;
    const tenant = this.#tenant;
    let restored = false;
    let failure;
    try {
      if (tenant.now !== undefined) await this.#post(RequestType.SET_NOW, { now: tenant.now });
      if (tenant.actor !== undefined) await this.#post(RequestType.SET_ACTOR, { actor: tenant.actor });
      if (tenant.base === 'sample') await this.#post(RequestType.LOAD_SAMPLE, {});
      else if (tenant.base instanceof ArrayBuffer) await this.#post(RequestType.LOAD_DOCUMENT, { bytes: tenant.base });
      else if (tenant.base?.blob) await this.#readBlob(tenant.base.blob, {}, (type, payload) => this.#post(type, payload));
      else if (tenant.base?.fileList) await this.#streamFiles(tenant.base.fileList, {}, (type, payload, transfer) => this.#post(type, payload, transfer));
      for (const batch of tenant.batches) await this.#post(RequestType.APPLY_BATCH, { batch });
      if (tenant.base) await this.#post(RequestType.PROCESS, {});
      restored = true;
    } catch (error) {
      failure = error;
    }
    for (const listener of this.#restartListeners) notify(listener, { reason: 'worker died', restored, error: failure });
    if (!restored) {
      throw new EngineError(ErrorCode.WORKER_DIED, `the engine worker was restarted but the tenant could not be restored: ${failure?.message ?? failure}`);
    }
  }

  #onMessage(worker, message) {
    if (worker !== this.#worker || !message) return;
    if (message.id === EVENT_ID) {
      if (message.event === EventType.PROGRESS) {
        for (const listener of this.#progressListeners) notify(listener, message.value);
      } else if (message.event === EventType.LOAD_PROGRESS) {
        for (const listener of this.#loadListeners) notify(listener, message.value);
      } else if (message.event === EventType.EXPORT_PROGRESS) {
        for (const listener of this.#exportListeners) notify(listener, message.value);
      }
      return;
    }
    const entry = this.#pending.get(message.id);
    if (!entry) return;
    this.#pending.delete(message.id);
    if (message.ok) {
      entry.resolve(message.value);
      return;
    }
    entry.reject(plainToError(message.error));
    if (message.fatal) this.#onDeath(worker, `${message.error?.name ?? 'Error'}: ${message.error?.message ?? 'fatal engine error'}`);
  }

  #onDeath(worker, reason) {
    if (worker !== this.#worker) return;
    this.#restoreNeeded = this.#tenant.base !== null || this.#tenant.now !== undefined || this.#tenant.actor !== undefined;
    this.#discardWorker(
      new EngineError(ErrorCode.WORKER_DIED, `the engine worker stopped (${reason}); the next request starts a new one and restores the last loaded tenant`),
    );
  }

  #discardWorker(error) {
    const worker = this.#worker;
    this.#worker = null;
    if (worker) {
      try {
        worker.terminate();
      } catch {
        // already gone
      }
    }
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) entry.reject(error);
  }
}
