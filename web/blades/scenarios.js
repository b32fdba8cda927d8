// Scenarios (issue 14): the built-in library (each follows a Microsoft article), a scenario file to
// open, and the demo pace setting. Choosing a scenario loads its tenant, after a confirmation when
// the current tenant has changes, and starts its guided tour.
import { h, replace, button, setDisabled, num } from '../lib/dom.js';
import { registerBlade } from '../lib/shell.js';
import * as engine from '../lib/engine.js';
import { LIBRARY } from '../scenarios/index.js';
import { DEFAULT_PACE, choosePace, loadWithNotice, scenarioFromFile, tenantHasChanges } from '../lib/playground.js';

registerBlade('scenarios', (args, opts) => ({
  title: 'Scenarios',
  subtitle: 'Guided tours of Microsoft\'s licensing articles',
  size: 'large',
  render(ctx) {
    const confirmSlot = h('div', { class: 'message-slot', attrs: { 'aria-live': 'polite', 'data-testid': 'scenario-confirm' } });

    /** Loads at once, or asks first naming what would be replaced. */
    async function choose(scenario) {
      if (!tenantHasChanges()) {
        replace(confirmSlot);
        await loadWithNotice(scenario);
        return;
      }
      const t = await engine.query({ query: 'tenant' }).catch(() => null);
      const changes = engine.currentState().ops.filter((op) => op.type === 'applyBatch').length;
      const load = button('Load the scenario', async () => {
        setDisabled(load, true);
        replace(confirmSlot);
        await loadWithNotice(scenario);
      }, { appearance: 'primary', testid: 'scenario-confirm-load' });
      replace(confirmSlot, h('fluent-message-bar', { attrs: { intent: 'warning', layout: 'multiline' } },
        `"${scenario.title}" replaces ${t?.displayName || 'the current tenant'} and the ${num(changes)} ${changes === 1 ? 'change' : 'changes'} made to it. Export the tenant or share it first to keep it.`,
        h('div', { class: 'scenario-confirm-actions' }, load, button('Keep my tenant', () => replace(confirmSlot), { testid: 'scenario-confirm-cancel' }))));
    }

    const list = h('ul', { class: 'scenario-list', attrs: { 'aria-label': 'Built-in scenarios' } }, LIBRARY.map((s) => h('li', { class: 'scenario-item', attrs: { 'data-scenario': s.id } },
      h('h3', { class: 'scenario-title', text: s.title }),
      h('p', { class: 'scenario-summary', text: s.summary || '' }),
      h('p', { class: 'help-text', text: `${s.steps.length} steps · follows ${s.article}.md · tenant: ${s.base.builtIn === 'sample' ? 'the built-in sample (Contoso)' : s.base.tenant?.organization?.[0]?.displayName || 'inline'}` }),
      button('Start', () => choose(s), { appearance: 'outline', testid: `scenario-start-${s.id}` }))));

    const fileInput = h('input', { type: 'file', accept: '.json,application/json', id: 'scenario-file', class: 'file-input' });
    const fileNote = h('p', { class: 'help-text', attrs: { role: 'status', 'data-testid': 'scenario-file-note' } });
    fileInput.addEventListener('change', async () => {
      const file = fileInput.files?.[0];
      fileInput.value = '';
      if (!file) return;
      try {
        const scenario = await scenarioFromFile(file);
        if (!scenario) {
          fileNote.textContent = `${file.name} is not a scenario file (a tenant document is imported from Tenant document).`;
          return;
        }
        fileNote.textContent = '';
        await choose(scenario);
      } catch (err) {
        fileNote.textContent = `${file.name}: ${engine.errorText(err)}`;
      }
    });

    const paceOn = h('input', { type: 'checkbox', id: 'pace-on', checked: !!engine.currentPace(), attrs: { 'data-testid': 'pace-on' } });
    const paceRate = h('input', { type: 'number', id: 'pace-rate', min: '1', max: '100000', step: '1', value: String(engine.currentPace() || DEFAULT_PACE), class: 'pace-rate', attrs: { 'data-testid': 'pace-rate' } });
    const applyPace = () => {
      const rate = Math.round(Number(paceRate.value));
      choosePace(paceOn.checked && rate > 0 ? rate : null);
    };
    paceOn.addEventListener('change', applyPace);
    paceRate.addEventListener('change', applyPace);

    ctx.body.append(
      confirmSlot,
      h('h3', { class: 'section-title', text: 'Library' }),
      list,
      h('h3', { class: 'section-title', text: 'Open a scenario file' }),
      h('p', { class: 'help-text', text: 'A scenario file (from Share, when the state is too big for a link, or written by hand: format in the README) can also be dropped anywhere on the page.' }),
      fileInput, h('label', { attrs: { for: 'scenario-file' }, class: 'file-label', text: 'Choose a scenario file (JSON)' }), fileNote,
      h('h3', { class: 'section-title', text: 'Demo pace' }),
      h('p', { class: 'help-text', text: 'For a demo: background processing goes at this many users a second, so the progress bar and "being processed: N of M" can be seen. The result is the same; only its delivery is slower. Off by default; the top bar says when it is on.' }),
      h('div', { class: 'field-row' }, paceOn, h('label', { attrs: { for: 'pace-on' }, text: 'Pace background processing' })),
      h('div', { class: 'field-row' }, h('label', { attrs: { for: 'pace-rate' }, text: 'Users per second' }), paceRate),
    );
    if (opts?.pending) choose(opts.pending);
  },
}));
