// Microsoft 365 admin center: Users > Active users. Every user (search by name or username) with how
// many licenses they hold and whether any is in error; a user opens their details panel.
import { h, num, debounce, textInput, button } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { createTable, rowLink } from '../lib/table.js';

registerBlade('m365-users', () => ({
  title: 'Active users',
  subtitle: 'Users',
  size: 'wide',
  render(ctx) {
    let search = '';
    const fetch = () => (offset, limit) => engine.query({ query: 'users', search, offset, limit });
    const table = createTable({
      label: 'Active users',
      testid: 'm365-users',
      columns: [
        { key: 'displayName', label: 'Display name', width: '1.5fr', render: (u) => rowLink(u.displayName) },
        { key: 'userPrincipalName', label: 'Username', width: '2fr' },
        { key: 'licenses', label: 'Licenses', width: '0.8fr', className: 'num', render: (u) => (u.licenses ? num(u.licenses) : 'Unlicensed') },
        { key: 'hasErrors', label: 'License errors', width: '1fr', render: (u) => (u.hasErrors ? h('span', { class: 'pill pill-error', text: 'Errors & issues' }) : '') },
      ],
      fetch: fetch(),
      onActivate: (u) => ctx.open('m365-user', [u.id, 'account']),
    });
    ctx.toolbar.append(button('Refresh', () => table.refresh(), { icon: 'refresh' }));
    ctx.body.classList.add('fill');
    ctx.body.append(
      h('div', { class: 'list-tools' }, textInput('Search active users', { type: 'search', class: 'search', onInput: debounce((v) => { search = v; table.setFetch(fetch()); }, 200) })),
      table.el);
    ctx.onChanged(() => table.refresh());
    ctx.onDispose(() => table.destroy());
  },
}));
