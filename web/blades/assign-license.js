// Assign license: Users and groups (picker with search, Select), Products (when started from a group or
// user), Assignment options (optional: every service plan of every selected product, On/Off), Assign.
// The assignment is sent as a Graph batch; a notification follows the job to its end.
import { h, replace, button, setDisabled, debounce, textInput, icon, num } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { createTable, rowLink, simpleTable } from '../lib/table.js';
import { assignLicenseRequest, runJob, groupType, planName, planLabel } from './common.js';
import * as plan from '../lib/plan.js';

/**
 * args: [skuIds comma separated, principal "group:ID" | "user:ID" (optional)]
 * opts: {principals: [{kind, id, displayName}], disabledPlans: {skuId: [planIds]}}
 */
registerBlade('assign', (args, opts) => ({
  title: 'Assign license',
  size: 'medium',
  render(ctx) {
    const state = {
      skuIds: (args[0] || '').split(',').filter(Boolean),
      products: [],
      principals: new Map(),
      disabled: new Map(), // skuId -> Set(planId)
    };
    const fromPrincipal = args[1] ? args[1].split(':') : null;
    const showProducts = !!fromPrincipal || state.skuIds.length === 0;
    for (const p of opts.principals || []) state.principals.set(`${p.kind}:${p.id}`, p);
    for (const [sku, plans] of Object.entries(opts.disabledPlans || {})) state.disabled.set(sku, new Set(plans));

    const rows = h('div', { class: 'selector-list' });
    // An error of Assign is read out at once (role=alert).
    const message = h('div', { class: 'message-slot', attrs: { role: 'alert', 'data-testid': 'assign-message' } });
    // The planner's preview: what Assign would do, computed in the worker and undone there.
    const preview = livePreview({
      id: 'assign-preview-title',
      testid: 'assign-preview',
      title: 'Before you assign: what will happen',
      requests: () => (state.principals.size === 0 || state.products.length === 0 ? null : requestsToSend()),
      products: () => state.products,
    });
    const assign = button('Assign', () => doAssign(), { appearance: 'primary', disabled: true, testid: 'assign-submit' });
    // Or stage it: the change waits in the plan (top bar, Plan), previewed with the others.
    const stage = button('Add to plan', () => doStage(), { appearance: 'outline', disabled: true, testid: 'assign-stage' });
    ctx.footer.append(assign, stage);
    ctx.body.append(message, rows, preview.el);

    function selectorRow(label, value, onClick, testid) {
      const b = h('button', { type: 'button', class: 'selector', attrs: { 'data-testid': testid } },
        h('span', { class: 'selector-text' }, h('span', { class: 'selector-label', text: label }), h('span', { class: 'selector-value', text: value })),
        icon('chevron'));
      b.addEventListener('click', onClick);
      return b;
    }

    function paint() {
      const names = [...state.principals.values()].map((p) => p.displayName);
      const disabledCount = [...state.disabled.values()].reduce((a, s) => a + s.size, 0);
      replace(rows,
        selectorRow('Users and groups', names.length === 0 ? 'None selected' : names.length <= 2 ? names.join(', ') : `${names.length} selected`,
          () => ctx.open('pick-principals', [], {
            selected: state.principals,
            onSelect(map) {
              state.principals = map;
              paint();
            },
          }), 'pick-principals'),
        showProducts ? selectorRow('Products', state.products.length ? state.products.map((p) => p.displayName).join(', ') : 'None selected',
          () => ctx.open('pick-products', [], {
            selected: state.skuIds,
            onSelect(skuIds) {
              state.skuIds = skuIds;
              loadProducts().then(paint);
            },
          }), 'pick-products') : null,
        selectorRow('Assignment options (optional)', disabledCount ? `${disabledCount} ${disabledCount === 1 ? 'service' : 'services'} turned off` : 'Default settings',
          // The choices count as they are made, and this row shows them at once: Assign while the
          // options are still open sends what they show (they were dropped without OK before).
          () => ctx.open('assignment-options', [], {
            products: state.products,
            disabled: state.disabled,
            onChange(next) {
              state.disabled = next;
              if (ctx.isOpen()) paint();
            },
            onOk(next) {
              state.disabled = next;
              paint();
            },
          }), 'assignment-options'),
        state.products.length && !showProducts
          ? h('div', { class: 'hint', text: `Products: ${state.products.map((p) => p.displayName).join(', ')}` })
          : null);
      setDisabled(assign, state.principals.size === 0 || state.products.length === 0);
      setDisabled(stage, state.principals.size === 0 || state.products.length === 0);
      preview.schedule();
    }

    function requestsToSend() {
      const addLicenses = state.products.map((p) => ({ skuId: p.skuId, disabledPlans: [...(state.disabled.get(p.skuId) || [])] }));
      return [...state.principals.values()].map((p, i) => ({ id: String(i + 1), ...assignLicenseRequest(p.kind, p.id, addLicenses) }));
    }

    async function loadProducts() {
      state.products = await Promise.all(state.skuIds.map((skuId) => engine.query({ query: 'product', skuId })));
      for (const sku of [...state.disabled.keys()]) if (!state.skuIds.includes(sku)) state.disabled.delete(sku);
    }

    async function loadPrincipal() {
      if (!fromPrincipal) return;
      const [kind, id] = fromPrincipal;
      const obj = await engine.query({ query: kind === 'group' ? 'group' : 'user', id });
      state.principals.set(`${kind}:${id}`, { kind, id, displayName: obj.displayName });
      // Started from a group: its current template is the starting point of the options.
      if (kind === 'group' && Array.isArray(obj.licenses)) {
        for (const l of obj.licenses) if (state.skuIds.includes(l.skuId) && !state.disabled.has(l.skuId)) state.disabled.set(l.skuId, new Set(l.disabledPlans || []));
      }
    }

    function jobWords() {
      const principals = [...state.principals.values()];
      const productNames = state.products.map((p) => p.displayName).join(', ');
      const who = principals.length === 1 ? principals[0].displayName : `${principals.length} users and groups`;
      return { principals, productNames, who };
    }

    function doStage() {
      const { principals, productNames, who } = jobWords();
      plan.stage({
        title: `Assign ${productNames} to ${who}`,
        requests: requestsToSend(),
        targets: principals.map((p) => ({ kind: p.kind, id: p.id, name: p.displayName, processes: p.kind === 'group' })),
      });
      ctx.close();
    }

    async function doAssign() {
      setDisabled(assign, true);
      const { principals, productNames, who } = jobWords();
      try {
        const responses = await runJob({
          title: `Assigning licenses to ${who}`,
          requests: requestsToSend(),
          targets: principals.map((p) => ({ kind: p.kind, id: p.id, name: p.displayName, processes: p.kind === 'group' })),
          successText: `${productNames} assigned to ${who}.`,
        });
        const anyOk = responses.some((r) => r.status >= 200 && r.status < 300);
        if (anyOk) ctx.close();
        else {
          replace(message, h('fluent-message-bar', { attrs: { intent: 'error', layout: 'multiline' } },
            responses.map((r) => r.body?.error?.message || `HTTP ${r.status}`).join(' ')));
          setDisabled(assign, false);
        }
      } catch (err) {
        replace(message, h('fluent-message-bar', { attrs: { intent: 'error' } }, engine.errorText(err)));
        setDisabled(assign, false);
      }
    }

    paint();
    return Promise.all([loadProducts(), loadPrincipal()]).then(paint);
  },
}));

