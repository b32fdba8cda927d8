// Microsoft 365 admin center: Teams & groups > Active teams & groups. Every group with its type,
// members, licenses and license status (All licenses assigned / In progress / Errors & issues);
// "Only groups with license errors" narrows the list; a group opens its license panel.
import { h, num, debounce, textInput, button } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { createTable, rowLink } from '../lib/table.js';
import { groupType } from './common.js';
import { groupStatusPill } from './m365-common.js';

registerBlade('m365-groups', (args) => ({
  title: 'Active teams & groups',
  subtitle: 'Teams & groups',
  size: 'wide',
  render(ctx) {
    let search = '';
    let errorsOnly = args[0] === 'errors';
    const fetch = () => (offset, limit) => engine.query({ query: 'groups', search, errorsOnly, offset, limit });
    const table = createTable({
      label: 'Active teams & groups',
      testid: 'm365-groups',
      columns: [
        { key: 'displayName', label: 'Name', width: '1.8fr', render: (g) => rowLink(g.displayName) },
        { key: 'type', label: 'Type', width: '1.1fr', render: (g) => groupType(g) },
        { key: 'members', label: 'Members', width: '0.7fr', className: 'num', render: (g) => num(g.members) },
        { key: 'licenses', label: 'Licenses', width: '2fr', render: (g) => (g.licenses || []).join(', ') },
        { key: 'status', label: 'License status', width: '1.3fr', render: (g) => ((g.licenses || []).length ? groupStatusPill(g) : '') },
      ],
      fetch: fetch(),
      onActivate: (g) => ctx.open('m365-group', [g.id]),
    });
    const only = h('input', { type: 'checkbox', checked: errorsOnly, id: 'm365-groups-errors-only' });
    only.addEventListener('change', () => {
      errorsOnly = only.checked;
      ctx.setArgs(errorsOnly ? ['errors'] : []);
      table.setFetch(fetch());
    });
    ctx.toolbar.append(button('Refresh', () => table.refresh(), { icon: 'refresh' }));
    ctx.body.classList.add('fill');
    ctx.body.append(
      h('div', { class: 'list-tools' },
        textInput('Search teams & groups', { type: 'search', class: 'search', onInput: debounce((v) => { search = v; table.setFetch(fetch()); }, 200) }),
        h('label', { class: 'check-field', attrs: { for: 'm365-groups-errors-only' } }, only, 'Only groups with license errors')),
      table.el);
    ctx.onChanged(() => table.refresh());
    ctx.onDispose(() => table.destroy());
  },
}));
