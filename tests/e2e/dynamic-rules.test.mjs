// A dynamic group's Dynamic membership rules (issue 15), on the library scenario "License a
// department with a dynamic group" (web/scenarios/dynamic-sales.json: Litware's Sales team, rule
// user.department -eq "Sales", Office 365 E3, 10 users in four departments). Driven by the labels
// and texts a person reads: a rule that does not parse names its position, Validate Rules tells who
// matches and which expression decided, Preview shows who joins and leaves and the licenses that
// follow, Add to plan stages the PATCH, Save applies it after a confirmation that warns about
// licenses; the members and the users' licenses change once processing is over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, fbutton } from './helpers.mjs';
import { openGroupTab, openAllProducts, productRow } from './flow.mjs';
import { axeSerious, describeViolations } from './axe.mjs';

const GROUP = 'Sales team';
// Sales and Marketing, but not the intern: 3 Marketing users join, Lee Gu (Sales Intern) leaves.
const NEW_RULE = 'user.department -in ["Sales","Marketing"] -and user.jobTitle -ne "Sales Intern"';

/** Loads the scenario from the Scenarios blade and closes its tour (the test drives the console). */
async function openScenario(page) {
  await page.locator('#scenarios-button').click();
  await blade(page, 'Scenarios').locator('[data-testid="scenario-start-dynamic-sales"]').click();
  await page.waitForSelector('body[data-scenario-loads="1"]');
  await page.getByRole('button', { name: 'Close the tour' }).click();
  await waitIdle(page);
}

/** Users and groups → All groups → Sales team → the menu item named `label` (exactly). */
async function openGroupMenu(page, label) {
  await openGroupTab(page, GROUP, 'Overview');
  await blade(page, `${GROUP} -`).getByRole('tab', { name: label, exact: true }).click();
  const view = blade(page, `${GROUP} - ${label}`);
  await view.waitFor();
  return view;
}

/** Sales team → Dynamic membership rules (from the group's menu). */
async function openRules(page) {
  const rules = await openGroupMenu(page, 'Dynamic membership rules');
  await rules.getByText('The rule is valid.').waitFor();
  return rules;
}

/** Types a rule into Rule syntax and waits for the engine's answer about that text. */
async function typeRule(rules, text) {
  const editor = rules.getByLabel('Rule syntax');
  await editor.fill(text);
  await rules.locator('[data-testid=rule-check][data-state=ready]').waitFor();
  // The answer is for this text (an older answer is dropped).
  await rules.page().waitForFunction((t) => /** @type {HTMLTextAreaElement} */ (document.querySelector('[data-testid=rule-editor]'))?.value === t, text);
}

