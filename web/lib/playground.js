// The playground (issue 14) wired into the console: loading scenarios (library, file, share link),
// the top bar's Share command and demo pace badge, and the embedded mode (?embed=<blade>).
import { h, button, setDisabled, downloadText, num } from './dom.js';
import * as engine from './engine.js';
import * as shell from './shell.js';
import * as notifications from './notifications.js';
import { validateScenario } from './scenario.js';
import { SHARE_URL_LIMIT, scenarioFromHash, scenarioToState, shareLink, stateToScenario } from './share.js';
import { currentTour, endTour, onRestart, savedTour, startTour } from './tour.js';
import { libraryScenario } from '../scenarios/index.js';
import './playground.css';

const PACE_KEY = 'gbl-demo-pace';
/** The demo pace offered first (users per second): 1,000 members take about ten seconds. */
export const DEFAULT_PACE = 100;

/** Whether replacing the tenant would lose something the person made (a change, an import). */
export function tenantHasChanges() {
  const { base, ops } = engine.currentState();
  return ops.some((op) => op.type === 'applyBatch') || base?.kind === 'file' || base?.kind === 'files';
}

/**
 * Loads a scenario's tenant (its base and, for a shared state, its change log) and starts its tour
 * when it has steps (at `scenario.tour.step` for a shared tour). No confirmation here: callers ask.
 * @param {import('./scenario.js').Scenario} scenario
 * @param {{embedded?: boolean}} [options]
 */
export async function loadScenario(scenario, { embedded = false } = {}) {
  validateScenario(scenario);
  endTour();
  const { base, log } = scenarioToState(scenario, Date.now());
  const t = await engine.loadState(base, log);
  if (scenario.steps?.length) startTour(scenario, scenario.tour?.step ?? 0, { embedded });
  return t;
}

// Restart (tour): the scenario's base tenant again, without its log.
onRestart(async (scenario) => {
  const { log, tour, ...fresh } = scenario;
  void log;
  void tour;
  const { base } = scenarioToState(fresh, Date.now());
  await engine.loadState(base, []);
});

/**
 * Reads a scenario file (JSON) the person chose or dropped; resolves the scenario, or null when the
 * file is not one (then it is a tenant document for the import). Throws on a broken scenario.
 * @param {File} file
 */
export async function scenarioFromFile(file) {
  if (file.size > 64 << 20) return null;
  const head = await file.slice(0, 4096).text();
  if (!head.includes('"gbl-scenario/')) return null;
  return validateScenario(JSON.parse(await file.text()));
}

/** Opens a scenario: at once when nothing would be lost, else through the Scenarios blade's confirmation. */
export async function openScenario(scenario) {
  if (tenantHasChanges()) {
    shell.openRoot('scenarios', [], { pending: scenario });
    return;
  }
  await loadWithNotice(scenario);
}

/** Loads a scenario with a notification saying what happened. */
export async function loadWithNotice(scenario) {
  const note = notifications.notify({ title: `Loading ${scenario.title}`, text: 'Replaying the scenario\'s tenant…', status: 'progress' });
  try {
    const t = await loadScenario(scenario);
    // How many scenarios this page loaded (browser tests wait for it; nothing reads it otherwise).
    document.body.dataset.scenarioLoads = String(Number(document.body.dataset.scenarioLoads || 0) + 1);
    note.update({ status: 'success', title: `Loaded ${scenario.title}`, text: `${t?.displayName || 'The tenant'}: ${num(t?.users)} users, ${num(t?.groups)} groups, ${num(t?.skus)} products.` });
    return true;
  } catch (err) {
    note.update({ status: 'error', title: `${scenario.title} could not be loaded`, text: engine.errorText(err) });
    return false;
  }
}

/** The share link of the current state (and the scenario document it packs). */
export async function currentShare() {
  const t = await engine.query({ query: 'tenant' }).catch(() => null);
  await engine.idle();
  const scenario = await stateToScenario(engine.currentState(), { tenantName: t?.displayName || '', tour: currentTour() });
  const base = `${location.origin}${location.pathname}`;
  return { scenario, ...(await shareLink(scenario, base)) };
}

let shareDialog = null;

