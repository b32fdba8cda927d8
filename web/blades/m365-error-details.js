// Microsoft 365 admin center: View error details (a group's Actions needed > a user). Why the group's
// licenses could not be assigned to the user: the issue, the service's reason, the evidence (the
// conflicting service plan and where it comes from, the seats, the location), then the fixes that
// would clear it (web/lib/fixes.js), each with Preview, Apply (asked first) and Add to plan.
import { h, replace, button } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { fixesFor } from '../lib/fixes.js';
import { confirmDialog } from '../lib/dialog.js';
import { runJob, keyValue, planName } from './common.js';
import { errorWords, describeEffect, fixButtons } from './assign-license.js';

registerBlade('m365-error-details', (args) => ({
  title: 'Error details',
  size: 'medium',
  transient: true,
  async render(ctx) {
    const [userId, groupId] = args;
    const box = h('div', { attrs: { 'data-testid': 'm365-error-details' } });
    ctx.body.append(box);
    async function load() {
      const [u, g, products] = await Promise.all([
        engine.query({ query: 'user', id: userId }),
        engine.query({ query: 'group', id: groupId }),
        engine.query({ query: 'products' }).catch(() => []),
      ]);
      if (!ctx.isOpen()) return;
      ctx.setTitle('Error details', `${u.displayName} · ${g.displayName}`);
      const failed = [];
      for (const lic of u.licenses || []) {
        for (const a of lic.assignments || []) if (a.assignedByGroup === groupId && a.error && a.error !== 'None') failed.push({ lic, a });
      }
      if (!failed.length) {
        replace(box, h('fluent-message-bar', { attrs: { intent: 'success', layout: 'multiline' } },
          `${u.displayName} has every license of ${g.displayName}: no error to show.`));
        return;
      }
      // The product at fault first; the group's other products fail with it (all or nothing).
      failed.sort((x, y) => Number(x.a.error === 'Other') - Number(y.a.error === 'Other'));
      const sections = [];
      for (const { lic, a } of failed) {
        const e = a.evidence || {};
        const facts = [
          ['License', lic.displayName],
          ['Issue', a.errorText || a.error],
          ['Error code', a.error],
          e.servicePlan ? ['Service', planName(e.servicePlan)] : null,
          e.conflictingServicePlan ? ['Conflicts with', `${planName(e.conflictingServicePlan)} (${String(e.conflictingPath || '').replace(/^Inherited \((.*)\)$/, 'from the group $1').replace(/^Direct$/, 'assigned directly')})`] : null,
          e.prerequisiteServicePlan ? ['Needs', planName(e.prerequisiteServicePlan)] : null,
          e.usageLocation ? ['Usage location', e.usageLocation] : null,
          e.proxyAddress ? ['Proxy address', e.proxyAddress] : null,
        ];
        const section = h('section', { class: 'explain', attrs: { 'aria-label': `${lic.displayName}: ${a.errorText || a.error}` } },
          h('h3', { class: 'section-title', text: lic.displayName }),
          keyValue(facts),
          h('p', { class: 'preview-line error', text: `${errorWords({ error: a.error, errorText: a.errorText, evidence: a.evidence }, lic.displayName, a.groupName)}.` }),
          e.reason ? h('p', { class: 'sub', attrs: { 'data-testid': 'm365-error-reason' }, text: e.reason } ) : null);
        if (a.error !== 'Other') {
          const fixes = await fixesFor(u, lic, a).catch(() => []);
          section.append(h('h4', { class: 'fix-heading', text: 'How to fix it' }),
            h('ul', { class: 'fix-list', attrs: { 'aria-label': `Fixes for ${lic.displayName}` } }, fixes.map((fix) => fixItem(fix, products))));
        }
        sections.push(section);
      }
      replace(box, ...sections);
    }
    ctx.onChanged(load);
    return load();
  },
}));

/** One fix: its title and why, Preview (nothing changes), Apply (asked first), Add to plan. */
function fixItem(fix, products) {
  const { result, preview, stage } = fixButtons(fix, products, 'Apply');
  const apply = button('Apply', async () => {
    const answer = await confirmDialog({
      title: `${fix.title}?`,
      text: fix.why || 'The change is made now.',
      detail: engine.plan(fix.requests).then((effect) => h('span', {}, ...describeEffect(effect, Array.isArray(products) ? products : [], { action: 'Apply' }))),
      confirmLabel: 'Apply',
    });
    if (answer !== 'confirm') return;
    await runJob({ title: `Applying: ${fix.title}`, requests: fix.requests.map((r, i) => ({ id: String(i + 1), ...r })), targets: fix.targets, successText: `${fix.title}: done.` });
  }, { appearance: 'primary', ariaLabel: `Apply: ${fix.title}` });
  return h('li', { class: 'fix', attrs: { 'data-testid': 'fix' } },
    h('div', { class: 'fix-title', text: fix.title }),
    fix.why ? h('div', { class: 'sub', text: fix.why }) : null,
    h('div', { class: 'plan-change-tools' }, preview, apply, stage), result);
}
