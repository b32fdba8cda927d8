// A group: Overview, Members, Licenses, Dynamic membership rules (a dynamic group's), Audit logs
// (pre-filtered on the group).
import { h, num, replace, button, setDisabled, debounce, textInput } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade, menuLayout } from '../lib/shell.js';
import { createTable, rowLink } from '../lib/table.js';
import { groupType, processingText, errorCount, keyValue, confirmRemoval, runJob } from './common.js';
import { renderGroupLicenses } from './group-licenses.js';
import { renderAuditLogs } from './audit-logs.js';
import { renderDynamicRules, isDynamic } from './dynamic-rules.js';

/** The menu: a dynamic group's has Dynamic membership rules under Manage, as the portal's. */
function menuItems(dynamic) {
  return [
    { key: 'overview', label: 'Overview', icon: 'info' },
    { heading: 'Manage' },
    { key: 'members', label: 'Members', icon: 'user' },
    { key: 'licenses', label: 'Licenses', icon: 'license' },
    dynamic ? { key: 'rules', label: 'Dynamic membership rules', icon: 'users' } : null,
    { heading: 'Activity' },
    { key: 'audit', label: 'Audit logs', icon: 'log' },
  ].filter(Boolean);
}

registerBlade('group', (args) => ({
  title: 'Group',
  size: 'wide',
  async render(ctx) {
    const id = args[0];
    // The group first: its menu depends on whether its membership is dynamic.
    const g = await engine.query({ query: 'group', id });
    const name = g.displayName;
    const dynamic = isDynamic(g);
    const menu = menuLayout(ctx, {
      label: 'Group',
      items: menuItems(dynamic),
      selected: args[1] || 'overview',
      onSelect(item, view) {
        ctx.setArgs([id, item.key]);
        ctx.setTitle(`${name || 'Group'} - ${item.label}`, 'Group');
        if (item.key === 'licenses') return renderGroupLicenses(view, id);
        if (item.key === 'members') return renderMembers(view, id, name, dynamic ? () => menu.select('rules', true) : null);
        if (item.key === 'rules') return renderDynamicRules(view, id, name);
        if (item.key === 'audit') return renderAuditLogs(view, { targetId: id, targetName: name, perUserToggle: true });
        return renderOverview(view, id, () => menu.select('licenses', true), () => menu.select('rules', true));
      },
    });
  },
}));

function renderOverview(view, id, goLicenses, goRules) {
  const box = h('div');
  view.body.append(box);
  async function load() {
    const g = await engine.query({ query: 'group', id });
    const errors = errorCount(g);
    const dynamic = isDynamic(g);
    // A dynamic group's members come from its rule; the document's listed members differed.
    const stale = g.staleExport;
    replace(box,
      errors
        ? h('fluent-message-bar', { attrs: { intent: 'warning' } },
          h('button', { type: 'button', class: 'link-button', text: `${num(errors)} ${errors === 1 ? 'user has' : 'users have'} license assignment errors`, on: { click: goLicenses } }))
        : null,
      // A rule the document gave that does not parse (our extension: the group query's ruleError).
      g.ruleError
        ? h('fluent-message-bar', { attrs: { intent: 'error', layout: 'multiline', 'data-testid': 'group-rule-error' } },
          `The membership rule does not parse, so membership is not evaluated: ${g.ruleError.message}`)
        : null,
      stale
        ? h('fluent-message-bar', { attrs: { intent: 'info', layout: 'multiline', 'data-testid': 'group-stale-export' } },
          `The document's member list was out of date: ${num(stale.listedOnly)} listed ${stale.listedOnly === 1 ? 'member does' : 'members do'} not match the rule and ${num(stale.ruleOnly)} ${stale.ruleOnly === 1 ? 'user who matches was' : 'users who match were'} not listed. The members shown are those the rule selects.`)
        : null,
      keyValue([
        ['Name', g.displayName],
        ['Group type', groupType(g)],
        ['Membership type', dynamic ? 'Dynamic' : 'Assigned'],
        dynamic ? ['Dynamic membership rule', h('span', { class: 'rule-summary' },
          g.membershipRule ? h('code', { class: 'rule-expression', attrs: { 'data-testid': 'overview-rule' }, text: g.membershipRule }) : 'No rule',
          ' ', h('button', { type: 'button', class: 'link-button', text: 'Edit rules', on: { click: goRules } }))] : null,
        dynamic ? ['Membership rule processing', g.membershipRuleProcessingState === 'Paused' ? 'Paused: the rule is not applied, the members stay as they are' : 'On'] : null,
        ['Security enabled', g.securityEnabled ? 'Yes' : 'No'],
        ['Mail enabled', g.mailEnabled ? 'Yes' : 'No'],
        ['Members', num(Array.isArray(g.members) ? g.members.length : g.members)],
        ['Member groups', num(Array.isArray(g.memberGroups) ? g.memberGroups.length : g.memberGroups || 0)],
        ['Products', num((g.licenses || []).length)],
        // A group without licenses has nothing to process: no "Complete".
        ['License processing', (g.licenses || []).length ? processingText(g.processing) : 'No licenses assigned'],
        ['Object ID', g.id],
      ]));
  }
  view.onChanged(load);
  return load();
}