/** Opens the Share panel: a text box labelled "Share link", or the scenario file when too big. */
async function openShare(anchor) {
  shareDialog?.remove();
  const box = h('textarea', { class: 'share-link', readOnly: true, rows: 4, attrs: { id: 'share-link', 'data-testid': 'share-link', spellcheck: 'false' } });
  const label = h('label', { attrs: { for: 'share-link' }, text: 'Share link' });
  const note = h('p', { class: 'share-note', attrs: { role: 'status', 'data-testid': 'share-note' }, text: 'Packing the tenant and its changes…' });
  const copy = button('Copy', async () => {
    box.select();
    try {
      await navigator.clipboard.writeText(box.value);
      note.textContent = 'Copied.';
    } catch {
      note.textContent = 'Select the link and copy it (the browser did not allow copying).';
    }
  }, { appearance: 'primary', disabled: true, testid: 'share-copy' });
  const download = button('Download scenario file', () => {}, { disabled: true, testid: 'share-download' });
  const close = button('Close', () => closeShare(), { testid: 'share-close' });
  shareDialog = h('div', { class: 'share-panel', attrs: { role: 'dialog', 'aria-label': 'Share', 'data-testid': 'share-panel' } },
    h('h2', { class: 'share-title', text: 'Share' }),
    h('p', { class: 'help-text', text: `The link carries the base tenant and every change made since, each at its own time, so it opens as this tenant in any browser (nothing is uploaded: it is all in the link). Links up to ${num(SHARE_URL_LIMIT)} characters; a bigger state is offered as a scenario file, which the console opens by drop or from Scenarios.` }),
    label, box, note, h('div', { class: 'share-actions' }, copy, download, close));
  document.body.append(shareDialog);
  shareDialog.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') closeShare();
  });
  const restore = anchor;
  function closeShare() {
    shareDialog?.remove();
    shareDialog = null;
    restore?.focus();
  }
  try {
    const { scenario, url, length, fits } = await currentShare();
    const fileName = `${(scenario.title || 'scenario').replace(/[^\w-]+/g, '-').slice(0, 60)}.scenario.json`;
    download.replaceWith(button('Download scenario file', () => downloadText(fileName, JSON.stringify(scenario, null, 2), 'application/json'), { appearance: fits ? 'subtle' : 'primary', testid: 'share-download' }));
    if (fits) {
      box.value = url;
      setDisabled(copy, false);
      note.textContent = `${num(length)} characters.`;
      box.focus();
      box.select();
    } else {
      box.value = '';
      box.placeholder = 'Too big for a link';
      note.textContent = `As a link this state would be ${num(length)} characters, over the ${num(SHARE_URL_LIMIT)} limit: download the scenario file instead and share that.`;
    }
  } catch (err) {
    note.textContent = engine.errorText(err);
  }
}

/** The top bar's Share command and demo pace badge. */
function mountTopBar() {
  const topbar = document.querySelector('.topbar');
  const before = document.getElementById('plan-button');
  if (!topbar || !before) return;
  const paceBadge = h('button', { type: 'button', class: 'topbar-button pace-badge', attrs: { id: 'pace-badge', 'data-testid': 'pace-badge', title: 'Demo pace is on: background processing is slowed down to show its progress. Select to change it.' } });
  paceBadge.hidden = true;
  paceBadge.addEventListener('click', () => shell.openRoot('scenarios'));
  const scenarios = h('button', { type: 'button', class: 'topbar-button topbar-text-button', attrs: { id: 'scenarios-button', 'data-testid': 'scenarios-button' }, text: 'Scenarios' });
  scenarios.addEventListener('click', () => shell.openRoot('scenarios'));
  const share = h('button', { type: 'button', class: 'topbar-button topbar-text-button', attrs: { id: 'share-button', 'data-testid': 'share-button', 'aria-haspopup': 'dialog' }, text: 'Share' });
  share.addEventListener('click', () => openShare(share));
  topbar.insertBefore(paceBadge, before);
  topbar.insertBefore(scenarios, before);
  topbar.insertBefore(share, before);
  const paint = (pace) => {
    paceBadge.hidden = !pace;
    paceBadge.textContent = pace ? `Demo pace: ${num(pace)} users/s` : '';
  };
  engine.on('pace', paint);
  paint(engine.currentPace());
}

/** Demo pace from this browser's settings (off unless it was turned on). */
export function restorePace() {
  const saved = Number(localStorage.getItem(PACE_KEY) || 0);
  engine.setPace(saved > 0 ? saved : null);
}

/** Turns demo pace on (users per second) or off (null), and remembers it in this browser. */
export function choosePace(usersPerSecond) {
  engine.setPace(usersPerSecond);
  try {
    if (engine.currentPace()) localStorage.setItem(PACE_KEY, String(engine.currentPace()));
    else localStorage.removeItem(PACE_KEY);
  } catch {
    // not remembered; the setting still holds in this page
  }
}

