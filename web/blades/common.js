// Helpers shared by blades: wording of states, Graph batch request builders, batch outcome notifications.
import { h, num, plural } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import * as notifications from '../lib/notifications.js';

export function groupType(g) {
  const types = g.groupTypes || [];
  if (types.includes('Unified')) return 'Microsoft 365';
  if (g.securityEnabled && g.mailEnabled) return 'Mail-enabled security';
  if (g.securityEnabled) return 'Security';
  if (g.mailEnabled) return 'Distribution';
  return 'Other';
}

export function processingText(state) {
  const s = typeof state === 'object' && state ? state.state : state;
  switch (s) {
    case 'QueuedForProcessing':
      return 'Queued for processing';
    case 'ProcessingInProgress':
      return 'Processing';
    case 'ProcessingComplete':
      return 'Complete';
    case 'ProcessingFailed':
      return 'Failed';
    case undefined:
    case null:
    case '':
      return '';
    default:
      return String(s);
  }
}

/** A state pill: Active / Error / ActiveWithError / Disabled … */
export function statePill(state, extra) {
  const s = String(state || '');
  const kind = /error/i.test(s) ? 'error' : /active/i.test(s) ? 'success' : /disabled|suspend/i.test(s) ? 'warning' : 'neutral';
  const text = s === 'ActiveWithError' ? 'Active with errors' : s;
  return h('span', { class: ['pill', `pill-${kind}`], text: extra ? `${text} · ${extra}` : text });
}

export function graphError(resp) {
  const e = resp?.body?.error;
  if (!e) return `HTTP ${resp?.status}`;
  return e.message ? `${e.message}${e.code ? ` (${e.code})` : ''}` : String(e.code || resp.status);
}

export function isOk(resp) {
  return resp && resp.status >= 200 && resp.status < 300;
}

export function assignLicenseRequest(kind, id, addLicenses, removeLicenses = []) {
  return {
    method: 'POST',
    url: `/${kind === 'group' ? 'groups' : 'users'}/${encodeURIComponent(id)}/assignLicense`,
    headers: { 'Content-Type': 'application/json' },
    body: { addLicenses, removeLicenses },
  };
}

/**
 * Sends a batch, raises a notification that follows the job to its end, and resolves with the responses.
 * `describe(resp, req)` names a request's target for the failure details.
 */
/**
 * Removes licenses (or members) after a confirmation that previews it (the `confirm-change` blade):
 * `job` is runJob's options, run on the action (Remove); `after()` follows it. Add to plan stages
 * the same requests instead; Cancel changes nothing.
 * @param {{open: Function}} view the blade opening the confirmation
 * @param {{subtitle: string, products?: object[], job: any, after?: () => void, title?: string, action?: string}} change
 */
export function confirmRemoval(view, { subtitle, products = [], job, after, title = 'Remove license', action = 'Remove' }) {
  view.open('confirm-change', [], {
    title,
    subtitle,
    actionLabel: action,
    products,
    requests: job.requests,
    stage: { title: `${title}: ${subtitle}`, requests: job.requests, targets: job.targets },
    async onConfirm() {
      await runJob(job);
      after?.();
    },
  });
}

/** A job's title once it is over: "Assigning licenses to HR" → "Assigned licenses to HR". */
const PAST = { Assigning: 'Assigned', Removing: 'Removed', Updating: 'Updated', Reprocessing: 'Reprocessed', Applying: 'Applied', Changing: 'Changed', Adding: 'Added' };
export function pastTense(title) {
  const [first, ...rest] = String(title).split(' ');
  return PAST[first] ? [PAST[first], ...rest].join(' ') : title;
}

export async function runJob({ title, requests, targets, successText, onDone }) {
  const note = notifications.notify({ title, text: 'Starting…', status: 'progress' });
  let responses;
  let processing;
  try {
    ({ responses, processing } = await engine.batch(requests));
  } catch (err) {
    note.update({ status: 'error', title: `${title}: failed`, text: `The request failed: ${engine.errorText(err)}` });
    throw err;
  }
  const byId = new Map(responses.map((r) => [String(r.id), r]));
  const failures = [];
  const accepted = [];
  requests.forEach((req, i) => {
    const resp = byId.get(String(req.id ?? i + 1)) || responses[i];
    const target = targets?.[i] || { name: req.url };
    if (isOk(resp)) accepted.push({ target, resp });
    else failures.push({ target, status: resp?.status, code: resp?.body?.error?.code, message: resp?.body?.error?.message || graphError(resp) });
  });
  const details = failures.length
    ? { type: 'failure-details', args: [], opts: { title, failures } }
    : null;
  if (!accepted.length) {
    note.update({
      status: 'error',
      title: `${title}: failed`,
      text: failures.length === 1 ? `Failed: ${failures[0].message}` : `${failures.length} requests failed.`,
      details,
    });
    return responses;
  }
  const groupIds = accepted
    .filter((a) => a.target.kind === 'group' && (a.resp.status === 202 || a.target.processes))
    .map((a) => a.target.id);
  if (!processing) {
    note.update({
      status: failures.length ? 'warning' : 'success',
      title: pastTense(title),
      text: failures.length ? `${successText} ${failures.length} failed.` : successText,
      details,
    });
    onDone?.();
    return responses;
  }
  note.update({ text: `${successText} Processing group members…`, details });
  const off = engine.on('progress', (p) => {
    if (!p || p.done) return;
    note.update({
      text: `Processing ${p.groupName || 'group'}: ${num(p.processed)} of ${num(p.total)} users${p.queuedGroups ? ` (${plural(p.queuedGroups, 'more group', 'more groups')} queued)` : ''}`,
      progress: { processed: p.processed, total: p.total },
    });
  });
  processing.catch(() => {}).then(async () => {
    off();
    const outcome = [];
    let errors = 0;
    for (const id of groupIds) {
      try {
        const g = await engine.query({ query: 'group', id });
        const n = Array.isArray(g.membersWithErrors) ? g.membersWithErrors.length : Number(g.membersWithErrors || 0);
        errors += n;
        outcome.push(n ? `${g.displayName}: ${plural(n, 'user has', 'users have')} license assignment errors.` : `${g.displayName}: latest license changes have been applied to all users.`);
      } catch {
        /* group may be gone */
      }
    }
    note.update({
      status: failures.length ? 'error' : errors ? 'warning' : 'success',
      title: pastTense(title),
      text: [successText, ...outcome, failures.length ? `${failures.length} request(s) failed.` : ''].filter(Boolean).join(' '),
      progress: null,
      details: details || (errors && groupIds.length === 1 ? { type: 'group-errors', args: [groupIds[0]], opts: {} } : null),
    });
    onDone?.();
  });
  return responses;
}

