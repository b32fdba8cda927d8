// "Users and groups" menu blade: All users, All groups, Audit logs.
import { registerBlade, menuLayout } from '../lib/shell.js';
import { renderUsersList } from './users.js';
import { renderGroupsList } from './groups.js';
import { renderAuditLogs } from './audit-logs.js';

const items = [
  { key: 'users', label: 'All users', icon: 'user' },
  { key: 'groups', label: 'All groups', icon: 'users' },
  { heading: 'Activity' },
  { key: 'audit', label: 'Audit logs', icon: 'log' },
];

registerBlade('users-groups', (args) => ({
  title: 'Users and groups',
  size: 'wide',
  render(ctx) {
    menuLayout(ctx, {
      label: 'Users and groups',
      items,
      selected: args[0] || 'users',
      onSelect(item, view) {
        ctx.setTitle(`Users and groups - ${item.label}`);
        ctx.setArgs([item.key]);
        if (item.key === 'users') return renderUsersList(view);
        if (item.key === 'groups') return renderGroupsList(view);
        return renderAuditLogs(view, {});
      },
    });
  },
}));