/**
 * A preview that follows the choices of a blade: `schedule()` after each choice; after a short
 * pause the planner previews `requests()` (null: nothing to preview) in the worker, and an answer
 * for older choices is dropped. `el` carries data-state busy/ready for the tests.
 * @param {{id: string, testid: string, title: string, requests: () => any[] | null, products: () => any[], action?: string}} o
 */
export function livePreview(o) {
  const el = h('section', { class: 'plan-preview', attrs: { 'aria-labelledby': o.id, 'data-testid': o.testid } });
  const title = () => h('h3', { class: 'section-title', id: o.id, text: o.title });
  let scheduled = 0;
  async function show() {
    const asked = scheduled;
    const current = () => asked === scheduled;
    const requests = o.requests();
    if (!requests) {
      replace(el);
      el.dataset.state = 'ready';
      return;
    }
    replace(el, title(), h('p', { class: 'help-text', text: 'Working out what this would do…' }));
    try {
      const [effect, all] = await Promise.all([engine.plan(requests), engine.query({ query: 'products' })]);
      if (!current()) return;
      replace(el, title(), ...describeEffect(effect, [...o.products(), ...(Array.isArray(all) ? all : [])], { action: o.action }));
    } catch (err) {
      if (!current()) return;
      replace(el, title(), h('p', { class: 'help-text', text: `No preview: ${engine.errorText(err)}` }));
    }
    el.dataset.state = 'ready';
  }
  const debounced = debounce(() => show(), 150);
  return {
    el,
    schedule() {
      scheduled += 1;
      el.dataset.state = 'busy'; // what it shows is about to be replaced
      debounced();
    },
  };
}

