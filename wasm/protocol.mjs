// The page <-> worker protocol, in one module (shared by wasm/client.mjs, wasm/dispatcher.mjs and
// the web console). Version it when a request or reply changes shape.
//
// Request (page -> worker):  {id, type, v?, ...payload}    id: positive integer, unique per worker;
//                            v: PROTOCOL_VERSION (EngineClient sends it; a different one is refused)
// Reply   (worker -> page):  {id, ok: true, value}
//                            {id, ok: false, error: {name, code, message}, fatal?: true}
// Event   (worker -> page):  {id: 0, event: 'progress', value: Progress}    (unsolicited)
//
// `fatal: true` marks an error that is not an engine result (a wasm trap, an out-of-memory abort):
// the worker's engine is unusable and the client discards the worker.
//
// Requests and payloads:
//   loadDocument {bytes: ArrayBuffer | Uint8Array}  -> LoadSummary  (a running `process` is cancelled)
//   loadBlob     {blob: Blob}                       -> LoadSummary (a File read in the worker, its
//                 stream fed to the engine piece by piece; loadProgress events {bytesRead, total};
//                 loadCancel stops it: code 'Cancelled', the tenant stays)
//   loadCancel   {}                                 -> null  (drops the load under way)
//   filesBegin   {paths: string[]}                  -> number[] (an export given as many files, an
//                 EntraExporter folder or section files: the indices of the files to send, in order)
//   filesPiece   {bytes: ArrayBuffer}               -> null  (the next file of that order)
//   filesFinish  {}                                 -> LoadSummary (replaces the tenant on success)
//   loadSample   {}                                 -> LoadSummary  (a running `process` is cancelled)
//   applyBatch   {batch: object | string}           -> {responses: [...]} (Graph batch response)
//   process      {chunkUsers?: number, usersPerSecond?: number} -> Progress (done: true); runs background
//                 processing to completion in chunks, yielding between chunks so `cancel`, `query`,
//                 `applyBatch` are served meanwhile; emits progress events (5-20 per second, plus a
//                 final one). usersPerSecond (demo pace): chunks of a tenth of it, a progress event
//                 after each and a pause that keeps to that rate; the result is the same, only later.
//                 A second `process` while one runs joins it (both get the same reply).
//                 Cancelled: fails with code 'Cancelled' (the queue keeps what is left).
//   cancel       {}                                 -> {cancelled: boolean} (false when nothing ran)
//   query        {query: object | string}           -> the query's JSON value (see README queries)
//   export       {assignedPlans?: boolean, audit?: boolean, chunked?: boolean, blob?: boolean} -> ArrayBuffer (the
//                 JSON document, transferred), or with chunked: true an array of ArrayBuffers of up to
//                 64 MiB each (all transferred; for documents too big for one buffer). assignedPlans
//                 and audit default true; false leaves users' assignedPlans / directoryAudits out.
//                 With blob: true (chunked implied) a Blob built in the worker, so the page never
//                 copies the document (exportProgress events {bytesWritten} follow the pieces).
//   setNow       {now: number (Unix ms) | string (ISO 8601)} -> null
//   setActor     {actor: string}                    -> null
//
// LoadSummary: {users, groups, skus, memberships, queuedGroups}
// Progress:    {groupId, groupName, processed, total, queuedGroups, groupsCompleted, done}

/**
 * @typedef {object} LoadSummary
 * @property {number} users
 * @property {number} groups
 * @property {number} skus
 * @property {number} memberships
 * @property {number} queuedGroups
 */

/**
 * @typedef {object} Progress
 * @property {string} groupId the group being processed ('' when none)
 * @property {string} groupName
 * @property {number} processed members of that group done
 * @property {number} total members of that group
 * @property {number} queuedGroups groups waiting after it
 * @property {number} groupsCompleted groups finished in this run
 * @property {boolean} done nothing is left to process
 */

/**
 * A request (page -> worker): `{id, type, ...payload}`.
 * @typedef {{id: number, v?: number} & (
 *   {type: 'loadDocument', bytes: ArrayBuffer | Uint8Array} |
 *   {type: 'loadBlob', blob: Blob} |
 *   {type: 'loadCancel'} |
 *   {type: 'filesBegin', paths: string[]} |
 *   {type: 'filesPiece', bytes: ArrayBuffer | Uint8Array} |
 *   {type: 'filesFinish'} |
 *   {type: 'loadSample'} |
 *   {type: 'applyBatch', batch: object | string} |
 *   {type: 'plan', batch: object | string | Array<object | string>, userLimit?: number, userOffset?: number} |
 *   {type: 'process', chunkUsers?: number, usersPerSecond?: number} |
 *   {type: 'cancel'} |
 *   {type: 'query', query: object | string} |
 *   {type: 'export', assignedPlans?: boolean, audit?: boolean, chunked?: boolean, blob?: boolean, handle?: FileSystemFileHandle} |
 *   {type: 'exportCancel'} |
 *   {type: 'setNow', now: number | string} |
 *   {type: 'setActor', actor: string}
 * )} Request
 */

/**
 * An error as it crosses the boundary.
 * @typedef {{name: string, code: string, message: string}} PlainError
 */

