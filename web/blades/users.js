// All users: searchable, virtualized list paged through the engine's `users` query.
import { h, num, debounce, textInput, button, downloadText } from '../lib/dom.js';
import { PATH_COLUMNS, pathRows, toCsv } from '../../wasm/plan-out.mjs';
import * as engine from '../lib/engine.js';
import { createTable, rowLink } from '../lib/table.js';

export function renderUsersList(view) {
  let search = '';
  let errorsOnly = false;
  const fetch = () => (offset, limit, orderBy) => engine.query({ query: 'users', search, errorsOnly, orderBy, offset, limit });
  const table = createTable({
    label: 'All users',
    testid: 'users',
    columns: [
      { key: 'displayName', label: 'Name', width: '2fr', sort: 'displayName', render: (u) => rowLink(u.displayName) },
      { key: 'userPrincipalName', label: 'User name', width: '2.4fr', sort: 'userPrincipalName' },
      { key: 'usageLocation', label: 'Usage location', width: '0.8fr', sort: 'usageLocation' },
      { key: 'licenses', label: 'Licenses', width: '0.7fr', sort: 'licenses', render: (u) => num(Array.isArray(u.licenses) ? u.licenses.length : u.licenses) },
      { key: 'hasErrors', label: 'License errors', width: '0.9fr', sort: 'hasErrors', render: (u) => (u.hasErrors ? h('span', { class: 'pill pill-error', text: 'Error' }) : '') },
      { key: 'accountEnabled', label: 'Sign-in', width: '0.7fr', sort: 'accountEnabled', render: (u) => (u.accountEnabled === false ? 'Blocked' : 'Allowed') },
    ],
    fetch: fetch(),
    onActivate: (u) => view.open('user', [u.id, 'licenses']),
  });
  const input = textInput('Search users', {
    placeholder: 'Name or user name',
    class: 'search',
    testid: 'search-users',
    onInput: debounce((v) => {
      search = v;
      table.setFetch(fetch());
    }, 200),
  });
  // Every license assignment path of every user (direct or which group), for Excel.
  const paths = button('Download assignment paths', async () => {
    const rows = pathRows(await engine.queryAll({ query: 'assignmentPaths' }));
    downloadText('license assignment paths.csv', toCsv(PATH_COLUMNS, rows.map((r) => PATH_COLUMNS.map((k) => r[k]))), 'text/csv');
  }, { icon: 'download', testid: 'paths-csv' });
  // Show: every user, or only those with a license error (the engine's errorsOnly).
  const show = h('select', {
    id: 'users-show',
    class: 'native-select',
    on: { change: () => { errorsOnly = show.value === 'errors'; table.setFetch(fetch()); } },
  }, h('option', { value: 'all', text: 'All users' }), h('option', { value: 'errors', text: 'Users with license errors' }));
  const showLabel = h('span', { class: 'filter-label' }, h('label', { attrs: { for: 'users-show' } }, 'Show'), show);
  view.body.append(h('div', { class: 'list-tools' }, input, showLabel, paths), table.el);
  view.body.classList.add('fill');
  view.onChanged(() => table.refresh());
  view.onDispose(() => table.destroy());
}