/** "Inherited (Kiosk users)" → "Kiosk users"; "Direct" → "a direct assignment". */
function sourceWords(path) {
  const inherited = /^Inherited \((.*)\)$/.exec(path || '');
  if (inherited) return inherited[1];
  return path === 'Direct' ? 'a direct assignment' : path || 'another assignment';
}

/** An error of the preview in words, naming its evidence (plans, the other source, seats). */
export function errorWords(error, productName, groupName) {
  const e = error.evidence;
  const from = groupName ? ` from ${groupName}` : '';
  if (error.error === 'MutuallyExclusiveViolation' && e?.servicePlan && e?.conflictingServicePlan) {
    return `${error.errorText}: ${planName(e.servicePlan)}${from} conflicts with ${planName(e.conflictingServicePlan)} from ${sourceWords(e.conflictingPath)}`;
  }
  if (error.error === 'DependencyViolation' && e?.servicePlan) {
    return `${error.errorText}: ${planName(e.servicePlan)} needs ${e.prerequisiteServicePlan ? planName(e.prerequisiteServicePlan) : 'a prerequisite plan'}`;
  }
  // (The evidence's shortfall is the one user's; the seats line says how many wait in all.)
  if (error.error === 'CountViolation') return `${error.errorText}: ${productName} has no seat left`;
  if (error.error === 'Other' && e?.failingSkuId) return `${productName} not assigned: another product of the same group failed (all or nothing)`;
  return `${error.errorText || error.error}${e?.reason ? `: ${e.reason}` : ''}`;
}

/**
 * A fix's Preview (what it would do, in words; nothing changes) and Add to plan buttons, and the
 * place both answer in. `action` names what then applies it ("Apply").
 * @param {{title: string, requests: any[], targets?: any[]}} fix
 * @param {any[]} products
 * @param {string} action
 */
export function fixButtons(fix, products, action) {
  const result = h('div', { class: 'fix-preview', attrs: { 'aria-live': 'polite' } });
  const preview = button('Preview', async () => {
    replace(result, h('p', { class: 'help-text', text: 'Working out what this would do…' }));
    try {
      const effect = await engine.plan(fix.requests);
      replace(result, ...describeEffect(effect, Array.isArray(products) ? products : [], { action }));
    } catch (err) {
      replace(result, h('p', { class: 'help-text', text: `No preview: ${engine.errorText(err)}` }));
    }
    result.dataset.state = 'ready';
  }, { appearance: 'outline', ariaLabel: `Preview: ${fix.title}` });
  const stage = button('Add to plan', () => {
    plan.stage({ title: fix.title, requests: fix.requests, targets: fix.targets });
    replace(result, h('p', { class: 'help-text', text: 'Added to the plan (top bar, Plan).' }));
  }, { appearance: 'outline', ariaLabel: `Add to plan: ${fix.title}` });
  return { result, preview, stage };
}

