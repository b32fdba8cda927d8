// Microsoft 365 admin center: a product's page (Billing > Licenses > a product). Its licenses at a
// glance, then the Users tab (everyone holding it, directly or through groups; Assign licenses,
// Unassign licenses of direct assignments) and the Groups tab (the groups it is assigned to with their
// status: All licenses assigned / In progress / Errors & issues; Assign licenses, Unassign licenses).
// "Assign or unassign licenses to a group in the Microsoft 365 admin center" (manage-group-licenses).
import { h, num, replace, button, setDisabled, debounce, textInput } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { createTable, rowLink } from '../lib/table.js';
import { tabLayout } from '../lib/tabs.js';
import { confirmDialog } from '../lib/dialog.js';
import * as plan from '../lib/plan.js';
import { assignLicenseRequest, errorCount, runJob, keyValue } from './common.js';
import { groupStatusPill, lossWords, userStateText } from './m365-common.js';

const TABS = [
  { key: 'users', label: 'Users' },
  { key: 'groups', label: 'Groups' },
];

registerBlade('m365-product', (args) => ({
  title: 'Product',
  subtitle: 'Licenses',
  size: 'wide',
  async render(ctx) {
    const skuId = args[0];
    let product = await engine.query({ query: 'product', skuId });
    ctx.setTitle(product.displayName, 'Licenses');
    const facts = h('div', { attrs: { 'data-testid': 'm365-product-facts' } });
    const paintFacts = () => replace(facts, keyValue([
      ['Assigned licenses', `${num(product.assigned)} of ${num(product.total)}`],
      ['Available licenses', num(product.available)],
      ['Apps and services', num(product.servicePlans?.length)],
    ]));
    paintFacts();
    ctx.onChanged(async () => {
      product = await engine.query({ query: 'product', skuId });
      paintFacts();
    });
    const tabs = tabLayout(ctx, {
      label: `${product.displayName} licenses`,
      items: TABS,
      selected: args[1] === 'groups' ? 'groups' : 'users',
      onSelect(item, view) {
        ctx.setArgs([skuId, item.key]);
        if (item.key === 'groups') return groupsTab(view, product);
        return usersTab(view, product);
      },
    });
    ctx.body.classList.add('fill');
    ctx.body.append(facts, tabs.el);
  },
}));

/** A command bar above a tab's list. */
function commands(label, ...items) {
  return h('div', { class: 'm365-commands', attrs: { role: 'toolbar', 'aria-label': label } }, items);
}

function usersTab(view, product) {
  let search = '';
  const fetch = () => (offset, limit) => engine.query({ query: 'licensedUsers', skuId: product.skuId, search, offset, limit });
  const direct = (u) => (u.paths || []).includes('Direct');
  const unassign = button('Unassign licenses', async () => {
    const users = [...table.selected.values()].filter(direct);
    if (!users.length) return;
    const requests = users.map((u, i) => ({ id: String(i + 1), ...assignLicenseRequest('user', u.id, [], [product.skuId]) }));
    const targets = users.map((u) => ({ kind: 'user', id: u.id, name: u.displayName }));
    const answer = await confirmDialog({
      title: 'Unassign licenses?',
      text: `${product.displayName} will be unassigned from ${num(users.length)} ${users.length === 1 ? 'user' : 'users'} (direct assignments; licenses from groups are unassigned on the group).`,
      detail: lossWords(requests, product.displayName),
      confirmLabel: 'Unassign',
      extra: [{ key: 'plan', label: 'Add to plan' }],
    });
    if (answer === 'plan') plan.stage({ title: `Unassign ${product.displayName} from ${num(users.length)} user(s)`, requests, targets });
    if (answer !== 'confirm') return;
    await runJob({ title: `Unassigning ${product.displayName}`, requests, targets, successText: `${product.displayName} unassigned from ${num(users.length)} user(s).` });
    table.clearSelection();
  }, { icon: 'delete', disabled: true, testid: 'm365-unassign-users' });
  const table = createTable({
    label: `Users with ${product.displayName} licenses`,
    testid: 'm365-product-users',
    selection: 'multi',
    columns: [
      { key: 'displayName', label: 'Name', width: '1.5fr', render: (u) => rowLink(u.displayName) },
      { key: 'userPrincipalName', label: 'Username', width: '2fr' },
      { key: 'paths', label: 'Assigned', width: '2fr', render: (u) => (u.paths || []).map((p) => (p === 'Direct' ? 'Directly' : p.replace(/^Inherited \((.*)\)$/, 'From $1'))).join(', ') },
      { key: 'state', label: 'Status', width: '1.2fr', render: (u) => userStateText(u.state) },
    ],
    fetch: fetch(),
    onActivate: (u) => view.open('m365-user', [u.id, 'licenses']),
    onSelectionChange: (sel) => setDisabled(unassign, ![...sel.values()].some(direct)),
  });
  view.body.append(
    commands('Users commands',
      button('Assign licenses', () => view.open('m365-assign', [product.skuId, 'users']), { icon: 'add', testid: 'm365-assign-users' }),
      unassign,
      button('Refresh', () => table.refresh(), { icon: 'refresh' })),
    h('div', { class: 'list-tools' },
      textInput('Search users', { class: 'search', type: 'search', onInput: debounce((v) => { search = v; table.setFetch(fetch()); }, 200) }),
      h('span', { class: 'hint', text: 'Users with this product directly or through one or more groups.' })),
    table.el);
  view.body.classList.add('fill');
  view.onChanged(() => table.refresh());
  view.onDispose(() => table.destroy());
}

