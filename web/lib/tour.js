// The guided tour (issue 14): a panel beside the console (never over it as a modal) that shows the
// current step of a scenario, outlines the control to use next, and notices when the step is done
// by evaluating the step's checks through engine queries whenever the tenant changes or the blades
// change (no click counting, no timer). Back, Restart, "Do this step for me", Close.
import { h, replace, button, setDisabled } from './dom.js';
import * as engine from './engine.js';
import { evaluateChecks, describeCheck } from './scenario.js';

const SESSION_KEY = 'gbl-tour';

/** @type {{scenario: import('./scenario.js').Scenario, step: number, results: any[][], finished: boolean} | null} */
let tour = null;
let panel = null;
let els = null;
let generation = 0;
let highlighted = null;
let observer = null;
let pendingPaint = 0;
let unsubscribe = [];
const listeners = new Set();

/** Subscribes to tour changes (started, moved, ended); returns the unsubscribe. */
export function onTourChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The running tour ({scenario, step}) or null. */
export function currentTour() {
  return tour ? { scenario: tour.scenario, step: tour.step } : null;
}

function changed() {
  try {
    if (tour) sessionStorage.setItem(SESSION_KEY, JSON.stringify({ scenario: tour.scenario, step: tour.step }));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // storage full or unavailable: the tour simply does not survive a reload
  }
  for (const fn of listeners) fn(currentTour());
}

/** The tour saved in this tab's session (a reload keeps it), or null. */
export function savedTour() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    return saved?.scenario?.steps ? saved : null;
  } catch {
    return null;
  }
}

/**
 * Starts the tour of a scenario at `step` (its tenant is already loaded).
 * @param {import('./scenario.js').Scenario} scenario
 * @param {number} [step]
 * @param {{embedded?: boolean}} [options] embedded: the panel fills the page (?embed=tour)
 */
export function startTour(scenario, step = 0, { embedded = false } = {}) {
  if (!scenario?.steps?.length) return;
  tour = { scenario, step: Math.max(0, Math.min(step, scenario.steps.length - 1)), results: [], finished: false };
  mountPanel(embedded);
  changed();
  render();
  evaluate();
}

/** Ends the tour (the tenant stays as it is). */
export function endTour() {
  tour = null;
  generation++;
  setHighlight(null);
  observer?.disconnect();
  observer = null;
  for (const off of unsubscribe.splice(0)) off();
  panel?.remove();
  panel = null;
  document.body.classList.remove('tour-open');
  changed();
}

function mountPanel(embedded) {
  if (panel) return;
  const title = h('h2', { class: 'tour-title', attrs: { id: 'tour-title' } });
  const counter = h('div', { class: 'tour-counter', attrs: { 'data-testid': 'tour-counter' } });
  const text = h('p', { class: 'tour-text', attrs: { 'data-testid': 'tour-text' } });
  const checks = h('ul', { class: 'tour-checks', attrs: { 'aria-label': 'What this step checks', 'data-testid': 'tour-checks' } });
  const status = h('div', { class: 'tour-status', attrs: { role: 'status', 'data-testid': 'tour-status' } });
  const done = h('ol', { class: 'tour-done', attrs: { 'aria-label': 'Steps done', 'data-testid': 'tour-done' } });
  const back = button('Back', () => go(tour.step - 1), { testid: 'tour-back' });
  const restart = button('Restart', () => restartTour(), { testid: 'tour-restart' });
  const doIt = button('Do this step for me', () => doStep(), { appearance: 'primary', testid: 'tour-do' });
  const close = h('button', { type: 'button', class: 'tour-close', attrs: { 'aria-label': 'Close the tour' }, text: '×', on: { click: () => endTour() } });
  panel = h('aside', { class: ['tour', embedded && 'tour-embedded'], attrs: { 'aria-labelledby': 'tour-title', 'data-testid': 'tour' } },
    h('div', { class: 'tour-head' }, title, close), counter, text, checks, status,
    h('div', { class: 'tour-actions' }, back, restart, doIt), done);
  els = { title, counter, text, checks, status, done, back, restart, doIt };
  document.body.append(panel);
  document.body.classList.add('tour-open');
  // The tenant changed (a batch, processing ended, a load): the checks are read again.
  unsubscribe.push(engine.on('changed', () => evaluate()), engine.on('progress', (p) => {
    if (!p || p.done) evaluate();
  }));
  // The blades changed (a blade opened, a menu item chosen): blade checks and the highlight.
  observer = new MutationObserver(() => schedulePaint());
  observer.observe(document.getElementById('blades') || document.body, { childList: true, subtree: true });
}

/** Coalesces DOM changes into one re-read of the checks and the highlight per frame. */
function schedulePaint() {
  if (pendingPaint) return;
  pendingPaint = requestAnimationFrame(() => {
    pendingPaint = 0;
    if (!tour) return;
    paintHighlight();
    if (stepOf()?.checks.some((c) => typeof c.blade === 'string')) evaluate();
  });
}

function stepOf() {
  return tour ? tour.scenario.steps[tour.step] : null;
}

