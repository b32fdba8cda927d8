// All groups: searchable, virtualized list paged through the engine's `groups` query.
import { h, num, debounce, textInput } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { createTable, rowLink } from '../lib/table.js';
import { groupType, processingText, errorCount } from './common.js';

export function renderGroupsList(view, { errorsOnly = false, licensedOnly = false } = {}) {
  let search = '';
  const fetch = () => (offset, limit, orderBy) => engine.query({ query: 'groups', search, offset, limit, orderBy, errorsOnly, licensedOnly });
  const table = createTable({
    label: errorsOnly ? 'Groups with license errors' : 'All groups',
    testid: 'groups',
    columns: [
      { key: 'displayName', label: 'Name', width: '2fr', sort: 'displayName', render: (g) => rowLink(g.displayName) },
      { key: 'type', label: 'Group type', width: '1.1fr', render: groupType },
      { key: 'members', label: 'Members', width: '0.8fr', sort: 'members', render: (g) => num(g.members) },
      { key: 'licenses', label: 'Licenses', width: '1.6fr', className: 'wrap', render: (g) => (Array.isArray(g.licenses) ? g.licenses.join(', ') : num(g.licenses)) },
      { key: 'processingState', label: 'License processing', width: '1.1fr', sort: 'processingState', render: (g) => ((g.licenses || []).length ? processingText(g.processingState) : 'No licenses') },
      {
        key: 'membersWithErrors',
        label: 'Members with errors',
        width: '1fr',
        sort: 'membersWithErrors',
        render: (g) => (errorCount(g) ? h('span', { class: 'pill pill-error', text: num(errorCount(g)) }) : '0'),
      },
    ],
    fetch: fetch(),
    onActivate: (g) => view.open('group', [g.id, errorsOnly ? 'licenses' : 'overview']),
  });
  const input = textInput('Search groups', {
    placeholder: 'Group name',
    class: 'search',
    testid: 'search-groups',
    onInput: debounce((v) => {
      search = v;
      table.setFetch(fetch());
    }, 200),
  });
  view.body.append(h('div', { class: 'list-tools' }, input), table.el);
  view.body.classList.add('fill');
  view.onChanged(() => table.refresh());
  view.onDispose(() => table.destroy());
}

registerBlade('groups-errors', () => ({
  title: 'Groups with license errors',
  size: 'large',
  render(ctx) {
    renderGroupsList(ctx, { errorsOnly: true });
  },
}));