/**
 * The preview's lines, from the effect's summary (it counts every user; the users listed are a few):
 * who gets what, who fails and why (grouped by reason), seats before and after.
 * @param {{summary: any, users: any[], skus: any[], groups: any[], requests: any[]}} effect
 * @param {{skuId: string, displayName: string}[]} products the tenant's products (their names)
 * @param {{action?: string}} [options] the command that makes the change
 */
export function describeEffect(effect, products, { action = 'Assign' } = {}) {
  const names = new Map(products.map((p) => [p.skuId, p.displayName]));
  for (const s of effect.skus) if (!names.has(s.skuId)) names.set(s.skuId, s.skuPartNumber);
  const productName = (id) => names.get(id) || id;
  const groupNames = new Map(effect.groups.map((g) => [g.id, g.displayName]));
  const lines = [];
  const refused = effect.requests.filter((r) => !(r.status >= 200 && r.status < 300));
  for (const r of refused) lines.push(h('p', { class: 'preview-line error', text: `Refused: ${r.message || `HTTP ${r.status}`}` }));
  const summary = effect.summary;
  const usersText = (n, one, many) => `${num(n)} ${n === 1 ? one : many}`;
  // Who joins and who leaves a dynamic group (a rule edit, a user's attributes), first: the
  // licenses below follow from it. The names are those of the users listed (a page of them).
  const groupsById = new Map(effect.groups.map((g) => [g.id, g]));
  for (const m of summary.memberships || []) {
    const g = groupsById.get(m.groupId);
    // The group's size before → after, said once (on its first line).
    let size = g && g.membersBefore !== undefined && g.membersAfter !== undefined ? ` (${num(g.membersBefore)} → ${num(g.membersAfter)} members)` : '';
    const names = (key) => effect.users.filter((u) => (u[key] || []).includes(m.groupId)).map((u) => u.displayName);
    const line = (n, verb, key, testid) => {
      const shown = names(key);
      lines.push(h('p', { class: 'preview-line', attrs: { 'data-testid': testid } },
        `${usersText(n, 'user', 'users')} ${n === 1 ? `${verb}s` : verb} ${m.displayName}${size}. `,
        shown.length ? h('span', { class: 'sub', text: n > shown.length ? `For example: ${shown.join(', ')}, …` : shown.join(', ') }) : null));
      size = '';
    };
    if (m.joined) line(m.joined, 'join', 'joinedGroups', 'preview-joins');
    if (m.left) line(m.left, 'leave', 'leftGroups', 'preview-leaves');
  }
  for (const g of summary.gains) {
    lines.push(h('p', { class: 'preview-line', attrs: { 'data-testid': 'preview-gains' }, text: `${usersText(g.users, 'user gets', 'users get')} ${g.skuIds.map(productName).join(', ')}.` }));
  }
  for (const g of summary.loses) {
    lines.push(h('p', { class: 'preview-line', text: `${usersText(g.users, 'user loses', 'users lose')} ${g.skuIds.map(productName).join(', ')}.` }));
  }
  // Services turned on or off in products kept (a template's plans changed), by product and count.
  const servicesLines = (list, one, many) => {
    const byKey = new Map();
    for (const p of list || []) {
      const key = `${p.skuId}|${p.users}`;
      if (!byKey.has(key)) byKey.set(key, { skuId: p.skuId, users: p.users, plans: [] });
      byKey.get(key).plans.push(planName(p));
    }
    for (const g of byKey.values()) {
      lines.push(h('p', { class: 'preview-line', attrs: { 'data-testid': 'preview-services' }, text: `${usersText(g.users, one, many)} ${g.plans.join(', ')} (${productName(g.skuId)}).` }));
    }
  };
  servicesLines(summary.plansGained, 'user gets', 'users get');
  servicesLines(summary.plansLost, 'user loses', 'users lose');
  // Products kept through another assignment path (direct → inherited, one group for another):
  // nothing is gained or lost, but the path is what a later change acts on.
  for (const c of summary.pathChanges || []) {
    lines.push(h('p', { class: 'preview-line', attrs: { 'data-testid': 'preview-paths' }, text: `${usersText(c.users, 'user keeps', 'users keep')} ${productName(c.skuId)} through another assignment path.` }));
  }
  // One line per reason; a product not assigned only because another of the same group failed
  // (all or nothing) is said once the reason it follows from is shown.
  const reasons = summary.newErrors.filter((e) => e.error !== 'Other' || summary.newErrors.every((x) => x.error === 'Other'));
  for (const e of reasons) {
    lines.push(h('p', { class: 'preview-line error', attrs: { 'data-testid': 'preview-failures' } },
      `${usersText(e.users, 'user', 'users')} will fail. ${errorWords(e, productName(e.skuId), groupNames.get(e.assignedByGroup))}. `,
      h('span', { class: 'sub', text: `For example: ${e.examples.join(', ')}${e.users > e.examples.length ? ', …' : ''}` })));
  }
  if (reasons.length < summary.newErrors.length) {
    lines.push(h('p', { class: 'preview-line sub', text: 'Products of the same group are assigned all or nothing: those users get none of them.' }));
  }
  for (const e of summary.clearedErrors.filter((x) => x.error !== 'Other')) {
    lines.push(h('p', { class: 'preview-line', text: `${usersText(e.users, 'user is', 'users are')} no longer in error: ${errorWords(e, productName(e.skuId), groupNames.get(e.assignedByGroup))}.` }));
  }
  const seats = effect.skus.map((s) => {
    const waiting = s.waitingAfter > 0 ? ` ${num(s.waitingAfter)} ${s.waitingAfter === 1 ? 'user waits' : 'users wait'} for a seat.` : '';
    // Who gets the last seats and who waits: first come, first served in the tenant's user order.
    const names = (list) => list.map((u) => u.displayName).join(', ');
    const order = s.waitingAfter > 0 && (s.lastSeatsTo?.length || s.firstWaiting?.length)
      ? h('span', { class: 'sub', attrs: { 'data-testid': 'preview-seat-order' } },
        ` Seats go in the tenant's user order: ${s.lastSeatsTo?.length ? `the last to ${names(s.lastSeatsTo)}` : 'none of these users get one'}${s.firstWaiting?.length ? `; waiting first: ${names(s.firstWaiting)}${s.waitingAfter > s.firstWaiting.length ? ', …' : ''}` : ''}.`)
      : null;
    return h('li', {}, `${productName(s.skuId)}: ${num(s.consumedBefore)} → ${num(s.consumedAfter)} assigned, ${num(Math.max(0, s.available))} available.${waiting}`, order);
  });
  if (seats.length) lines.push(h('ul', { class: 'preview-seats', attrs: { 'aria-label': 'Seats before and after' } }, seats));
  if (!lines.length) lines.push(h('p', { class: 'preview-line', text: 'Nothing would change in anyone\'s licenses.' }));
  lines.push(h('p', { class: 'help-text', text: `Nothing has changed yet: this is a preview. ${action} makes the change.` }));
  return lines;
}

