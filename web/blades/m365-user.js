// Microsoft 365 admin center: a user's details panel (Users > Active users > a user, or Edit user from
// a group's Actions needed). Account: the profile, the usage location (Save changes) and the groups
// (Remove, asked first: removing the user from the group that brings a conflicting license is the fix
// the seed walkthrough makes). Licenses and apps: each license, where it comes from, and direct ones
// unassigned with Save changes. "Assign or unassign licenses to a group in the Microsoft 365 admin
// center", Conflicting service plans: Edit user, change the licenses, Save changes, then Reprocess.
import { h, num, replace, button, setDisabled, textInput } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { tabLayout } from '../lib/tabs.js';
import { confirmDialog } from '../lib/dialog.js';
import { assignLicenseRequest, runJob, keyValue } from './common.js';
import { describeEffect } from './assign-license.js';
import { reprocessRequests } from './m365-common.js';

registerBlade('m365-user', (args) => ({
  title: 'User',
  size: 'medium',
  async render(ctx) {
    const [userId, tab] = args;
    const u = await engine.query({ query: 'user', id: userId });
    ctx.setTitle(u.displayName, u.userPrincipalName);
    ctx.toolbar.append(button('Reprocess', () => runJob({
      title: `Reprocessing ${u.displayName}`,
      requests: reprocessRequests([u]),
      targets: [{ kind: 'user', id: userId, name: u.displayName }],
      successText: `License assignment of ${u.displayName} reattempted.`,
    }), { icon: 'refresh', testid: 'm365-user-reprocess' }));
    const tabs = tabLayout(ctx, {
      label: `${u.displayName} details`,
      items: [
        { key: 'account', label: 'Account' },
        { key: 'licenses', label: 'Licenses and apps' },
      ],
      selected: tab === 'account' ? 'account' : 'licenses',
      onSelect(item, view) {
        ctx.setArgs([userId, item.key]);
        if (item.key === 'account') return account(view, userId);
        return licensesAndApps(view, userId);
      },
    });
    ctx.body.append(tabs.el);
  },
}));

/** A change's effect in words for a confirmation (the planner's preview; nothing changes). */
async function effectDetail(requests) {
  const [effect, products] = await Promise.all([engine.plan(requests), engine.query({ query: 'products' }).catch(() => [])]);
  return h('span', {}, ...describeEffect(effect, Array.isArray(products) ? products : [], { action: 'Remove' }));
}

function account(view, userId) {
  const box = h('div');
  view.body.append(box);
  async function load() {
    const u = await engine.query({ query: 'user', id: userId });
    let location = u.usageLocation || '';
    const message = h('div', { class: 'message-slot', attrs: { role: 'status' } });
    const save = button('Save changes', async () => {
      await runJob({
        title: `Updating ${u.displayName}`,
        requests: [{ id: '1', method: 'PATCH', url: `/users/${encodeURIComponent(userId)}`, body: { usageLocation: location } }],
        targets: [{ kind: 'user', id: userId, name: u.displayName }],
        successText: `${u.displayName}'s usage location is ${location}. Reprocess to reattempt license assignment.`,
      });
    }, { appearance: 'primary', disabled: true, testid: 'm365-user-save-location' });
    const input = textInput('Usage location (two-letter country code)', {
      value: location,
      testid: 'm365-usage-location',
      onInput: (v) => {
        location = String(v).trim().toUpperCase();
        const ok = /^[A-Z]{2}$/.test(location) && location !== (u.usageLocation || '');
        setDisabled(save, !ok);
        replace(message, location && !/^[A-Z]{2}$/.test(location) ? h('fluent-message-bar', { attrs: { intent: 'warning' } }, 'Enter a two-letter country code, for example US.') : null);
      },
    });
    const groups = (u.groups || []).map((g) => (typeof g === 'string' ? { id: g, displayName: g } : g));
    const groupList = h('ul', { class: 'm365-group-list', attrs: { 'aria-label': `Groups of ${u.displayName}` } },
      groups.length ? groups.map((g) => h('li', { class: 'm365-group-item' },
        h('span', { class: 'two-line' }, h('span', { text: g.displayName }), h('span', { class: 'sub', text: g.licensed ? 'Assigns licenses' : 'No licenses' })),
        button('Remove', () => removeFromGroup(u, g), { ariaLabel: `Remove from ${g.displayName}`, icon: 'delete' })))
        : h('li', { class: 'empty', text: 'Not a member of any group.' }));
    replace(box,
      keyValue([
        ['Display name', u.displayName],
        ['Username', u.userPrincipalName],
        ['Sign-in', u.accountEnabled === false ? 'Blocked' : 'Allowed'],
        ['Licenses', num((u.licenses || []).length)],
      ]),
      h('h3', { class: 'section-title', text: 'Usage location' }),
      h('p', { class: 'hint', text: 'Some services are not available in every country; group-based licensing uses the organization\'s country when none is set.' }),
      message, h('div', { class: 'list-tools' }, input, save),
      h('h3', { class: 'section-title', text: 'Groups' }),
      groupList);
  }
  view.onChanged(load);
  return load();
}

