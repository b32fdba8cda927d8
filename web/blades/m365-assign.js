// Microsoft 365 admin center: Assign licenses (a product's Groups or Users tab). Search for a group (or
// users), choose it from the suggestions, "Turn apps and services on or off" (the product's service
// plans as check boxes), then Assign, then Close. Up to 20 groups or users at a time, as the admin
// center allows. The planner previews what Assign would do before it is done; Add to plan stages it.
import { h, num, replace, button, setDisabled, debounce, textInput, icon } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import * as plan from '../lib/plan.js';
import { assignLicenseRequest, runJob, groupType, planName, planLabel } from './common.js';
import { livePreview, serviceFilter } from './assign-license.js';

/** The admin center assigns to at most 20 groups (or users) at a time. */
const MAX_PICKED = 20;

registerBlade('m365-assign', (args) => ({
  title: 'Assign licenses',
  size: 'medium',
  transient: true,
  async render(ctx) {
    const [skuId, kind = 'groups'] = args;
    const groups = kind !== 'users';
    const noun = groups ? 'group' : 'user';
    const product = await engine.query({ query: 'product', skuId });
    ctx.setTitle(groups ? 'Assign licenses to groups' : 'Assign licenses to users', product.displayName);
    const picked = new Map(); // id -> {id, displayName}
    const disabled = new Set(); // service plan ids turned off

    const message = h('div', { class: 'message-slot', attrs: { role: 'alert' } });
    const chosenList = h('ul', { class: 'chosen-list', attrs: { 'aria-label': groups ? 'Groups chosen' : 'Users chosen', 'data-testid': 'm365-chosen' } });
    const suggestions = h('ul', { class: 'm365-suggestions', attrs: { 'aria-labelledby': 'm365-suggested-title', 'data-testid': 'm365-suggestions' } });
    let search = '';
    const input = textInput(groups ? 'Search for a group' : 'Search for a user', {
      type: 'search',
      class: 'search',
      placeholder: groups ? 'Group name' : 'Name or username',
      testid: 'm365-assign-search',
      onInput: debounce((v) => {
        search = v;
        suggest();
      }, 150),
    });

    async function suggest() {
      const asked = search;
      const page = await engine.query({ query: groups ? 'groups' : 'users', search: asked, limit: 8 });
      if (asked !== search) return;
      const items = page?.items || [];
      replace(suggestions, items.length
        ? items.map((x) => h('li', {}, h('button', {
          type: 'button',
          class: 'm365-suggestion',
          attrs: { 'aria-pressed': String(picked.has(x.id)) },
          on: { click: () => toggle(x) },
        }, h('span', { class: 'two-line' }, h('span', { text: x.displayName }),
          h('span', { class: 'sub', text: groups ? `${groupType(x)} · ${num(x.members)} members` : x.userPrincipalName || '' })))))
        : h('li', { class: 'empty', text: `No ${noun} matches “${asked}”.` }));
    }

    function toggle(x) {
      if (picked.has(x.id)) picked.delete(x.id);
      else if (picked.size < MAX_PICKED) picked.set(x.id, { id: x.id, displayName: x.displayName });
      else {
        replace(message, h('fluent-message-bar', { attrs: { intent: 'warning' } }, `You can assign licenses to up to ${MAX_PICKED} ${noun}s at a time.`));
        return;
      }
      paint();
      suggest();
    }

    function paint() {
      replace(chosenList, picked.size
        ? [...picked.values()].map((p) => h('li', {}, icon(groups ? 'users' : 'user'), h('span', { text: p.displayName }),
          h('button', {
            type: 'button',
            class: 'link-button',
            text: 'Remove',
            attrs: { 'aria-label': `Remove ${p.displayName}` },
            on: { click: () => { picked.delete(p.id); paint(); suggest(); } },
          })))
        : h('li', { class: 'empty', text: groups ? 'No group chosen' : 'No user chosen' }));
      const none = picked.size === 0;
      setDisabled(assign, none);
      setDisabled(stage, none);
      preview.schedule();
    }

    const requests = () => [...picked.values()].map((p, i) => ({
      id: String(i + 1),
      ...assignLicenseRequest(groups ? 'group' : 'user', p.id, [{ skuId, disabledPlans: [...disabled] }]),
    }));
    const targets = () => [...picked.values()].map((p) => ({ kind: noun, id: p.id, name: p.displayName, processes: groups }));
    const who = () => (picked.size === 1 ? [...picked.values()][0].displayName : `${num(picked.size)} ${noun}s`);

    // Turn apps and services on or off: one check box per service plan of the product.
    const appsId = 'm365-apps-list';
    const apps = h('section', { class: 'plan-section', attrs: { 'aria-label': `Apps and services of ${product.displayName}` } },
      h('div', { class: 'plan-list', attrs: { role: 'list' } }, (product.servicePlans || []).map((p) => {
        const box = h('input', { type: 'checkbox', checked: true, attrs: { 'data-plan': p.servicePlanName } });
        box.addEventListener('change', () => {
          if (box.checked) disabled.delete(p.servicePlanId);
          else disabled.add(p.servicePlanId);
          appsToggle.querySelector('.m365-apps-count').textContent = appsCount();
          preview.schedule();
        });
        const name = planName(p);
        return h('div', { class: 'plan-row', attrs: { role: 'listitem', 'data-plan-row': name }, dataset: { filterText: `${name} ${p.servicePlanName || ''}`.toLowerCase() } },
          h('label', { class: 'm365-check' }, box, planLabel(p)));
      })));
    const appsCount = () => {
      const n = (product.servicePlans || []).length;
      return `${num(n - disabled.size)} of ${num(n)} on`;
    };
    const appsBody = h('div', { id: appsId, class: 'm365-apps', hidden: true }, serviceFilter([apps]), apps);
    const appsToggle = h('button', {
      type: 'button',
      class: 'm365-disclosure',
      attrs: { 'aria-expanded': 'false', 'aria-controls': appsId, 'data-testid': 'm365-apps-toggle' },
      on: {
        click: () => {
          const open = appsBody.hidden;
          appsBody.hidden = !open;
          appsToggle.setAttribute('aria-expanded', String(open));
        },
      },
    }, icon('chevron'), h('span', { text: 'Turn apps and services on or off' }), ' ', h('span', { class: 'sub m365-apps-count', text: appsCount() }));

    const preview = livePreview({
      id: 'm365-assign-preview-title',
      testid: 'm365-assign-preview',
      title: 'Before you assign: what will happen',
      requests: () => (picked.size ? requests() : null),
      products: () => [product],
    });

    const assign = button('Assign', async () => {
      setDisabled(assign, true);
      setDisabled(stage, true);
      const name = who();
      try {
        const responses = await runJob({
          title: `Assigning ${product.displayName} licenses to ${name}`,
          requests: requests(),
          targets: targets(),
          successText: `${product.displayName} licenses assigned to ${name}.`,
        });
        const ok = responses.filter((r) => r.status >= 200 && r.status < 300).length;
        if (!ok) {
          replace(message, h('fluent-message-bar', { attrs: { intent: 'error', layout: 'multiline' } },
            responses.map((r) => r.body?.error?.message || `HTTP ${r.status}`).join(' ')));
          setDisabled(assign, false);
          setDisabled(stage, false);
          return;
        }
        done(name);
      } catch (err) {
        replace(message, h('fluent-message-bar', { attrs: { intent: 'error' } }, engine.errorText(err)));
        setDisabled(assign, false);
      }
    }, { appearance: 'primary', disabled: true, testid: 'm365-assign-submit' });
    const stage = button('Add to plan', () => {
      plan.stage({ title: `Assign ${product.displayName} to ${who()}`, requests: requests(), targets: targets() });
      ctx.close();
    }, { appearance: 'outline', disabled: true, testid: 'm365-assign-stage' });
    const cancel = button('Cancel', () => ctx.close());
    ctx.footer.append(assign, stage, cancel);

    /** After Assign: what happens next, and Close (the admin center's "Assign, then Close"). */
    function done(name) {
      replace(ctx.body,
        h('div', { attrs: { role: 'status', 'data-testid': 'm365-assigned' } },
          h('fluent-message-bar', { attrs: { intent: 'success', layout: 'multiline' } },
            `${product.displayName} licenses were assigned to ${name}.`),
          h('p', { text: groups
            ? 'Microsoft Entra ID now processes every member of the group; this can take a while for a large group. The Groups tab shows its status: In progress, then All licenses assigned or Errors & issues.'
            : 'The users have the license now, unless a notification says otherwise.' })));
      replace(ctx.footer, button('Close', () => ctx.close(), { appearance: 'primary', testid: 'm365-assign-close' }));
      ctx.footer.querySelector('fluent-button')?.focus();
    }

    ctx.body.append(message,
      h('p', { class: 'hint', text: groups
        ? `Every member of the ${noun}s you choose gets ${product.displayName}; members who join later get it too. Up to ${MAX_PICKED} groups at a time.`
        : `Up to ${MAX_PICKED} users at a time.` }),
      h('div', { class: 'list-tools' }, input),
      h('h3', { class: 'section-title', id: 'm365-suggested-title', text: groups ? 'Suggested groups' : 'Suggested users' }), suggestions,
      h('h3', { class: 'section-title', text: groups ? 'Groups chosen' : 'Users chosen' }), chosenList,
      appsToggle, appsBody,
      preview.el);
    paint();
    await suggest();
  },
}));