/**
 * The users and groups picker. opts: {selected: Map, onSelect(map), usersOnly?: boolean (users
 * alone, e.g. Validate Rules), title?: string, max?: number (Select takes at most this many)}.
 */
registerBlade('pick-principals', (args, opts) => ({
  title: opts.title || 'Users and groups',
  size: 'medium',
  transient: true,
  render(ctx) {
    const chosen = new Map(opts.selected || []);
    let search = '';
    const selectedList = h('ul', { class: 'chosen-list', attrs: { 'aria-label': 'Selected members' } });
    const limitNote = h('p', { class: 'hint', attrs: { role: 'status', 'data-testid': 'picker-limit' } });
    const groupsTable = createTable({
      label: 'Groups',
      testid: 'pick-groups',
      selection: 'multi',
      rowHeight: 40,
      columns: [
        { key: 'displayName', label: 'Group', width: '2fr', render: (g) => h('span', { class: 'two-line' }, h('span', { text: g.displayName }), h('span', { class: 'sub', text: `${groupType(g)} · ${num(g.members)} members` })) },
      ],
      fetch: (offset, limit) => engine.query({ query: 'groups', search, offset, limit }),
      onSelectionChange: () => sync(),
    });
    const usersTable = createTable({
      label: 'Users',
      testid: 'pick-users',
      selection: 'multi',
      rowHeight: 40,
      columns: [
        { key: 'displayName', label: 'User', width: '2fr', render: (u) => h('span', { class: 'two-line' }, h('span', { text: u.displayName }), h('span', { class: 'sub', text: u.userPrincipalName || '' })) },
      ],
      fetch: (offset, limit) => engine.query({ query: 'users', search, offset, limit }),
      onSelectionChange: () => sync(),
    });
    for (const [key, p] of chosen) {
      if (p.kind === 'group') groupsTable.selected.set(p.id, { id: p.id, displayName: p.displayName });
      else usersTable.selected.set(p.id, { id: p.id, displayName: p.displayName });
    }
    function sync() {
      chosen.clear();
      for (const [id, g] of groupsTable.selected) chosen.set(`group:${id}`, { kind: 'group', id, displayName: g.displayName });
      for (const [id, u] of usersTable.selected) chosen.set(`user:${id}`, { kind: 'user', id, displayName: u.displayName });
      replace(selectedList, chosen.size
        ? [...chosen.values()].map((p) => h('li', {}, icon(p.kind === 'group' ? 'users' : 'user'), h('span', { text: p.displayName }),
          h('button', {
            type: 'button',
            class: 'link-button',
            text: 'Remove',
            attrs: { 'aria-label': `Remove ${p.displayName}` },
            on: {
              click: () => {
                (p.kind === 'group' ? groupsTable : usersTable).selected.delete(p.id);
                groupsTable.refresh();
                usersTable.refresh();
                sync();
              },
            },
          })))
        : h('li', { class: 'empty', text: 'No member selected' }));
      const tooMany = opts.max !== undefined && chosen.size > opts.max;
      replace(limitNote, tooMany ? `Select at most ${num(opts.max)} users at a time (${num(chosen.size)} selected).` : '');
      setDisabled(select, chosen.size === 0 || tooMany);
    }
    const input = textInput('Search', {
      placeholder: 'Search by name',
      class: 'search',
      testid: 'picker-search',
      onInput: debounce((v) => {
        search = v;
        groupsTable.setFetch((offset, limit) => engine.query({ query: 'groups', search, offset, limit }));
        usersTable.setFetch((offset, limit) => engine.query({ query: 'users', search, offset, limit }));
      }, 200),
    });
    const select = button('Select', () => {
      opts.onSelect?.(new Map(chosen));
      ctx.close();
    }, { appearance: 'primary', disabled: true, testid: 'picker-select' });
    ctx.footer.append(select);
    ctx.body.classList.add('fill', 'picker');
    ctx.body.append(h('div', { class: 'list-tools' }, input),
      ...(opts.usersOnly ? [] : [h('h3', { class: 'section-title', text: 'Groups' }), groupsTable.el]),
      h('h3', { class: 'section-title', text: 'Users' }), usersTable.el,
      h('h3', { class: 'section-title', text: 'Selected' }), selectedList, limitNote);
    ctx.onDispose(() => {
      groupsTable.destroy();
      usersTable.destroy();
    });
    sync();
  },
}));