function render() {
  if (!tour || !els) return;
  const { scenario } = tour;
  const step = stepOf();
  els.title.textContent = scenario.title;
  els.counter.textContent = tour.finished ? `All ${scenario.steps.length} steps done` : `Step ${tour.step + 1} of ${scenario.steps.length}`;
  els.text.textContent = tour.finished ? 'The scenario is complete: every check of every step passed. Restart to go through it again.' : step.text;
  setDisabled(els.back, tour.step === 0 && !tour.finished);
  setDisabled(els.doIt, tour.finished);
  replace(els.done, tour.results.map((results, i) => results && h('li', { attrs: { 'data-step': String(i), 'data-ok': String(results.every((r) => r.ok)) } },
    `Step ${i + 1} done: ${results.filter((r) => r.ok).length} of ${results.length} checks passed`)));
  paintHighlight();
}

function paintChecks(results) {
  replace(els.checks, results.map((r) => h('li', { class: ['tour-check', r.ok ? 'tour-check-ok' : 'tour-check-open'], attrs: { 'data-ok': String(r.ok), title: r.actual } },
    h('span', { class: 'tour-check-mark', attrs: { 'aria-hidden': 'true' }, text: r.ok ? '✓' : '○' }),
    h('span', { text: describeCheck(r.check) }),
    h('span', { class: 'visually-hidden', text: r.ok ? ' (done)' : ' (not yet)' }))));
}

/**
 * Reads the current step's checks once the engine is idle; when all pass the step is done and the
 * tour moves on (the last step ends it).
 */
async function evaluate() {
  if (!tour || tour.finished) {
    if (els && tour?.finished) replace(els.checks);
    return;
  }
  const mine = ++generation;
  await engine.idle(); // batches and their processing first: checks read the settled tenant
  if (mine !== generation || !tour) return;
  if (engine.currentProgress()) return; // processing still under way: its end triggers a new read
  const t = await engine.query({ query: 'tenant' }).catch(() => null);
  if (mine !== generation || !tour || t?.pending) return; // queued work: its processing's end reads again
  const step = stepOf();
  let results;
  try {
    results = await evaluateChecks(step.checks, engine.query, location.hash);
  } catch (err) {
    if (mine === generation) els.status.textContent = `The checks could not be read: ${engine.errorText(err)}`;
    return;
  }
  if (mine !== generation || !tour) return;
  paintChecks(results);
  if (results.length && results.every((r) => r.ok)) {
    tour.results[tour.step] = results;
    const finished = tour.step === tour.scenario.steps.length - 1;
    els.status.textContent = `Step ${tour.step + 1} done.${finished ? ' The scenario is complete.' : ' Next step.'}`;
    if (finished) tour.finished = true;
    else tour.step += 1;
    changed();
    render();
    if (!finished) evaluate();
  } else {
    const left = results.filter((r) => !r.ok).length;
    els.status.textContent = `${left} of ${results.length} ${results.length === 1 ? 'check' : 'checks'} still to pass.`;
  }
}

function go(step) {
  if (!tour) return;
  tour.finished = false;
  tour.step = Math.max(0, Math.min(step, tour.scenario.steps.length - 1));
  tour.results.length = Math.min(tour.results.length, tour.step);
  els.status.textContent = '';
  changed();
  render();
  evaluate();
}

/** Restart: the scenario's tenant again (through `restartHandler`), from its first step. */
let restartHandler = null;
/** Sets what Restart does to the tenant (loads the scenario's base again). */
export function onRestart(fn) {
  restartHandler = fn;
}

async function restartTour() {
  if (!tour) return;
  const scenario = tour.scenario;
  setDisabled(els.restart, true);
  try {
    await restartHandler?.(scenario);
  } finally {
    if (els) setDisabled(els.restart, false);
  }
  if (!tour) return;
  tour.results = [];
  go(0);
}

/** "Do this step for me": applies the step's batch, or opens its blades when the person only looks. */
async function doStep() {
  const step = stepOf();
  if (!step || tour.finished) return;
  setDisabled(els.doIt, true);
  try {
    if (step.batch && step.batch !== 'console') {
      els.status.textContent = 'Applying the step\'s changes…';
      const { responses } = await engine.batch(step.batch.requests);
      const failed = responses.filter((r) => r.status >= 400);
      if (failed.length) els.status.textContent = `The service refused ${failed.length} of ${responses.length} requests: ${failed[0].body?.error?.message || failed[0].status}`;
    }
    if (step.open) {
      // The blades the step looks at, through the location hash (the shell rebuilds them).
      location.hash = `#/${step.open}`;
    }
  } catch (err) {
    els.status.textContent = `The step could not be done: ${engine.errorText(err)}`;
  } finally {
    if (els) setDisabled(els.doIt, !!tour?.finished);
  }
  evaluate();
}

/** Outlines the last control of the step's `highlight` list that is on the page and visible. */
function paintHighlight() {
  const step = stepOf();
  let target = null;
  if (tour && !tour.finished && step?.highlight) {
    for (const selector of step.highlight) {
      let found = null;
      try {
        found = [...document.querySelectorAll(selector)].find((el) => el.getClientRects().length > 0) || null;
      } catch {
        found = null; // a selector the page does not understand: skipped
      }
      if (found) target = found;
    }
  }
  setHighlight(target);
}

function setHighlight(el) {
  if (highlighted === el) return;
  highlighted?.classList.remove('tour-highlight');
  highlighted = el;
  el?.classList.add('tour-highlight');
}