/**
 * The blades `?embed=<name>` shows: all-products, group-licenses (&id=GROUP), user-licenses
 * (&id=USER), assign (&skus=SKU,SKU&group=GROUP), audit, tour (&scenario=ID). Null for an unknown name.
 * @param {URLSearchParams} params
 */
export function embedPath(params) {
  const id = params.get('id') || '';
  switch (params.get('embed')) {
    case 'all-products':
      return 'licenses~products';
    case 'group-licenses':
      return id ? `group~${encodeURIComponent(id)}~licenses` : null;
    case 'user-licenses':
      return id ? `user~${encodeURIComponent(id)}~licenses` : null;
    case 'assign': {
      const group = params.get('group');
      return `assign~${encodeURIComponent(params.get('skus') || '')}${group ? `~${encodeURIComponent(`group:${group}`)}` : ''}`;
    }
    case 'audit':
      return 'audit';
    case 'tour':
      return '';
    default:
      return null;
  }
}

/** True when the page is an embedded blade (?embed=…). */
export function isEmbedded() {
  return new URLSearchParams(location.search).has('embed');
}

/** Before the engine starts: the embedded mode's page and storage (an embed never writes the stored tenant). */
export function beforeStart() {
  if (isEmbedded()) {
    document.body.classList.add('embed');
    engine.setPersistence(false);
  } else {
    mountTopBar();
  }
  restorePace();
}

/**
 * After the engine loaded the stored tenant: a share link in the fragment is opened (asking first
 * when the tenant has changes); an embed shows its blade; a tour saved in this tab resumes.
 * Returns true when it set the blades itself (the shell must not restore them from the hash).
 */
export async function afterStart() {
  const params = new URLSearchParams(location.search);
  const embedded = params.has('embed');
  let shared = null;
  try {
    shared = await scenarioFromHash(location.hash);
  } catch (err) {
    notifications.notify({ title: 'The share link could not be opened', text: engine.errorText(err), status: 'error' });
    history.replaceState(null, '', '#/');
  }
  if (embedded) {
    const path = embedPath(params);
    const libraryId = params.get('scenario');
    const scenario = shared || (libraryId ? libraryScenario(libraryId) : null);
    if (scenario) await loadScenario(scenario, { embedded: params.get('embed') === 'tour' });
    if (path === null) {
      document.getElementById('blades')?.append(h('p', { class: 'embed-error', text: `Nothing to embed for "${params.get('embed')}": use all-products, group-licenses&id=…, user-licenses&id=…, assign, audit or tour&scenario=….` }));
      return true;
    }
    if (path === '') return true; // the tour alone: the panel fills the frame
    history.replaceState(null, '', `#/${path}`);
    shell.restoreFromHash();
    return true;
  }
  // A share link pasted into this tab later is a change of fragment only (no new page).
  window.addEventListener('hashchange', (ev) => {
    // The shell has already rewritten the hash to its blades: the link is read from the event.
    scenarioFromHash(new URL(ev.newURL).hash).then(async (later) => {
      if (!later) return;
      history.replaceState(null, '', '#/');
      await openShared(later);
    }, (err) => {
      history.replaceState(null, '', '#/');
      notifications.notify({ title: 'The share link could not be opened', text: engine.errorText(err), status: 'error' });
    });
  });
  if (shared) {
    history.replaceState(null, '', '#/');
    await openShared(shared);
    return true;
  }
  const saved = savedTour();
  if (saved) startTour(saved.scenario, saved.step);
  return false;
}

/**
 * A drop: one scenario file opens as a scenario; anything else goes to the tenant import.
 * @param {{file: File, path: string}[]} chosen
 * @param {(chosen: any[]) => unknown} importChosen
 */
export async function openDropped(chosen, importChosen) {
  if (chosen.length === 1) {
    let scenario = null;
    try {
      scenario = await scenarioFromFile(chosen[0].file);
    } catch (err) {
      notifications.notify({ title: `${chosen[0].file.name} could not be opened`, text: engine.errorText(err), status: 'error' });
      return;
    }
    if (scenario) {
      await openScenario(scenario);
      return;
    }
  }
  await importChosen(chosen);
}

/** A shared scenario: loaded at once, or after the Scenarios blade's confirmation when the tenant has changes. */
async function openShared(scenario) {
  if (tenantHasChanges()) {
    shell.openRoot('scenarios', [], { pending: scenario });
    return;
  }
  await loadWithNotice(scenario);
  shell.restoreFromHash();
}
