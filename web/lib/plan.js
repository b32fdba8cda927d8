// The staged plan: an ordered list of changes (each one or more Graph requests the console would
// send, with a title in words) that nothing has applied yet. Its effect is the planner's preview of
// every request in order followed by the processing (engine.plan: computed in the worker and undone
// there); Apply sends them as one batch, in order, and processing follows, as the preview assumed;
// Discard forgets them. The plan is kept in IndexedDB beside the tenant, so a reload keeps it; a
// new tenant (import, reset) discards it, since its requests name the old tenant's objects.
import * as engine from './engine.js';
import * as store from './store.js';
import { splitBatch } from '../../wasm/protocol.mjs';

/**
 * @typedef {{method: string, url: string, body?: any, headers?: any}} GraphRequest
 * @typedef {{kind: string, id: string, name: string, processes?: boolean}} Target
 * @typedef {{id: number, title: string, requests: GraphRequest[], targets: Target[]}} StagedChange
 */

/** @type {StagedChange[]} */
let changes = [];
let nextId = 1;
const listeners = new Set();

function changed() {
  store.savePlan({ changes, nextId }).catch((err) => console.warn('Could not save the plan', err));
  for (const fn of listeners) {
    try {
      fn(changes);
    } catch (err) {
      console.error(err);
    }
  }
}

/** Subscribes to changes of the plan; returns an unsubscribe. */
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Reads the stored plan (after the engine restored the tenant). */
export async function restore() {
  const saved = await store.loadPlan();
  if (saved && Array.isArray(saved.changes)) {
    changes = saved.changes;
    nextId = Number(saved.nextId) || changes.reduce((m, c) => Math.max(m, c.id + 1), 1);
    changed();
  }
}

engine.on('changed', (e) => {
  if ((e?.reason === 'import' || e?.reason === 'reset') && changes.length) discard();
});

/** The staged changes, in order. */
export function list() {
  return changes.slice();
}

/**
 * Adds a change at the end of the plan.
 * @param {{title: string, requests: GraphRequest[], targets?: Target[]}} change
 */
export function stage({ title, requests, targets = [] }) {
  const clean = requests.map(({ method, url, body, headers }) => ({ method, url, ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) }));
  const change = { id: nextId++, title, requests: clean, targets };
  changes = [...changes, change];
  changed();
  return change;
}

/** Takes a staged change out of the plan. */
export function remove(id) {
  changes = changes.filter((c) => c.id !== id);
  changed();
}

/** Moves a staged change one place earlier (-1) or later (+1). */
export function move(id, by) {
  const at = changes.findIndex((c) => c.id === id);
  const to = at + by;
  if (at < 0 || to < 0 || to >= changes.length) return;
  const next = changes.slice();
  [next[at], next[to]] = [next[to], next[at]];
  changes = next;
  changed();
}

/**
 * Moves a staged change to position `index` (0-based, clamped to the plan); the others keep their
 * order. What dragging a change (or moving it with the keyboard) in the Plan blade does.
 */
export function moveTo(id, index) {
  const at = changes.findIndex((c) => c.id === id);
  if (at < 0) return;
  const to = Math.max(0, Math.min(changes.length - 1, index));
  if (to === at) return;
  const next = changes.slice();
  const [moving] = next.splice(at, 1);
  next.splice(to, 0, moving);
  changes = next;
  changed();
}

/** Forgets every staged change. */
export function discard() {
  changes = [];
  changed();
}

/**
 * Every request of the plan in order, with the ids they are previewed and sent with ("3.2": the
 * second request of the third change), and the change each belongs to.
 */
export function requests() {
  const out = [];
  changes.forEach((c, i) => c.requests.forEach((r, k) => out.push({ ...r, id: `${i + 1}.${k + 1}`, change: c, target: c.targets[k] })));
  return out;
}

/** The plan's requests as sent: Graph's fields and the ids above. */
export function graphRequests() {
  return requests().map(({ change: _change, target: _target, ...r }) => r);
}

/**
 * The effect of the whole plan: the planner's preview of its requests in order (nothing changes).
 * @param {{extra?: GraphRequest[], userLimit?: number, userOffset?: number}} [options] requests
 *   previewed after the plan's; the page of users listed
 */
export function effect({ extra = [], userLimit, userOffset } = {}) {
  const more = extra.map((r, i) => ({ ...r, id: `w.${i + 1}` }));
  return engine.plan([...graphRequests(), ...more], { userLimit, userOffset });
}

/** The plan as the Graph batches the preview saw (at most 20 requests each), for the plan's files. */
export function batches() {
  return splitBatch({ requests: graphRequests() });
}