/**
 * A group's members. A dynamic group's come from its rule: no Add or Remove (the engine refuses
 * them), a line leads to the rule instead (`goRules`).
 */
function renderMembers(view, id, groupName, goRules) {
  let search = '';
  const fetch = () => (offset, limit) => engine.query({ query: 'groupMembers', id, search, offset, limit });
  const remove = button('Remove from group', () => {
    const members = [...table.selected.values()];
    if (!members.length) return;
    // Confirmed first, with what it would do (the licenses the members lose or gain, the seats).
    confirmRemoval(view, {
      title: 'Remove from group',
      action: 'Remove',
      subtitle: `${members.length === 1 ? members[0].displayName : `${num(members.length)} members`} from ${groupName}`,
      job: {
        title: `Removing members from ${groupName}`,
        requests: members.map((m, i) => ({ id: String(i + 1), method: 'DELETE', url: `/groups/${encodeURIComponent(id)}/members/${encodeURIComponent(m.id)}/$ref` })),
        targets: members.map((m) => ({ kind: 'group', id, name: `${m.displayName} from ${groupName}`, processes: true })),
        successText: `Removed ${members.length} member(s) from ${groupName}.`,
      },
      after: () => table.clearSelection(),
    });
  }, { icon: 'delete', disabled: true });
  const table = createTable({
    label: `Members of ${groupName}`,
    testid: 'group-members',
    selection: 'multi',
    columns: [
      { key: 'displayName', label: 'Name', width: '2fr', render: (m) => rowLink(m.displayName) },
      { key: 'type', label: 'Type', width: '0.8fr', render: (m) => (m.type === 'group' ? 'Group' : 'User') },
      { key: 'userPrincipalName', label: 'User name', width: '2fr' },
    ],
    fetch: fetch(),
    onActivate: (m) => (m.type === 'group' ? view.open('group', [m.id, 'overview']) : view.open('user', [m.id, 'licenses'])),
    onSelectionChange: (sel) => setDisabled(remove, sel.size === 0),
  });
  // Add members: pick users and groups, then the preview of what they get (or fail to get), then
  // Add or Add to plan.
  const add = button('Add members', () => {
    view.open('pick-principals', [], {
      selected: new Map(),
      onSelect(chosen) {
        const picked = [...chosen.values()].filter((p) => p.id !== id);
        if (!picked.length) return;
        const requests = picked.map((p, i) => ({
          id: String(i + 1),
          method: 'POST',
          url: `/groups/${encodeURIComponent(id)}/members/$ref`,
          body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${p.id}` },
        }));
        const subtitle = `${picked.length === 1 ? picked[0].displayName : `${num(picked.length)} members`} to ${groupName}`;
        const targets = picked.map((p) => ({ kind: 'group', id, name: `${p.displayName} to ${groupName}`, processes: true }));
        const nested = picked.filter((p) => p.kind === 'group');
        // After the picker has closed (it closes itself once this returns).
        setTimeout(() => view.open('confirm-change', [], {
          title: 'Add members',
          subtitle,
          // Microsoft's rule: group-based licensing reaches direct members only.
          note: nested.length ? `${nested.map((g) => g.displayName).join(', ')}: a group added as a member gets nothing from ${groupName}'s licenses, nor do its members (group-based licensing applies to direct members only).` : '',
          actionLabel: 'Add',
          requests,
          stage: { title: `Add members: ${subtitle}`, requests, targets },
          async onConfirm() {
            await runJob({ title: `Adding members to ${groupName}`, requests, targets, successText: `Added ${picked.length} member(s) to ${groupName}.` });
          },
        }), 0);
      },
    });
  }, { icon: 'add', testid: 'add-members' });
  if (!goRules) view.toolbar.append(add, remove);
  const input = textInput('Search members', { class: 'search', onInput: debounce((v) => { search = v; table.setFetch(fetch()); }, 200) });
  if (goRules) {
    view.body.append(h('fluent-message-bar', { attrs: { intent: 'info', layout: 'multiline' } },
      'The members of a dynamic group come from its membership rule: they are not added or removed by hand. ',
      h('button', { type: 'button', class: 'link-button', text: 'Dynamic membership rules', on: { click: goRules } })));
  }
  view.body.append(h('div', { class: 'list-tools' }, input), table.el);
  view.body.classList.add('fill');
  view.onChanged(() => table.refresh());
  view.onDispose(() => table.destroy());
}
