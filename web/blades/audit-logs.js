// Audit logs: tenant-wide blade and the per-group / per-user view (pre-filtered on the target).
// Columns: Date, Service, Category, Activity, Status, Target, Initiated by; filters on activity, target and date.
import { h, replace, debounce, dateTime, button, num } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { createTable, simpleTable } from '../lib/table.js';
import { keyValue } from './common.js';

// The activities the engine records (Core Directory names).
const KNOWN_ACTIVITIES = [
  'Start applying group based license to users',
  'Finish applying group based license to users',
  'Set group license',
  'Change user license',
  'Add member to group',
  'Remove member from group',
  'Add user',
  'Update user',
  'Add group',
  'Delete group',
];

export function targetName(a) {
  return (a.targetResources || []).map((t) => t.displayName || t.userPrincipalName || t.id).filter(Boolean).join(', ');
}

export function initiator(a) {
  const by = a.initiatedBy || {};
  return by.app?.displayName || by.user?.userPrincipalName || by.user?.displayName || by.app?.servicePrincipalName || '';
}

export function detailsSummary(a) {
  const parts = (a.additionalDetails || []).map((d) => `${d.key}: ${d.value}`);
  if (!parts.length) {
    for (const t of a.targetResources || []) {
      for (const m of t.modifiedProperties || []) parts.push(`${m.displayName}: ${m.newValue ?? ''}`);
    }
  }
  return parts.join('; ');
}

let filterSeq = 0;

/** The per-user rows a group's processing writes, one per member ("Change user license"). */
export const PER_USER_ACTIVITY = 'Change user license';

/**
 * Renders an audit log: tenant-wide, or pre-filtered on `targetId`. `perUserToggle` (a group's own
 * log): the group's per-user "Change user license" rows are left out by default, so its Start and
 * Finish read first; a line says how many are hidden and a checkbox shows them again.
 * @param {any} view the blade or menu view
 * @param {{targetId?: string, targetName?: string, perUserToggle?: boolean}} [options]
 */
