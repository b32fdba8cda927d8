// Idiomatic JS over the embind module (wasm/bindings.cpp). Works in a browser worker (the .wasm is
// found next to engine.mjs) and in Node (pass `wasmBinary`, see wasm/node-support.mjs: Node 20's
// fetch cannot read the file path Emscripten's loader gives it).
//
//   const engine = await createEngine({ wasmBinary });
//   const summary = engine.loadDocument(bytes);      // throws EngineError {code, message}
//   engine.processAll();
//   const products = engine.query({ query: 'products' });
//   engine.dispose();
import createEngineModule from './dist/engine.mjs';
import { EngineError, ErrorCode, concatChunks, splitBatch } from './protocol.mjs';

export { EngineError, ErrorCode, concatChunks };

/** The most a single exportNext call may ask for (the binding's count limit): the whole document. */
const MAX_PART_BYTES = 2 ** 32 - 1;

/** Default number of user evaluations per processChunk call. */
export const DEFAULT_CHUNK_USERS = 2048;

/**
 * A preview lists at least this many users (the console's page of a list), so that the next page
 * asked for the same plan comes out of the last preview instead of running the planner again.
 */
export const PLAN_CACHE_MIN_USERS = 100;
/** A preview's JSON text is kept for the next call only up to this size (a page, not a CLI list). */
const PLAN_CACHE_MAX_CHARS = 8 << 20;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** The value of a JSON text, or undefined when it is not JSON (the engine then names the error). */
function tryParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Throws the failure of a raw `{ok, value | error}` result, else returns the value. */
function unwrap(result) {
  if (result.ok) return result.value;
  throw new EngineError(result.error.code, result.error.message);
}

/** Bytes of a document given as ArrayBuffer, typed array, DataView or string. */
function toBytes(input, what) {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (typeof input === 'string') return textEncoder.encode(input);
  throw new EngineError(ErrorCode.BAD_REQUEST, `${what}: expected an ArrayBuffer, a typed array or a string`);
}

/** JSON text of a request given as an object or as text. */
function toJsonText(input, what) {
  if (typeof input === 'string') return input;
  if (input !== null && typeof input === 'object') return JSON.stringify(input);
  throw new EngineError(ErrorCode.BAD_REQUEST, `${what}: expected an object or JSON text`);
}

/** Milliseconds since the Unix epoch from a number, a Date or an ISO 8601 string. */
export function toUnixMs(now) {
  let ms = NaN;
  if (typeof now === 'number') ms = now;
  else if (now instanceof Date) ms = now.getTime();
  else if (typeof now === 'string' && /^\d{4}-\d{2}-\d{2}/.test(now)) ms = Date.parse(now);
  if (!Number.isFinite(ms)) {
    throw new EngineError(ErrorCode.BAD_REQUEST, `setNow: ${JSON.stringify(now)} is not a time (Unix ms, Date or ISO 8601)`);
  }
  return ms;
}

/**
 * Instantiates the wasm module once; several engines may share it.
 * @param {import('./dist/engine.mjs').ModuleOptions} [options]
 */
export async function loadEngineModule({ wasmBinary, locateFile } = {}) {
  const options = {};
  if (wasmBinary) options.wasmBinary = wasmBinary;
  if (locateFile) options.locateFile = locateFile;
  return createEngineModule(options);
}

/** Copies the bytes the module holds for us ({ptr, len}) into a fresh Uint8Array and frees them. */
function takeHeldOutput(module, held) {
  try {
    const ptr = held.ptr >>> 0;
    return module.HEAPU8.slice(ptr, ptr + held.len);
  } finally {
    module.releaseOutput();
  }
}

/** One tenant engine. Every method is synchronous; failures throw EngineError. */
export class Engine {
  #module;
  #raw;
  /** Calls that may have changed the tenant so far (every call but the read-only ones). */
  #changes = 0;
  /** The last preview: {key, changes, offset, limit, count, text}; see planChanges. */
  #lastPlan = null;
  /** Previews the engine computed (the cache's misses). */
  #planRuns = 0;

  /** Use createEngine(); `module` comes from loadEngineModule(). */
  constructor(module) {
    this.#module = module;
    this.#raw = new module.WasmEngine();
  }

