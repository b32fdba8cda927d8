// User → Licenses: every license with its assignment paths (Direct, Inherited (group)) and state; a
// license opens its services and which source enables each. Assign, Remove license (direct), Reprocess.
import { h, num, replace, button, setDisabled, dateTime } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { simpleTable, rowLink } from '../lib/table.js';
import { statePill, assignLicenseRequest, confirmRemoval, runJob, planLabel } from './common.js';
import { servicePlanToggles, errorWords, describeEffect, fixButtons } from './assign-license.js';
import { fixesFor } from '../lib/fixes.js';

function pathText(a) {
  if (a.path) return a.path;
  return a.assignedByGroup ? `Inherited (${a.groupName || a.assignedByGroup})` : 'Direct';
}

function pathList(lic) {
  return h('span', { class: 'paths' }, (lic.assignments || []).map((a) => {
    const err = a.error && a.error !== 'None';
    return h('span', { class: ['path', err && 'path-error'], attrs: { title: err ? a.errorText || a.error : '' } },
      pathText(a), err ? h('span', { class: 'path-error-text', text: ` — ${a.errorText || a.error}` }) : null);
  }));
}

export function renderUserLicenses(view, id) {
  const message = h('div', { class: 'message-slot', attrs: { role: 'status' } });
  const holder = h('div', { class: 'table-holder' });
  let user = null;
  const remove = button('Remove license', () => {
    const lic = [...table.selected.values()].filter((l) => (l.assignments || []).some((a) => !a.assignedByGroup));
    if (!lic.length) return;
    confirmRemoval(view, {
      subtitle: `${lic.map((l) => l.displayName).join(', ')} from ${user.displayName}`,
      products: lic,
      job: {
        title: `Removing licenses from ${user.displayName}`,
        requests: [{ id: '1', ...assignLicenseRequest('user', id, [], lic.map((l) => l.skuId)) }],
        targets: [{ kind: 'user', id, name: user.displayName }],
        successText: `Direct ${lic.map((l) => l.displayName).join(', ')} removed from ${user.displayName}.`,
      },
      after: () => table.selected.clear(),
    });
  }, { icon: 'delete', disabled: true });
  view.toolbar.append(
    button('Assign', () => view.open('assign', ['', `user:${id}`]), { icon: 'add' }),
    remove,
    button('Reprocess', async () => {
      await runJob({
        title: `Reprocessing ${user?.displayName || 'user'}`,
        requests: [{ id: '1', method: 'POST', url: `/users/${encodeURIComponent(id)}/reprocessLicenseAssignment` }],
        targets: [{ kind: 'user', id, name: user?.displayName }],
        successText: `Licenses of ${user?.displayName || 'the user'} were reprocessed.`,
      });
    }, { icon: 'refresh', testid: 'user-reprocess' }));
  const table = simpleTable({
    label: 'Licenses of the user',
    selection: 'multi',
    items: [],
    getId: (l) => l.skuId,
    columns: [
      { key: 'displayName', label: 'Products', width: '2fr', render: (l) => rowLink(l.displayName || l.skuPartNumber) },
      { key: 'state', label: 'State', width: '1fr', render: (l) => statePill(l.state) },
      {
        key: 'services',
        label: 'Enabled services',
        width: '0.9fr',
        render: (l) => `${num((l.servicePlans || []).filter((p) => p.enabled).length)} of ${num((l.servicePlans || []).length)}`,
      },
      { key: 'paths', label: 'Assignment paths', width: '2.6fr', render: pathList },
    ],
    emptyText: 'This user has no license.',
    onActivate: (l) => view.open('user-license', [id, l.skuId]),
    onSelectionChange: (sel) => setDisabled(remove, ![...sel.values()].some((l) => (l.assignments || []).some((a) => !a.assignedByGroup))),
  });
  holder.append(table.el);
  view.body.append(message, holder);
  async function load() {
    user = await engine.query({ query: 'user', id });
    const lic = user.licenses || [];
    for (const k of [...table.selected.keys()]) if (!lic.some((l) => l.skuId === k)) table.selected.delete(k);
    table.setItems(lic);
    const inError = lic.filter((l) => (l.assignments || []).some((a) => a.error && a.error !== 'None'));
    replace(message, inError.length
      ? h('fluent-message-bar', { attrs: { intent: 'error', layout: 'multiline' } },
        `${inError.length === 1 ? 'A license assignment is' : `${inError.length} license assignments are`} in error: `,
        inError.map((l) => `${l.displayName} (${(l.assignments || []).filter((a) => a.error && a.error !== 'None').map((a) => `${pathText(a)}: ${a.errorText || a.error}`).join('; ')})`).join(', '))
      : null);
  }
  view.onChanged(load);
  return load();
}

