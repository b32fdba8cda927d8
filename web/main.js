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
import './blades/scenarios.js';
import * as playground from './lib/playground.js';
// The Microsoft 365 admin center view (the top bar's View select; lib/view-switch.js).
import './blades/m365-home.js';
import './blades/m365-licenses.js';
import './blades/m365-product.js';
import './blades/m365-assign.js';
import './blades/m365-group.js';
import './blades/m365-error-details.js';
import './blades/m365-user.js';
import './blades/m365-users.js';
import './blades/m365-groups.js';
import { mountViewSwitch } from './lib/view-switch.js';
import * as plan from './lib/plan.js';

setTheme(webLightTheme);

const $ = (id) => document.getElementById(id);

shell.mount($('blades'), $('breadcrumb'));
notifications.mount({ bellButton: $('bell'), badgeEl: $('bell-badge'), panelEl: $('notifications'), toasts: $('toasts') });

for (const btn of document.querySelectorAll('[data-nav]')) {
  btn.addEventListener('click', () => {
    setNavOverlay(false);
    shell.openRoot(btn.dataset.nav, btn.dataset.nav === 'users-groups' ? ['users'] : []);
  });
}

// The portal menu. Wide pages: the menu stands beside the blades and the toggle narrows it to its
// icons. Below 1024 px (WCAG 1.4.10 reflow; 200% zoom of a laptop) it would cover the blade: it is
// hidden, and the toggle opens it over the page; Escape, choosing an item, or leaving it closes it.
const narrowNav = window.matchMedia('(max-width: 1023.98px)');
const navToggle = $('nav-toggle');
const sidenav = $('sidenav');

/** The toggle says whether the menu shows (beside the blades, or over them). */
function paintNavToggle() {
  const shown = narrowNav.matches ? document.body.classList.contains('nav-open') : !document.body.classList.contains('nav-collapsed');
  navToggle.setAttribute('aria-expanded', String(shown));
}

/**
 * Opens or closes the menu over the page (narrow pages only).
 * @param {boolean} open
 * @param {{focusToggle?: boolean}} [opts] focusToggle: the keyboard goes back to the toggle
 */
function setNavOverlay(open, { focusToggle = false } = {}) {
  const wasOpen = document.body.classList.contains('nav-open');
  document.body.classList.toggle('nav-open', open && narrowNav.matches);
  paintNavToggle();
  if (open && narrowNav.matches && !wasOpen) sidenav.querySelector('.nav-item')?.focus();
  if (!open && wasOpen && focusToggle) navToggle.focus();
}

navToggle.addEventListener('click', () => {
  if (narrowNav.matches) setNavOverlay(!document.body.classList.contains('nav-open'));
  else {
    document.body.classList.toggle('nav-collapsed');
    paintNavToggle();
  }
});
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && document.body.classList.contains('nav-open')) {
    ev.preventDefault();
    setNavOverlay(false, { focusToggle: true });
  }
});
// A click or the keyboard elsewhere closes the open menu.
document.addEventListener('pointerdown', (ev) => {
  if (document.body.classList.contains('nav-open') && !sidenav.contains(ev.target) && !navToggle.contains(ev.target)) setNavOverlay(false);
});
sidenav.addEventListener('focusout', (ev) => {
  const to = ev.relatedTarget;
  if (to && !sidenav.contains(to) && to !== navToggle) setNavOverlay(false);
});
narrowNav.addEventListener('change', () => setNavOverlay(false));
paintNavToggle();

// View: Azure portal (2017) or Microsoft 365 admin center, remembered; the menu follows it.
mountViewSwitch({ topbar: document.querySelector('.topbar'), sidenav, onNavigate: () => setNavOverlay(false) });

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
  droppedFiles(ev.dataTransfer).then((chosen) => playground.openDropped(chosen, importChosen), (err) => console.warn('The dropped files could not be read', err));
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
    playground.beforeStart(); // ?embed= (no chrome, nothing stored), the Share command, demo pace
    await engine.init((text) => {
      $('boot-text').textContent = text;
    });
    $('boot').remove();
    await plan.restore();
    const bladesSet = await playground.afterStart(); // a share link, an embedded blade, a tour
    document.body.dataset.ready = 'true';
    performance.mark('gbl-ready');
    if (!bladesSet) shell.restoreFromHash();
    shell.afterRestore();
  } catch (err) {
    console.error(err);
    $('boot-text').textContent = `The licensing engine could not start: ${engine.errorText(err)}`;
    $('boot').classList.add('boot-error');
  }
}
start();
