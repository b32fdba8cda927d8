// All users: searchable, virtualized list paged through the engine's `users` query.
import { h, num, debounce, textInput, button, downloadText } from '../lib/dom.js';
import { PATH_COLUMNS, pathRows, toCsv } from '../../wasm/plan-out.mjs';
import * as engine from '../lib/engine.js';
import { createTable, rowLink } from '../lib/table.js';

export function renderUsersList(view) {
  let search = '';
  const table = createTable({
    label: 'All users',
    testid: 'users',
    columns: [
      { key: 'displayName', label: 'Name', width: '2fr', render: (u) => rowLink(u.displayName) },
      { key: 'userPrincipalName', label: 'User name', width: '2.4fr' },
      { key: 'usageLocation', label: 'Usage location', width: '0.8fr' },
      { key: 'licenses', label: 'Licenses', width: '0.7fr', render: (u) => num(Array.isArray(u.licenses) ? u.licenses.length : u.licenses) },
      { key: 'hasErrors', label: 'License errors', width: '0.9fr', render: (u) => (u.hasErrors ? h('span', { class: 'pill pill-error', text: 'Error' }) : '') },
      { key: 'accountEnabled', label: 'Sign-in', width: '0.7fr', render: (u) => (u.accountEnabled === false ? 'Blocked' : 'Allowed') },
    ],
    fetch: (offset, limit) => engine.query({ query: 'users', search, offset, limit }),
    onActivate: (u) => view.open('user', [u.id, 'licenses']),
  });
  const input = textInput('Search users', {
    placeholder: 'Name or user name',
    class: 'search',
    testid: 'search-users',
    onInput: debounce((v) => {
      search = v;
      table.setFetch((offset, limit) => engine.query({ query: 'users', search, offset, limit }));
    }, 200),
  });
  // Every license assignment path of every user (direct or which group), for Excel.
  const paths = button('Download assignment paths', async () => {
    const rows = pathRows(await engine.queryAll({ query: 'assignmentPaths' }));
    downloadText('license assignment paths.csv', toCsv(PATH_COLUMNS, rows.map((r) => PATH_COLUMNS.map((k) => r[k]))), 'text/csv');
  }, { icon: 'download', testid: 'paths-csv' });
  view.body.append(h('div', { class: 'list-tools' }, input, paths), table.el);
  view.body.classList.add('fill');
  view.onChanged(() => table.refresh());
  view.onDispose(() => table.destroy());
}
