// Tenant document: import (a document, an EntraExporter folder or section files; file pickers or
// drag and drop anywhere), the commands that produce an export, export, reset to the sample.
import { h, num, plural, replace, button, setDisabled, downloadBlob } from '../lib/dom.js';
import * as plan from '../lib/plan.js';
import * as engine from '../lib/engine.js';
import { chosenFiles, selectionName } from '../lib/import-files.js';
import * as notifications from '../lib/notifications.js';
import * as shell from '../lib/shell.js';
import { keyValue } from './common.js';

const importListeners = new Set();

/**
 * Imports what the admin chose: one file is a tenant document; several (a folder's files, or
 * section files) are one export. On failure the engine's message is shown and the tenant stays.
 * @param {import('../lib/import-files.js').ChosenFile[]} chosen
 */
export async function importChosen(chosen) {
  if (chosen.length === 0) return;
  const name = selectionName(chosen);
  const total = chosen.reduce((sum, c) => sum + c.file.size, 0);
  const note = notifications.notify({ title: `Importing ${name}`, text: chosen.length === 1 ? 'Reading the document…' : 'Reading the files…', status: 'progress', progress: { processed: 0, total } });
  const abort = new AbortController();
  for (const fn of importListeners) fn({ state: 'busy', name, total, cancel: () => abort.abort() });
  try {
    let t;
    if (chosen.length === 1) {
      const onProgress = ({ bytesRead }) => {
        note.update({ text: `Read ${bytes(bytesRead)} of ${bytes(total)}.`, progress: { processed: bytesRead, total } });
        for (const fn of importListeners) fn({ state: 'progress', name, bytesRead, total });
      };
      t = await engine.importFile(chosen[0].file, name, { onProgress, signal: abort.signal });
    } else {
      const onProgress = ({ filesRead, files }) => {
        note.update({ text: `Read ${num(filesRead)} of ${num(files)} files.`, progress: { processed: filesRead, total: files } });
        for (const fn of importListeners) fn({ state: 'progress', name, bytesRead: filesRead, total: files, unit: 'files' });
      };
      t = await engine.importFiles(chosen.map((c) => ({ path: c.path, blob: c.file })), name, { onProgress, signal: abort.signal });
    }
    note.update({
      status: 'success',
      progress: null,
      text: `Loaded ${t?.displayName || 'the tenant'}: ${plural(t?.users, 'user', 'users')}, ${plural(t?.groups, 'group', 'groups')}, ${plural(t?.skus, 'product', 'products')}.` +
        (t?.otherMembers ? ` ${plural(t.otherMembers, 'member that is not a user or a group was', 'members that are not users or groups were')} kept, never licensed.` : '') +
        (t?.warnings?.length ? ` ${t.warnings.join('; ')}.` : ''),
    });
    for (const fn of importListeners) fn({ state: 'ok', name, tenant: t });
    shell.openRoot('aad');
  } catch (err) {
    const message = err?.code === 'Cancelled' ? 'You cancelled it.' : engine.errorText(err);
    note.update({ status: err?.code === 'Cancelled' ? 'info' : 'error', progress: null, title: `Import of ${name} ${err?.code === 'Cancelled' ? 'cancelled' : 'failed'}`, text: `${message} The current tenant was kept.` });
    for (const fn of importListeners) fn({ state: 'error', name, message });
  }
}

