// Share (issue 14): the current state as a scenario document (the base tenant, the change log with
// each change's clock, and the tour's scenario and step when a tour runs), packed into a link's
// fragment (deflate-raw through CompressionStream, base64url) or, when too big, a file to download.
import { SCENARIO_FORMAT, base64ToBytes, bytesToBase64, clockMs, validateScenario, baseDocumentBytes } from './scenario.js';

/** The fragment key of a share link: `#scenario=<deflate-raw, base64url>`. */
export const SHARE_KEY = 'scenario=';

/**
 * The longest share link offered (characters, the whole URL). Chromium takes 2 MB in the address
 * bar, but links pass through mail, chat and documentation tools that cut them far sooner; 8,000 is
 * what common servers and tools keep whole. Beyond it Share offers the scenario file.
 */
export const SHARE_URL_LIMIT = 8000;

/** A base document read into a share only up to this size (bytes); a larger one goes in a file. */
const INLINE_BASE_BYTES = 4 << 20;

async function pipeBytes(bytes, transform) {
  const stream = new Blob([bytes]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Text → deflate-raw → base64url (no padding). */
export async function packText(text) {
  const packed = await pipeBytes(new TextEncoder().encode(text), new CompressionStream('deflate-raw'));
  return bytesToBase64(packed).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url → inflate → text. */
export async function unpackText(payload) {
  const bytes = await pipeBytes(base64ToBytes(payload), new DecompressionStream('deflate-raw'));
  return new TextDecoder().decode(bytes);
}

/**
 * The current state as a scenario document: the console's base and change log (from
 * engine.currentState()), the tenant's name, and the running tour (its scenario and step).
 * Throws an Error with a readable message when the base cannot travel (an export of many files).
 * @param {{base: any, ops: any[]}} state
 * @param {{tenantName?: string, tour?: {scenario: any, step: number} | null}} [context]
 */
export async function stateToScenario(state, { tenantName = '', tour = null } = {}) {
  const { base, ops } = state;
  if (!base) throw new Error('The tenant is still loading.');
  let docBase;
  if (base.kind === 'sample') docBase = { builtIn: 'sample' };
  else if (base.kind === 'document' || base.kind === 'file') {
    const bytes = base.kind === 'document' ? new Uint8Array(base.bytes) : base.file.size <= INLINE_BASE_BYTES ? new Uint8Array(await base.file.arrayBuffer()) : null;
    if (!bytes || bytes.length > INLINE_BASE_BYTES) throw new Error('The tenant document is too large to share (over 4 MB); share its file and a plan instead.');
    docBase = inlineBase(bytes, base.name);
  } else {
    throw new Error('A tenant imported from many files (an export folder or section files) cannot be shared; export it as one document, import that, then share.');
  }
  const scenario = {
    format: SCENARIO_FORMAT,
    title: tour?.scenario?.title || `Shared state${tenantName ? ` of ${tenantName}` : ''}`,
    base: docBase,
    clock: base.now,
    log: ops.map((op) => (op.type === 'process' ? { at: op.now, process: true } : { at: op.now, batch: parseBatch(op.batch) })),
  };
  if (tour?.scenario?.steps) {
    if (tour.scenario.id) scenario.id = tour.scenario.id;
    if (tour.scenario.article) scenario.article = tour.scenario.article;
    scenario.steps = tour.scenario.steps;
    scenario.tour = { step: tour.step };
  }
  return scenario;
}

/** A document base: the parsed tenant when the bytes are UTF-8 JSON (it packs smaller), else the bytes. */
function inlineBase(bytes, name) {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (!text.startsWith('\uFEFF')) return { tenant: JSON.parse(text), ...(name ? { name } : {}) };
  } catch {
    // not UTF-8 JSON (UTF-16 with a byte-order mark, say): the bytes travel as they are
  }
  return { documentBase64: bytesToBase64(bytes), ...(name ? { name } : {}) };
}

function parseBatch(batch) {
  if (typeof batch !== 'string') return batch;
  try {
    return JSON.parse(batch);
  } catch {
    return batch;
  }
}

/**
 * A share link for a scenario document: `base` (the console's address without its fragment) +
 * `#scenario=…`. Resolves {url, length, fits} (fits: within SHARE_URL_LIMIT).
 * @param {object} scenario
 * @param {string} base
 */
export async function shareLink(scenario, base) {
  const url = `${base}#${SHARE_KEY}${await packText(JSON.stringify(scenario))}`;
  return { url, length: url.length, fits: url.length <= SHARE_URL_LIMIT };
}

/** The scenario a location's fragment carries, or null when it carries none. Throws on a damaged one. */
export async function scenarioFromHash(hash) {
  const fragment = hash.replace(/^#/, '');
  if (!fragment.startsWith(SHARE_KEY)) return null;
  let text;
  try {
    text = await unpackText(fragment.slice(SHARE_KEY.length));
  } catch {
    throw new Error('The share link is damaged (its data does not unpack); ask for it again.');
  }
  return validateScenario(JSON.parse(text));
}

/**
 * What the engine replays for a scenario: its base ({kind: 'sample'|'document', now, …}) and log,
 * each change at its own clock (a scenario without clocks takes `now`).
 * @param {import('./scenario.js').Scenario} scenario
 * @param {number} now
 */
export function scenarioToState(scenario, now) {
  const start = clockMs(scenario.clock) ?? now;
  const bytes = baseDocumentBytes(scenario);
  const base = bytes
    ? { kind: 'document', name: scenario.base.name || scenario.title, bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), now: start }
    : { kind: 'sample', now: start };
  const log = (scenario.log || []).map((op) => {
    const at = clockMs(op.at) ?? start;
    return op.process ? { type: 'process', now: at } : { type: 'applyBatch', now: at, batch: typeof op.batch === 'string' ? op.batch : JSON.stringify(op.batch) };
  });
  return { base, log };
}
