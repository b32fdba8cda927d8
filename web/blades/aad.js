// Azure Active Directory blade: overview of the directory and the entries the walkthrough uses.
import { h, num, replace, icon } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { keyValue } from './common.js';
import { entraName } from '../lib/view.js';

registerBlade('aad', () => ({
  // The directory's name follows the view: Azure Active Directory (2017), Microsoft Entra ID (today).
  title: entraName(),
  subtitle: 'Directory',
  size: 'medium',
  render(ctx) {
    const entries = [
      ['users', 'Users and groups', () => ctx.open('users-groups', ['users'])],
      ['license', 'Licenses', () => ctx.open('licenses', ['overview'])],
      ['log', 'Audit logs', () => ctx.open('audit')],
      ['doc', 'Tenant document', () => ctx.open('tenant')],
    ];
    const nav = h('nav', { class: 'aad-nav', attrs: { 'aria-label': 'Manage' } },
      h('div', { class: 'menu-heading', text: 'Manage' }),
      entries.map(([ic, label, fn]) => h('button', { type: 'button', class: 'menu-item', on: { click: fn } }, icon(ic), h('span', { text: label }))));
    const overview = h('div', { class: 'aad-overview' });
    ctx.body.classList.add('with-menu');
    ctx.body.append(nav, overview);
    async function load() {
      const [t, groupsWithErrors] = await Promise.all([
        engine.query({ query: 'tenant' }),
        engine.query({ query: 'groups', errorsOnly: true, limit: 1 }),
      ]);
      ctx.setTitle(`${t.displayName || 'Directory'} - Overview`, entraName());
      replace(overview,
        h('h3', { class: 'section-title', text: t.displayName || '' }),
        keyValue([
          ['Country', t.countryLetterCode || ''],
          ['Users', num(t.users)],
          ['Groups', num(t.groups)],
          ['Products', num(t.skus)],
          ['License processing', t.pending ? 'In progress' : 'Idle'],
        ]),
        groupsWithErrors.total
          ? h('fluent-message-bar', { attrs: { intent: 'warning', layout: 'multiline' } },
            `${num(groupsWithErrors.total)} ${groupsWithErrors.total === 1 ? 'group has' : 'groups have'} members with license errors. `,
            h('button', { type: 'button', class: 'link-button', text: 'View groups with errors', on: { click: () => ctx.open('groups-errors') } }))
          : null);
    }
    ctx.onChanged(load);
    return load();
  },
}));
