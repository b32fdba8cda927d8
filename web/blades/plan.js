// Plan: the staged changes in order (each can be moved or taken out), what the whole plan will do
// (the planner's preview: nothing changes until Apply plan), the seats to buy so that nobody waits,
// and the plan as files to take to the real tenant (Graph JSON batches, a PowerShell script).
import { h, replace, button, setDisabled, debounce, num, plural, downloadText } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import * as plan from '../lib/plan.js';
import { registerBlade } from '../lib/shell.js';
import { createTable, rowLink } from '../lib/table.js';
import { runJob } from './common.js';
import { describeEffect } from './assign-license.js';
import { graphBatches, powershellScript } from '../../wasm/plan-out.mjs';

// Seats a what-if gives every product, more than any tenant has users.
const PLENTY = 100_000_000;
// Graph counts units as Int32: the engine refuses more.
const MAX_UNITS = 2_147_483_647;

/**
 * The change that lets every user waiting for a seat after the plan get their licenses: for each
 * product short, buy what a what-if with seats for everyone consumed (products of a group are
 * assigned all or nothing, so one bought product can take seats of another), then reprocess the
 * groups the users wait in (freed or bought seats do not reach users already in error by
 * themselves). Null when nobody waits.
 * @param {any} effect the plan's effect
 * @param {any[]} products the tenant's products (their units now)
 */
export async function seatsForEveryone(effect, products) {
  const waiting = effect.skus.filter((s) => s.waitingAfter > 0);
  if (!waiting.length) return null;
  const groups = [...new Set(waiting.flatMap((s) => s.waitingGroups))];
  const enabledNow = new Map(products.map((p) => [p.skuId, Number(p.total) - Number(p.warning || 0)]));
  for (const s of effect.skus) enabledNow.set(s.skuId, s.enabledAfter);
  const reprocess = groups.map((id) => ({ method: 'POST', url: `/groups/${id}/reprocessLicenseAssignment` }));
  const patch = (skuId, enabled) => ({ method: 'PATCH', url: `/subscribedSkus/${skuId}`, body: { prepaidUnits: { enabled } } });
  const whatIf = await plan.effect({
    extra: [...[...enabledNow].map(([skuId, enabled]) => patch(skuId, Math.min(enabled + PLENTY, MAX_UNITS))), ...reprocess],
    userLimit: 0,
  });
  const buys = [];
  for (const s of whatIf.skus) {
    const before = enabledNow.get(s.skuId);
    const needed = s.enabledAfter - s.available; // the what-if's consumption less the warning units
    if (before !== undefined && needed > before) buys.push({ skuId: s.skuId, skuPartNumber: s.skuPartNumber, buy: needed - before, enabled: needed });
  }
  if (!buys.length) return null;
  const users = waiting.reduce((n, s) => n + s.waitingAfter, 0);
  return {
    buys,
    users,
    requests: [...buys.map((b) => patch(b.skuId, b.enabled)), ...reprocess],
    targets: [...buys.map((b) => ({ kind: 'sku', id: b.skuId, name: b.skuPartNumber })), ...groups.map((id) => ({ kind: 'group', id, name: id, processes: true }))],
  };
}

/** A change's Graph requests, the first few shown, the rest behind "N more requests". */
function requestLines(requests) {
  const line = (r) => h('code', { text: `${r.method} ${r.url}` });
  if (requests.length <= 3) return h('div', { class: 'plan-change-requests sub' }, requests.map(line));
  return h('div', { class: 'plan-change-requests sub' }, requests.slice(0, 2).map(line),
    h('details', {}, h('summary', { text: `${num(requests.length - 2)} more requests` }), requests.slice(2).map(line)));
}

