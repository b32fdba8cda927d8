// The worker side of the protocol (wasm/protocol.mjs) as a plain class: it takes an Engine (or a
// promise of one) and a postMessage function, so it runs unchanged in a browser worker, in a Node
// worker_threads worker and in a Node test without any worker.
import { EVENT_ID, EngineError, ErrorCode, EventType, LOAD_PROGRESS_BYTES, PROTOCOL_VERSION, RequestType, concatChunks, errorToPlain } from './protocol.mjs';

/** A chunked export sends pieces of about this size (each a transferred ArrayBuffer). */
export const EXPORT_PIECE_BYTES = 64 * 1024 * 1024;

/** Bytes of an export written between two turns of the worker's event loop. */
export const EXPORT_PART_BYTES = 4 * 1024 * 1024;

/** Requests that change the tenant: they wait for an export under way. */
const CHANGES_THE_TENANT = new Set([
  RequestType.LOAD_DOCUMENT,
  RequestType.FILES_BEGIN,
  RequestType.FILES_PIECE,
  RequestType.FILES_FINISH,
  RequestType.LOAD_SAMPLE,
  RequestType.APPLY_BATCH,
  RequestType.PLAN, // staged and undone inside the engine: it would drop an export under way
]);

/** The export options of an export request (engine-api checks their types). */
function exportOptions(message) {
  const options = {};
  if (message.assignedPlans !== undefined) options.assignedPlans = message.assignedPlans;
  if (message.audit !== undefined) options.audit = message.audit;
  return options;
}
/** Progress events are sent at most this often (ms) while processing runs (~20/s). */
export const PROGRESS_INTERVAL_MS = 50;
/** Adaptive chunks aim at this much engine time (ms) between two yields to the event loop. */
export const TARGET_CHUNK_MS = 20;
/** Bounds of the adaptive chunk size (users per processChunk call). */
export const MIN_CHUNK_USERS = 16;
export const MAX_CHUNK_USERS = 1 << 20;
/** The first chunk of a run, before any timing is known. */
export const FIRST_CHUNK_USERS = 256;
/** A paced run (demo pace) delivers its users in this many chunks a second. */
export const PACED_CHUNKS_PER_SECOND = 10;
/** The fastest demo pace accepted (users per second). */
export const MAX_USERS_PER_SECOND = 1_000_000;

const nowMs = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * @typedef {object} DispatcherOptions
 * @property {() => number} [now] the clock (ms) that sizes chunks and spaces progress events; the
 *   real one by default. Tests pass a fake clock to check the pacing without depending on speed.
 * @property {() => Promise<void>} [yieldToEvents] the pause between two chunks, where waiting
 *   messages (cancel, queries) are served; a macrotask by default.
 * @property {number} [progressIntervalMs] least time between two progress events (PROGRESS_INTERVAL_MS)
 * @property {number} [targetChunkMs] engine time each adaptive chunk aims at (TARGET_CHUNK_MS)
 * @property {(ms: number) => Promise<void>} [sleep] the pause of a paced run between two chunks
 *   (a timer by default); tests pass one that records the pauses and returns at once.
 */

/**
 * The chunk size and the pause after each chunk of a paced run: a tenth of the rate per chunk (at
 * least one user), and the time those users take at that rate.
 * @param {number} usersPerSecond
 * @returns {{chunk: number, pauseMs: number}}
 */
export function pacedChunk(usersPerSecond) {
  const chunk = Math.max(1, Math.round(usersPerSecond / PACED_CHUNKS_PER_SECOND));
  return { chunk, pauseMs: (chunk * 1000) / usersPerSecond };
}

/**
 * The next adaptive chunk size: scale the last chunk so it takes `targetMs` on the clock, growing at
 * most 4x at a time (a first chunk that ran unusually fast must not overshoot), within bounds.
 * @param {number} chunk users in the last chunk
 * @param {number} elapsedMs what the last chunk took on the clock
 * @param {number} targetMs
 */
export function nextChunkSize(chunk, elapsedMs, targetMs) {
  const scale = Math.min(4, targetMs / Math.max(elapsedMs, 0.05));
  return Math.max(MIN_CHUNK_USERS, Math.min(MAX_CHUNK_USERS, Math.round(chunk * scale)));
}

