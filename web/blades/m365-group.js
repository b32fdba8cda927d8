// Microsoft 365 admin center: a group's license panel (a product's Groups tab > a group, or Teams &
// groups > a group). Its status (All licenses assigned / In progress / Errors & issues) with live
// progress, then two tabs: Successfully assigned (members licensed) and Actions needed (members in
// error, with the Issue; select users, then Edit user, Reprocess, View error details), as in "Assign
// or unassign licenses to a group in the Microsoft 365 admin center" (manage-group-licenses).
import { h, num, replace, button, setDisabled } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { createTable, rowLink } from '../lib/table.js';
import { tabLayout } from '../lib/tabs.js';
import { errorCount, runJob, keyValue } from './common.js';
import { groupStatus, groupStatusPill, reprocessRequests, REPROCESS_LIMIT } from './m365-common.js';

registerBlade('m365-group', (args) => ({
  title: 'Group',
  size: 'large',
  async render(ctx) {
    const [groupId, skuId = '', tab] = args;
    let group = await engine.query({ query: 'group', id: groupId });
    const productName = () => (group.licenses || []).find((l) => l.skuId === skuId)?.displayName;
    ctx.setTitle(group.displayName, productName() || 'Group licenses');
    // Live: a screen reader hears the status change (In progress → Errors & issues).
    const status = h('div', { class: 'status-slot', attrs: { role: 'status', 'data-testid': 'm365-group-status' } });
    const facts = h('div');
    let tabs = null;

    function paint() {
      const s = groupStatus(group);
      const p = engine.currentProgress();
      const n = errorCount(group);
      if (p && p.groupId === groupId) {
        replace(status, h('div', { class: 'status-box' },
          h('div', { class: 'status-text' }, 'Status: In progress'),
          h('div', { class: 'sub', attrs: { 'aria-live': 'off' }, text: `Licenses are being assigned: ${num(p.processed)} of ${num(p.total)} members processed` })));
      } else {
        replace(status, h('fluent-message-bar', { attrs: { intent: s.kind === 'error' ? 'error' : s.kind === 'success' ? 'success' : 'info', layout: 'multiline' } },
          h('span', { class: 'strong', text: `Status: ${s.text}` }),
          s.kind === 'error' ? ` · ${num(n)} ${n === 1 ? 'user needs' : 'users need'} action` : ''));
      }
      replace(facts, keyValue([
        ['Licenses', (group.licenses || []).map((l) => l.displayName).join(', ') || 'No licenses assigned'],
        ['Members', num(group.members)],
      ]));
      if (tabs) {
        tabs.setLabel('actions', `Actions needed (${num(n)})`);
        tabs.setLabel('assigned', `Successfully assigned (${num(Math.max(0, Number(group.members || 0) - n))})`);
      }
    }

    async function reload() {
      group = await engine.query({ query: 'group', id: groupId });
      paint();
    }

    ctx.body.classList.add('fill');
    ctx.body.append(status, facts);
    paint();
    const n = errorCount(group);
    tabs = tabLayout(ctx, {
      label: `Licenses of ${group.displayName}'s members`,
      items: [
        { key: 'assigned', label: 'Successfully assigned' },
        { key: 'actions', label: 'Actions needed' },
      ],
      selected: tab || (n > 0 ? 'actions' : 'assigned'),
      onSelect(item, view) {
        ctx.setArgs([groupId, skuId, item.key]);
        if (item.key === 'actions') return actionsNeeded(view, group);
        return successfullyAssigned(view, groupId);
      },
    });
    ctx.body.append(tabs.el);
    paint();
    ctx.onChanged(reload);
    ctx.onProgress((p) => {
      if (p && !p.done && p.groupId === groupId) paint();
    });
  },
}));

/**
 * The members licensed by the group: its user members less those in error, paged through the
 * engine's groupMembers (the users in error are left out as pages arrive).
 */