test('Dynamic membership rules: a parse error names its position, Validate Rules, Preview, Add to plan, Save', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await openScenario(page);

    // Overview: the membership type, the rule and its processing state.
    const overview = await openGroupTab(page, GROUP, 'Overview');
    const facts = await overview.locator('.kv').innerText();
    assert.match(facts, /Membership type\s+Dynamic/);
    assert.match(facts, /Dynamic membership rule\s+user\.department -eq "Sales"/);
    assert.match(facts, /Membership rule processing\s+On/);

    const rules = await openRules(page);
    assert.equal(await rules.getByLabel('Rule syntax').inputValue(), 'user.department -eq "Sales"');
    await c.shot('rules-open');

    // A rule without an operator: the engine's message and where (0-based position 16 is the
    // 17th character, the quote after user.department).
    await typeRule(rules, 'user.department "Sales"');
    const error = rules.locator('[data-testid=rule-error]');
    await error.waitFor();
    assert.match(await error.innerText(), /operator/i);
    const where = await rules.locator('.rule-error-where').innerText();
    assert.match(where, /At character 17:/);
    assert.equal(await rules.locator('[data-testid=rule-excerpt] mark').innerText(), '"');
    assert.equal(await rules.getByLabel('Rule syntax').getAttribute('aria-invalid'), 'true');
    assert.ok(await fbutton(rules, 'Save').evaluate((b) => b.hasAttribute('disabled')), 'Save is off while the rule does not parse');
    await c.shot('rules-parse-error');

    // A valid edit.
    await typeRule(rules, NEW_RULE);
    await rules.getByText('The rule is valid.').waitFor();

    // Validate Rules: a Marketing user matches (the job title decided, the department held), a
    // Finance user doesn't (the department decided).
    await rules.locator('[role=tab]', { hasText: 'Validate Rules' }).click();
    await fbutton(rules, 'Add users').click();
    const picker = blade(page, 'Add users');
    for (const name of ['Grady Archie', 'Isaiah Langer']) {
      await picker.locator('[data-testid=picker-search] input').fill(name);
      await page.waitForFunction(() => document.querySelectorAll('[data-table=pick-users] .table-spacer .row:not(.loading)').length === 1);
      await picker.locator('[data-table=pick-users] .table-spacer .row', { hasText: name }).locator('input[type=checkbox]').check();
    }
    await fbutton(picker, 'Select').click();
    await picker.waitFor({ state: 'detached' });
    const results = rules.getByRole('grid', { name: 'Validation results' });
    const grady = results.locator('.row', { hasText: 'Grady Archie' });
    const isaiah = results.locator('.row', { hasText: 'Isaiah Langer' });
    await grady.getByText('Matches rule').waitFor();
    assert.match(await grady.innerText(), /user\.jobTitle -ne "Sales Intern"/);
    await isaiah.getByText('Doesn\'t match').waitFor();
    assert.match(await isaiah.innerText(), /user\.department -in \["Sales", ?"Marketing"\]/);
    assert.match(await rules.locator('[data-testid=validate-summary]').innerText(), /1 user matches the rule, 1 doesn't/);
    await c.shot('rules-validate');

    // Preview: who joins and leaves, and the licenses that follow (nothing changes).
    await fbutton(rules, 'Preview').click();
    const preview = rules.locator('[data-testid=rules-preview][data-state=ready]');
    await preview.locator('[data-testid=preview-joins]').waitFor();
    const effect = await preview.innerText();
    assert.match(effect, /3 users join Sales team \(4 → 6 members\)/);
    assert.match(effect, /1 user leaves Sales team/);
    assert.match(effect, /Lee Gu/);
    assert.match(effect, /3 users get Office 365 E3\./);
    assert.match(effect, /1 user loses Office 365 E3\./);
    assert.match(effect, /Office 365 E3: 4 → 6 assigned/);
    await c.shot('rules-preview');

    // Add to plan: the Plan lists the PATCH of the group, and previews it the same way.
    await fbutton(rules, 'Add to plan').click();
    await rules.getByText('Added to the plan').waitFor();
    await page.locator('#plan-button').click();
    const planBlade = blade(page, 'Plan');
    const change = planBlade.locator('[data-testid=plan-change]');
    await change.waitFor();
    assert.equal(await change.count(), 1);
    assert.match(await change.innerText(), /Change the membership rule of Sales team/);
    assert.match(await change.innerText(), /PATCH \/groups\/e5000000-0000-4000-8000-0000000000e0/);
    await planBlade.locator('[data-testid=plan-effect][data-state=ready] [data-testid=preview-joins]').waitFor();
    await c.shot('rules-plan');
    await fbutton(planBlade, 'Discard plan').click();
    await planBlade.getByText('The plan was discarded').waitFor();
    await planBlade.getByRole('button', { name: 'Close Plan' }).click();

    // Save: a confirmation with the preview and Microsoft's warning about licenses, then applied.
    const rulesAgain = blade(page, `${GROUP} - Dynamic membership rules`);
    await fbutton(rulesAgain, 'Save').click();
    const confirm = blade(page, 'Save membership rule');
    await confirm.getByText(/lose these licenses/).waitFor();
    assert.match(await confirm.innerText(), /Sales team assigns licenses \(Office 365 E3\)/);
    await confirm.locator('[data-testid=confirm-preview][data-state=ready] [data-testid=preview-leaves]').waitFor();
    await c.shot('rules-save-confirm');
    await fbutton(confirm, 'Save').click();
    await confirm.waitFor({ state: 'detached' });
    await waitIdle(page);
    await rulesAgain.locator('[data-testid=rules-status]:empty').waitFor({ state: 'attached' });

    // The group's members follow the rule, and so do the users' licenses.
    const facts2 = await (await openGroupTab(page, GROUP, 'Overview')).locator('.kv').innerText();
    assert.match(facts2, /Dynamic membership rule\s+user\.department -in \["Sales","Marketing"\] -and user\.jobTitle -ne "Sales Intern"/);
    assert.match(facts2, /Members\s+6/);
    const members = await openGroupMenu(page, 'Members');
    await members.locator('[data-table=group-members] .row', { hasText: 'Grady Archie' }).waitFor();
    const names = await members.locator('[data-table=group-members] .table-spacer .row:not(.loading) .row-link').allInnerTexts();
    assert.deepEqual(names.sort(), ['Adele Vance', 'Alex Wilber', 'Diego Siciliani', 'Grady Archie', 'Henrietta Mueller', 'Megan Bowen']);
    await members.locator('[data-table=group-members] .row', { hasText: 'Grady Archie' }).locator('.row-link').click();
    const gradyLicenses = blade(page, 'Grady Archie -');
    await gradyLicenses.getByText('Office 365 E3').first().waitFor();
    assert.match(await gradyLicenses.innerText(), /Inherited \(Sales team\)|Sales team/);
    const e3 = await productRow(await openAllProducts(page), 'Office 365 E3');
    assert.equal(e3.assigned, 6, 'E3: 4 - Lee Gu + 3 from Marketing');
    await c.shot('rules-saved');
    assert.deepEqual(c.errors, []);
  });
});

