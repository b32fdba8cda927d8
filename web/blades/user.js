// A user: Profile, Groups (with remove from group), Licenses, Audit logs.
import { h, replace, button, setDisabled } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade, menuLayout } from '../lib/shell.js';
import { simpleTable, rowLink } from '../lib/table.js';
import { keyValue, confirmRemoval } from './common.js';
import { renderUserLicenses } from './user-licenses.js';
import { renderAuditLogs } from './audit-logs.js';

const items = [
  { key: 'profile', label: 'Profile', icon: 'user' },
  { heading: 'Manage' },
  { key: 'groups', label: 'Groups', icon: 'users' },
  { key: 'licenses', label: 'Licenses', icon: 'license' },
  { heading: 'Activity' },
  { key: 'audit', label: 'Audit logs', icon: 'log' },
];

registerBlade('user', (args) => ({
  title: 'User',
  size: 'wide',
  render(ctx) {
    const id = args[0];
    let name = '';
    menuLayout(ctx, {
      label: 'User',
      items,
      selected: args[1] || 'licenses',
      onSelect(item, view) {
        ctx.setArgs([id, item.key]);
        const title = () => ctx.setTitle(`${name || 'User'} - ${item.label}`, 'User');
        title();
        const ready = name ? Promise.resolve() : engine.query({ query: 'user', id }).then((u) => {
          name = u.displayName;
          title();
        });
        return ready.then(() => {
          if (item.key === 'licenses') return renderUserLicenses(view, id);
          if (item.key === 'groups') return renderUserGroups(view, id);
          if (item.key === 'audit') return renderAuditLogs(view, { targetId: id, targetName: name });
          return renderProfile(view, id);
        });
      },
    });
  },
}));

function renderProfile(view, id) {
  const box = h('div');
  view.body.append(box);
  async function load() {
    const u = await engine.query({ query: 'user', id });
    replace(box, keyValue([
      ['Name', u.displayName],
      ['User name', u.userPrincipalName],
      ['Usage location', u.usageLocation || 'Not set'],
      ['Sign-in', u.accountEnabled === false ? 'Blocked' : 'Allowed'],
      ['Proxy addresses', (u.proxyAddresses || []).join(', ')],
      ['Licenses', String((u.licenses || []).length)],
      ['Groups', String((u.groups || []).length)],
      ['Object ID', u.id],
    ]));
  }
  view.onChanged(load);
  return load();
}

function renderUserGroups(view, id) {
  const holder = h('div', { class: 'table-holder' });
  let user = null;
  const remove = button('Remove from group', () => {
    const groups = [...table.selected.values()];
    if (!groups.length || !user) return;
    const names = groups.map((g) => g.displayName).join(', ');
    // Confirmed first, with what it would do (the licenses the user loses or gains).
    confirmRemoval(view, {
      title: 'Remove from group',
      action: 'Remove',
      subtitle: `${user.displayName} from ${names}`,
      job: {
        title: `Removing ${user.displayName} from ${names}`,
        requests: groups.map((g, i) => ({ id: String(i + 1), method: 'DELETE', url: `/groups/${encodeURIComponent(g.id)}/members/${encodeURIComponent(id)}/$ref` })),
        targets: groups.map((g) => ({ kind: 'group', id: g.id, name: g.displayName, processes: true })),
        successText: `${user.displayName} was removed from ${names}.`,
      },
      after: () => {
        table.selected.clear();
        setDisabled(remove, true);
      },
    });
  }, { icon: 'delete', disabled: true, testid: 'remove-from-group' });
  view.toolbar.append(remove);
  const table = simpleTable({
    label: 'Groups of the user',
    selection: 'multi',
    items: [],
    columns: [
      { key: 'displayName', label: 'Name', width: '2fr', render: (g) => rowLink(g.displayName) },
      { key: 'licensed', label: 'Assigns licenses', width: '1fr', render: (g) => (g.licensed ? 'Yes' : 'No') },
    ],
    emptyText: 'This user is not a member of any group.',
    onActivate: (g) => view.open('group', [g.id, 'licenses']),
    onSelectionChange: (sel) => setDisabled(remove, sel.size === 0),
  });
  holder.append(table.el);
  view.body.append(holder);
  async function load() {
    user = await engine.query({ query: 'user', id });
    const groups = (user.groups || []).map((g) => (typeof g === 'string' ? { id: g, displayName: g } : g));
    for (const k of [...table.selected.keys()]) if (!groups.some((g) => g.id === k)) table.selected.delete(k);
    table.setItems(groups);
    setDisabled(remove, table.selected.size === 0);
  }
  view.onChanged(load);
  return load();
}