export function errorCount(g) {
  return Array.isArray(g?.membersWithErrors) ? g.membersWithErrors.length : Number(g?.membersWithErrors || 0);
}

export function pagedQuery(base) {
  return (offset, limit) => engine.query({ ...base, offset, limit });
}

/** Section heading inside a blade. */
export function section(title, ...children) {
  return h('section', { class: 'blade-section' }, h('h3', { text: title }), children);
}

export function keyValue(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v ?? '')]));
}

/** Brand names whose casing title case would lose. */
const BRAND_CASE = new Map(Object.entries({
  ONEDRIVE: 'OneDrive', SHAREPOINT: 'SharePoint', POWERAPPS: 'PowerApps', MYANALYTICS: 'MyAnalytics', STAFFHUB: 'StaffHub',
  FASTTRACK: 'FastTrack', DEVOPS: 'DevOps', LINKEDIN: 'LinkedIn', PSTN: 'PSTN', VOIP: 'VoIP',
}));
/** Short words kept lower case inside a name ("Mobile Device Management for Office 365"). */
const SMALL_WORDS = new Set(['A', 'AN', 'AND', 'BY', 'FOR', 'IN', 'OF', 'ON', 'OR', 'THE', 'TO', 'WITH']);
/** Abbreviations kept in capitals. */
const ABBREVIATIONS = new Set(['BI', 'CRM', 'MS', 'MCO', 'PBX', 'POP', 'SKU', 'AAD', 'ATP', 'DLP', 'EMS', 'ID', 'MDM', 'MFA', 'SQL', 'API', 'AI', 'IP', 'TV', 'VDI', 'OS', 'US', 'UK', 'EU', 'GCC', 'DOD', 'HR', 'ERP']);

/**
 * A name written all in capitals, in words: "MICROSOFT INTUNE" → "Microsoft Intune",
 * "MOBILE DEVICE MANAGEMENT FOR OFFICE 365" → "Mobile Device Management for Office 365". Words with
 * digits (P1, E3, O365) and known abbreviations stay as they are. A name with any lower-case letter
 * is returned unchanged.
 * @param {string} name
 * @returns {string}
 */
export function wordsCase(name) {
  if (!name || /[a-z]/.test(name) || !/[A-Z]{2}/.test(name)) return name;
  let first = true;
  return name.replace(/[A-Z0-9]+/g, (w) => {
    const wasFirst = first;
    first = false;
    if (/\d/.test(w) || ABBREVIATIONS.has(w)) return w;
    if (BRAND_CASE.has(w)) return BRAND_CASE.get(w);
    if (!wasFirst && SMALL_WORDS.has(w)) return w.toLowerCase();
    return w[0] + w.slice(1).toLowerCase();
  });
}

/**
 * Display name of a service plan: the catalogue's friendly name (in words when the catalogue writes
 * it in capitals, e.g. Enterprise Mobility + Security's "MICROSOFT INTUNE"); when the catalogue has
 * none (its friendly name is the raw plan name, e.g. YAMMER_ENTERPRISE), the plan name in words
 * ("Yammer Enterprise").
 */
export function planName(plan) {
  const friendly = plan.friendlyName || '';
  const raw = plan.servicePlanName || '';
  if (friendly && friendly !== raw) return wordsCase(friendly);
  const name = friendly || raw;
  if (/^[A-Z0-9_]+$/.test(name) && name.includes('_')) {
    return name.split('_').filter(Boolean).map((w) => (/\d/.test(w) ? w : w[0] + w.slice(1).toLowerCase())).join(' ');
  }
  return name;
}

/**
 * A service plan's name as lists show it: the display name, and beside it in smaller text the
 * service plan name, so plans that read alike (Yammer Enterprise, Viva Engage Core) can be told
 * apart and matched with Graph's servicePlanName.
 * @param {{friendlyName?: string, servicePlanName?: string}} plan
 * @returns {HTMLElement}
 */
export function planLabel(plan) {
  const name = planName(plan);
  const raw = plan.servicePlanName || '';
  return h('span', { class: 'plan-label' },
    h('span', { class: 'plan-name', text: name }),
    raw && raw !== name ? [' ', h('span', { class: 'plan-id', text: raw })] : null);
}