/** A byte count in words ("1.2 GB"). */
function bytes(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} bytes`;
}

/** The commands that produce an export this console loads, one per shape (README: Get your tenant's export). */
const EXPORT_COMMANDS = [
  {
    title: 'One document with Microsoft Graph PowerShell',
    text: 'Read-only scopes. -All on every list (else only the first page), -Depth 10 (the default, 2, cuts the licenses off). Choose tenant.json.',
    code: [
      'Connect-MgGraph -Scopes Organization.Read.All, User.Read.All, GroupMember.Read.All',
      '$users  = Get-MgUser -All -Property id, displayName, userPrincipalName, usageLocation, accountEnabled, proxyAddresses, assignedLicenses, licenseAssignmentStates',
      '$groups = Get-MgGroup -All -Property id, displayName, securityEnabled, mailEnabled, groupTypes, assignedLicenses, licenseProcessingState |',
      '  ForEach-Object { $_ | Add-Member -NotePropertyName members -NotePropertyValue @(Get-MgGroupMember -GroupId $_.Id -All) -PassThru }',
      '[ordered]@{ organization = @(Get-MgOrganization); subscribedSkus = @(Get-MgSubscribedSku -All); users = @($users); groups = @($groups) } |',
      '  ConvertTo-Json -Depth 10 | Set-Content -Encoding utf8 tenant.json',
    ],
  },
  {
    title: 'A folder with EntraExporter',
    text: 'Name the types: the default (Config) has no users and only dynamic groups. Dynamic groups\' members are not exported; they are read from the users\' license states. Choose the folder (C:\\EntraBackup).',
    code: [
      'Install-Module EntraExporter -Scope CurrentUser',
      'Connect-EntraExporter -Type Organization, SKUs, Users, Groups',
      'Export-Entra -Path C:\\EntraBackup -Type Organization, SKUs, Users, Groups',
    ],
  },
  {
    title: 'Section files',
    text: 'One Graph list per file, named for its section: users.json, groups.json (with members), subscribedSkus.json, organization.json. Choose them together.',
    code: [
      'Get-MgSubscribedSku -All | ConvertTo-Json -Depth 10 | Set-Content -Encoding utf8 subscribedSkus.json',
      'Get-MgUser -All -Property id, displayName, userPrincipalName, usageLocation, assignedLicenses, licenseAssignmentStates | ConvertTo-Json -Depth 10 | Set-Content -Encoding utf8 users.json',
    ],
  },
];

function exportCommands() {
  return h('div', { class: 'export-commands' }, EXPORT_COMMANDS.map((c, i) => h('section', { attrs: { 'aria-labelledby': `export-cmd-${i}` } },
    h('h4', { id: `export-cmd-${i}`, class: 'subsection-title', text: c.title }),
    h('p', { class: 'help-text', text: c.text }),
    h('pre', { class: 'command', tabIndex: 0, attrs: { 'aria-label': `${c.title}: commands` } }, h('code', { text: c.code.join('\n') })))));
}

/**
 * Exports the tenant. Where the browser has the File System Access API, the person chooses the
 * file first and the worker writes it there as it goes (nothing is held in memory); elsewhere the
 * worker builds a Blob that is downloaded. `onProgress({bytesWritten})` follows the writing;
 * aborting `signal` stops it. Resolves false when the person dismissed the file picker.
 * @param {{onProgress?: (p: {bytesWritten: number}) => void, signal?: AbortSignal}} [options]
 */
export async function exportFile({ onProgress, signal } = {}) {
  const t = await engine.query({ query: 'tenant' });
  const name = `${(t?.displayName || 'tenant').replace(/[^\w.-]+/g, '-')}-tenant.json`;
  const picker = /** @type {any} */ (window).showSaveFilePicker;
  if (typeof picker === 'function') {
    let handle;
    try {
      handle = await picker({ suggestedName: name, types: [{ description: 'Tenant document (JSON)', accept: { 'application/json': ['.json'] } }] });
    } catch (err) {
      if (err?.name === 'AbortError') return false; // the picker was dismissed: nothing to do
      throw err;
    }
    const { bytesWritten } = /** @type {{bytesWritten: number}} */ (await engine.exportDocument({ onProgress, signal, handle }));
    notifications.notify({ title: 'Export', text: `Saved ${t?.displayName || 'the tenant'} to ${handle.name} (${num(bytesWritten)} bytes).`, status: 'success' });
    return true;
  }
  const blob = /** @type {Blob} */ (await engine.exportDocument({ onProgress, signal }));
  downloadBlob(name, blob);
  notifications.notify({ title: 'Export', text: `Exported ${t?.displayName || 'the tenant'} (${num(blob.size)} bytes).`, status: 'success' });
  return true;
}

registerTenantBlade();

function registerTenantBlade() {
  shell.registerBlade('tenant', () => ({
    title: 'Tenant document',
    subtitle: 'Import, export, reset',
    size: 'medium',
    render(ctx) {
      const message = h('div', { class: 'message-slot', attrs: { 'aria-live': 'polite' } });
      const fileInput = h('input', { type: 'file', accept: '.json,application/json', id: 'tenant-file', class: 'file-input', multiple: true });
      const fileLabel = h('label', { attrs: { for: 'tenant-file' }, class: 'file-label', text: 'Choose a tenant document or section files (JSON)' });
      const folderInput = h('input', { type: 'file', id: 'tenant-folder', class: 'file-input', attrs: { webkitdirectory: '' } });
      const folderLabel = h('label', { attrs: { for: 'tenant-folder' }, class: 'file-label', text: 'Choose an export folder (EntraExporter)' });
      for (const input of [fileInput, folderInput]) {
        input.addEventListener('change', () => {
          const chosen = chosenFiles(input.files || []);
          input.value = '';
          importChosen(chosen);
        });
      }
      // Named by its own words (a label different from the visible text would not match what a
      // speech user says); Enter or Space opens the file picker.
      const drop = h('div', { class: 'drop-zone', tabIndex: 0, attrs: { role: 'button' } },
        h('div', { class: 'drop-title', text: 'Drop a tenant document or an export folder here' }),
        h('div', { class: 'drop-text', text: 'or use the pickers below. A Graph-shaped JSON document (organization, subscribedSkus, users, groups), an EntraExporter folder, or section files.' }));
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
        if (e.state === 'busy') {
          const bar = h('progress', { attrs: { max: String(e.total || 1), value: '0', 'aria-label': `Reading ${e.name}` }, class: 'import-progress' });
          const read = h('span', { class: 'import-read', text: `Reading ${e.name}: 0 of ${bytes(e.total)}` });
          replace(message, h('div', { class: 'import-busy', attrs: { 'data-testid': 'import-busy' } }, read, bar, button('Cancel', () => e.cancel())));
        } else if (e.state === 'progress') {
          const bar = message.querySelector('.import-progress');
          const read = message.querySelector('.import-read');
          if (bar) {
            bar.max = e.total || 1;
            bar.value = e.bytesRead;
          }
          const done = e.unit === 'files' ? `${num(e.bytesRead)} of ${num(e.total)} files` : `${bytes(e.bytesRead)} of ${bytes(e.total)}`;
          if (read) read.textContent = `Reading ${e.name}: ${done}`;
        } else if (e.state === 'ok') {
          const warnings = e.tenant?.warnings?.length ? ` ${e.tenant.warnings.join('; ')}.` : '';
          replace(message, h('fluent-message-bar', { attrs: { intent: warnings ? 'warning' : 'success', layout: 'multiline', 'data-testid': 'import-result' } }, `Imported ${e.name}.${warnings}`));
        } else replace(message, h('fluent-message-bar', { attrs: { intent: 'error', layout: 'multiline', 'data-testid': 'import-error' } },
          `Import of ${e.name} failed: ${e.message} The current tenant was kept.`));
      };
      // Export: one at a time (the button is disabled while the worker writes the document).
      const exportButton = button('Export', async () => {
        exportButton.setAttribute('disabled', '');
        const stop = new AbortController();
        const written = h('span', { class: 'export-written', text: 'Exporting the tenant document…' });
        const status = h('div', { class: 'import-busy', attrs: { 'data-testid': 'export-busy', role: 'status' } }, written,
          button('Cancel export', () => stop.abort()));
        replace(message, status);
        try {
          const onProgress = ({ bytesWritten }) => { written.textContent = `Exporting the tenant document: ${bytes(bytesWritten)} written…`; };
          await exportFile({ onProgress, signal: stop.signal });
          replace(message);
        } catch (err) {
          if (err?.code === 'Cancelled') {
            replace(message, h('fluent-message-bar', { attrs: { intent: 'info', 'data-testid': 'export-cancelled' } }, 'Export cancelled. Nothing was saved.'));
          } else {
            replace(message, h('fluent-message-bar', { attrs: { intent: 'error' } }, engine.errorText(err)));
          }
        } finally {
          exportButton.removeAttribute('disabled');
        }
      }, { icon: 'download' });
      importListeners.add(onImport);
      ctx.onDispose(() => importListeners.delete(onImport));
      ctx.toolbar.append(
        exportButton,
        // Asked first: the imported tenant and every change made to it are replaced.
        button('Reset to sample', () => ctx.open('confirm-reset', [], {
          async onReset() {
            await engine.resetToSample();
            notifications.notify({ title: 'Reset', text: 'The sample tenant (Contoso) was loaded.', status: 'success' });
            replace(message, h('fluent-message-bar', { attrs: { intent: 'success' } }, 'The sample tenant was loaded.'));
          },
        }), { icon: 'reset' }));
      ctx.body.append(message, h('h3', { class: 'section-title', text: 'Current tenant' }), info,
        h('h3', { class: 'section-title', text: 'Licensing rules' }), h('div', { class: 'field-row' }, rulesLabel, rulesSelect), rulesHelp,
        h('h3', { class: 'section-title', text: 'Import' }), drop, h('div', { class: 'file-row' }, fileLabel, fileInput),
        h('div', { class: 'file-row' }, folderLabel, folderInput),
        h('h3', { class: 'section-title', text: 'Get your tenant\'s export' }), exportCommands());
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

/** Reset to sample, confirmed: it names what goes (the tenant, its changes, the staged plan). */
shell.registerBlade('confirm-reset', (args, opts) => ({
  title: 'Reset to sample',
  size: 'medium',
  transient: true,
  async render(ctx) {
    const t = await engine.query({ query: 'tenant' });
    const changes = engine.changeCount();
    const staged = plan.list().length;
    const reset = button('Reset', async () => {
      setDisabled(reset, true);
      await opts.onReset?.();
      ctx.close();
    }, { appearance: 'primary', testid: 'reset-confirm' });
    ctx.footer.append(reset, button('Cancel', () => ctx.close(), { testid: 'reset-cancel' }));
    ctx.body.append(h('fluent-message-bar', { attrs: { intent: 'warning', layout: 'multiline' } },
      `This replaces ${t.displayName || 'the current tenant'} (${num(t.users)} users) and ${changes === 0 ? 'no change' : `the ${num(changes)} ${changes === 1 ? 'change' : 'changes'}`} made to it${staged ? `, and discards the plan's ${num(staged)} staged ${staged === 1 ? 'change' : 'changes'}` : ''}, with the built-in sample (Contoso). Export the tenant first to keep it.`));
  },
}));