registerBlade('pick-products', (args, opts) => ({
  title: 'Products',
  size: 'medium',
  transient: true,
  async render(ctx) {
    const selected = new Map((opts.selected || []).map((s) => [s, { skuId: s }]));
    const ok = button('Select', () => {
      opts.onSelect?.([...selected.keys()]);
      ctx.close();
    }, { appearance: 'primary', disabled: selected.size === 0, testid: 'products-select' });
    ctx.footer.append(ok);
    const products = await engine.query({ query: 'products' });
    const list = Array.isArray(products) ? products : products?.items || [];
    const table = simpleTable({
      label: 'Products',
      selection: 'multi',
      selected,
      getId: (p) => p.skuId,
      items: list,
      columns: [
        { key: 'displayName', label: 'Product', width: '2fr', render: (p) => rowLink(p.displayName) },
        { key: 'available', label: 'Available', width: '0.8fr', className: 'num', render: (p) => num(p.available) },
      ],
      onSelectionChange: () => setDisabled(ok, selected.size === 0),
    });
    ctx.body.append(table.el);
  },
}));

registerBlade('assignment-options', (args, opts) => ({
  title: 'Assignment options',
  size: 'medium',
  transient: true,
  render(ctx) {
    const disabled = new Map([...(opts.disabled || new Map())].map(([k, v]) => [k, new Set(v)]));
    const products = opts.products || [];
    if (!products.length) {
      ctx.body.append(h('fluent-message-bar', { attrs: { intent: 'info' } }, 'Select products first.'));
    }
    // What the switches show, without the products left at their defaults (a copy each time).
    const chosen = () => new Map([...disabled].filter(([, set]) => set.size).map(([k, set]) => [k, new Set(set)]));
    const sections = products.map((p) => {
      const set = disabled.get(p.skuId) || new Set();
      disabled.set(p.skuId, set);
      return h('section', { class: 'plan-section', attrs: { 'aria-label': p.displayName } },
        h('h3', { class: 'section-title', text: p.displayName }),
        servicePlanToggles(p.servicePlans || [], set, p.displayName, () => opts.onChange?.(chosen())));
    });
    // 43 switches for E3 + EMS: a filter finds one by its name or its service plan name.
    if (products.length) ctx.body.append(serviceFilter(sections));
    ctx.body.append(...sections);
    ctx.footer.append(button('OK', () => {
      opts.onOk?.(chosen());
      ctx.close();
    }, { appearance: 'primary', testid: 'options-ok' }));
  },
}));