function successfullyAssigned(view, groupId) {
  let source = null;
  async function makeSource() {
    const g = await engine.query({ query: 'group', id: groupId });
    const inError = new Set((await engine.queryAll({ query: 'groupErrors', id: groupId })).map((u) => u.id));
    const total = Math.max(0, Number(g.members || 0) - inError.size);
    const kept = [];
    let read = 0;
    let end = false;
    let chain = Promise.resolve();
    const ensure = (n) => {
      chain = chain.then(async () => {
        while (kept.length < n && !end) {
          const page = await engine.query({ query: 'groupMembers', id: groupId, offset: read, limit: 1000 });
          const items = page?.items || [];
          read += items.length;
          for (const m of items) if (m.type === 'user' && !inError.has(m.id)) kept.push(m);
          if (!items.length || read >= Number(page.total || 0)) end = true;
        }
      });
      return chain;
    };
    return async (offset, limit) => {
      await ensure(offset + limit);
      return { total: end ? kept.length : total, items: kept.slice(offset, offset + limit) };
    };
  }
  const fetch = async (offset, limit) => {
    source = source || makeSource();
    return (await source)(offset, limit);
  };
  const table = createTable({
    label: 'Successfully assigned',
    testid: 'm365-assigned',
    columns: [
      { key: 'displayName', label: 'Name', width: '1.4fr', render: (u) => rowLink(u.displayName) },
      { key: 'userPrincipalName', label: 'Username', width: '2fr' },
    ],
    fetch,
    onActivate: (u) => view.open('m365-user', [u.id, 'licenses']),
    emptyText: 'No member has the group\'s licenses yet.',
  });
  view.body.append(h('p', { class: 'hint', text: 'Members to whom the group\'s licenses were assigned.' }), table.el);
  view.body.classList.add('fill');
  view.onChanged(() => {
    source = null;
    table.setFetch(fetch);
  });
  view.onDispose(() => table.destroy());
}

/** Actions needed: the members in error, the Issue, and the three commands of the admin center. */
function actionsNeeded(view, group) {
  const groupId = group.id;
  const selected = () => [...table.selected.values()];
  const edit = button('Edit user', () => {
    const [u] = selected();
    if (u) view.open('m365-user', [u.id, 'licenses', groupId]);
  }, { icon: 'user', disabled: true, testid: 'm365-edit-user' });
  const reprocess = button('Reprocess', async () => {
    const users = selected();
    if (!users.length) return;
    const names = users.length === 1 ? users[0].displayName : `${num(users.length)} users`;
    setDisabled(reprocess, true);
    await runJob({
      title: `Reprocessing ${names}`,
      requests: reprocessRequests(users),
      targets: users.map((u) => ({ kind: 'user', id: u.id, name: u.displayName })),
      successText: `License assignment of ${names} reattempted.`,
    });
    table.clearSelection();
  }, { icon: 'refresh', disabled: true, testid: 'm365-reprocess' });
  const details = button('View error details', () => {
    const [u] = selected();
    if (u) view.open('m365-error-details', [u.id, groupId]);
  }, { icon: 'info', disabled: true, testid: 'm365-error-details' });
  const hint = h('p', { class: 'hint', attrs: { role: 'status' }, text: '' });
  const paintCommands = (sel) => {
    const n = sel.size;
    setDisabled(edit, n !== 1);
    setDisabled(details, n !== 1);
    setDisabled(reprocess, n === 0 || n > REPROCESS_LIMIT);
    hint.textContent = n > REPROCESS_LIMIT
      ? `Reprocess takes up to ${REPROCESS_LIMIT} users at a time: ${num(n)} are selected.`
      : 'Select a user, then Edit user to change their licenses or groups, View error details to see why, and Reprocess to try again.';
  };
  const table = createTable({
    label: 'Actions needed',
    testid: 'm365-actions-needed',
    selection: 'multi',
    columns: [
      { key: 'displayName', label: 'Name', width: '1.3fr', render: (u) => rowLink(u.displayName) },
      { key: 'userPrincipalName', label: 'Username', width: '1.8fr' },
      { key: 'issue', label: 'Issue', width: '1.5fr', render: (u) => u.topReasonText || u.topReason || '' },
      { key: 'products', label: 'Licenses not assigned', width: '2fr', render: (u) => (u.failedProducts || []).map((p) => p.displayName).join(', ') },
    ],
    fetch: (offset, limit) => engine.query({ query: 'groupErrors', id: groupId, offset, limit }),
    onActivate: (u) => view.open('m365-error-details', [u.id, groupId]),
    onSelectionChange: paintCommands,
    emptyText: 'No action needed: every member has the group\'s licenses.',
  });
  paintCommands(table.selected);
  view.body.append(
    h('div', { class: 'm365-commands', attrs: { role: 'toolbar', 'aria-label': 'Actions needed commands' } }, edit, reprocess, details),
    hint, table.el);
  view.body.classList.add('fill');
  view.onChanged(() => {
    // Users no longer in error leave the selection with the list.
    table.clearSelection();
    table.refresh();
  });
  view.onDispose(() => table.destroy());
}
