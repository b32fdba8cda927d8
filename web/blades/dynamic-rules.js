// A dynamic group's Dynamic membership rules (issue 15), as the portal has it (groups-create-rule.md,
// groups-dynamic-rule-validation.md): Configure Rules, the rule in a text box ("Rule syntax") that the
// engine checks as it is typed (a parse error names its position) and Graph's
// membershipRuleProcessingState (On / Paused); Validate Rules, up to 20 users picked, each shown as
// matching the rule or not with the expression that decided. Preview runs the planner on the
// PATCH /groups/{id} (who joins and leaves, the licenses and errors that follow, the seats; nothing
// changes), Add to plan stages it, Save applies it after a confirmation that shows the same preview
// and warns that members who no longer match lose the group's licenses; Discard goes back to the rule
// the group has.
import { h, replace, button, setDisabled, debounce, num, plural } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import * as plan from '../lib/plan.js';
import { simpleTable } from '../lib/table.js';
import { tabLayout } from '../lib/tabs.js';
import { livePreview } from './assign-license.js';
import { runJob } from './common.js';

/** Users Validate Rules takes at a time (the portal's 20). */
const MAX_VALIDATE = 20;

/**
 * Whether a group's membership comes from a rule (Graph: groupTypes holds "DynamicMembership").
 * @param {{groupTypes?: string[]} | null | undefined} g
 */
export function isDynamic(g) {
  return (g?.groupTypes || []).includes('DynamicMembership');
}

/**
 * The group's rule and processing state as the editor starts from (Graph's names; a group read
 * without them: no rule, processing On).
 * @param {any} g the group query's answer
 * @returns {{rule: string, processing: 'On' | 'Paused'}}
 */
function savedOf(g) {
  return { rule: typeof g?.membershipRule === 'string' ? g.membershipRule : '', processing: g?.membershipRuleProcessingState === 'Paused' ? 'Paused' : 'On' };
}

/**
 * The rule around a position, for the error line: up to 24 characters each side, the character at
 * the position marked (or "end of the rule" past its last character).
 * @param {string} rule
 * @param {number} position 0-based
 */
function excerpt(rule, position) {
  const at = Math.max(0, Math.min(position, rule.length));
  const from = Math.max(0, at - 24);
  const to = Math.min(rule.length, at + 25);
  const before = `${from > 0 ? '…' : ''}${rule.slice(from, at)}`;
  const marked = at < rule.length ? rule[at] : '';
  const after = `${rule.slice(at + 1, to)}${to < rule.length ? '…' : ''}`;
  return h('code', { class: 'rule-excerpt', attrs: { 'data-testid': 'rule-excerpt' } },
    before, marked ? h('mark', { text: marked }) : h('mark', { class: 'rule-end', text: 'end of the rule' }), after);
}

/**
 * Fills a group's "Dynamic membership rules" view (a menu item of the group blade).
 * @param {any} view the menu's view context (body, toolbar, open, onChanged, onDispose…)
 * @param {string} id the group's id
 * @param {string} groupName
 */