export function renderAuditLogs(view, { targetId, targetName: fixedTarget, perUserToggle = false } = {}) {
  const f = { activity: '', result: '', targetId: targetId || '', from: '', to: '', showPerUser: !perUserToggle };
  const seq = ++filterSeq;
  /** The filters as query fields, without paging and without the per-user exclusion. */
  const filterFields = () => {
    const base = { query: 'audit' };
    if (f.targetId) base.targetId = f.targetId;
    if (f.activity) base.activity = f.activity;
    if (f.result) base.result = f.result;
    if (f.from) base.from = new Date(`${f.from}T00:00:00`).toISOString();
    if (f.to) base.to = new Date(`${f.to}T23:59:59.999`).toISOString();
    return base;
  };
  // An activity chosen in the filter is shown whatever it is (also Change user license).
  const excluding = () => !f.showPerUser && !f.activity;
  const q = () => {
    const base = filterFields();
    if (excluding()) base.excludeActivity = PER_USER_ACTIVITY;
    return (offset, limit) => engine.query({ ...base, offset, limit });
  };
  const table = createTable({
    label: targetId ? `Audit logs of ${fixedTarget || 'the object'}` : 'Audit logs',
    testid: 'audit',
    getId: (a) => a.id,
    minWidth: 1500,
    columns: [
      { key: 'activityDateTime', label: 'Date', width: '180px', render: (a) => dateTime(a.activityDateTime) },
      { key: 'loggedByService', label: 'Service', width: '110px' },
      { key: 'category', label: 'Category', width: '150px' },
      { key: 'activityDisplayName', label: 'Activity', width: 'minmax(300px, 2fr)' },
      { key: 'result', label: 'Status', width: '80px', render: (a) => (a.result ? a.result[0].toUpperCase() + a.result.slice(1) : '') },
      { key: 'target', label: 'Target', width: 'minmax(140px, 1fr)', render: targetName },
      { key: 'initiatedBy', label: 'Initiated by', width: 'minmax(250px, 1.2fr)', render: initiator },
      { key: 'details', label: 'Details', width: 'minmax(300px, 2fr)', render: detailsSummary, className: 'details-cell' },
    ],
    fetch: q(),
    onActivate: (a) => view.open('audit-detail', [a.id], { item: a }),
    emptyText: 'No audit event matches the filters.',
  });
  // The group's own log: how many per-user rows the filters hold, and the checkbox that shows them.
  let perUser = null;
  if (perUserToggle) {
    const boxId = `audit-per-user-${seq}`;
    const box = h('input', { type: 'checkbox', id: boxId, class: 'check', attrs: { 'data-testid': 'audit-per-user' } });
    const label = h('label', { attrs: { for: boxId }, text: 'Show per-user license changes' });
    const note = h('p', { class: 'hint audit-hidden-note', attrs: { role: 'status', 'data-testid': 'audit-hidden-note' } });
    box.addEventListener('change', () => {
      f.showPerUser = box.checked;
      apply();
    });
    let asked = 0;
    const count = async () => {
      const mine = ++asked;
      let n = 0;
      try {
        if (!f.activity) n = (await engine.query({ ...filterFields(), activity: PER_USER_ACTIVITY, limit: 0 })).total || 0;
      } catch {
        n = 0;
      }
      if (mine !== asked) return;
      const words = `${num(n)} per-user license ${n === 1 ? 'change' : 'changes'} (${PER_USER_ACTIVITY})`;
      label.textContent = `Show per-user license changes (${num(n)})`;
      box.disabled = !!f.activity;
      note.textContent = f.activity ? ''
        : excluding() ? (n ? `${words} hidden, so the group's Start and Finish read first.` : '')
          : (n ? `${words} shown among the group's events.` : '');
    };
    perUser = { el: h('div', { class: 'audit-per-user' }, h('span', { class: 'check-field' }, box, label), note), count };
  }
  const apply = () => {
    table.setFetch(q());
    perUser?.count();
  };
  const activity = h('select', { id: `audit-activity-${seq}`, class: 'native-select', on: { change: () => { f.activity = activity.value; apply(); } } },
    h('option', { value: '', text: 'All' }), KNOWN_ACTIVITIES.map((a) => h('option', { value: a, text: a })));
  const status = h('select', { id: `audit-status-${seq}`, class: 'native-select', on: { change: () => { f.result = status.value; apply(); } } },
    h('option', { value: '', text: 'All' }), h('option', { value: 'success', text: 'Success' }), h('option', { value: 'failure', text: 'Failure' }));
  const from = h('input', { type: 'date', id: `audit-from-${seq}`, class: 'native-input', on: { change: () => { f.from = from.value; apply(); } } });
  const to = h('input', { type: 'date', id: `audit-to-${seq}`, class: 'native-input', on: { change: () => { f.to = to.value; apply(); } } });
  let targetField = null;
  if (targetId) {
    targetField = h('span', { class: 'filter-pill', text: `Target: ${fixedTarget || targetId}` });
  } else {
    // Target: type a user or group name (suggestions from the engine); the exact match filters by its id.
    const listId = `audit-targets-${seq}`;
    const datalist = h('datalist', { id: listId });
    const hint = h('span', { class: 'hint', attrs: { 'aria-live': 'polite' } });
    const input = h('input', { type: 'search', id: `audit-target-${seq}`, class: 'native-input', placeholder: 'User or group name', attrs: { list: listId, 'data-testid': 'audit-target' } });
    const candidates = new Map(); // lower-case name -> id
    const suggest = debounce(async () => {
      const text = input.value.trim();
      if (!text) return;
      const [groups, users] = await Promise.all([
        engine.query({ query: 'groups', search: text, limit: 10 }),
        engine.query({ query: 'users', search: text, limit: 10 }),
      ]);
      candidates.clear();
      const options = [];
      for (const g of groups.items || []) {
        candidates.set(g.displayName.toLowerCase(), g.id);
        options.push(h('option', { value: g.displayName, text: 'Group' }));
      }
      for (const u of users.items || []) {
        if (!candidates.has(u.displayName.toLowerCase())) candidates.set(u.displayName.toLowerCase(), u.id);
        candidates.set(String(u.userPrincipalName || '').toLowerCase(), u.id);
        options.push(h('option', { value: u.userPrincipalName || u.displayName, text: u.displayName }));
      }
      replace(datalist, options);
      resolve();
    }, 200);
    const resolve = () => {
      const text = input.value.trim().toLowerCase();
      const id = text ? candidates.get(text) : '';
      if (!text) hint.textContent = '';
      else if (id) hint.textContent = '';
      else hint.textContent = 'Choose a user or group from the suggestions';
      if ((id || '') !== f.targetId && (id || !text)) {
        f.targetId = id || '';
        apply();
      }
    };
    input.addEventListener('input', () => {
      if (!input.value.trim()) resolve();
      suggest();
    });
    input.addEventListener('change', resolve);
    targetField = h('div', { class: 'field' }, h('label', { attrs: { for: input.id }, text: 'Target' }), input, datalist, hint);
  }
  const filters = h('div', { class: 'filters', attrs: { role: 'group', 'aria-label': 'Filters' } },
    h('div', { class: 'field' }, h('label', { attrs: { for: activity.id }, text: 'Activity' }), activity),
    h('div', { class: 'field' }, h('label', { attrs: { for: status.id }, text: 'Status' }), status),
    targetField,
    h('div', { class: 'field' }, h('label', { attrs: { for: from.id }, text: 'From' }), from),
    h('div', { class: 'field' }, h('label', { attrs: { for: to.id }, text: 'To' }), to));
  view.toolbar.append(button('Refresh', () => {
    table.refresh();
    perUser?.count();
  }, { icon: 'refresh' }));
  view.body.append(filters, perUser?.el || null, table.el);
  view.body.classList.add('fill');
  perUser?.count();
  view.onChanged(() => {
    table.refresh();
    perUser?.count();
  });
  view.onDispose(() => table.destroy());
}