async function removeFromGroup(u, g) {
  const requests = [{ id: '1', method: 'DELETE', url: `/groups/${encodeURIComponent(g.id)}/members/${encodeURIComponent(u.id)}/$ref` }];
  const answer = await confirmDialog({
    title: `Remove ${u.displayName} from ${g.displayName}?`,
    text: `${u.displayName} loses what ${g.displayName} gives, including its licenses. This is 1 member of the group.`,
    detail: effectDetail(requests),
    confirmLabel: 'Remove',
    testid: 'm365-remove-member-dialog',
  });
  if (answer !== 'confirm') return;
  await runJob({
    title: `Removing ${u.displayName} from ${g.displayName}`,
    requests,
    targets: [{ kind: 'group', id: g.id, name: g.displayName, processes: true }],
    successText: `${u.displayName} was removed from ${g.displayName}.`,
  });
}

/** Where a license assignment comes from, in the admin center's words. */
function sourceText(a) {
  const from = a.assignedByGroup ? `From the group ${a.groupName || a.assignedByGroup}` : 'Assigned directly';
  return a.error && a.error !== 'None' ? `${from}: not assigned (${a.errorText || a.error})` : from;
}

function licensesAndApps(view, userId) {
  const box = h('div');
  view.body.append(box);
  async function load() {
    const u = await engine.query({ query: 'user', id: userId });
    const unassign = new Set(); // skuIds of direct licenses unchecked
    const save = button('Save changes', async () => {
      const removeLicenses = [...unassign];
      const requests = [{ id: '1', ...assignLicenseRequest('user', userId, [], removeLicenses) }];
      const answer = await confirmDialog({
        title: 'Unassign licenses?',
        text: `${num(removeLicenses.length)} direct ${removeLicenses.length === 1 ? 'license' : 'licenses'} will be unassigned from ${u.displayName}.`,
        detail: effectDetail(requests),
        confirmLabel: 'Unassign',
      });
      if (answer !== 'confirm') return;
      await runJob({ title: `Updating ${u.displayName}'s licenses`, requests, targets: [{ kind: 'user', id: userId, name: u.displayName }], successText: `${u.displayName}'s licenses were updated.` });
    }, { appearance: 'primary', disabled: true, testid: 'm365-user-save-licenses' });
    const rows = (u.licenses || []).map((lic) => {
      const direct = (lic.assignments || []).some((a) => !a.assignedByGroup);
      const holds = lic.state !== 'Error';
      const box = h('input', { type: 'checkbox', checked: holds, disabled: !direct });
      box.addEventListener('change', () => {
        if (box.checked) unassign.delete(lic.skuId);
        else unassign.add(lic.skuId);
        setDisabled(save, unassign.size === 0);
      });
      const plans = lic.servicePlans || [];
      return h('li', { class: 'm365-license', attrs: { 'data-license': lic.displayName } },
        h('label', { class: 'm365-check' }, box, h('span', { class: 'strong', text: lic.displayName })),
        h('ul', { class: 'm365-license-sources' }, (lic.assignments || []).map((a) => h('li', { class: a.error && a.error !== 'None' ? 'error-text' : 'sub', text: sourceText(a) }))),
        h('div', { class: 'sub', text: `Apps: ${num(plans.filter((p) => p.enabled).length)} of ${num(plans.length)} on` }));
    });
    replace(box,
      h('p', { class: 'hint', text: 'Licenses from groups are changed on the group (Billing > Licenses > the product > Groups) or by removing the user from the group (Account > Groups).' }),
      h('ul', { class: 'm365-license-list', attrs: { 'aria-label': `Licenses of ${u.displayName}` } }, rows.length ? rows : h('li', { class: 'empty', text: 'No licenses.' })),
      h('div', { class: 'm365-commands' }, save));
  }
  view.onChanged(load);
  return load();
}