/** A macrotask yield, so messages waiting in the worker's queue (cancel, query) get handled. */
function makeYield() {
  if (typeof setImmediate === 'function') return () => new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    // setTimeout(0) is clamped to 4 ms after a few nestings; a MessageChannel round is not.
    const channel = new MessageChannel();
    const waiting = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    return () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        channel.port2.postMessage(null);
      });
  }
  return () => new Promise((resolve) => setTimeout(resolve, 0));
}

function badRequest(message) {
  return new EngineError(ErrorCode.BAD_REQUEST, message);
}

function progressValue(progress) {
  return {
    groupId: progress.groupId,
    groupName: progress.groupName,
    processed: progress.processed,
    total: progress.total,
    queuedGroups: progress.queuedGroups,
    groupsCompleted: progress.groupsCompleted,
    done: progress.done,
  };
}

/** Serves protocol requests against one engine. */
export class Dispatcher {
  #enginePromise;
  #post;
  #yield;
  #now;
  #progressIntervalMs;
  #targetChunkMs;
  #sleep;
  /** The processing run in progress: {ids, cancelled, groupsCompleted}. */
  #run = null;
  /** A fatal error (engine unusable): every later request fails with it. */
  #broken = null;

  /**
   * @param {object|Promise<object>} engine an Engine from wasm/engine-api.mjs (or a promise of one)
   * @param {(message: object, transfer?: Transferable[]) => void} postMessage
   * @param {DispatcherOptions} [options]
   */
  constructor(engine, postMessage, options = {}) {
    this.#now = options.now ?? nowMs;
    this.#yield = options.yieldToEvents ?? makeYield();
    this.#progressIntervalMs = options.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
    this.#targetChunkMs = options.targetChunkMs ?? TARGET_CHUNK_MS;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#enginePromise = Promise.resolve(engine);
    // A failed start surfaces on the first request; avoid an unhandled rejection meanwhile.
    this.#enginePromise.catch(() => {});
    this.#post = postMessage;
  }

  /** True while a `process` request runs. */
  get processing() {
    return this.#run !== null;
  }