  /** The underlying Emscripten module (for heap diagnostics). */
  get module() {
    return this.#module;
  }

  /** The embind engine for a call that may change the tenant: it counts as a change. */
  #engine() {
    const raw = this.#reader();
    this.#changes += 1;
    return raw;
  }

  /** The embind engine for a call that leaves the tenant as it is (queries, previews). */
  #reader() {
    if (!this.#raw) throw new EngineError(ErrorCode.BAD_REQUEST, 'engine used after dispose()');
    return this.#raw;
  }

  /** How many previews the planner computed; a preview served from the last one does not count. */
  get planRuns() {
    return this.#planRuns;
  }

  /**
   * Replaces the tenant with a Graph-shaped tenant document given as bytes (or text); the bytes are
   * copied into the wasm heap, never turned into a JS string. On failure the current tenant stays.
   * @returns {{users, groups, skus, memberships, queuedGroups, otherMembers, warnings: string[]}}
   */
  loadDocument(document) {
    const raw = this.#engine();
    const bytes = toBytes(document, 'loadDocument');
    const module = this.#module;
    const ptr = module._malloc(Math.max(bytes.length, 1)) >>> 0;
    if (ptr === 0) {
      throw new EngineError(ErrorCode.INTERNAL, `loadDocument: cannot allocate ${bytes.length} bytes in the wasm heap (limit 4 GiB)`);
    }
    try {
      module.HEAPU8.set(bytes, ptr); // HEAPU8 read after _malloc: growth replaces the buffer
      return unwrap(raw.loadDocument(ptr, bytes.length));
    } finally {
      module._free(ptr);
    }
  }

  /**
   * Starts reading a tenant document in pieces (drops a load under way): feedLoad each piece,
   * then finishLoad. Only the model and the value being read are held in the heap, never the
   * whole document. The tenant stays until finishLoad succeeds.
   * @param {number} [sizeHint] the document's size in bytes when known
   */
  beginLoad(sizeHint = 0) {
    this.#releaseFeed();
    this.#engine().beginLoad(sizeHint);
  }

  /**
   * Reads the next piece (any size; it may end inside a token). After a failure the load is over
   * and the error stands. @returns {number} bytes read so far
   */
  feedLoad(piece) {
    const raw = this.#engine();
    const bytes = toBytes(piece, 'feedLoad');
    const module = this.#module;
    if (this.#feedCapacity < bytes.length) {
      this.#releaseFeed();
      this.#feedPtr = module._malloc(Math.max(bytes.length, 1)) >>> 0;
      if (this.#feedPtr === 0) throw new EngineError(ErrorCode.INTERNAL, `feedLoad: cannot allocate ${bytes.length} bytes in the wasm heap (limit 4 GiB)`);
      this.#feedCapacity = bytes.length;
    }
    module.HEAPU8.set(bytes, this.#feedPtr); // HEAPU8 read after _malloc: growth replaces the buffer
    try {
      return unwrap(raw.feedLoad(this.#feedPtr, bytes.length));
    } catch (error) {
      this.#releaseFeed();
      throw error;
    }
  }

  /** Ends the document; replaces the tenant on success. @returns the load summary */
  finishLoad() {
    this.#releaseFeed();
    return unwrap(this.#engine().finishLoad());
  }

  /**
   * Starts reading an export given as many files, one at a time (an EntraExporter folder of any
   * size): from the paths alone, the indices of the files to read, in the order to feed them to
   * feedExportFile; then finishExportFiles. cancelLoad drops it.
   * @param {string[]} paths
   * @returns {number[]}
   */
  beginExportFiles(paths) {
    if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string')) {
      throw new EngineError(ErrorCode.BAD_REQUEST, 'beginExportFiles: expected an array of paths');
    }
    this.#releaseFeed();
    return unwrap(this.#engine().beginExportFiles(paths));
  }

  /** Reads the next file of the order beginExportFiles gave. */
  feedExportFile(bytes) {
    const raw = this.#engine();
    const data = toBytes(bytes, 'feedExportFile');
    const module = this.#module;
    const ptr = module._malloc(Math.max(data.length, 1)) >>> 0;
    if (ptr === 0) throw new EngineError(ErrorCode.INTERNAL, `feedExportFile: cannot allocate ${data.length} bytes in the wasm heap (limit 4 GiB)`);
    try {
      module.HEAPU8.set(data, ptr);
      unwrap(raw.feedExportFile(ptr, data.length));
    } finally {
      module._free(ptr);
    }
  }

  /** After the last file: replaces the tenant on success. @returns the load summary */
  finishExportFiles() {
    return unwrap(this.#engine().finishExportFiles());
  }

  /** Drops the load under way; the tenant stays. */
  cancelLoad() {
    this.#releaseFeed();
    this.#engine().cancelLoad();
  }

  #feedPtr = 0;
  #feedCapacity = 0;

  #releaseFeed() {
    if (this.#feedPtr !== 0) this.#module._free(this.#feedPtr);
    this.#feedPtr = 0;
    this.#feedCapacity = 0;
  }

  /** Replaces the tenant with the built-in sample (Contoso). */
  loadSample() {
    return unwrap(this.#engine().loadSample());
  }

  /**
   * Streams the tenant document (UTF-8 JSON) to `onChunk(Uint8Array)` in pieces of about 1 MiB; the
   * whole text is never held in the wasm heap, so any tenant that loads can be exported. `onChunk`
   * may return false to stop. Options (both default true): `assignedPlans` writes users' computed
   * assignedPlans, `audit` the directoryAudits. Returns true when the document was written entirely.
   */
  exportDocumentChunks(onChunk, options = {}) {
    if (typeof onChunk !== 'function') {
      throw new EngineError(ErrorCode.BAD_REQUEST, 'exportDocumentChunks: expected a function receiving each piece');
    }
    this.beginExport(options);
    try {
      while (!this.exportNext(MAX_PART_BYTES, onChunk)) {
        // a document over 4 GiB: the next part
      }
      return true;
    } catch (error) {
      if (error instanceof EngineError && error.code === ErrorCode.CANCELLED) return false;
      throw error;
    } finally {
      this.cancelExport();
    }
  }

  /**
   * Starts the export in parts: then `exportNext` until it returns true. Between parts the caller
   * may yield (read messages, show progress, stop); a change to the tenant in between drops the
   * export (exportNext then fails with BadRequest). Options as exportDocumentChunks.
   */
  beginExport({ assignedPlans = true, audit = true } = {}) {
    if (typeof assignedPlans !== 'boolean' || typeof audit !== 'boolean') {
      throw new EngineError(ErrorCode.BAD_REQUEST, 'exportDocument: `assignedPlans` and `audit` must be booleans');
    }
    unwrap(this.#engine().beginExport(assignedPlans, audit));
  }

  /**
   * Writes the next part of the export, at least `minBytes` (unless the document ends), as
   * pieces of about 1 MiB given to `onChunk` (a copy it may keep). True when the document is
   * complete. `onChunk` returning false, or throwing, stops the export (Cancelled, or its error).
   * @param {number} minBytes
   * @param {(chunk: Uint8Array) => (boolean | void)} onChunk
   */
  exportNext(minBytes, onChunk) {
    const raw = this.#engine();
    const module = this.#module;
    let failure = null;
    // Called from inside the wasm call: it must never throw (an exception through wasm frames leaks
    // the wasm stack), so a failing onChunk stops the export and is rethrown afterwards.
    const sink = (ptr, len) => {
      try {
        const start = ptr >>> 0;
        return onChunk(module.HEAPU8.slice(start, start + len)) !== false;
      } catch (error) {
        failure = error;
        return false;
      }
    };
    const result = raw.exportNext(Math.min(minBytes, MAX_PART_BYTES), sink);
    if (failure) throw failure;
    return unwrap(result).done;
  }

  /** Drops the export under way (if any). */
  cancelExport() {
    this.#engine().cancelExport();
  }

  /** The whole document as one Uint8Array (see exportDocumentChunks for options and huge tenants). */
  exportDocument(options = {}) {
    const chunks = [];
    let total = 0;
    this.exportDocumentChunks((chunk) => {
      chunks.push(chunk);
      total += chunk.length;
    }, options);
    return concatChunks(chunks, total);
  }

  /** The exported document as text (small tenants; large ones should stay bytes). */
  exportDocumentText(options) {
    return textDecoder.decode(this.exportDocument(options));
  }

  /**
   * The planner's preview: applies the batch (object or text; an array of them in order, or one
   * `{requests}` longer than Graph's 20, split as splitBatch splits it), runs the processing that
   * follows, returns the effect `{summary, users, skus, groups, requests}` and undoes it all: the
   * tenant is exactly as it was. The users listed are a page by id: from `userOffset`, at most
   * `userLimit` (the summary counts them all).
   *
   * The same batch previewed again before anything changes the tenant (any call but a query or a
   * preview counts as a change) is served from the last preview when it listed the page asked for:
   * the summary does not depend on the page, and a preview lists at least PLAN_CACHE_MIN_USERS
   * users, so the console's effect and the first page of its users are one run of the planner.
   * @param {any} batch
   * @param {{userLimit?: number, userOffset?: number}} [options]
   */
  planChanges(batch, { userLimit = -1, userOffset = 0 } = {}) {
    const list = Array.isArray(batch) ? batch : [batch];
    const texts = [];
    for (const one of list) {
      const parsed = typeof one === 'string' ? tryParse(one) : one;
      if (parsed === undefined) texts.push(one);
      else for (const part of splitBatch(parsed)) texts.push(toJsonText(part, 'planChanges'));
    }
    const raw = this.#reader();
    const paged = Number.isSafeInteger(userLimit) && Number.isSafeInteger(userOffset) && userOffset >= 0;
    if (!paged) {
      // Not a page the cache understands: the engine says what is wrong with it.
      this.#planRuns += 1;
      return JSON.parse(unwrap(raw.planChanges(texts, userLimit, userOffset)));
    }
    const limit = userLimit < 0 ? Infinity : userLimit;
    const key = JSON.stringify(texts);
    const last = this.#lastPlan;
    if (last && last.key === key && last.changes === this.#changes && last.offset <= userOffset &&
        (userOffset + limit <= last.offset + last.limit || last.count < last.limit)) {
      const effect = JSON.parse(last.text);
      const from = userOffset - last.offset;
      effect.users = effect.users.slice(from, from + limit);
      return effect;
    }
    const asked = limit === Infinity ? -1 : Math.max(limit, PLAN_CACHE_MIN_USERS);
    this.#lastPlan = null;
    this.#planRuns += 1;
    const text = unwrap(raw.planChanges(texts, asked, userOffset));
    const effect = JSON.parse(text);
    if (text.length <= PLAN_CACHE_MAX_CHARS) {
      this.#lastPlan = { key, changes: this.#changes, offset: userOffset, limit: asked < 0 ? Infinity : asked, count: effect.users.length, text };
    }
    if (effect.users.length > limit) effect.users = effect.users.slice(0, limit);
    return effect;
  }

  /**
   * Applies a Graph JSON batch (object or text); returns the parsed batch response
   * `{responses: [{id, status, body}]}`. Fails only when the batch itself is not a batch.
   */
  applyBatch(batch) {
    const text = toJsonText(batch, 'applyBatch');
    return JSON.parse(unwrap(this.#engine().applyBatch(text)));
  }

  /** Same as applyBatch, returning the response as JSON text. */
  applyBatchText(batch) {
    return unwrap(this.#engine().applyBatch(toJsonText(batch, 'applyBatch')));
  }

  /**
   * Processes queued groups for at most `maxUsers` user evaluations.
   * @returns {{groupId, groupName, processed, total, queuedGroups, groupsCompleted, done, cancelled}}
   */
  processChunk(maxUsers = DEFAULT_CHUNK_USERS) {
    return unwrap(this.#engine().processChunk(maxUsers));
  }

  /**
   * Processes until nothing is pending (synchronously, chunk by chunk). `onProgress` sees every
   * chunk's progress and may return false to stop early. Returns the last progress.
   * @param {{chunkUsers?: number, onProgress?: (progress: import('./protocol.mjs').Progress) => boolean | void}} [options]
   */
  processAll({ chunkUsers = DEFAULT_CHUNK_USERS, onProgress } = {}) {
    let progress = this.processChunk(chunkUsers);
    while (!progress.done) {
      if (onProgress && onProgress(progress) === false) return progress;
      progress = this.processChunk(chunkUsers);
    }
    if (onProgress) onProgress(progress);
    return progress;
  }

  /** True while groups wait for (or are in) background processing. */
  hasPendingWork() {
    return this.#reader().hasPendingWork();
  }

  /**
   * Starts a journal: later changes (batches, processing, the clock) can be undone exactly with
   * rollBack() or kept with commit(). Loading a document drops an open journal.
   */
  beginJournal() {
    this.#engine().beginJournal();
  }

  /** Undoes every change since beginJournal(); throws EngineError BadRequest when none is open. */
  rollBack() {
    unwrap(this.#engine().rollBack());
  }

  /** Keeps the changes since beginJournal(); throws EngineError BadRequest when none is open. */
  commit() {
    unwrap(this.#engine().commit());
  }

  /** True while a journal is open. */
  journalOpen() {
    return this.#reader().journalOpen();
  }

  /** Answers a console query (`{query: 'products'}` or its JSON text); returns the parsed value. */
  query(query) {
    return JSON.parse(this.queryText(query));
  }

  /** Same as query, returning the JSON text. */
  queryText(query) {
    return unwrap(this.#reader().query(toJsonText(query, 'query')));
  }

  /** Pins the clock: Unix milliseconds, a Date or an ISO 8601 string. */
  setNow(now) {
    unwrap(this.#engine().setNow(toUnixMs(now)));
  }

  /** Sets the user principal name recorded as initiator of admin changes. */
  setActor(userPrincipalName) {
    if (typeof userPrincipalName !== 'string' || userPrincipalName === '') {
      throw new EngineError(ErrorCode.BAD_REQUEST, 'setActor: expected a non-empty user principal name');
    }
    unwrap(this.#engine().setActor(userPrincipalName));
  }

  /** Generates a synthetic tenant document (bytes); see generateSyntheticTenant. */
  generateSyntheticTenant(options) {
    return generateSyntheticTenant(this.#module, options);
  }

  /** Heap and stack figures of the module: {heapSize, sbrk, allocated, stackPointer}. */
  debugMemory() {
    return this.#module.debugMemory();
  }

  /** Frees the engine and its tenant; the object is unusable afterwards. */
  dispose() {
    this.#releaseFeed();
    if (this.#raw) {
      this.#raw.delete();
      this.#raw = null;
    }
  }
}

const SYNTHETIC_DEFAULTS = Object.freeze({
  users: 1000,
  groups: 10,
  skus: 5,
  membershipsPerUser: 5,
  licensedGroupFraction: 0.2,
  seatRatio: 1.2,
  directFraction: 0.05,
  seed: 1,
});

/**
 * A synthetic tenant document as UTF-8 bytes (gbl::GenerateSyntheticTenant): options
 * {users, groups, skus, membershipsPerUser, licensedGroupFraction, seatRatio, directFraction, seed}.
 */
export function generateSyntheticTenant(module, options = {}) {
  const merged = { ...SYNTHETIC_DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (!(key in SYNTHETIC_DEFAULTS)) {
      throw new EngineError(ErrorCode.BAD_REQUEST, `generateSyntheticTenant: unknown option "${key}"`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new EngineError(ErrorCode.BAD_REQUEST, `generateSyntheticTenant: option "${key}" must be a number`);
    }
    merged[key] = value;
  }
  const held = unwrap(module.generateSyntheticTenant(merged));
  return takeHeldOutput(module, held);
}

/**
 * Creates an engine. Options: `wasmBinary` (required in Node), `locateFile`, or `module` (an
 * already loaded module from loadEngineModule, to share one wasm instance).
 * @param {import('./dist/engine.mjs').ModuleOptions & {module?: import('./dist/engine.mjs').EngineModule}} [options]
 */
export async function createEngine({ wasmBinary, locateFile, module } = {}) {
  const loaded = module ?? (await loadEngineModule({ wasmBinary, locateFile }));
  return new Engine(loaded);
}
