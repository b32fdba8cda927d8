// Group → Licenses: the products on the group (select one to see and change its services), the
// processing status with live progress, the "N users have license assignment errors" notification that
// opens the users in error (Failed assignments, Top reason for failure); Assign and Reprocess.
import { h, num, replace, button, downloadText } from '../lib/dom.js';
import { ERROR_COLUMNS, errorRows, toCsv } from '../../wasm/plan-out.mjs';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { createTable, rowLink, simpleTable } from '../lib/table.js';
import { errorCount, assignLicenseRequest, confirmRemoval, runJob, planName, keyValue } from './common.js';
import { servicePlanToggles, serviceFilter, livePreview } from './assign-license.js';
import * as plan from '../lib/plan.js';

export function renderGroupLicenses(view, id) {
  // Live regions: a screen reader hears the processing state and the error count as they change.
  const status = h('div', { class: 'status-slot', attrs: { role: 'status', 'data-testid': 'group-status' } });
  const errors = h('div', { class: 'message-slot', attrs: { role: 'status', 'data-testid': 'group-errors' } });
  const holder = h('div', { class: 'table-holder' });
  let group = null;
  view.toolbar.append(
    button('Assign', () => view.open('assign', ['', `group:${id}`]), { icon: 'add', testid: 'group-assign' }),
    button('Reprocess', async () => {
      await runJob({
        title: `Reprocessing ${group?.displayName || 'group'}`,
        requests: [{ id: '1', method: 'POST', url: `/groups/${encodeURIComponent(id)}/reprocessLicenseAssignment` }],
        targets: [{ kind: 'group', id, name: group?.displayName, processes: true }],
        successText: `Reprocessing of ${group?.displayName || 'the group'} started.`,
      });
    }, { icon: 'refresh', testid: 'group-reprocess' }),
    button('Refresh', () => load(), { icon: 'refresh' }));
  const table = simpleTable({
    label: 'Products assigned to the group',
    items: [],
    getId: (l) => l.skuId,
    columns: [
      { key: 'displayName', label: 'Products', width: '2.2fr', render: (l) => rowLink(l.displayName || l.skuPartNumber) },
      {
        key: 'enabled',
        label: 'Enabled services',
        width: '1fr',
        render: (l) => {
          const plans = l.servicePlans || [];
          return `${num(plans.filter((p) => p.enabled).length)} of ${num(plans.length)}`;
        },
      },
      {
        key: 'disabled',
        label: 'Disabled services',
        width: '2fr',
        render: (l) => (l.servicePlans || []).filter((p) => !p.enabled).map((p) => planName(p)).join(', '),
      },
    ],
    emptyText: 'No products are assigned to this group.',
    onActivate: (l) => view.open('group-license', [id, l.skuId]),
  });
  holder.append(table.el);
  view.body.append(status, errors, h('h3', { class: 'section-title', text: 'Products' }), holder);

  // While processing runs, each progress event updates the same text and bar (no new elements):
  // the page's work per event stays small however often events come.
  let progressView = null;
  function showProgress(processed, total) {
    const text = `Latest license changes are being processed: ${num(processed)} of ${num(total)}`;
    if (progressView && progressView.box.parentNode === status) {
      progressView.text.textContent = text;
      progressView.bar.setAttribute('max', String(Math.max(1, total)));
      progressView.bar.setAttribute('value', String(processed));
      return;
    }
    const bar = h('fluent-progress-bar', { attrs: { max: String(Math.max(1, total)), value: String(processed), 'aria-label': 'License processing progress' } });
    // Announced once when the box appears; its count then changes many times a second, unannounced.
    const line = h('div', { class: 'status-text', attrs: { 'aria-live': 'off' }, text });
    const box = h('div', { class: 'status-box status-progress' }, line, bar);
    progressView = { box, text: line, bar };
    replace(status, box);
  }

  function showState(g) {
    const state = g.processing?.state || g.processing;
    const hasLicenses = (g.licenses || []).length > 0;
    if (state === 'ProcessingInProgress') showProgress(g.processing.processed || 0, g.processing.total || 0);
    else if (state === 'QueuedForProcessing') {
      replace(status, h('fluent-message-bar', { attrs: { intent: 'info' } }, 'Latest license changes are queued for processing'));
    } else if (hasLicenses) {
      replace(status, h('fluent-message-bar', { attrs: { intent: 'success', 'data-testid': 'applied' } }, 'Latest license changes have been applied to all users'));
    } else replace(status, h('fluent-message-bar', { attrs: { intent: 'info' } }, 'No license is assigned to this group.'));
    const n = errorCount(g);
    replace(errors, n
      ? h('fluent-message-bar', { attrs: { intent: 'error' } },
        h('button', {
          type: 'button',
          class: 'link-button strong',
          attrs: { 'data-testid': 'errors-link' },
          text: `${num(n)} ${n === 1 ? 'user has' : 'users have'} license assignment errors`,
          on: { click: () => view.open('group-errors', [id]) },
        }))
      : null);
  }

  async function load() {
    group = await engine.query({ query: 'group', id });
    table.setItems(group.licenses || []);
    const p = engine.currentProgress();
    if (p && p.groupId === id) showProgress(p.processed, p.total);
    else showState(group);
  }
  let reloading = false;
  view.onProgress((p) => {
    if (p && !p.done && p.groupId === id) showProgress(p.processed || 0, p.total || 0);
    else if (p && !p.done && progressView?.box.parentNode === status) {
      // This group's run ended and another group's began: show where this one stands now.
      if (!reloading) {
        reloading = true;
        load().finally(() => {
          reloading = false;
        });
      }
    } else if (p && !p.done && group && p.groupId !== id && (group.processing?.state === 'QueuedForProcessing')) showState(group);
  });
  view.onChanged(load);
  return load();
}

