// The console's single door to the engine: every number shown comes from `query`, every change is a
// Graph batch sent through `batch`. All engine work runs in the module worker (wasm/worker.mjs) via the
// page-side EngineClient (wasm/client.mjs). Mutating calls are serialised and logged to IndexedDB so the
// tenant survives a reload.
import { EngineClient } from '../../wasm/client.mjs';
import { splitBatch } from '../../wasm/protocol.mjs';
import * as store from './store.js';

const listeners = new Map();

function emit(type, detail) {
  for (const fn of listeners.get(type) || []) {
    try {
      fn(detail);
    } catch (err) {
      console.error(err);
    }
  }
}

/** Subscribes to 'changed' (tenant data changed), 'progress' (processing), 'status' (busy text). Returns an unsubscribe. */
export function on(type, fn) {
  if (!listeners.has(type)) listeners.set(type, new Set());
  listeners.get(type).add(fn);
  return () => listeners.get(type)?.delete(fn);
}

let client = null;
let ops = [];
let chain = Promise.resolve();
let processing = null; // latest progress event while a 'process' call runs
let currentBase = null; // what the tenant was loaded from (as the store keeps it)
let persist = true; // false: an embedded console never writes the stored tenant
let pace = null; // demo pace: users per second for background processing, or null

/**
 * Demo pace: background processing delivered at `usersPerSecond` (null: as fast as it goes). The
 * result is the same; only the progress is spread out. Replays (reload, share links) are not paced.
 * @param {number | null} usersPerSecond
 */
export function setPace(usersPerSecond) {
  pace = usersPerSecond && usersPerSecond > 0 ? usersPerSecond : null;
  emit('pace', pace);
}

/** The demo pace in force (users per second), or null. */
export function currentPace() {
  return pace;
}

/** Whether changes are written to IndexedDB (an embedded console reads the stored tenant but never writes it). */
export function setPersistence(on) {
  persist = !!on;
}

/** The base the tenant was loaded from and the change log since: what a share link carries. */
export function currentState() {
  return { base: currentBase, ops: ops.slice() };
}

/** How many changes (batches and processing runs) were made since the tenant was loaded. */
export function changeCount() {
  return ops.length;
}

/** Where background processing stands, from the engine's progress events (null when idle). */
export function currentProgress() {
  return processing;
}

function parse(value) {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** Runs mutating work one after another. */
function serial(fn) {
  const run = chain.then(fn, fn);
  chain = run.catch(() => {});
  return run;
}

async function setNow() {
  const ms = Date.now();
  await client.setNow(ms);
  return ms;
}

async function persistOps() {
  if (!persist) return;
  try {
    await store.saveOps(ops);
  } catch (err) {
    console.warn('Could not save the change log', err);
  }
}

async function runProcess(record) {
  const off = client.onProgress((p) => {
    processing = p && !p.done ? p : null;
    emit('progress', p);
  });
  try {
    const now = await setNow();
    if (record) {
      ops.push({ type: 'process', now });
      await persistOps();
    }
    try {
      return await client.process(pace ? { usersPerSecond: pace } : {});
    } catch (err) {
      if (err?.code === 'Cancelled') return null;
      throw err;
    }
  } finally {
    off?.();
    processing = null;
    emit('progress', { done: true });
    emit('changed', { reason: 'process' });
  }
}

/** Starts the worker and restores the stored tenant (or loads the sample). */
export async function init(onStatus = () => {}) {
  client = new EngineClient();
  // The client replaces a worker that died and restores the tenant into the new one.
  client.onRestart?.((e) => {
    emit('restart', e);
    emit('changed', { reason: 'restart' });
  });
  const saved = await store.loadState();
  let restored = false;
  if (saved) {
    try {
      onStatus('Restoring your tenant…');
      performance.mark('gbl-restore-start'); // where the tenant's own work starts (browser tests)
      await replay(saved.base, saved.ops);
      ops = saved.ops.slice();
      currentBase = saved.base;
      restored = true;
    } catch (err) {
      console.warn('Stored tenant could not be restored, loading the sample', err);
    }
  }
  if (!restored) {
    onStatus('Loading the sample tenant…');
    const now = Date.now();
    await client.setNow(now);
    await client.loadSample();
    ops = [];
    currentBase = { kind: 'sample', now };
    if (persist) await store.saveBase(currentBase, ops).catch(() => {});
  }
  emit('changed', { reason: 'init' });
  // A document may arrive with groups queued for processing.
  const t = await query({ query: 'tenant' });
  if (t && t.pending) serial(() => runProcess(true));
  return t;
}

async function replay(base, log) {
  const first = base.now ?? Date.now();
  await client.setNow(first);
  if (base.kind === 'document') await client.loadDocument(base.bytes);
  else if (base.kind === 'files') await client.loadFileList(base.files);
  else if (base.kind === 'file') await client.loadBlob(base.file);
  else await client.loadSample();
  for (const op of log) {
    if (op.now !== undefined) await client.setNow(op.now);
    if (op.type === 'applyBatch') await client.applyBatch(op.batch);
    else if (op.type === 'process') await client.process();
  }
}

/** Runs an engine console query (`{query: NAME, ...}`) and returns its parsed JSON result. */
export async function query(q) {
  return parse(await client.query(q));
}

/** Every item of a paged query (`{total, items}`), 1,000 a page, each page its own task. */
export async function queryAll(q) {
  const items = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await query({ ...q, offset, limit: 1000 });
    items.push(...(page?.items ?? []));
    if (!page?.items?.length || items.length >= page.total) return items;
  }
}