registerBlade('audit', () => ({
  title: 'Audit logs',
  subtitle: 'Azure Active Directory',
  size: 'wide',
  render(ctx) {
    renderAuditLogs(ctx, {});
  },
}));

registerBlade('audit-detail', (args, opts) => ({
  title: 'Activity details',
  size: 'medium',
  transient: true,
  render(ctx) {
    const a = opts.item;
    if (!a) {
      ctx.body.append(h('fluent-message-bar', { attrs: { intent: 'info' } }, 'Open the event from the audit log.'));
      return;
    }
    ctx.setTitle('Activity details', a.activityDisplayName);
    const details = (a.additionalDetails || []).map((d, i) => ({ id: String(i), ...d }));
    const modified = [];
    for (const t of a.targetResources || []) {
      for (const m of t.modifiedProperties || []) modified.push({ id: `${t.id}-${modified.length}`, target: t.displayName || t.id, ...m });
    }
    ctx.body.append(
      keyValue([
        ['Date', dateTime(a.activityDateTime)],
        ['Activity', a.activityDisplayName],
        ['Service', a.loggedByService],
        ['Category', a.category],
        ['Status', a.result],
        ['Status reason', a.resultReason],
        ['Operation type', a.operationType],
        ['Target', targetName(a)],
        ['Initiated by', initiator(a)],
        ['Correlation ID', a.correlationId],
        ['Activity ID', a.id],
      ]),
      h('h3', { class: 'section-title', text: 'Additional details' }),
      simpleTable({ label: 'Additional details', items: details, emptyText: 'None', columns: [
        { key: 'key', label: 'Key', width: '1.5fr' },
        { key: 'value', label: 'Value', width: '2fr' },
      ] }).el,
      h('h3', { class: 'section-title', text: 'Modified properties' }),
      simpleTable({ label: 'Modified properties', items: modified, emptyText: 'None', columns: [
        { key: 'target', label: 'Target', width: '1fr' },
        { key: 'displayName', label: 'Property', width: '1fr' },
        { key: 'oldValue', label: 'Old value', width: '1.5fr' },
        { key: 'newValue', label: 'New value', width: '1.5fr' },
      ] }).el);
    replace(ctx.footer);
  },
}));