registerBlade('plan', () => ({
  title: 'Plan',
  size: 'medium',
  render(ctx) {
    const message = h('div', { class: 'message-slot', attrs: { 'aria-live': 'polite' } });
    const listEl = h('ol', { class: 'plan-changes', attrs: { 'aria-label': 'Staged changes' } });
    const effectEl = h('section', { class: 'plan-preview', attrs: { 'aria-labelledby': 'plan-effect-title', 'data-testid': 'plan-effect', 'data-state': 'busy' } });
    const applyButton = button('Apply plan', () => apply(), { appearance: 'primary', testid: 'plan-apply' });
    const discardButton = button('Discard plan', () => discard(), { appearance: 'outline', testid: 'plan-discard' });
    const graphButton = button('Download Graph batch', () => downloadGraph(), { appearance: 'outline', testid: 'plan-graph' });
    const psButton = button('Download PowerShell script', () => downloadPowerShell(), { appearance: 'outline', testid: 'plan-powershell' });
    ctx.footer.append(applyButton, discardButton, graphButton, psButton);
    // Every user the plan changes, a page at a time (each page is the planner's preview again: a
    // plan may touch a million users, and nothing of it is kept).
    const names = new Map();
    const productNames = (ids) => (ids || []).map((id) => names.get(id) || id).join(', ');
    // "Other" (a product of the same group not assigned, all or nothing) only when it is alone.
    const errorNames = (list) => {
      const kinds = [...new Set((list || []).map((e) => e.errorText || e.error))];
      return (kinds.length > 1 ? kinds.filter((k) => k !== 'Other') : kinds).join(', ');
    };
    // "Office 365 E3: Direct → Inherited (Sales)" for each product kept through other paths.
    const pathNames = (list) => (list || []).map((c) =>
      `${productNames([c.skuId])}: ${c.before.map((p) => p.path).join(', ')} → ${c.after.map((p) => p.path).join(', ')}`).join('; ');
    const usersTable = createTable({
      label: 'Users the plan changes',
      testid: 'plan-users',
      columns: [
        { key: 'displayName', label: 'User', width: '1.6fr', render: (u) => rowLink(u.displayName) },
        { key: 'gains', label: 'Gets', width: '1.6fr', render: (u) => productNames(u.gains) },
        { key: 'loses', label: 'Loses', width: '1.4fr', render: (u) => productNames(u.loses) },
        { key: 'newErrors', label: 'New errors', width: '1.2fr', render: (u) => errorNames(u.newErrors) },
        { key: 'clearedErrors', label: 'Errors cleared', width: '1.2fr', render: (u) => errorNames(u.clearedErrors) },
        { key: 'pathChanges', label: 'Assignment path', width: '1.6fr', render: (u) => pathNames(u.pathChanges) },
      ],
      fetch: async (offset, limit) => {
        if (!plan.list().length) return { total: 0, items: [] };
        if (!names.size) {
          const all = await engine.query({ query: 'products' });
          for (const p of Array.isArray(all) ? all : []) names.set(p.skuId, p.displayName);
        }
        const e = await plan.effect({ userLimit: limit, userOffset: offset });
        return { total: e.summary.usersChanged, items: e.users };
      },
      onActivate: (u) => ctx.open('user', [u.id, 'licenses']),
      emptyText: 'The plan changes no user\'s licenses.',
    });
    const usersHolder = h('div', { class: 'plan-users' }, usersTable.el);
    ctx.onDispose(() => usersTable.destroy());
    ctx.body.append(message,
      h('p', { class: 'help-text', text: 'Staged changes are previewed together, in this order, with the processing that follows. Nothing changes in the tenant until Apply plan.' }),
      h('h3', { class: 'section-title', text: 'Staged changes' }), listEl, effectEl,
      h('h3', { class: 'section-title', text: 'Users the plan changes' }), usersHolder);

    let effect = null;
    let products = [];
    let asked = 0;

    function paintList() {
      const changes = plan.list();
      ctx.setTitle('Plan', changes.length ? plural(changes.length, 'staged change', 'staged changes') : 'Nothing staged');
      for (const b of [applyButton, discardButton, graphButton, psButton]) setDisabled(b, changes.length === 0);
      if (!changes.length) {
        replace(listEl, h('li', { class: 'empty', text: 'No staged change. In Assign license or Remove license, choose Add to plan: the change waits here, previewed with the others, until you apply the plan.' }));
        return;
      }
      replace(listEl, changes.map((c, i) => h('li', {
        class: 'plan-change',
        attrs: { 'data-testid': 'plan-change', 'data-change-id': c.id, draggable: 'true' },
        on: {
          // Dragging a change onto another puts it in that one's place.
          dragstart: (ev) => {
            ev.dataTransfer?.setData('text/plain', String(c.id));
            if (ev.dataTransfer) ev.dataTransfer.effectAllowed = 'move';
            ev.currentTarget.classList.add('dragging');
          },
          dragend: (ev) => ev.currentTarget.classList.remove('dragging'),
          dragover: (ev) => {
            ev.preventDefault();
            ev.currentTarget.classList.add('drop-target');
          },
          dragleave: (ev) => ev.currentTarget.classList.remove('drop-target'),
          drop: (ev) => {
            ev.preventDefault();
            ev.currentTarget.classList.remove('drop-target');
            const id = Number(ev.dataTransfer?.getData('text/plain'));
            if (Number.isInteger(id) && id !== c.id) moveAndSay(id, i);
          },
        },
      },
        h('div', { class: 'plan-change-title' },
          // The handle: drag it, or focus it and press the arrow keys (Home / End: first / last).
          h('button', {
            class: 'plan-drag-handle',
            type: 'button',
            text: '⠿',
            attrs: {
              'aria-label': `Reorder: ${c.title}, change ${i + 1} of ${changes.length}`,
              'aria-roledescription': 'draggable change',
              'aria-keyshortcuts': 'ArrowUp ArrowDown Home End',
              title: 'Drag to reorder, or use the arrow keys',
            },
            on: {
              keydown: (ev) => {
                const to = { ArrowUp: i - 1, ArrowDown: i + 1, Home: 0, End: changes.length - 1 }[ev.key];
                if (to === undefined) return;
                ev.preventDefault();
                moveAndSay(c.id, to);
              },
            },
          }),
          h('span', { text: c.title })),
        requestLines(c.requests),
        h('div', { class: 'plan-change-tools' },
          button('Move up', () => plan.move(c.id, -1), { appearance: 'subtle', disabled: i === 0, ariaLabel: `Move up: ${c.title}` }),
          button('Move down', () => plan.move(c.id, 1), { appearance: 'subtle', disabled: i === changes.length - 1, ariaLabel: `Move down: ${c.title}` }),
          button('Remove', () => plan.remove(c.id), { appearance: 'subtle', ariaLabel: `Remove from the plan: ${c.title}` })))));
    }

    /** Moves a change to `index`, keeps the keyboard on its handle and says where it went. */
    function moveAndSay(id, index) {
      const list = plan.list();
      const change = list.find((c) => c.id === id);
      const to = Math.max(0, Math.min(list.length - 1, index));
      if (!change || list.indexOf(change) === to) return;
      plan.moveTo(id, to);
      const handle = listEl.querySelector(`[data-change-id="${id}"] .plan-drag-handle`);
      if (handle instanceof HTMLElement) handle.focus();
      replace(message, h('p', { class: 'visually-hidden', text: `${change.title}: moved to ${to + 1} of ${list.length}.` }));
    }

    const title = () => h('h3', { class: 'section-title', id: 'plan-effect-title', text: 'What the plan will do' });
    const refresh = debounce(() => showEffect(), 100);
    function scheduleEffect() {
      asked += 1;
      effectEl.dataset.state = 'busy';
      refresh();
    }
    async function showEffect() {
      const mine = asked;
      if (!plan.list().length) {
        effect = null;
        replace(effectEl);
        effectEl.dataset.state = 'ready';
        return;
      }
      replace(effectEl, title(), h('p', { class: 'help-text', text: 'Working out what the plan would do…' }));
      try {
        const [e, all] = await Promise.all([plan.effect(), engine.query({ query: 'products' })]);
        products = Array.isArray(all) ? all : [];
        for (const p of products) names.set(p.skuId, p.displayName);
        const fix = await seatsForEveryone(e, products);
        if (mine !== asked) return;
        effect = e;
        const lines = describeEffect(e, products, { action: 'Apply plan' });
        if (fix) {
          const words = fix.buys.map((b) => `${num(b.buy)} ${products.find((p) => p.skuId === b.skuId)?.displayName || b.skuPartNumber}`).join(', ');
          lines.splice(lines.length - 1, 0, h('div', { class: 'preview-line', attrs: { 'data-testid': 'plan-seat-fix' } },
            h('p', { text: `${plural(fix.users, 'user waits', 'users wait')} for a seat after this plan (they come last in the tenant's user order). Buy ${words} and reprocess their groups to license them all.` }),
            button('Add to plan: buy these seats', () => {
              plan.stage({ title: `Buy ${words} and reprocess the groups of the users waiting`, requests: fix.requests, targets: fix.targets });
            }, { appearance: 'outline', testid: 'plan-buy-seats' })));
        }
        replace(effectEl, title(), ...lines);
      } catch (err) {
        if (mine !== asked) return;
        effect = null;
        replace(effectEl, title(), h('p', { class: 'help-text', text: `No preview: ${engine.errorText(err)}` }));
      }
      effectEl.dataset.state = 'ready';
    }

    async function apply() {
      const changes = plan.list();
      if (!changes.length) return;
      setDisabled(applyButton, true);
      const all = plan.requests();
      try {
        await runJob({
          title: `Applying the plan (${plural(changes.length, 'change', 'changes')})`,
          requests: all.map(({ change: _change, target: _target, ...r }) => r),
          targets: all.map((r) => r.target || { name: r.url }),
          successText: `The plan was applied: ${changes.map((c) => c.title).join('; ')}.`,
        });
        plan.discard();
        replace(message, h('fluent-message-bar', { attrs: { intent: 'success' } }, 'The plan was applied. Its changes are in the tenant; the notification follows the processing.'));
      } catch (err) {
        replace(message, h('fluent-message-bar', { attrs: { intent: 'error' } }, `The plan was not applied: ${engine.errorText(err)}`));
      }
      setDisabled(applyButton, plan.list().length === 0);
    }

    function discard() {
      plan.discard();
      replace(message, h('fluent-message-bar', { attrs: { intent: 'info' } }, 'The plan was discarded. Nothing was changed.'));
    }

    async function currentEffect() {
      return effect ?? plan.effect();
    }
    const skuNames = () => new Map(products.map((p) => [p.skuId, p.skuPartNumber]));
    async function downloadGraph() {
      const out = graphBatches(plan.batches(), await currentEffect());
      downloadText('plan-graph-batch.json', `${JSON.stringify(out, null, 2)}\n`, 'application/json');
    }
    async function downloadPowerShell() {
      const out = graphBatches(plan.batches(), await currentEffect());
      downloadText('plan.ps1', powershellScript(out, skuNames()), 'text/plain');
    }

    ctx.onDispose(plan.onChange(() => {
      replace(message);
      paintList();
      scheduleEffect();
      usersTable.refresh();
    }));
    ctx.onChanged(() => {
      scheduleEffect();
      usersTable.refresh();
    });
    paintList();
    scheduleEffect();
  },
}));