/**
 * "Filter services": a labelled search box over lists of service-plan switches (`sections`, each
 * holding `.plan-row`s); rows whose name and service plan name do not hold the text are hidden (their
 * switches keep their state), a section left empty is hidden, and a line says how many match.
 * @param {HTMLElement[]} sections
 * @returns {HTMLElement}
 */
export function serviceFilter(sections) {
  const rows = () => sections.flatMap((s) => [...s.querySelectorAll('.plan-row')]);
  const total = rows().length;
  const count = h('p', { class: 'hint', attrs: { role: 'status', 'data-testid': 'filter-services-count' }, text: `${num(total)} services` });
  const apply = (value) => {
    const text = String(value || '').trim().toLowerCase();
    let shown = 0;
    for (const section of sections) {
      let inSection = 0;
      for (const row of section.querySelectorAll('.plan-row')) {
        const match = !text || (row.dataset.filterText || '').includes(text);
        row.hidden = !match;
        if (match) inSection += 1;
      }
      section.hidden = inSection === 0;
      shown += inSection;
    }
    count.textContent = !text ? `${num(total)} services`
      : shown ? `${num(shown)} of ${num(total)} services match “${value.trim()}”`
        : `No service matches “${value.trim()}”`;
  };
  const input = textInput('Filter services', { type: 'search', class: 'search', placeholder: 'Service or plan name', testid: 'filter-services', onInput: apply });
  return h('div', { class: 'list-tools service-filter' }, input, count);
}