registerBlade('group-errors', (args) => ({
  title: 'Users with license errors',
  size: 'large',
  render(ctx) {
    const id = args[0];
    engine.query({ query: 'group', id }).then((g) => ctx.setTitle(`${g.displayName} - Users with license errors`, 'License assignment errors'));
    // Filters: the reason (an error kind) and the product that failed.
    const filter = { reason: '', skuId: '' };
    const fetch = () => (offset, limit, orderBy) =>
      engine.query({ query: 'groupErrors', id, offset, limit, orderBy, reason: filter.reason || null, skuId: filter.skuId || null });
    const reason = h('select', { id: `group-errors-reason-${id}`, class: 'native-select', on: { change: () => { filter.reason = reason.value; table.setFetch(fetch()); } } },
      h('option', { value: '', text: 'Any reason' }));
    engine.query({ query: 'errorKinds' }).then((kinds) => {
      for (const k of kinds) reason.append(h('option', { value: k.error, text: k.errorText }));
    }).catch(() => {});
    const product = h('select', { id: `group-errors-product-${id}`, class: 'native-select', on: { change: () => { filter.skuId = product.value; table.setFetch(fetch()); } } },
      h('option', { value: '', text: 'Any product' }));
    engine.query({ query: 'group', id }).then((g) => {
      for (const l of g.licenses || []) product.append(h('option', { value: l.skuId, text: l.displayName }));
    }).catch(() => {});
    const tools = h('div', { class: 'list-tools' },
      h('span', { class: 'filter-label' }, h('label', { attrs: { for: reason.id } }, 'Reason'), reason),
      h('span', { class: 'filter-label' }, h('label', { attrs: { for: product.id } }, 'Product'), product));
    const table = createTable({
      label: 'Users with license assignment errors',
      testid: 'group-errors',
      columns: [
        { key: 'displayName', label: 'Name', width: '1.5fr', sort: 'displayName', render: (u) => rowLink(u.displayName) },
        { key: 'userPrincipalName', label: 'User name', width: '1.8fr', sort: 'userPrincipalName' },
        { key: 'failed', label: 'Failed assignments', width: '2fr', className: 'wrap', render: (u) => (u.failedProducts || []).map((p) => p.displayName).join(', ') },
        { key: 'topReason', label: 'Top reason for failure', width: '1.4fr', className: 'wrap', render: (u) => u.topReasonText || u.topReason || '' },
      ],
      fetch: fetch(),
      onActivate: (u) => ctx.open('user', [u.id, 'licenses']),
      emptyText: 'No user of this group is in a license error state.',
    });
    // Every user in error (no row cap), one row per user and failing product, for Excel.
    ctx.toolbar.append(button('Download CSV', async () => {
      const [g, items, products] = await Promise.all([engine.query({ query: 'group', id }), engine.queryAll({ query: 'groupErrors', id }), engine.query({ query: 'products' })]);
      const names = new Map((Array.isArray(products) ? products : []).map((p) => [p.skuId, p.skuPartNumber]));
      const rows = errorRows(items.map((item) => ({ group: g, item })), names);
      downloadText(`${g.displayName} - users with license errors.csv`, toCsv(ERROR_COLUMNS, rows.map((r) => ERROR_COLUMNS.map((k) => r[k]))), 'text/csv');
    }, { icon: 'download', testid: 'errors-csv' }));
    ctx.body.classList.add('fill');
    ctx.body.append(tools, table.el);
    ctx.onChanged(() => table.refresh());
    ctx.onDispose(() => table.destroy());
  },
}));