registerBlade('user-license', (args) => ({
  title: 'License',
  size: 'large',
  render(ctx) {
    const [userId, skuId] = args;
    const paths = h('div', { class: 'table-holder' });
    const services = h('div', { class: 'table-holder' });
    const direct = h('div');
    const explain = h('div', { attrs: { 'data-testid': 'explain-fix' } });
    ctx.body.append(h('h3', { class: 'section-title', text: 'Assignment paths' }), paths, explain,
      h('h3', { class: 'section-title', text: 'Services' }), services, direct);
    async function load() {
      const u = await engine.query({ query: 'user', id: userId });
      const lic = (u.licenses || []).find((l) => l.skuId === skuId);
      if (!lic) {
        replace(paths, h('fluent-message-bar', { attrs: { intent: 'info' } }, 'The user no longer has this license.'));
        replace(services);
        replace(direct);
        replace(explain);
        return;
      }
      ctx.setTitle(`${lic.displayName} - ${u.displayName}`, 'License');
      replace(paths, simpleTable({
        label: 'Assignment paths',
        items: (lic.assignments || []).map((a, i) => ({ id: String(i), ...a })),
        columns: [
          { key: 'path', label: 'Assignment path', width: '1.8fr', render: pathText },
          { key: 'state', label: 'State', width: '0.9fr', render: (a) => statePill(a.state) },
          { key: 'error', label: 'Error', width: '1.4fr', render: (a) => (a.error && a.error !== 'None' ? a.errorText || a.error : '') },
          { key: 'lastUpdatedDateTime', label: 'Last updated', width: '1.2fr', render: (a) => dateTime(a.lastUpdatedDateTime) },
        ],
      }).el);
      renderExplain(explain, ctx, u, lic);
      replace(services, simpleTable({
        label: 'Services',
        items: (lic.servicePlans || []).map((p) => ({ id: p.servicePlanId, ...p })),
        columns: [
          { key: 'friendlyName', label: 'Service', width: '2fr', render: (p) => planLabel(p) },
          // A failed assignment's plans are not off by choice: "Not applied (error)", with the path.
          { key: 'enabled', label: 'Status', width: '0.9fr', render: (p) => (p.enabled ? 'On' : p.status === 'NotApplied' ? 'Not applied (error)' : 'Off') },
          { key: 'enabledBy', label: 'Enabled by', width: '2fr', render: (p) => (p.enabled ? (p.enabledBy || []).join(', ') : (p.notAppliedFrom || []).map((path) => `${path}: failed`).join(', ')) },
        ],
      }).el);
      const d = (lic.assignments || []).find((a) => !a.assignedByGroup);
      if (d) {
        const disabled = new Set(d.disabledPlans || []);
        const initial = [...disabled].sort().join(',');
        const save = button('Save direct assignment', async () => {
          await runJob({
            title: `Updating ${lic.displayName} for ${u.displayName}`,
            requests: [{ id: '1', ...assignLicenseRequest('user', userId, [{ skuId, disabledPlans: [...disabled] }]) }],
            targets: [{ kind: 'user', id: userId, name: u.displayName }],
            successText: `Direct ${lic.displayName} updated for ${u.displayName}.`,
          });
        }, { appearance: 'primary', disabled: true });
        replace(direct, h('h3', { class: 'section-title', text: 'Direct assignment options' }),
          h('p', { class: 'hint', text: 'Services of the direct assignment can be changed here; services inherited from groups are changed on the group.' }),
          servicePlanToggles(lic.servicePlans || [], disabled, lic.displayName, () => setDisabled(save, [...disabled].sort().join(',') === initial)),
          save);
      } else replace(direct, h('p', { class: 'hint', text: 'This license is inherited only: its services are set on the group.' }));
    }
    ctx.onChanged(load);
    return load();
  },
}));

/**
 * Explain + fix: each failed assignment path in words (its evidence), then the computed fixes, each
 * with Preview (the planner's preview of the fix alone: nothing changes) and Add to plan.
 */
async function renderExplain(el, ctx, user, lic) {
  const failed = (lic.assignments || []).filter((a) => a.error && a.error !== 'None');
  if (!failed.length) {
    replace(el);
    return;
  }
  const products = await engine.query({ query: 'products' }).catch(() => []);
  const sections = [];
  for (const a of failed) {
    const words = errorWords({ error: a.error, errorText: a.errorText, evidence: a.evidence }, lic.displayName, a.groupName);
    const fixes = await fixesFor(user, lic, a).catch(() => []);
    const items = fixes.map((fix) => {
      const { result, preview, stage } = fixButtons(fix, products, 'Add to plan, then Apply plan,');
      return h('li', { class: 'fix', attrs: { 'data-testid': 'fix' } },
        h('div', { class: 'fix-title', text: fix.title }),
        fix.why ? h('div', { class: 'sub', text: fix.why }) : null,
        h('div', { class: 'plan-change-tools' }, preview, stage), result);
    });
    sections.push(h('section', { class: 'explain', attrs: { 'aria-label': `Why ${a.path} failed` } },
      h('h3', { class: 'section-title', text: `Why ${a.path} failed` }),
      h('p', { class: 'preview-line error', text: `${words}.` }),
      a.evidence?.reason ? h('p', { class: 'sub', text: a.evidence.reason }) : null,
      h('h4', { class: 'fix-heading', text: 'How to fix it' }),
      h('ul', { class: 'fix-list', attrs: { 'aria-label': `Fixes for ${a.path}` } }, items)));
  }
  if (ctx.isOpen()) replace(el, ...sections);
}
