// Tenant document: import (file picker or drag and drop anywhere), export, reset to the sample.
import { h, num, plural, replace, button } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import * as notifications from '../lib/notifications.js';
import * as shell from '../lib/shell.js';
import { keyValue } from './common.js';

const importListeners = new Set();

/** Imports a File; on failure the engine's message is shown and the current tenant stays. */
export async function importFile(file) {
  const note = notifications.notify({ title: `Importing ${file.name}`, text: 'Reading the document…', status: 'progress' });
  for (const fn of importListeners) fn({ state: 'busy', file });
  try {
    const bytes = await file.arrayBuffer();
    const t = await engine.importDocument(bytes, file.name);
    note.update({
      status: 'success',
      text: `Loaded ${t?.displayName || 'the tenant'}: ${plural(t?.users, 'user', 'users')}, ${plural(t?.groups, 'group', 'groups')}, ${plural(t?.skus, 'product', 'products')}.` +
        (t?.otherMembers ? ` ${plural(t.otherMembers, 'member that is not a user or a group was', 'members that are not users or groups were')} kept, never licensed.` : '') +
        (t?.warnings?.length ? ` ${t.warnings.join('; ')}.` : ''),
    });
    for (const fn of importListeners) fn({ state: 'ok', file, tenant: t });
    shell.openRoot('aad');
  } catch (err) {
    const message = engine.errorText(err);
    note.update({ status: 'error', title: `Import of ${file.name} failed`, text: `${message} The current tenant was kept.` });
    for (const fn of importListeners) fn({ state: 'error', file, message });
  }
}

export async function exportFile() {
  const pieces = await engine.exportDocument();
  const t = await engine.query({ query: 'tenant' });
  const blob = new Blob(pieces, { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: `${(t?.displayName || 'tenant').replace(/[^\w.-]+/g, '-')}-tenant.json` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  notifications.notify({ title: 'Export', text: `Exported ${t?.displayName || 'the tenant'} (${num(blob.size)} bytes).`, status: 'success' });
}

registerTenantBlade();

function registerTenantBlade() {
  shell.registerBlade('tenant', () => ({
    title: 'Tenant document',
    subtitle: 'Import, export, reset',
    size: 'medium',
    render(ctx) {
      const message = h('div', { class: 'message-slot', attrs: { 'aria-live': 'polite' } });
      const fileInput = h('input', { type: 'file', accept: '.json,application/json', id: 'tenant-file', class: 'file-input' });
      const fileLabel = h('label', { attrs: { for: 'tenant-file' }, class: 'file-label', text: 'Choose a tenant document (JSON)' });
      fileInput.addEventListener('change', () => {
        const f = fileInput.files?.[0];
        if (f) importFile(f);
        fileInput.value = '';
      });
      const drop = h('div', { class: 'drop-zone', tabIndex: 0, attrs: { role: 'button', 'aria-label': 'Import a tenant document: drop a file here or press Enter to choose one' } },
        h('div', { class: 'drop-title', text: 'Drop a tenant document here' }),
        h('div', { class: 'drop-text', text: 'or use the file picker below. Graph-shaped JSON: organization, subscribedSkus, users, groups.' }));
      drop.addEventListener('click', () => fileInput.click());
      drop.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          fileInput.click();
        }
      });
      drop.addEventListener('dragover', (ev) => {
        ev.preventDefault();
        drop.classList.add('over');
      });
      drop.addEventListener('dragleave', () => drop.classList.remove('over'));
      drop.addEventListener('drop', () => drop.classList.remove('over'));
      const info = h('div');
      // Licensing rules: which profile the engine applies (our extension: PATCH /licensingRules).
      const rulesSelect = h('select', { id: 'rules-profile', attrs: { 'aria-describedby': 'rules-profile-help' } });
      const rulesHelp = h('p', { id: 'rules-profile-help', class: 'help-text' });
      const rulesLabel = h('label', { attrs: { for: 'rules-profile' }, text: 'Rule profile' });
      rulesSelect.addEventListener('change', async () => {
        const profile = rulesSelect.value;
        try {
          const { responses } = await engine.batch([{ method: 'PATCH', url: '/licensingRules', body: { profile } }]);
          const r = responses[0];
          if (!r || r.status >= 300) throw new Error(r?.body?.error?.message || 'the rule profile was not changed');
          notifications.notify({ title: 'Licensing rules', text: `Rule profile ${profile}: ${r.body.description}. Every user was re-evaluated.`, status: 'success' });
        } catch (err) {
          replace(message, h('fluent-message-bar', { attrs: { intent: 'error' } }, engine.errorText(err)));
          await load();
        }
      });
      const onImport = (e) => {
        if (e.state === 'busy') replace(message, h('fluent-message-bar', { attrs: { intent: 'info' } }, `Importing ${e.file.name}…`));
        else if (e.state === 'ok') replace(message, h('fluent-message-bar', { attrs: { intent: 'success' } }, `Imported ${e.file.name}.`));
        else replace(message, h('fluent-message-bar', { attrs: { intent: 'error', layout: 'multiline', 'data-testid': 'import-error' } },
          `Import of ${e.file.name} failed: ${e.message} The current tenant was kept.`));
      };
      importListeners.add(onImport);
      ctx.onDispose(() => importListeners.delete(onImport));
      ctx.toolbar.append(
        button('Export', () => exportFile().catch((err) => replace(message, h('fluent-message-bar', { attrs: { intent: 'error' } }, engine.errorText(err)))), { icon: 'download' }),
        button('Reset to sample', async () => {
          await engine.resetToSample();
          notifications.notify({ title: 'Reset', text: 'The sample tenant (Contoso) was loaded.', status: 'success' });
          replace(message, h('fluent-message-bar', { attrs: { intent: 'success' } }, 'The sample tenant was loaded.'));
        }, { icon: 'reset' }));
      ctx.body.append(message, h('h3', { class: 'section-title', text: 'Current tenant' }), info,
        h('h3', { class: 'section-title', text: 'Licensing rules' }), h('div', { class: 'field-row' }, rulesLabel, rulesSelect), rulesHelp,
        h('h3', { class: 'section-title', text: 'Import' }), drop, h('div', { class: 'file-row' }, fileLabel, fileInput));
      async function load() {
        const t = await engine.query({ query: 'tenant' });
        replace(info, keyValue([
          ['Organization', t.displayName],
          ['Users', num(t.users)],
          ['Groups', num(t.groups)],
          ['Products', num(t.skus)],
          ['Rule profile', t.rulesProfile],
        ]));
        const profiles = t.rulesProfiles || [];
        replace(rulesSelect, profiles.map((p) => h('option', { attrs: { value: p.name }, text: `${p.name}: ${p.description}` })));
        rulesSelect.value = t.rulesProfile;
        rulesHelp.textContent = 'Switching the profile re-evaluates every user at once. current: today\'s documented conflicts (Exchange Online Plan 1 and Plan 2 may be held together since 2023). 2017: the list the 2017 walkthrough used.';
      }
      ctx.onChanged(load);
      return load();
    },
  }));
}
