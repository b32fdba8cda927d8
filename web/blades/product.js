// A product: Licensed users (direct or through groups) and Licensed groups, plus its service plans.
import { h, num, replace, button, setDisabled, debounce, textInput } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade, menuLayout } from '../lib/shell.js';
import { createTable, rowLink, simpleTable } from '../lib/table.js';
import { processingText, statePill, assignLicenseRequest, confirmRemoval, errorCount, keyValue, planName, runJob } from './common.js';
import { livePreview } from './assign-license.js';
import * as plan from '../lib/plan.js';

const items = [
  { key: 'overview', label: 'Overview', icon: 'info' },
  { heading: 'Manage' },
  { key: 'users', label: 'Licensed users', icon: 'user' },
  { key: 'groups', label: 'Licensed groups', icon: 'users' },
  { key: 'plans', label: 'Service plans', icon: 'license' },
];

registerBlade('product', (args) => ({
  title: 'Product',
  size: 'wide',
  render(ctx) {
    const skuId = args[0];
    let product = null;
    menuLayout(ctx, {
      label: 'Product',
      items,
      selected: args[1] || 'users',
      onSelect(item, view) {
        ctx.setArgs([skuId, item.key]);
        const title = () => ctx.setTitle(`${product?.displayName || 'Product'} - ${item.label}`, 'Licenses');
        title();
        const ready = product ? Promise.resolve() : engine.query({ query: 'product', skuId }).then((p) => {
          product = p;
          title();
        });
        return ready.then(() => {
          if (item.key === 'users') return licensedUsers(view, product);
          if (item.key === 'groups') return licensedGroups(view, product);
          if (item.key === 'plans') return servicePlans(view, product);
          return overview(view, skuId);
        });
      },
    });
  },
}));

async function overview(view, skuId) {
  const box = h('div');
  view.body.append(box);
  view.toolbar.append(button('Assign', () => view.open('assign', [skuId]), { icon: 'add' }),
    button('Change seats', () => view.open('seats', [skuId]), { icon: 'license', testid: 'change-seats' }));
  async function load() {
    const p = await engine.query({ query: 'product', skuId });
    replace(box, keyValue([
      ['Product', p.displayName],
      ['SKU part number', p.skuPartNumber],
      ['Total', num(p.total)],
      ['Assigned', num(p.assigned)],
      ['Available', num(p.available)],
      ['Expiring soon', num(p.expiringSoon)],
      ['Warning', num(p.warning)],
      ['Suspended', num(p.suspended)],
      ['Service plans', num(p.servicePlans?.length)],
    ]));
  }
  view.onChanged(load);
  return load();
}

function licensedUsers(view, product) {
  let search = '';
  const fetch = () => (offset, limit, orderBy) => engine.query({ query: 'licensedUsers', skuId: product.skuId, search, offset, limit, orderBy });
  const remove = button('Remove license', () => {
    const users = [...table.selected.values()].filter((u) => (u.paths || []).includes('Direct'));
    if (!users.length) return;
    confirmRemoval(view, {
      subtitle: `${product.displayName} from ${num(users.length)} ${users.length === 1 ? 'user' : 'users'}`,
      products: [product],
      job: {
        title: `Removing ${product.displayName}`,
        requests: users.map((u, i) => ({ id: String(i + 1), ...assignLicenseRequest('user', u.id, [], [product.skuId]) })),
        targets: users.map((u) => ({ kind: 'user', id: u.id, name: u.displayName })),
        successText: `Removed the direct ${product.displayName} license from ${users.length} user(s).`,
      },
      after: () => table.clearSelection(),
    });
  }, { icon: 'delete', disabled: true });
  const table = createTable({
    label: `Licensed users of ${product.displayName}`,
    testid: 'licensed-users',
    selection: 'multi',
    columns: [
      { key: 'displayName', label: 'Name', width: '1.6fr', sort: 'displayName', render: (u) => rowLink(u.displayName) },
      { key: 'userPrincipalName', label: 'User name', width: '2fr', sort: 'userPrincipalName' },
      { key: 'paths', label: 'Assignment paths', width: '2fr', render: (u) => (u.paths || []).join(', ') },
      { key: 'state', label: 'State', width: '1fr', render: (u) => statePill(u.state) },
    ],
    fetch: fetch(),
    onActivate: (u) => view.open('user', [u.id, 'licenses']),
    onSelectionChange: (sel) => setDisabled(remove, ![...sel.values()].some((u) => (u.paths || []).includes('Direct'))),
  });
  view.toolbar.append(button('Assign', () => view.open('assign', [product.skuId]), { icon: 'add' }), remove);
  const input = textInput('Search users', { class: 'search', onInput: debounce((v) => { search = v; table.setFetch(fetch()); }, 200) });
  view.body.append(h('div', { class: 'list-tools' }, input, h('span', { class: 'hint', text: 'Only direct licenses can be removed here; inherited ones are removed on their group.' })), table.el);
  view.body.classList.add('fill');
  view.onChanged(() => table.refresh());
  view.onDispose(() => table.destroy());
}