/**
 * Applies a Graph batch `{requests:[...]}`. Resolves with `{responses, processing}`: the parsed batch
 * responses and, when any request queued background processing, a promise for the end of that
 * processing (which starts right after; progress through 'progress'), else null.
 */
export function batch(requests, { process = true } = {}) {
  return serial(async () => {
    const body = { requests: requests.map((r, i) => ({ id: String(r.id ?? i + 1), ...r })) };
    // Graph takes at most 20 requests a batch: more are sent 20 at a time, in order.
    const responses = [];
    for (const part of splitBatch(body)) {
      const now = await setNow();
      const value = parse(await client.applyBatch(JSON.stringify(part)));
      ops.push({ type: 'applyBatch', now, batch: JSON.stringify(part) });
      if (Array.isArray(value?.responses)) responses.push(...value.responses);
    }
    await persistOps();
    emit('changed', { reason: 'batch' });
    const t = await query({ query: 'tenant' });
    let processing = null;
    if (process && t?.pending) processing = serial(() => runProcess(true));
    return { responses, processing };
  });
}

/**
 * The planner's preview of Graph requests: what they and the processing that follows would do
 * (`{users, skus, groups, requests}`: products gained and lost, errors that appear and clear,
 * seats before and after, members in error per group), computed in the worker and undone there:
 * nothing changes, nothing is recorded. Runs after the changes and processing already under way.
 * @param {object[]} requests
 * @param {{userLimit?: number, userOffset?: number}} [options] the page of users listed, by id (the
 *   summary counts all)
 */
export function plan(requests, { userLimit = 20, userOffset = 0 } = {}) {
  return serial(async () => {
    const body = { requests: requests.map((r, i) => ({ id: String(r.id ?? i + 1), ...r })) };
    // The console shows the summary (and a few users): a change may touch a million of them.
    return parse(await client.plan(splitBatch(body).map((part) => JSON.stringify(part)), { userLimit, userOffset }));
  });
}

/** Runs pending background processing to completion (no-op when nothing is queued). */
export function processNow() {
  return serial(() => runProcess(true));
}

/** Resolves when all queued mutating work (including processing) has finished. */
export function idle() {
  return serial(() => undefined);
}

/** Asks the worker to stop processing cooperatively. */
export function cancel() {
  return client.cancel();
}

/**
 * Replaces the tenant with a document of any size, read from `file` (a File or Blob) in pieces;
 * `onProgress({bytesRead, total})` follows them and `signal` cancels (the tenant stays). The File
 * itself is kept for a reload (IndexedDB stores it; its bytes are never copied into the page).
 * @param {Blob} file
 * @param {string} name
 * @param {{onProgress?: (p: {bytesRead: number, total: number}) => void, signal?: AbortSignal}} [options]
 */