  /** Handles one request message; never throws (failures become error replies). */
  async handle(message) {
    const id = message && Number.isInteger(message.id) && message.id > 0 ? message.id : null;
    if (id === null) {
      // Not a request of this protocol: nothing to reply to, but say so.
      this.#post({
        id: EVENT_ID,
        event: 'error',
        value: errorToPlain(badRequest('message without a positive integer id ignored')),
      });
      return;
    }
    if (message.v !== undefined && message.v !== PROTOCOL_VERSION) {
      // A page and a worker from different builds: refuse rather than misread each other.
      this.#replyError(id, badRequest(`protocol version ${JSON.stringify(message.v)} is not this worker's (${PROTOCOL_VERSION}); reload the page`), false);
      return;
    }
    let engine;
    try {
      engine = await this.#enginePromise;
    } catch (error) {
      this.#replyError(id, new EngineError(ErrorCode.INTERNAL, `the engine failed to start: ${error?.message ?? error}`), true);
      return;
    }
    if (this.#broken) {
      this.#replyError(id, this.#broken, true);
      return;
    }
    try {
      switch (message.type) {
        case RequestType.PROCESS:
          this.#startProcess(engine, id, message.chunkUsers, message.usersPerSecond);
          return;
        case RequestType.CANCEL: {
          const cancelled = this.#cancelRun();
          this.#reply(id, { cancelled });
          return;
        }
        case RequestType.LOAD_BLOB:
          await this.#afterExport();
          this.#startBlobLoad(engine, id, message.blob);
          return;
        case RequestType.EXPORT_CANCEL:
          // The export under way stops after its current part (and replies Cancelled).
          if (this.#exportRun) this.#exportRun.cancelled = true;
          this.#reply(id, null);
          return;
        case RequestType.EXPORT:
          await this.#afterExport();
          if (message.chunked || message.blob || message.handle !== undefined) {
            this.#startExport(engine, id, message);
            return;
          }
          this.#serve(engine, id, message);
          return;
        case RequestType.LOAD_CANCEL:
          // A Blob being read stops before its next piece (and replies Cancelled).
          if (this.#blobLoad) this.#blobLoad.cancelled = true;
          else engine.cancelLoad();
          this.#reply(id, null);
          return;
        default:
          // Anything that changes the tenant waits for an export under way (it would drop it).
          if (CHANGES_THE_TENANT.has(message.type)) await this.#afterExport();
          this.#serve(engine, id, message);
      }
    } catch (error) {
      this.#replyError(id, error, !(error instanceof EngineError));
    }
  }

  #serve(engine, id, message) {
    switch (message.type) {
      case RequestType.LOAD_DOCUMENT: {
        const { bytes } = message;
        if (!(bytes instanceof ArrayBuffer) && !ArrayBuffer.isView(bytes)) {
          throw badRequest('loadDocument: `bytes` must be an ArrayBuffer or a typed array');
        }
        this.#cancelRun();
        this.#reply(id, engine.loadDocument(bytes));
        return;
      }
      case RequestType.FILES_BEGIN: {
        const { paths } = message;
        if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string')) throw badRequest('filesBegin: `paths` must be an array of strings');
        this.#cancelRun();
        this.#reply(id, engine.beginExportFiles(paths));
        return;
      }
      case RequestType.FILES_PIECE: {
        const { bytes } = message;
        if (!(bytes instanceof ArrayBuffer) && !ArrayBuffer.isView(bytes)) {
          throw badRequest('filesPiece: `bytes` must be an ArrayBuffer or a typed array');
        }
        engine.feedExportFile(bytes);
        this.#reply(id, null);
        return;
      }
      case RequestType.FILES_FINISH:
        this.#reply(id, engine.finishExportFiles());
        return;
      case RequestType.LOAD_SAMPLE:
        this.#cancelRun();
        this.#reply(id, engine.loadSample());
        return;
      case RequestType.APPLY_BATCH:
        if (message.batch === undefined || message.batch === null) throw badRequest('applyBatch: `batch` is missing');
        this.#reply(id, engine.applyBatch(message.batch));
        return;
      case RequestType.PLAN:
        if (message.batch === undefined || message.batch === null) throw badRequest('plan: `batch` is missing');
        this.#reply(id, engine.planChanges(message.batch, {
          ...(message.userLimit === undefined ? {} : { userLimit: message.userLimit }),
          ...(message.userOffset === undefined ? {} : { userOffset: message.userOffset }),
        }));
        return;
      case RequestType.QUERY:
        if (message.query === undefined || message.query === null) throw badRequest('query: `query` is missing');
        this.#reply(id, engine.query(message.query));
        return;
      case RequestType.EXPORT: {
        const options = exportOptions(message);
        const bytes = engine.exportDocument(options);
        const buffer = bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
        this.#reply(id, buffer, [buffer]);
        return;
      }
      case RequestType.SET_NOW:
        engine.setNow(message.now);
        this.#reply(id, null);
        return;
      case RequestType.SET_ACTOR:
        engine.setActor(message.actor);
        this.#reply(id, null);
        return;
      default:
        throw badRequest(`unknown request type ${JSON.stringify(message.type)}`);
    }
  }

  #reply(id, value, transfer) {
    if (transfer) this.#post({ id, ok: true, value }, transfer);
    else this.#post({ id, ok: true, value });
  }

  #replyError(id, error, fatal) {
    const reply = { id, ok: false, error: errorToPlain(error) };
    if (fatal) {
      reply.fatal = true;
      // A wasm trap or abort leaves the instance in an unknown state: refuse further work.
      if (!this.#broken) this.#broken = error;
    }
    this.#post(reply);
  }

  #event(progress) {
    this.#post({ id: EVENT_ID, event: EventType.PROGRESS, value: progressValue(progress) });
  }

  #cancelRun() {
    if (!this.#run || this.#run.cancelled) return false;
    this.#run.cancelled = true;
    return true;
  }

  /** The export under way: {cancelled, done} (done: a promise settled when it ends). */
  #exportRun = null;

  /** Resolves when no export is under way. */
  async #afterExport() {
    while (this.#exportRun) await this.#exportRun.done;
  }

  /**
   * Writes the document part by part (EXPORT_PART_BYTES each), taking a turn of the event loop
   * between parts, so that an exportCancel (or a query) is read while it runs: to a
   * FileSystemFileHandle the page chose (`handle`: written through createWritable, kept unchanged
   * when cancelled), else into pieces of up to EXPORT_PIECE_BYTES replied as a Blob (`blob`) or
   * as transferred ArrayBuffers (`chunked`). An exportProgress event follows each part.
   */
  async #startExport(engine, id, message) {
    const { handle } = message;
    if (handle !== undefined && typeof handle?.createWritable !== 'function') {
      this.#replyError(id, badRequest('export: `handle` must be a FileSystemFileHandle'), false);
      return;
    }
    /** @type {(value?: unknown) => void} */
    let settle = () => {};
    const run = { cancelled: false, done: new Promise((resolve) => (settle = resolve)) };
    this.#exportRun = run;
    const cancelled = () => new EngineError(ErrorCode.CANCELLED, 'the export was cancelled');
    const pieces = [];
    let pending = [];
    let pendingBytes = 0;
    let written = 0;
    const flush = () => {
      if (pendingBytes === 0) return;
      pieces.push(concatChunks(pending, pendingBytes).buffer); // pieces own exact-size buffers
      pending = [];
      pendingBytes = 0;
    };
    let writable = null;
    try {
      const options = exportOptions(message);
      if (handle !== undefined) writable = await handle.createWritable();
      engine.beginExport(options);
      for (;;) {
        const part = [];
        const done = engine.exportNext(EXPORT_PART_BYTES, (chunk) => {
          part.push(chunk);
        });
        for (const chunk of part) {
          written += chunk.length;
          if (writable) {
            await writable.write(chunk);
          } else {
            pending.push(chunk);
            pendingBytes += chunk.length;
            if (pendingBytes >= EXPORT_PIECE_BYTES) flush();
          }
        }
        this.#post({ id: EVENT_ID, event: EventType.EXPORT_PROGRESS, value: { bytesWritten: written } });
        if (done) break;
        await this.#yield(); // an exportCancel is read here
        if (run.cancelled) throw cancelled();
      }
      flush();
      if (writable) {
        await writable.close(); // the file takes the new bytes only now
        writable = null;
        this.#reply(id, { bytesWritten: written });
      } else if (message.blob && typeof Blob === 'function') {
        // The page gets a handle to the bytes, not the bytes: nothing to copy on its thread.
        this.#reply(id, new Blob(pieces, { type: 'application/json' }));
      } else {
        this.#reply(id, pieces, pieces);
      }
    } catch (error) {
      engine.cancelExport();
      if (writable) await writable.abort().catch(() => {});
      const failure = error instanceof DOMException ? new EngineError(ErrorCode.BAD_REQUEST, `the file could not be written: ${error.message}`) : error;
      this.#replyError(id, failure, !(failure instanceof EngineError));
    } finally {
      if (this.#exportRun === run) this.#exportRun = null;
      settle();
    }
  }

  /** The Blob being read: {cancelled}. */
  #blobLoad = null;

  /**
   * Reads a Blob (a File the page chose) in the worker: its stream's pieces go to the engine as
   * they come, a loadProgress event every LOAD_PROGRESS_BYTES, and a loadCancel stops it between
   * pieces. The page posts only the Blob's handle and does no work while it is read.
   */
  async #startBlobLoad(engine, id, blob) {
    if (typeof Blob !== 'function' || !(blob instanceof Blob)) {
      this.#replyError(id, badRequest('loadBlob: `blob` must be a Blob or a File'), false);
      return;
    }
    this.#cancelRun();
    if (this.#blobLoad) this.#blobLoad.cancelled = true;
    const load = { cancelled: false };
    this.#blobLoad = load;
    const total = blob.size;
    let bytesRead = 0;
    let reported = 0;
    let reader = null;
    try {
      engine.beginLoad(total);
      reader = blob.stream().getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (load.cancelled) throw new EngineError(ErrorCode.CANCELLED, 'the load was cancelled; the tenant was kept');
        if (done) break;
        // A large stream chunk is fed in parts, so progress and a cancel come at least that often.
        for (let at = 0; at < value.length; at += LOAD_PROGRESS_BYTES) {
          const part = value.subarray(at, at + LOAD_PROGRESS_BYTES);
          engine.feedLoad(part);
          bytesRead += part.length;
          if (bytesRead - reported >= LOAD_PROGRESS_BYTES) {
            reported = bytesRead;
            this.#post({ id: EVENT_ID, event: EventType.LOAD_PROGRESS, value: { bytesRead, total } });
            await this.#yield(); // a turn of the event loop: a loadCancel or a query is read here
            if (load.cancelled) throw new EngineError(ErrorCode.CANCELLED, 'the load was cancelled; the tenant was kept');
          }
        }
      }
      const summary = engine.finishLoad();
      if (bytesRead > reported) this.#post({ id: EVENT_ID, event: EventType.LOAD_PROGRESS, value: { bytesRead, total } });
      this.#reply(id, summary);
    } catch (error) {
      engine.cancelLoad();
      reader?.cancel().catch(() => {});
      this.#replyError(id, error, !(error instanceof EngineError));
    } finally {
      if (this.#blobLoad === load) this.#blobLoad = null;
    }
  }

  #startProcess(engine, id, chunkUsers, usersPerSecond) {
    if (chunkUsers !== undefined && chunkUsers !== null && (!Number.isInteger(chunkUsers) || chunkUsers <= 0)) {
      throw badRequest('process: `chunkUsers` must be a positive integer');
    }
    const paced = usersPerSecond !== undefined && usersPerSecond !== null;
    if (paced && (typeof usersPerSecond !== 'number' || !Number.isFinite(usersPerSecond) || usersPerSecond <= 0 || usersPerSecond > MAX_USERS_PER_SECOND)) {
      throw badRequest(`process: \`usersPerSecond\` must be a number above 0 and at most ${MAX_USERS_PER_SECOND}`);
    }
    if (this.#run && !this.#run.cancelled) {
      this.#run.ids.push(id);
      return;
    }
    const run = { ids: [id], cancelled: false, groupsCompleted: 0 };
    this.#run = run;
    this.#loop(engine, run, chunkUsers ?? null, paced ? pacedChunk(usersPerSecond) : null).finally(() => {
      if (this.#run === run) this.#run = null;
    });
  }

  /**
   * @param {object} engine
   * @param {{ids: number[], cancelled: boolean, groupsCompleted: number}} run
   * @param {number | null} fixedChunk
   * @param {{chunk: number, pauseMs: number} | null} pace a paced run: that chunk, an event after
   *   each, then the pause (the engine's work is the same; only its delivery waits)
   */
  async #loop(engine, run, fixedChunk, pace = null) {
    let chunk = pace ? pace.chunk : fixedChunk ?? FIRST_CHUNK_USERS;
    let lastEvent = -Infinity;
    try {
      for (;;) {
        if (run.cancelled) {
          const left = engine.hasPendingWork() ? 'work is still queued' : 'nothing is left';
          const error = new EngineError(ErrorCode.CANCELLED, `processing cancelled; ${left}`);
          for (const id of run.ids) this.#replyError(id, error, false);
          return;
        }
        await this.#afterExport(); // processing would change what the export writes
        if (run.cancelled) continue;
        const started = this.#now();
        const raw = engine.processChunk(chunk);
        const elapsed = this.#now() - started;
        run.groupsCompleted += raw.groupsCompleted;
        const progress = { ...raw, groupsCompleted: run.groupsCompleted };
        if (progress.done) {
          this.#event(progress);
          for (const id of run.ids) this.#reply(id, progressValue(progress));
          return;
        }
        if (pace) {
          this.#event(progress);
          await this.#sleep(pace.pauseMs); // a cancel or a query is read meanwhile
          continue;
        }
        if (fixedChunk === null) chunk = nextChunkSize(chunk, elapsed, this.#targetChunkMs);
        const now = this.#now();
        if (now - lastEvent >= this.#progressIntervalMs) {
          lastEvent = now;
          this.#event(progress);
        }
        await this.#yield();
      }
    } catch (error) {
      const fatal = !(error instanceof EngineError);
      for (const id of run.ids) this.#replyError(id, error, fatal);
    }
  }
}