export async function renderDynamicRules(view, id, groupName) {
  const first = await engine.query({ query: 'group', id });
  let saved = savedOf(first);
  let licensed = (first.licenses || []).map((l) => l.displayName || l.skuPartNumber || l.skuId);
  /** The editor's rule and state. */
  let processing = saved.processing;
  /** What the engine said of the rule in the editor: null while it is being checked. */
  let check = /** @type {any} */ (null);
  let checkError = '';
  let asked = 0;
  let previewOn = false;
  /** Users picked for Validate Rules, in the order picked. */
  const picked = new Map();

  const message = h('div', { class: 'message-slot', attrs: { 'aria-live': 'polite', 'data-testid': 'rules-message' } });
  const status = h('p', { class: 'hint', attrs: { 'data-testid': 'rules-status' } });

  // Configure Rules: the processing state and the rule text.
  const radios = ['On', 'Paused'].map((value) => {
    const input = h('input', { type: 'radio', name: `rule-processing-${id}`, value, id: `rule-processing-${id}-${value}`, checked: value === processing });
    input.addEventListener('change', () => {
      if (!input.checked) return;
      processing = /** @type {'On' | 'Paused'} */ (value);
      changed();
    });
    return h('label', { class: 'radio-option', attrs: { for: input.id } }, input, value);
  });
  const processingField = h('fieldset', { class: 'rule-processing', attrs: { 'data-testid': 'rule-processing' } },
    h('legend', { text: 'Membership rule processing' }), radios,
    h('p', { class: 'hint', text: 'Paused: the group keeps the members it has and the rule is not applied until processing is On again (Graph: membershipRuleProcessingState).' }));
  const errorId = `rule-error-${id}`;
  const helpId = `rule-help-${id}`;
  const textarea = h('textarea', {
    id: `rule-text-${id}`,
    class: 'rule-text',
    rows: 6,
    spellcheck: false,
    attrs: { 'aria-describedby': `${errorId} ${helpId}`, 'data-testid': 'rule-editor', autocomplete: 'off', autocapitalize: 'off' },
  });
  textarea.value = saved.rule;
  textarea.addEventListener('input', () => changed());
  const ruleError = h('div', { class: 'rule-check', id: errorId, attrs: { 'aria-live': 'polite', 'data-testid': 'rule-check' } });
  const configure = h('div', { class: 'rule-configure' },
    processingField,
    h('label', { class: 'rule-label', attrs: { for: textarea.id }, text: 'Rule syntax' }),
    textarea, ruleError,
    h('p', { class: 'help-text', id: helpId, text: 'Entra ID\'s membership rule syntax, for example user.department -eq "Sales" -and user.country -eq "US": user properties, the operators -eq, -ne, -startsWith, -contains, -match, -in and their negations, -and, -or, -not and parentheses.' }));

  // Validate Rules: users picked, each matched against the rule in the editor.
  const resultsTable = simpleTable({
    label: 'Validation results',
    items: [],
    emptyText: 'No user added. Add users to see whether the rule selects them.',
    columns: [
      { key: 'displayName', label: 'Name', width: '1.4fr' },
      { key: 'membership', label: 'Membership', width: '1fr', render: (u) => h('span', { class: ['pill', u.membership === 'Matches rule' ? 'pill-success' : u.membership === 'Unknown' ? 'pill-warning' : 'pill-neutral'], text: u.membership }) },
      { key: 'decidedBy', label: 'Decided by', width: '2fr', render: (u) => (u.decidedBy ? h('code', { class: 'rule-expression', text: u.decidedBy }) : u.detail || '') },
      {
        key: 'remove',
        label: 'Remove',
        width: '0.7fr',
        render: (u) => h('button', {
          type: 'button',
          class: 'link-button',
          text: 'Remove',
          attrs: { 'aria-label': `Remove ${u.displayName} from the validation` },
          on: {
            click: () => {
              picked.delete(u.id);
              runCheck();
            },
          },
        }),
      },
    ],
  });
  const resultsNote = h('p', { class: 'hint', attrs: { role: 'status', 'data-testid': 'validate-summary' } });
  const addUsers = button('Add users', () => {
    view.open('pick-principals', [], {
      title: 'Add users',
      usersOnly: true,
      max: MAX_VALIDATE,
      selected: new Map([...picked.values()].map((u) => [`user:${u.id}`, { kind: 'user', id: u.id, displayName: u.displayName }])),
      onSelect(chosen) {
        picked.clear();
        for (const p of chosen.values()) if (p.kind === 'user') picked.set(p.id, { id: p.id, displayName: p.displayName });
        runCheck();
      },
    });
  }, { appearance: 'outline', icon: 'add', testid: 'validate-add-users' });
  const validate = h('div', { class: 'rule-validate', attrs: { 'data-testid': 'rule-validate' } },
    h('p', { class: 'help-text', text: `Pick users to see whether the rule in Configure Rules selects them and which expression decided; change the rule and they are checked again. Up to ${MAX_VALIDATE} users at a time.` }),
    h('div', { class: 'list-tools' }, addUsers), resultsTable.el, resultsNote);

  const tabs = tabLayout(view, {
    label: 'Dynamic membership rules',
    items: [{ key: 'configure', label: 'Configure Rules' }, { key: 'validate', label: 'Validate Rules' }],
    onSelect(item, panel) {
      panel.body.append(item.key === 'validate' ? validate : configure);
    },
  });

  // The planner's preview of the edit, once asked for (and again after each edit while shown).
  const preview = livePreview({
    id: `rules-preview-title-${id}`,
    testid: 'rules-preview',
    title: 'Preview: what this change would do',
    requests: () => (previewOn && canSend() ? [patchRequest()] : null),
    products: () => [],
    action: 'Save',
  });

  const saveButton = button('Save', () => save(), { appearance: 'primary', disabled: true, testid: 'rules-save' });
  const discardButton = button('Discard', () => discard(), { appearance: 'subtle', disabled: true, testid: 'rules-discard' });
  const previewButton = button('Preview', () => {
    previewOn = true;
    preview.schedule();
  }, { appearance: 'subtle', disabled: true, testid: 'rules-preview-button' });
  const stageButton = button('Add to plan', () => stage(), { appearance: 'subtle', disabled: true, testid: 'rules-stage' });
  view.toolbar.append(saveButton, discardButton, previewButton, stageButton);
  tabs.el.classList.add('rules-tabs');
  preview.el.classList.add('rules-preview');
  view.body.append(message, status, tabs.el, preview.el);

  /** What the editor changes: the body of the PATCH (Graph's names), empty when nothing. */
  function body() {
    /** @type {{membershipRule?: string, membershipRuleProcessingState?: string}} */
    const b = {};
    if (textarea.value !== saved.rule) b.membershipRule = textarea.value;
    if (processing !== saved.processing) b.membershipRuleProcessingState = processing;
    return b;
  }
  const dirty = () => Object.keys(body()).length > 0;
  /** A change to send: something changed and the rule in the editor parses. */
  const canSend = () => dirty() && check?.valid === true && check.rule === textarea.value;
  function patchRequest() {
    return { id: '1', method: 'PATCH', url: `/groups/${encodeURIComponent(id)}`, headers: { 'Content-Type': 'application/json' }, body: body() };
  }
  const target = () => ({ kind: 'group', id, name: groupName, processes: true });
  /** The change in words, for the plan and the notification. */
  function changeTitle() {
    const b = body();
    const parts = [];
    if (b.membershipRule !== undefined) parts.push(`change the membership rule of ${groupName} to ${b.membershipRule.length > 120 ? `${b.membershipRule.slice(0, 120)}…` : b.membershipRule}`);
    if (b.membershipRuleProcessingState === 'Paused') parts.push(`pause membership processing of ${groupName}`);
    if (b.membershipRuleProcessingState === 'On') parts.push(`turn membership processing of ${groupName} on`);
    const text = parts.join(' and ');
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function paintButtons() {
    const send = canSend();
    setDisabled(saveButton, !send);
    setDisabled(previewButton, !send);
    setDisabled(stageButton, !send);
    setDisabled(discardButton, !dirty());
    status.textContent = dirty() ? 'Unsaved changes: Save applies them, Add to plan stages them, Discard goes back to the group\'s rule.' : '';
  }

  function changed() {
    replace(message);
    paintButtons();
    runCheck();
  }

  // The engine checks the rule (and matches the users picked) a moment after each edit; an answer
  // for an older text is dropped.
  const runCheck = debounce(() => checkNow(), 200);
  async function checkNow() {
    const mine = ++asked;
    const rule = textarea.value;
    const users = [...picked.keys()];
    ruleError.dataset.state = 'busy';
    try {
      const r = await engine.query({ query: 'validateRule', rule, userIds: users });
      if (mine !== asked) return;
      check = { ...r, rule };
      checkError = '';
    } catch (err) {
      if (mine !== asked) return;
      check = null;
      checkError = engine.errorText(err);
    }
    paintCheck();
    paintButtons();
    if (previewOn) preview.schedule();
    ruleError.dataset.state = 'ready';
  }

  function paintCheck() {
    textarea.setAttribute('aria-invalid', String(check?.valid === false));
    if (checkError) {
      replace(ruleError, h('p', { class: 'rule-error', attrs: { 'data-testid': 'rule-error' }, text: `The rule could not be checked: ${checkError}` }));
    } else if (check?.valid === false) {
      const position = Number(check.error?.position ?? 0);
      const goTo = h('button', {
        type: 'button',
        class: 'link-button',
        text: 'Go to the error',
        on: {
          click: () => {
            textarea.focus();
            textarea.setSelectionRange(position, Math.min(position + 1, textarea.value.length));
          },
        },
      });
      replace(ruleError,
        h('p', { class: 'rule-error', attrs: { role: 'alert', 'data-testid': 'rule-error' } },
          h('span', { class: 'icon icon-error', attrs: { 'aria-hidden': 'true' } }),
          ` ${check.error?.message || 'The rule is not valid.'}`),
        h('p', { class: 'rule-error-where' }, `At character ${num(position + 1)}: `, excerpt(check.rule, position), ' ', goTo));
    } else if (check?.valid) {
      replace(ruleError, h('p', { class: 'rule-ok', attrs: { 'data-testid': 'rule-ok' }, text: 'The rule is valid.' }));
    } else {
      replace(ruleError);
    }
    // Validate Rules: each user picked, in the order picked.
    const byId = new Map((check?.users || []).map((u) => [u.id, u]));
    const rows = [...picked.values()].map((p) => {
      const u = byId.get(p.id);
      if (check?.valid && u) return { id: p.id, displayName: u.displayName || p.displayName, membership: u.matches ? 'Matches rule' : 'Doesn\'t match', decidedBy: u.decidedBy || '' };
      if (check?.valid && !u) return { id: p.id, displayName: p.displayName, membership: 'Unknown', detail: 'The engine did not find this user.' };
      return { id: p.id, displayName: p.displayName, membership: 'Unknown', detail: checkError ? `The rule could not be checked: ${checkError}` : 'The rule is not valid: fix it in Configure Rules.' };
    });
    resultsTable.setItems(rows);
    const matching = rows.filter((r) => r.membership === 'Matches rule').length;
    resultsNote.textContent = rows.length && check?.valid ? `${plural(matching, 'user matches', 'users match')} the rule, ${num(rows.length - matching)} ${rows.length - matching === 1 ? 'doesn\'t' : 'don\'t'}.` : '';
    tabs.setLabel('validate', rows.length ? `Validate Rules (${num(rows.length)})` : 'Validate Rules');
  }

  function stage() {
    if (!canSend()) return;
    plan.stage({ title: changeTitle(), requests: [patchRequest()], targets: [target()] });
    replace(message, h('fluent-message-bar', { attrs: { intent: 'success' } }, 'Added to the plan (top bar, Plan). Nothing has changed in the group yet.'));
  }

  function save() {
    if (!canSend()) return;
    const request = patchRequest();
    const removesLicenses = request.body.membershipRule !== undefined && licensed.length > 0;
    // Microsoft's warning (licensing-group-advanced.md): members who no longer match are removed
    // and lose the group's licenses, possibly service or data.
    const note = removesLicenses
      ? `${groupName} assigns licenses (${licensed.join(', ')}). Use caution when changing its membership rule: members who no longer match the new rule are removed from the group and lose these licenses, which could mean a loss of service or, in some cases, of data. For a large group, consider trying the change on a smaller test group first. The preview below shows who leaves and what they lose.`
      : request.body.membershipRule !== undefined
        ? `The group's membership is evaluated again with the new rule: users who no longer match are removed, users who match are added.`
        : processing === 'Paused'
          ? 'While processing is paused the group keeps its members: attribute changes and rule edits move nobody until it is On again.'
          : 'With processing On the rule is applied again: the members become the users the rule selects.';
    const title = changeTitle();
    view.open('confirm-change', [], {
      title: 'Save membership rule',
      subtitle: groupName,
      note,
      actionLabel: 'Save',
      requests: [request],
      stage: { title, requests: [request], targets: [target()] },
      async onConfirm() {
        const responses = await runJob({ title: `Updating the membership rule of ${groupName}`, requests: [request], targets: [target()], successText: `${title}.` });
        const failed = responses.find((r) => !(r.status >= 200 && r.status < 300));
        if (failed) throw new Error(failed.body?.error?.message || `HTTP ${failed.status}`);
      },
    });
  }

  function discard() {
    textarea.value = saved.rule;
    processing = saved.processing;
    for (const r of processingField.querySelectorAll('input[type=radio]')) /** @type {HTMLInputElement} */ (r).checked = /** @type {HTMLInputElement} */ (r).value === processing;
    previewOn = false;
    preview.schedule();
    changed();
    replace(message, h('fluent-message-bar', { attrs: { intent: 'info' } }, 'Discarded: the editor shows the group\'s rule again.'));
  }

  // The tenant changed (a Save, a plan applied, processing): the group's rule is read again; an
  // editor left as it was follows it, an edit in progress is kept.
  view.onChanged(async () => {
    let g;
    try {
      g = await engine.query({ query: 'group', id });
    } catch {
      return; // the group is gone; the blade shows what it had
    }
    const wasDirty = dirty();
    saved = savedOf(g);
    licensed = (g.licenses || []).map((l) => l.displayName || l.skuPartNumber || l.skuId);
    if (!wasDirty) {
      textarea.value = saved.rule;
      processing = saved.processing;
      for (const r of processingField.querySelectorAll('input[type=radio]')) /** @type {HTMLInputElement} */ (r).checked = /** @type {HTMLInputElement} */ (r).value === processing;
    }
    paintButtons();
    runCheck();
  });
  paintButtons();
  await checkNow();
}