function groupsTab(view, product) {
  let search = '';
  const fetch = () => (offset, limit) => engine.query({ query: 'licensedGroups', skuId: product.skuId, search, offset, limit });
  const unassign = button('Unassign licenses', async () => {
    const groups = [...table.selected.values()];
    if (!groups.length) return;
    const requests = groups.map((g, i) => ({ id: String(i + 1), ...assignLicenseRequest('group', g.id, [], [product.skuId]) }));
    const targets = groups.map((g) => ({ kind: 'group', id: g.id, name: g.displayName, processes: true }));
    const names = groups.length === 1 ? groups[0].displayName : `${num(groups.length)} groups`;
    const answer = await confirmDialog({
      title: 'Unassign licenses?',
      text: `${product.displayName} will be unassigned from ${names}. Its members who have it only through ${groups.length === 1 ? 'this group' : 'these groups'} lose it.`,
      detail: lossWords(requests, product.displayName),
      confirmLabel: 'Unassign',
      extra: [{ key: 'plan', label: 'Add to plan' }],
    });
    if (answer === 'plan') plan.stage({ title: `Unassign ${product.displayName} from ${names}`, requests, targets });
    if (answer !== 'confirm') return;
    await runJob({ title: `Unassigning ${product.displayName} from ${names}`, requests, targets, successText: `${product.displayName} unassigned from ${names}.` });
    table.clearSelection();
  }, { icon: 'delete', disabled: true, testid: 'm365-unassign-groups' });
  const table = createTable({
    label: `Groups with ${product.displayName} licenses`,
    testid: 'm365-product-groups',
    selection: 'multi',
    columns: [
      { key: 'displayName', label: 'Group name', width: '2fr', render: (g) => rowLink(g.displayName) },
      { key: 'status', label: 'Status', width: '1.4fr', render: (g) => groupStatusPill(g) },
      { key: 'membersWithErrors', label: 'Actions needed', width: '1fr', className: 'num', render: (g) => num(errorCount(g)) },
    ],
    fetch: fetch(),
    onActivate: (g) => view.open('m365-group', [g.id, product.skuId]),
    onSelectionChange: (sel) => setDisabled(unassign, sel.size === 0),
    emptyText: 'No group has this product yet: Assign licenses to a group.',
  });
  view.body.append(
    commands('Groups commands',
      button('Assign licenses', () => view.open('m365-assign', [product.skuId, 'groups']), { icon: 'add', testid: 'm365-assign-groups' }),
      unassign,
      button('Refresh', () => table.refresh(), { icon: 'refresh' })),
    h('div', { class: 'list-tools' },
      textInput('Search groups', { class: 'search', type: 'search', onInput: debounce((v) => { search = v; table.setFetch(fetch()); }, 200) }),
      h('span', { class: 'hint', text: 'Select a group to see who got the licenses and who needs action.' })),
    table.el);
  view.body.classList.add('fill');
  // Processing moves a group from In progress to its outcome: the list follows.
  view.onChanged(() => table.refresh());
  view.onProgress((p) => {
    if (p?.done) table.refresh();
  });
  view.onDispose(() => table.destroy());
}
