// Audit logs: tenant-wide blade and the per-group / per-user view (pre-filtered on the target).
// Columns: Date, Service, Category, Activity, Status, Target, Initiated by; filters on activity, target and date.
import { h, replace, debounce, textInput, dateTime, button } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { createTable, simpleTable } from '../lib/table.js';
import { keyValue } from './common.js';

const KNOWN_ACTIVITIES = [
  'Start applying group based license to users',
  'Finish applying group based license to users',
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

export function renderAuditLogs(view, { targetId, targetName: fixedTarget } = {}) {
  const f = { activity: '', search: '', from: '', to: '' };
  const seq = ++filterSeq;
  const q = () => {
    const base = { query: 'audit' };
    if (targetId) base.targetId = targetId;
    if (f.activity) base.activity = f.activity;
    if (f.search) base.search = f.search;
    if (f.from) base.from = new Date(`${f.from}T00:00:00`).toISOString();
    if (f.to) base.to = new Date(`${f.to}T23:59:59.999`).toISOString();
    return (offset, limit) => engine.query({ ...base, offset, limit });
  };
  const table = createTable({
    label: targetId ? `Audit logs of ${fixedTarget || 'the object'}` : 'Audit logs',
    testid: 'audit',
    getId: (a) => a.id,
    columns: [
      { key: 'activityDateTime', label: 'Date', width: '1.3fr', render: (a) => dateTime(a.activityDateTime) },
      { key: 'loggedByService', label: 'Service', width: '1fr' },
      { key: 'category', label: 'Category', width: '1.1fr' },
      { key: 'activityDisplayName', label: 'Activity', width: '2.4fr' },
      { key: 'result', label: 'Status', width: '0.7fr', render: (a) => (a.result ? a.result[0].toUpperCase() + a.result.slice(1) : '') },
      { key: 'target', label: 'Target', width: '1.3fr', render: targetName },
      { key: 'initiatedBy', label: 'Initiated by', width: '1.8fr', render: initiator },
      { key: 'details', label: 'Details', width: '2.4fr', render: detailsSummary, className: 'details-cell' },
    ],
    fetch: q(),
    onActivate: (a) => view.open('audit-detail', [a.id], { item: a }),
    emptyText: 'No audit event matches the filters.',
  });
  const apply = () => table.setFetch(q());
  const activity = h('select', { id: `audit-activity-${seq}`, class: 'native-select', on: { change: () => { f.activity = activity.value; apply(); } } },
    h('option', { value: '', text: 'All' }), KNOWN_ACTIVITIES.map((a) => h('option', { value: a, text: a })));
  const from = h('input', { type: 'date', id: `audit-from-${seq}`, class: 'native-input', on: { change: () => { f.from = from.value; apply(); } } });
  const to = h('input', { type: 'date', id: `audit-to-${seq}`, class: 'native-input', on: { change: () => { f.to = to.value; apply(); } } });
  const target = textInput(targetId ? 'Search' : 'Target', {
    placeholder: targetId ? 'Text in the event' : 'Target name',
    class: 'search',
    testid: 'audit-target',
    onInput: debounce((v) => { f.search = v; apply(); }, 250),
  });
  const filters = h('div', { class: 'filters', attrs: { role: 'group', 'aria-label': 'Filters' } },
    h('div', { class: 'field' }, h('label', { attrs: { for: activity.id }, text: 'Activity' }), activity),
    target,
    h('div', { class: 'field' }, h('label', { attrs: { for: from.id }, text: 'From' }), from),
    h('div', { class: 'field' }, h('label', { attrs: { for: to.id }, text: 'To' }), to),
    targetId ? h('span', { class: 'filter-pill', text: `Target: ${fixedTarget || targetId}` }) : null);
  view.toolbar.append(button('Refresh', () => table.refresh(), { icon: 'refresh' }));
  view.body.append(filters, table.el);
  view.body.classList.add('fill');
  view.onChanged(() => table.refresh());
  view.onDispose(() => table.destroy());
  // Activities seen in the tenant's log join the two known ones in the filter.
  engine.query({ query: 'audit', ...(targetId ? { targetId } : {}), offset: 0, limit: 500 }).then((res) => {
    const seen = new Set(KNOWN_ACTIVITIES);
    for (const a of res?.items || []) {
      if (a.activityDisplayName && !seen.has(a.activityDisplayName)) {
        seen.add(a.activityDisplayName);
        activity.append(h('option', { value: a.activityDisplayName, text: a.activityDisplayName }));
      }
    }
  }).catch(() => {});
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