test('Dynamic membership rules: Discard goes back to the group\'s rule; Paused is saved as membershipRuleProcessingState', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await openScenario(page);
    const rules = await openRules(page);
    await typeRule(rules, 'user.department -eq "Finance"');
    await rules.getByText('Unsaved changes', { exact: false }).waitFor();
    await fbutton(rules, 'Discard').click();
    assert.equal(await rules.getByLabel('Rule syntax').inputValue(), 'user.department -eq "Sales"');
    await rules.locator('[data-testid=rules-status]:empty').waitFor({ state: 'attached' });

    await rules.getByLabel('Paused').check();
    await rules.locator('[data-testid=rule-check][data-state=ready]').waitFor();
    await fbutton(rules, 'Save').click();
    const confirm = blade(page, 'Save membership rule');
    await confirm.getByText(/processing is paused the group keeps its members/).waitFor();
    await confirm.locator('[data-testid=confirm-preview][data-state=ready]').waitFor();
    await fbutton(confirm, 'Save').click();
    await confirm.waitFor({ state: 'detached' });
    await waitIdle(page);
    const overview = await openGroupTab(page, GROUP, 'Overview');
    await overview.getByText(/^Paused: the rule is not applied/).waitFor();
    assert.deepEqual(c.errors, []);
  });
});

test('Dynamic membership rules: axe-core finds no critical or serious violation (both tabs, an error, results)', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await openScenario(page);
    const rules = await openRules(page);
    const found = [];
    await typeRule(rules, 'user.department -eq');
    await rules.locator('[data-testid=rule-error]').waitFor();
    found.push({ name: 'Configure Rules with a parse error', violations: await axeSerious(page) });
    await typeRule(rules, 'user.department -eq "Marketing"');
    await rules.locator('[role=tab]', { hasText: 'Validate Rules' }).click();
    await fbutton(rules, 'Add users').click();
    const picker = blade(page, 'Add users');
    await picker.locator('[data-table=pick-users] .table-spacer .row', { hasText: 'Megan Bowen' }).locator('input[type=checkbox]').check();
    found.push({ name: 'Add users', violations: await axeSerious(page) });
    await fbutton(picker, 'Select').click();
    await picker.waitFor({ state: 'detached' });
    await rules.getByRole('grid', { name: 'Validation results' }).getByText('Matches rule').waitFor();
    await fbutton(rules, 'Preview').click();
    await rules.locator('[data-testid=rules-preview][data-state=ready] [data-testid=preview-joins]').waitFor();
    found.push({ name: 'Validate Rules with results and the preview', violations: await axeSerious(page) });
    const failing = found.filter((f) => f.violations.length);
    assert.equal(failing.length, 0, describeViolations(failing));
  });
});