/**
 * A reply (worker -> page).
 * @typedef {{id: number, ok: true, value: any} | {id: number, ok: false, error: PlainError, fatal?: true}} Reply
 */

/**
 * An unsolicited event (worker -> page).
 * @typedef {{id: 0, event: 'progress', value: Progress} | {id: 0, event: 'error', value: PlainError}} Event
 */

/** Graph's limit of requests in one JSON batch; the engine refuses more. */
export const MAX_BATCH_REQUESTS = 20;

/**
 * Splits a Graph batch `{requests}` into batches of at most MAX_BATCH_REQUESTS, in order, when
 * none of its requests uses `dependsOn` (a dependency must stay in its batch); otherwise, or when
 * it is small enough or not a batch, returns it alone (the engine then says what is wrong).
 * @param {any} batch
 * @returns {any[]}
 */
export function splitBatch(batch) {
  const requests = batch?.requests;
  if (!Array.isArray(requests) || requests.length <= MAX_BATCH_REQUESTS) return [batch];
  if (requests.some((r) => r && typeof r === 'object' && 'dependsOn' in r)) return [batch];
  const parts = [];
  for (let i = 0; i < requests.length; i += MAX_BATCH_REQUESTS) {
    parts.push({ ...batch, requests: requests.slice(i, i + MAX_BATCH_REQUESTS) });
  }
  return parts;
}

/** Version of this protocol; bump on any incompatible change. */
export const PROTOCOL_VERSION = 1;

/** Request types (the `type` field of a request). */
export const RequestType = Object.freeze({
  LOAD_DOCUMENT: 'loadDocument',
  LOAD_BLOB: 'loadBlob',
  LOAD_CANCEL: 'loadCancel',
  FILES_BEGIN: 'filesBegin',
  FILES_PIECE: 'filesPiece',
  FILES_FINISH: 'filesFinish',
  LOAD_SAMPLE: 'loadSample',
  APPLY_BATCH: 'applyBatch',
  PLAN: 'plan',
  PROCESS: 'process',
  CANCEL: 'cancel',
  QUERY: 'query',
  EXPORT: 'export',
  EXPORT_CANCEL: 'exportCancel',
  SET_NOW: 'setNow',
  SET_ACTOR: 'setActor',
});

/** Unsolicited event types (the `event` field of a message with id 0). */
export const EventType = Object.freeze({
  PROGRESS: 'progress',
  /** `{bytesRead, total}` while a Blob is read (every LOAD_PROGRESS_BYTES, and at the end). */
  LOAD_PROGRESS: 'loadProgress',
  /** `{bytesWritten}` while an export is written (one per part of EXPORT_PART_BYTES). */
  EXPORT_PROGRESS: 'exportProgress',
});

/** Bytes read between two loadProgress events. */
export const LOAD_PROGRESS_BYTES = 4 << 20;

/** The id carried by unsolicited events. */
export const EVENT_ID = 0;

/** Error codes: the engine's own, plus the ones the protocol and the client add. */
export const ErrorCode = Object.freeze({
  PARSE_ERROR: 'ParseError',
  SCHEMA_ERROR: 'SchemaError',
  NOT_FOUND: 'NotFound',
  BAD_REQUEST: 'BadRequest',
  CONFLICT: 'Conflict',
  CANCELLED: 'Cancelled',
  INTERNAL: 'Internal',
  /** The worker died (uncaught error, trap, out of memory); pending requests fail with it. */
  WORKER_DIED: 'WorkerDied',
  /** The client was terminated while the request was pending. */
  TERMINATED: 'Terminated',
});

/** A failure reported by the engine (or the protocol around it), with a stable `code`. */
export class EngineError extends Error {
  /**
   * @param {string} code one of ErrorCode
   * @param {string} message readable text naming what is wrong and where
   */
  constructor(code, message) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}

/** An error as the plain object that crosses postMessage. */
export function errorToPlain(error) {
  if (error instanceof EngineError) {
    return { name: 'EngineError', code: error.code, message: error.message };
  }
  const name = error && typeof error.name === 'string' ? error.name : 'Error';
  const message = error && typeof error.message === 'string' ? error.message : String(error);
  return { name, code: ErrorCode.INTERNAL, message };
}

/** Rebuilds an EngineError from the plain object of a reply (non-engine errors keep their name). */
export function plainToError(plain) {
  const code = plain && typeof plain.code === 'string' ? plain.code : ErrorCode.INTERNAL;
  const message = plain && typeof plain.message === 'string' ? plain.message : 'unknown error';
  if (!plain || plain.name === 'EngineError') return new EngineError(code, message);
  return new EngineError(code, `${plain.name}: ${message}`);
}

/** Joins pieces into one Uint8Array (pieces are dropped as they are copied). */
export function concatChunks(chunks, total) {
  if (chunks.length === 1) return chunks[0];
  let out;
  try {
    out = new Uint8Array(total);
  } catch {
    throw new EngineError(ErrorCode.INTERNAL, `the document (${total} bytes) is too large for one buffer; export it in pieces (exportDocumentChunks)`);
  }
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    out.set(chunks[i], offset);
    offset += chunks[i].length;
    chunks[i] = null;
  }
  return out;
}
