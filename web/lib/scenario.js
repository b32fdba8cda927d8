// Scenarios as data (issue 14): the format's checks, read through the engine's console queries, and
// the reading of a scenario document. No DOM here: the checks take a `query` function, so the same
// code runs against the worker (the console) and against an engine in Node.

/** The `format` member every scenario document carries. */
export const SCENARIO_FORMAT = 'gbl-scenario/1';

/**
 * @typedef {object} ScenarioStep
 * @property {string} text what to do, plain text
 * @property {{requests: object[]} | 'console'} batch the Graph batch the step performs, or
 *   'console': the person does it in the console (nothing to apply; the checks see it)
 * @property {string} [open] the blades to open for it (a location hash path, e.g.
 *   "group~ID~licenses"): "Do this step for me" opens them when the step has no batch
 * @property {string[]} [highlight] CSS selectors of the controls to use, in the order they are
 *   used; the tour outlines the last one present on the page
 * @property {object[]} checks what holds once the step is done (see evaluateCheck)
 */

/**
 * @typedef {object} Scenario
 * @property {string} format SCENARIO_FORMAT
 * @property {string} [id] the built-in library's name for it
 * @property {string} title
 * @property {string} [article] the Microsoft article it follows
 * @property {string} [summary]
 * @property {{builtIn: 'sample'} | {tenant: object} | {documentBase64: string, name?: string}} base
 * @property {string | number} [clock] the engine's clock when the base is loaded (ISO or Unix ms)
 * @property {{at: number, batch?: string | object, process?: boolean}[]} [log] changes made since the
 *   base, replayed in order, each at its own clock (a shared state; absent for a fresh scenario)
 * @property {ScenarioStep[]} [steps]
 * @property {{step: number}} [tour] where a shared tour stood
 */

/**
 * Checks that a parsed document is a scenario this console reads; returns it or throws an Error
 * naming what is wrong.
 * @param {any} doc
 * @returns {Scenario}
 */
export function validateScenario(doc) {
  const fail = (what) => {
    throw new Error(`Not a scenario: ${what}`);
  };
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) fail('the document is not a JSON object');
  if (doc.format !== SCENARIO_FORMAT) fail(`"format" must be "${SCENARIO_FORMAT}"`);
  if (typeof doc.title !== 'string' || !doc.title.trim()) fail('"title" is missing');
  const base = doc.base;
  if (!base || typeof base !== 'object') fail('"base" is missing');
  if (!(base.builtIn === 'sample' || (base.tenant && typeof base.tenant === 'object') || typeof base.documentBase64 === 'string')) {
    fail('"base" must be {"builtIn": "sample"}, {"tenant": {...}} or {"documentBase64": "..."}');
  }
  if (doc.log !== undefined) {
    if (!Array.isArray(doc.log)) fail('"log" must be an array');
    doc.log.forEach((op, i) => {
      if (!op || typeof op !== 'object' || (op.batch === undefined && op.process !== true)) fail(`log[${i}] needs "batch" or "process": true`);
    });
  }
  if (doc.steps !== undefined) {
    if (!Array.isArray(doc.steps)) fail('"steps" must be an array');
    doc.steps.forEach((step, i) => {
      if (!step || typeof step.text !== 'string') fail(`steps[${i}].text is missing`);
      if (step.batch !== 'console' && !Array.isArray(step.batch?.requests)) fail(`steps[${i}].batch must be a Graph batch {"requests": [...]} or "console"`);
      if (!Array.isArray(step.checks)) fail(`steps[${i}].checks must be an array`);
      step.checks.forEach((check, j) => checkKind(check) || fail(`steps[${i}].checks[${j}] is not a known check`));
    });
  }
  return doc;
}

/** The kind of a check, or '' when it is none of them. */
export function checkKind(check) {
  if (!check || typeof check !== 'object') return '';
  if (typeof check.user === 'string' && typeof check.sku === 'string') return 'license';
  if (typeof check.group === 'string' && (check.errors !== undefined || check.processing !== undefined)) return 'group';
  if (check.audit && typeof check.audit === 'object') return 'audit';
  if (typeof check.product === 'string') return 'product';
  if (typeof check.blade === 'string') return 'blade';
  return '';
}

/** A check in words, for the tour (its own `label` when it has one). */
export function describeCheck(check) {
  if (check.label) return check.label;
  switch (checkKind(check)) {
    case 'license':
      return `${check.userName || check.user}: ${check.skuName || check.sku} ${check.state ?? ''}${check.error ? ` (${check.error})` : ''}`.trim();
    case 'group':
      return `${check.groupName || check.group}: ${check.errors !== undefined ? `${check.errors} in error` : ''}${check.processing ? ` ${check.processing}` : ''}`.trim();
    case 'audit':
      return `Audit log: ${check.audit.activity ?? 'an entry'}${check.contains ? ` "${check.contains}"` : ''}`;
    case 'product':
      return `${check.productName || check.product}: ${['assigned', 'available', 'total'].filter((k) => check[k] !== undefined).map((k) => `${check[k]} ${k}`).join(', ')}`;
    case 'blade':
      return `Open ${check.bladeName || check.blade}`;
    default:
      return 'Unknown check';
  }
}

