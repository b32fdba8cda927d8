// Entry point: Fluent theme and elements, the portal shell, the blades, then the engine worker.
import '@fluentui/web-components/button.js';
import '@fluentui/web-components/switch.js';
import '@fluentui/web-components/text-input.js';
import '@fluentui/web-components/progress-bar.js';
import '@fluentui/web-components/message-bar.js';
import '@fluentui/web-components/spinner.js';
import '@fluentui/web-components/badge.js';
import { setTheme } from '@fluentui/web-components';
import { webLightTheme } from '@fluentui/tokens';

import * as engine from './lib/engine.js';
import * as shell from './lib/shell.js';
import * as notifications from './lib/notifications.js';
import { importChosen } from './blades/tenant.js';
import { droppedFiles } from './lib/import-files.js';

import './blades/home.js';
import './blades/aad.js';
import './blades/users-groups.js';
import './blades/licenses.js';
import './blades/all-products.js';
import './blades/product.js';
import './blades/assign-license.js';
import './blades/groups.js';
import './blades/group.js';
import './blades/group-licenses.js';
import './blades/users.js';
import './blades/user.js';
import './blades/user-licenses.js';
import './blades/audit-logs.js';
import './blades/tenant.js';
import './blades/plan.js';
import * as plan from './lib/plan.js';

setTheme(webLightTheme);

const $ = (id) => document.getElementById(id);

shell.mount($('blades'), $('breadcrumb'));
notifications.mount({ bellButton: $('bell'), badgeEl: $('bell-badge'), panelEl: $('notifications'), toasts: $('toasts') });

for (const btn of document.querySelectorAll('[data-nav]')) {
  btn.addEventListener('click', () => shell.openRoot(btn.dataset.nav, btn.dataset.nav === 'users-groups' ? ['users'] : []));
}
$('nav-toggle').addEventListener('click', () => {
  const collapsed = document.body.classList.toggle('nav-collapsed');
  $('nav-toggle').setAttribute('aria-expanded', String(!collapsed));
});

// Drag and drop a tenant document anywhere on the page.
let dragDepth = 0;
const hasFiles = (ev) => [...(ev.dataTransfer?.types || [])].includes('Files');
document.addEventListener('dragenter', (ev) => {
  if (!hasFiles(ev)) return;
  dragDepth++;
  $('drop-overlay').hidden = false;
});
document.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (!dragDepth) $('drop-overlay').hidden = true;
});
document.addEventListener('dragover', (ev) => {
  if (hasFiles(ev)) ev.preventDefault();
});
document.addEventListener('drop', (ev) => {
  if (!hasFiles(ev)) return;
  ev.preventDefault();
  dragDepth = 0;
  $('drop-overlay').hidden = true;
  droppedFiles(ev.dataTransfer).then(importChosen, (err) => console.warn('The dropped files could not be read', err));
});

// Plan (top bar): the number of staged changes; opens the Plan blade.
function paintPlanButton(changes) {
  const n = changes.length;
  $('plan-badge').hidden = n === 0;
  $('plan-badge').textContent = String(n);
  $('plan-button').setAttribute('aria-label', n ? `Plan: ${n} staged ${n === 1 ? 'change' : 'changes'}` : 'Plan: no staged change');
}
plan.onChange(paintPlanButton);
$('plan-button').addEventListener('click', () => shell.openLast('plan'));

// Busy indicator while the worker processes licenses.
engine.on('progress', (p) => {
  const busy = $('busy');
  if (!p || p.done) busy.textContent = '';
  else busy.textContent = `Processing licenses: ${p.groupName || ''} ${Number(p.processed || 0).toLocaleString('en-US')} of ${Number(p.total || 0).toLocaleString('en-US')}`;
});

engine.on('restart', (e) => {
  notifications.notify({
    title: 'The licensing engine restarted',
    text: e?.restored ? 'Its worker stopped; a new one took over with your tenant restored.' : `Its worker stopped and the tenant could not be restored: ${engine.errorText(e?.error)}`,
    status: e?.restored ? 'warning' : 'error',
  });
});

async function refreshTenantName() {
  try {
    const t = await engine.query({ query: 'tenant' });
    $('tenant-name').textContent = t?.displayName || '';
    $('rules-badge').textContent = t?.rulesProfile ? `Rules: ${t.rulesProfile}` : '';
  } catch {
    $('tenant-name').textContent = '';
    $('rules-badge').textContent = '';
  }
}
engine.on('changed', refreshTenantName);

async function start() {
  try {
    await engine.init((text) => {
      $('boot-text').textContent = text;
    });
    $('boot').remove();
    await plan.restore();
    document.body.dataset.ready = 'true';
    performance.mark('gbl-ready');
    shell.restoreFromHash();
    shell.afterRestore();
  } catch (err) {
    console.error(err);
    $('boot-text').textContent = `The licensing engine could not start: ${engine.errorText(err)}`;
    $('boot').classList.add('boot-error');
  }
}
start();