function licensedGroups(view, product) {
  let search = '';
  const fetch = () => (offset, limit, orderBy) => engine.query({ query: 'licensedGroups', skuId: product.skuId, search, offset, limit, orderBy });
  const remove = button('Remove license', () => {
    const groups = [...table.selected.values()];
    if (!groups.length) return;
    confirmRemoval(view, {
      subtitle: `${product.displayName} from ${num(groups.length)} ${groups.length === 1 ? 'group' : 'groups'}`,
      products: [product],
      job: {
        title: `Removing ${product.displayName}`,
        requests: groups.map((g, i) => ({ id: String(i + 1), ...assignLicenseRequest('group', g.id, [], [product.skuId]) })),
        targets: groups.map((g) => ({ kind: 'group', id: g.id, name: g.displayName })),
        successText: `Removed ${product.displayName} from ${groups.length} group(s).`,
      },
      after: () => table.clearSelection(),
    });
  }, { icon: 'delete', disabled: true });
  const table = createTable({
    label: `Licensed groups of ${product.displayName}`,
    testid: 'licensed-groups',
    selection: 'multi',
    columns: [
      { key: 'displayName', label: 'Name', width: '2fr', sort: 'displayName', render: (g) => rowLink(g.displayName) },
      { key: 'processingState', label: 'License processing', width: '1.2fr', sort: 'processingState', render: (g) => processingText(g.processingState) },
      { key: 'membersWithErrors', label: 'Members with errors', width: '1fr', sort: 'membersWithErrors', render: (g) => num(errorCount(g)) },
    ],
    fetch: fetch(),
    onActivate: (g) => view.open('group', [g.id, 'licenses']),
    onSelectionChange: (sel) => setDisabled(remove, sel.size === 0),
  });
  view.toolbar.append(button('Assign', () => view.open('assign', [product.skuId]), { icon: 'add' }), remove);
  const input = textInput('Search groups', { class: 'search', onInput: debounce((v) => { search = v; table.setFetch(fetch()); }, 200) });
  view.body.append(h('div', { class: 'list-tools' }, input), table.el);
  view.body.classList.add('fill');
  view.onChanged(() => table.refresh());
  view.onDispose(() => table.destroy());
}

function servicePlans(view, product) {
  const table = simpleTable({
    label: `Service plans of ${product.displayName}`,
    items: product.servicePlans || [],
    getId: (p) => p.servicePlanId,
    columns: [
      { key: 'friendlyName', label: 'Service', width: '2fr', render: (p) => planName(p) },
      { key: 'servicePlanName', label: 'Service plan name', width: '1.6fr' },
      { key: 'servicePlanId', label: 'Service plan ID', width: '2fr' },
    ],
  });
  view.body.append(table.el);
}

/**
 * Seats of a product (planning a purchase or a cut): the active units, previewed (who gets a seat,
 * who waits, who is left without one) before Save or Add to plan. PATCH /subscribedSkus/{id} is our
 * extension: seats are bought in the Microsoft 365 admin center, and the plan's files say so.
 */
registerBlade('seats', (args) => ({
  title: 'Change seats',
  size: 'medium',
  transient: true,
  async render(ctx) {
    const skuId = args[0];
    const p = await engine.query({ query: 'product', skuId });
    ctx.setTitle('Change seats', p.displayName);
    const enabledNow = Number(p.total) - Number(p.warning || 0);
    let enabled = enabledNow;
    const message = h('div', { class: 'message-slot', attrs: { 'aria-live': 'polite' } });
    const request = () => ({ id: '1', method: 'PATCH', url: `/subscribedSkus/${encodeURIComponent(skuId)}`, body: { prepaidUnits: { enabled } } });
    // Buying seats does not reach users already waiting: their groups are processed again.
    const waitingGroups = async () => {
      const groups = await engine.queryAll({ query: 'licensedGroups', skuId });
      return groups.filter((g) => Number(g.membersWithErrors) > 0).map((g) => ({ method: 'POST', url: `/groups/${encodeURIComponent(g.id)}/reprocessLicenseAssignment` }));
    };
    let reprocess = [];
    const valid = () => Number.isInteger(enabled) && enabled >= 0 && enabled !== enabledNow;
    const requests = () => (valid() ? [request(), ...reprocess.map((r, i) => ({ ...r, id: String(i + 2) }))] : null);
    const preview = livePreview({
      id: 'seats-preview-title',
      testid: 'seats-preview',
      title: 'Before you save: what will happen',
      requests,
      products: () => [p],
      action: 'Save',
    });
    const save = button('Save', async () => {
      setDisabled(save, true);
      await runJob({
        title: `Changing the seats of ${p.displayName}`,
        requests: requests(),
        targets: [{ kind: 'sku', id: skuId, name: p.displayName }, ...reprocess.map((r) => ({ kind: 'group', id: r.url.split('/')[2], name: r.url, processes: true }))],
        successText: `${p.displayName}: ${num(enabled)} active seats.`,
      });
      ctx.close();
    }, { appearance: 'primary', disabled: true, testid: 'seats-save' });
    const stage = button('Add to plan', () => {
      plan.stage({ title: `${p.displayName}: ${num(enabledNow)} → ${num(enabled)} active seats`, requests: requests(), targets: [] });
      ctx.close();
    }, { appearance: 'outline', disabled: true, testid: 'seats-stage' });
    ctx.footer.append(save, stage);
    const input = textInput('Active seats (enabled units)', {
      type: 'number',
      value: String(enabledNow),
      testid: 'seats-input',
      onInput: (v) => {
        enabled = Number(v);
        const ok = valid();
        replace(message, v !== '' && !(Number.isInteger(enabled) && enabled >= 0)
          ? h('fluent-message-bar', { attrs: { intent: 'error' } }, 'Enter a whole number of seats, 0 or more.')
          : null);
        setDisabled(save, !ok);
        setDisabled(stage, !ok);
        preview.schedule();
      },
    });
    reprocess = await waitingGroups();
    ctx.body.append(
      keyValue([['Assigned', num(p.assigned)], ['Active seats now', num(enabledNow)], ['Expiring soon (still assignable)', num(p.warning)]]),
      message, input,
      h('p', { class: 'hint', text: reprocess.length ? `${reprocess.length === 1 ? 'A group' : `${reprocess.length} groups`} with members in error will be processed again, so that users waiting for a seat get one.` : 'Fewer seats than are assigned are refused: remove licenses first.' }),
      preview.el);
  },
}));