registerBlade('group-license', (args) => ({
  title: 'License options',
  size: 'medium',
  async render(ctx) {
    const [groupId, skuId] = args;
    const g = await engine.query({ query: 'group', id: groupId });
    const lic = (g.licenses || []).find((l) => l.skuId === skuId);
    if (!lic) {
      ctx.body.append(h('fluent-message-bar', { attrs: { intent: 'info' } }, 'This product is no longer assigned to the group.'));
      return;
    }
    ctx.setTitle(`${lic.displayName} - Assignment options`, g.displayName);
    const disabled = new Set((lic.servicePlans || []).filter((p) => !p.enabled).map((p) => p.servicePlanId));
    const initial = [...disabled].sort().join(',');
    const requests = () => [{ id: '1', ...assignLicenseRequest('group', groupId, [{ skuId, disabledPlans: [...disabled] }]) }];
    const targets = [{ kind: 'group', id: groupId, name: g.displayName, processes: true }];
    const changed = () => [...disabled].sort().join(',') !== initial;
    const save = button('Save', async () => {
      await runJob({
        title: `Updating ${lic.displayName} on ${g.displayName}`,
        requests: requests(),
        targets,
        successText: `Services of ${lic.displayName} updated on ${g.displayName}.`,
      });
      ctx.close();
    }, { appearance: 'primary', disabled: true, testid: 'group-license-save' });
    const stage = button('Add to plan', () => {
      plan.stage({ title: `Change the services of ${lic.displayName} on ${g.displayName}`, requests: requests(), targets });
      ctx.close();
    }, { appearance: 'outline', disabled: true, testid: 'group-license-stage' });
    // What Save would do to every member (services gained and lost, errors), before it is done.
    const preview = livePreview({
      id: 'group-license-preview-title',
      testid: 'group-license-preview',
      title: 'Before you save: what will happen',
      requests: () => (changed() ? requests() : null),
      products: () => [{ skuId, displayName: lic.displayName }],
      action: 'Save',
    });
    const remove = button('Remove license', () => {
      // Confirmed first, with what it would do (the members who lose it, the seats freed).
      confirmRemoval(ctx, {
        subtitle: `${lic.displayName} from ${g.displayName}`,
        products: [{ skuId, displayName: lic.displayName }],
        job: {
          title: `Removing ${lic.displayName} from ${g.displayName}`,
          requests: [{ id: '1', ...assignLicenseRequest('group', groupId, [], [skuId]) }],
          targets: [{ kind: 'group', id: groupId, name: g.displayName, processes: true }],
          successText: `${lic.displayName} removed from ${g.displayName}.`,
        },
        after: () => ctx.close(),
      });
    }, { icon: 'delete' });
    ctx.toolbar.append(remove);
    ctx.footer.append(save, stage);
    const toggles = h('section', { class: 'plan-section', attrs: { 'aria-label': lic.displayName } },
      servicePlanToggles(lic.servicePlans || [], disabled, lic.displayName, () => {
        save.toggleAttribute('disabled', !changed());
        stage.toggleAttribute('disabled', !changed());
        preview.schedule();
      }));
    ctx.body.append(h('p', { class: 'hint', text: 'Turn services On or Off for every member who gets this product from the group.' }),
      serviceFilter([toggles]),
      toggles,
      // After the switches: what appears there never moves a switch under the pointer.
      preview.el);
  },
}));

registerBlade('failure-details', (args, opts) => ({
  title: 'Failure details',
  size: 'medium',
  transient: true,
  render(ctx) {
    ctx.setTitle('Failure details', opts.title || '');
    for (const f of opts.failures || []) {
      ctx.body.append(h('section', { class: 'failure', attrs: { 'data-testid': 'failure' } },
        h('h3', { class: 'section-title', text: f.target?.name || 'Request' }),
        keyValue([
          ['Status', String(f.status ?? '')],
          ['Error', f.code || ''],
          ['Details', h('span', { class: 'error-text', text: f.message || '' })],
        ])));
    }
  },
}));