export function importFile(file, name, { onProgress, signal } = {}) {
  return importBase({ kind: 'file', name, file }, () => client.loadBlob(file, { onProgress, signal }));
}

/**
 * Replaces the tenant with an export given as many files (an EntraExporter folder, or section files
 * such as users.json and groups.json): `files` are `{path, blob}`, read one at a time. Same failure
 * rule as a document. The Files are kept for a reload (IndexedDB stores them).
 * @param {{path: string, blob: Blob}[]} files
 * @param {string} name
 * @param {{onProgress?: (p: {filesRead: number, files: number}) => void, signal?: AbortSignal}} [options]
 */
export function importFiles(files, name, { onProgress, signal } = {}) {
  return importBase({ kind: 'files', name, files }, () => client.loadFileList(files, { onProgress, signal }));
}

function importBase(base, load) {
  return serial(async () => {
    const now = await setNow();
    const summary = await load();
    ops = [];
    currentBase = { ...base, now };
    if (persist) await store.saveBase(currentBase, ops).catch((err) => console.warn(err));
    emit('changed', { reason: 'import' });
    const t = await query({ query: 'tenant' });
    if (t?.pending) serial(() => runProcess(true));
    return { ...t, warnings: summary?.warnings ?? [], otherMembers: summary?.otherMembers ?? 0 };
  });
}

/**
 * Exports the current tenant as a Graph-shaped JSON document. With `handle` (a file the person
 * chose through the File System Access API) the worker writes it there and this resolves
 * {bytesWritten}; else it resolves a Blob the worker built (the page never holds or copies the
 * bytes). `onProgress({bytesWritten})` follows the writing; aborting `signal` stops it (Cancelled;
 * a chosen file keeps what it had).
 * @param {{onProgress?: (p: {bytesWritten: number}) => void, signal?: AbortSignal, handle?: FileSystemFileHandle}} [options]
 * @returns {Promise<Blob | {bytesWritten: number}>}
 */
export async function exportDocument({ onProgress, signal, handle } = {}) {
  await chain;
  if (handle) return client.exportDocument({ handle, onProgress, signal });
  const value = await client.exportDocument({ blob: true, onProgress, signal });
  if (value instanceof Blob) return value;
  const pieces = Array.isArray(value) ? value : [value];
  return new Blob(pieces, { type: 'application/json' });
}

/** Back to the built-in sample; forgets the stored tenant. */
export function resetToSample() {
  return serial(async () => {
    const now = await setNow();
    await client.loadSample();
    ops = [];
    currentBase = { kind: 'sample', now };
    if (persist) {
      await store.clearState().catch(() => {});
      await store.saveBase(currentBase, ops).catch(() => {});
    }
    emit('changed', { reason: 'reset' });
  });
}

/**
 * Replaces the tenant with a base and a change log, replayed at their own clocks (a scenario, a
 * share link): `base` is {kind: 'sample', now} or {kind: 'document', name, bytes, now}; `log`
 * entries are {type: 'applyBatch', now, batch} or {type: 'process', now}. The result is the
 * tenant that base and log made, audit times included. Then any processing left runs (paced when
 * demo pace is on). On failure the engine's message is thrown and the tenant is whatever loaded.
 * @param {{kind: string, now?: number, name?: string, bytes?: ArrayBuffer}} base
 * @param {object[]} log
 */
export function loadState(base, log = []) {
  return serial(async () => {
    await replay(base, log);
    ops = log.slice();
    currentBase = base;
    if (persist) {
      await store.clearState().catch(() => {});
      await store.saveBase(base, ops).catch((err) => console.warn(err));
    }
    emit('changed', { reason: 'import' });
    const t = await query({ query: 'tenant' });
    if (t?.pending) serial(() => runProcess(true));
    return t;
  });
}

/** Error shown to the admin: the engine's message when there is one. */
export function errorText(err) {
  if (!err) return 'Unknown error';
  if (typeof err === 'string') return err;
  return err.message || err.code || String(err);
}