/** A list of service plans with On/Off switches editing `disabledSet` (plan ids turned off). */
export function servicePlanToggles(plans, disabledSet, productName, onChange) {
  const list = h('div', { class: 'plan-list', attrs: { role: 'list', 'aria-label': `Services of ${productName}` } });
  for (const plan of plans) {
    const name = planName(plan);
    const on = !disabledSet.has(plan.servicePlanId);
    const stateText = h('span', { class: 'switch-state', text: on ? 'On' : 'Off' });
    const sw = h('fluent-switch', { attrs: { 'aria-label': name, checked: on, 'data-plan': plan.servicePlanName } });
    sw.addEventListener('change', () => {
      if (sw.checked) disabledSet.delete(plan.servicePlanId);
      else disabledSet.add(plan.servicePlanId);
      stateText.textContent = sw.checked ? 'On' : 'Off';
      onChange?.();
    });
    list.append(h('div', { class: 'plan-row', attrs: { role: 'listitem', 'data-plan-row': name }, dataset: { filterText: `${name} ${plan.servicePlanName || ''}`.toLowerCase() } },
      planLabel(plan), h('span', { class: 'plan-switch' }, stateText, sw)));
  }
  return list;
}

/**
 * A change confirmed first (a removal, members added): the blade shows what it would do (the
 * planner's preview: how many users lose what, the errors that follow, the seats freed), then
 * `actionLabel` runs `opts.onConfirm()` and Cancel leaves everything as it was.
 * opts: {title, subtitle, actionLabel, requests, products: [{skuId, displayName}], onConfirm, stage?}
 * (`stage`: {title, requests, targets}: Add to plan stages the change instead.)
 */
registerBlade('confirm-change', (args, opts) => ({
  title: opts.title || 'Confirm',
  size: 'medium',
  transient: true,
  async render(ctx) {
    if (opts.subtitle) ctx.setTitle(opts.title || 'Confirm', opts.subtitle);
    const preview = h('section', { class: 'plan-preview', attrs: { 'aria-labelledby': 'confirm-preview-title', 'data-testid': 'confirm-preview', 'data-state': 'busy' } },
      h('h3', { class: 'section-title', id: 'confirm-preview-title', text: 'What will happen' }),
      h('p', { class: 'help-text', text: 'Working out what this would do…' }));
    const confirm = button(opts.actionLabel || 'Confirm', async () => {
      setDisabled(confirm, true);
      try {
        await opts.onConfirm?.();
        ctx.close();
      } catch (err) {
        replace(preview, h('fluent-message-bar', { attrs: { intent: 'error' } }, engine.errorText(err)));
        setDisabled(confirm, false);
      }
    }, { appearance: 'primary', testid: 'confirm-action' });
    const stage = opts.stage && button('Add to plan', () => {
      plan.stage(opts.stage);
      ctx.close();
    }, { appearance: 'outline', testid: 'confirm-stage' });
    ctx.footer.append(confirm, stage || null, button('Cancel', () => ctx.close(), { testid: 'confirm-cancel' }));
    ctx.body.append(opts.note ? h('fluent-message-bar', { attrs: { intent: 'info', layout: 'multiline' } }, opts.note) : '', preview);
    try {
      const [effect, all] = await Promise.all([engine.plan(opts.requests || []), engine.query({ query: 'products' })]);
      replace(preview, h('h3', { class: 'section-title', id: 'confirm-preview-title', text: 'What will happen' }),
        ...describeEffect(effect, [...(opts.products || []), ...(Array.isArray(all) ? all : [])], { action: opts.actionLabel || 'Confirm' }));
    } catch (err) {
      replace(preview, h('h3', { class: 'section-title', id: 'confirm-preview-title', text: 'What will happen' }),
        h('p', { class: 'help-text', text: `No preview: ${engine.errorText(err)}` }));
    }
    preview.dataset.state = 'ready';
  },
}));