/**
 * Evaluates one check. `query(q)` runs an engine console query; `hash` is the console's location
 * hash (the blades open). Resolves {ok, actual}: actual says what was found, in words.
 *
 * Kinds:
 *  - license: {user, sku, state?: 'Active'|'ActiveWithError'|'Error'|'None', error?, paths?: string[]}
 *    (state 'None': the user holds no state for the product; paths: exactly these assignment paths)
 *  - group:   {group, errors?: number, processing?: 'ProcessingComplete'|...}
 *  - audit:   {audit: {activity?, targetId?, result?}, contains?: string, count?: number}
 *    (an entry, or `count` entries, whose JSON text contains `contains`)
 *  - product: {product: skuId, assigned?, available?, total?}
 *  - blade:   {blade: 'group~ID~licenses'} (that path is part of the open blades)
 * @param {object} check
 * @param {(q: object) => Promise<any>} query
 * @param {string} [hash]
 * @returns {Promise<{ok: boolean, actual: string}>}
 */
export async function evaluateCheck(check, query, hash = '') {
  switch (checkKind(check)) {
    case 'license': {
      let user;
      try {
        user = await query({ query: 'user', id: check.user });
      } catch {
        return { ok: false, actual: 'no such user' };
      }
      const license = (user?.licenses || []).find((l) => l.skuId?.toLowerCase() === check.sku.toLowerCase());
      const state = license ? license.state : 'None';
      const errors = (license?.assignments || []).map((a) => a.error).filter((e) => e && e !== 'None');
      const paths = (license?.assignments || []).map((a) => a.path).sort();
      let ok = check.state === undefined || check.state === state;
      if (check.error !== undefined) ok = ok && errors.includes(check.error);
      if (check.paths !== undefined) ok = ok && JSON.stringify(paths) === JSON.stringify([...check.paths].sort());
      return { ok, actual: `${state}${errors.length ? ` (${errors.join(', ')})` : ''}${paths.length ? `; ${paths.join(', ')}` : ''}` };
    }
    case 'group': {
      let group;
      try {
        group = await query({ query: 'group', id: check.group });
      } catch {
        return { ok: false, actual: 'no such group' };
      }
      const errors = Number(group?.membersWithErrors ?? 0);
      const processing = group?.processing?.state ?? '';
      const ok = (check.errors === undefined || check.errors === errors) && (check.processing === undefined || check.processing === processing);
      return { ok, actual: `${errors} in error, ${processing}` };
    }
    case 'audit': {
      const q = { query: 'audit', limit: 200 };
      for (const key of ['activity', 'targetId', 'result']) if (check.audit[key] !== undefined) q[key] = check.audit[key];
      const page = await query(q);
      const items = (page?.items || []).filter((item) => check.contains === undefined || JSON.stringify(item).includes(check.contains));
      const ok = check.count === undefined ? items.length > 0 : items.length === check.count;
      return { ok, actual: `${items.length} matching ${items.length === 1 ? 'entry' : 'entries'}` };
    }
    case 'product': {
      const products = await query({ query: 'products' });
      const list = Array.isArray(products) ? products : products?.items || [];
      const p = list.find((x) => x.skuId?.toLowerCase() === check.product.toLowerCase() || x.skuPartNumber === check.product);
      if (!p) return { ok: false, actual: 'no such product' };
      const ok = ['assigned', 'available', 'total'].every((k) => check[k] === undefined || check[k] === p[k]);
      return { ok, actual: `${p.assigned} assigned, ${p.available} available, ${p.total} total` };
    }
    case 'blade': {
      const open = hash.replace(/^#\/?/, '').split('/').map((part) => decodeURIComponent(part)).join('/');
      const wanted = check.blade;
      const ok = open === wanted || open.startsWith(`${wanted}/`) || open.endsWith(`/${wanted}`) || open.includes(`/${wanted}/`);
      return { ok, actual: ok ? 'open' : 'not open' };
    }
    default:
      return { ok: false, actual: 'unknown check' };
  }
}

/**
 * Evaluates every check of a step, in order.
 * @param {object[]} checks
 * @param {(q: object) => Promise<any>} query
 * @param {string} [hash]
 */
export async function evaluateChecks(checks, query, hash = '') {
  const results = [];
  for (const check of checks) results.push({ check, ...(await evaluateCheck(check, query, hash)) });
  return results;
}

/** Bytes → base64 (standard alphabet). */
export function bytesToBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** base64 (standard or url alphabet, padded or not) → bytes. */
export function base64ToBytes(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The tenant document bytes of a scenario's base (null for the built-in sample). */
export function baseDocumentBytes(scenario) {
  if (scenario.base.builtIn === 'sample') return null;
  if (scenario.base.tenant) return new TextEncoder().encode(JSON.stringify(scenario.base.tenant));
  return base64ToBytes(scenario.base.documentBase64);
}

/** A clock value (ISO or ms) as Unix ms, or undefined. */
export function clockMs(value) {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  return undefined;
}
