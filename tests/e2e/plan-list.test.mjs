// The plan (issue 12): changes staged from Assign license and Remove license wait in the Plan blade,
// previewed together in their order; moving one changes the outcome; Remove and Discard take changes
// out; Apply plan makes exactly the previewed changes; the plan survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, fbutton } from './helpers.mjs';
import { applyStepOne, assignE3AndEmsToHr, openAllProducts, openGroupLicenses, openGroupTab, productRow, stageKioskE1Removal, startAssign } from './flow.mjs';

async function openPlan(page) {
  await page.locator('#plan-button').click();
  const planBlade = blade(page, 'Plan');
  await planBlade.waitFor();
  return planBlade;
}

async function effectText(planBlade) {
  await planBlade.locator('[data-testid=plan-effect][data-state=ready]').waitFor();
  return planBlade.locator('[data-testid=plan-effect]').innerText();
}

test('staged changes are previewed together in order, can be moved, removed, discarded, and applied as previewed', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const before = await productRow(await openAllProducts(page), 'Office 365 E3');

    // Step 1 of the seed, staged instead of assigned: nothing changes.
    await assignE3AndEmsToHr(page, null, null, 'Add to plan');
    await page.locator('#plan-badge', { hasText: '1' }).waitFor();
    assert.equal((await productRow(await openAllProducts(page), 'Office 365 E3')).assigned, before.assigned, 'staging changed nothing');
    let planBlade = await openPlan(page);
    let text = await effectText(planBlade);
    assert.match(text, /990 users get Office 365 E3, Enterprise Mobility \+ Security E3\./);
    assert.match(text, /10 users will fail\. Conflicting service plans/);
    assert.match(text, /Apply plan makes the change/);

    // Then Kiosk users' E1 removed, staged after it: processed after HR Department, the ten stay in
    // error (an error is not fixed until the user is processed again).
    await stageKioskE1Removal(page);
    await page.locator('#plan-badge', { hasText: '2' }).waitFor();
    planBlade = await openPlan(page);
    const changes = planBlade.locator('[data-testid=plan-change]');
    assert.equal(await changes.count(), 2);
    assert.match(await changes.nth(1).innerText(), /Remove license: Office 365 E1 from Kiosk users/);
    text = await effectText(planBlade);
    assert.match(text, /10 users will fail/);
    assert.match(text, /users? lose Office 365 E1/);
    await c.shot('plan-two-changes');

    // Moved first, the removal clears the conflict before HR Department is processed: all 1,000.
    await planBlade.locator('fluent-button[aria-label="Move up: Remove license: Office 365 E1 from Kiosk users"]').click();
    await planBlade.locator('[data-testid=plan-effect][data-state=busy]').waitFor({ state: 'detached' }).catch(() => {});
    text = await effectText(planBlade);
    assert.match(await changes.nth(0).innerText(), /Remove license: Office 365 E1/);
    assert.match(text, /1,000 users get Office 365 E3, Enterprise Mobility \+ Security E3\./);
    assert.doesNotMatch(text, /will fail/);
    await c.shot('plan-reordered');

    // The plan survives a reload.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.locator('#plan-badge', { hasText: '2' }).waitFor();

    // Remove takes one change out; Discard the rest; nothing was ever applied.
    planBlade = await openPlan(page);
    await planBlade.locator('fluent-button[aria-label^="Remove from the plan: Remove license"]').click();
    await page.locator('#plan-badge', { hasText: '1' }).waitFor();
    assert.equal(await planBlade.locator('[data-testid=plan-change]').count(), 1);
    await fbutton(planBlade, 'Discard plan').click();
    await page.locator('#plan-badge').waitFor({ state: 'hidden' });
    await planBlade.getByText('The plan was discarded. Nothing was changed.').waitFor();
    assert.equal((await productRow(await openAllProducts(page), 'Office 365 E3')).assigned, before.assigned, 'discarding changed nothing');

    // Staged again in the good order and applied: the tenant does what the preview said.
    await stageKioskE1Removal(page);
    await assignE3AndEmsToHr(page, null, null, 'Add to plan');
    planBlade = await openPlan(page);
    text = await effectText(planBlade);
    assert.match(text, /1,000 users get Office 365 E3/);
    await fbutton(planBlade, 'Apply plan').click();
    await planBlade.getByText('The plan was applied.', { exact: false }).waitFor();
    await page.locator('#plan-badge').waitFor({ state: 'hidden' });
    await waitIdle(page);
    const after = await productRow(await openAllProducts(page), 'Office 365 E3');
    assert.equal(after.assigned - before.assigned, 1000);
    assert.deepEqual(c.errors, []);
  });
});

test('a plan that runs out of seats says who waits and stages the seats to buy; the plan downloads as Graph batches and PowerShell', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const products = await openAllProducts(page);
    const powerBi = await productRow(products, 'Power BI Pro');
    const assign = await startAssign(page, ['Power BI Pro'], 'HR Department');
    await fbutton(assign, 'Add to plan').click();
    await assign.waitFor({ state: 'detached' });

    const planBlade = await openPlan(page);
    let text = await effectText(planBlade);
    const waiting = 1000 - powerBi.available;
    assert.match(text, new RegExp(`${powerBi.available.toLocaleString('en-US')} users get Power BI Pro\\.`));
    assert.match(text, new RegExp(`${waiting.toLocaleString('en-US')} users will fail\\. Not enough licenses`));
    const fix = planBlade.locator('[data-testid=plan-seat-fix]');
    assert.match(await fix.innerText(), new RegExp(`${waiting.toLocaleString('en-US')} users wait for a seat after this plan .* Buy ${waiting.toLocaleString('en-US')} Power BI Pro and reprocess`));
    // Who gets the last seats and who waits first, by name, in the tenant's user order.
    const order = await planBlade.locator('[data-testid=preview-seat-order]').innerText();
    assert.match(order, /Seats go in the tenant's user order: the last to [^;]+; waiting first: .+, …\./);
    await c.shot('plan-seats-short');
    await fbutton(fix, 'Add to plan: buy these seats').click();
    await page.locator('#plan-badge', { hasText: '2' }).waitFor();
    await planBlade.locator('[data-testid=plan-change]', { hasText: `Buy ${waiting.toLocaleString('en-US')} Power BI Pro` }).waitFor();
    text = await effectText(planBlade);
    assert.match(text, /1,000 users get Power BI Pro\./);
    assert.doesNotMatch(text, /will fail/);
    assert.equal(await planBlade.locator('[data-testid=plan-seat-fix]').count(), 0, 'nobody waits any more');
    await c.shot('plan-seats-bought');

    // The plan as files for the real tenant: buying seats and reprocessing a group are not Graph
    // requests, so they are left out with what to do by hand.
    const [graph] = await Promise.all([page.waitForEvent('download'), fbutton(planBlade, 'Download Graph batch').click()]);
    const { readFile } = await import('node:fs/promises');
    const out = JSON.parse(await readFile(await graph.path(), 'utf8'));
    assert.equal(out.batches.length, 1);
    assert.deepEqual(out.batches[0].requests.map((r) => `${r.method} ${r.url.replace(/[0-9a-f-]{36}/g, 'ID')}`), ['POST /groups/ID/assignLicense']);
    assert.deepEqual(out.leftOut.map((r) => r.method), ['PATCH', 'POST']);
    assert.match(out.leftOut[0].why, /admin center/);
    const [ps] = await Promise.all([page.waitForEvent('download'), fbutton(planBlade, 'Download PowerShell script').click()]);
    const script = await readFile(await ps.path(), 'utf8');
    assert.match(script, /Set-MgGroupLicense -GroupId '[0-9a-f-]{36}' -AddLicenses/);
    assert.match(script, /POWER_BI_PRO/);
    assert.deepEqual(c.errors, []);
  });
});

test("the seed's acceptance: staging the ten users' removal from Kiosk users shows them losing E1, gaining E3 + EMS, and E1 seats freed", async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await applyStepOne(page);
    const e1Before = await productRow(await openAllProducts(page), 'Office 365 E1');

    // The ten in error, from HR Department's list.
    const licenses = await openGroupLicenses(page, 'HR Department');
    await licenses.getByText('10 users have license assignment errors').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-table=group-errors] .table-spacer .row:not(.loading)').length === 10);
    const names = (await blade(page, 'HR Department - Users with license errors').locator('[data-table=group-errors] .table-spacer .row:not(.loading)').evaluateAll(
      (rows) => rows.map((r) => r.querySelector('.cell')?.textContent?.trim() || ''),
    ));
    assert.equal(names.length, 10);

    // Kiosk users → Members: the ten selected (the selection stays across searches) → Remove from group.
    const members = await openGroupTab(page, 'Kiosk users', 'Members');
    const search = members.locator('fluent-text-input input, input').first();
    for (const name of names) {
      await search.fill(name);
      const row = members.locator('[data-table=group-members] .row', { hasText: name }).first();
      await row.waitFor();
      await row.locator('input[type=checkbox]').check();
    }
    await fbutton(members, 'Remove from group').click();
    const confirm = blade(page, 'Remove from group');
    await confirm.locator('[data-testid=confirm-preview][data-state=ready]').waitFor();
    await fbutton(confirm, 'Add to plan').click();
    await confirm.waitFor({ state: 'detached' });

    const planBlade = await openPlan(page);
    const text = await effectText(planBlade);
    assert.match(text, /10 users get Office 365 E3, Enterprise Mobility \+ Security E3\./);
    assert.match(text, /10 users lose Office 365 E1\./);
    assert.match(text, /10 users are no longer in error: Conflicting service plans/);
    assert.match(text, new RegExp(`Office 365 E1: ${e1Before.assigned} → ${e1Before.assigned - 10} assigned`));
    // Every user the plan changes, listed by the planner page by page: the ten.
    const users = planBlade.locator('[data-table=plan-users]');
    await users.locator('.table-footer', { hasText: '10 items' }).waitFor();
    const rows = await users.locator('.table-spacer .row:not(.loading)').allInnerTexts();
    assert.equal(rows.length, 10);
    assert.deepEqual([...new Set(rows.map((r) => r.split('\n')[0].trim()))].sort(), [...names].sort());
    assert.ok(rows.every((r) => /Office 365 E3, Enterprise Mobility \+ Security E3/.test(r) && /Office 365 E1/.test(r) && /Conflicting service plans/.test(r)), rows.join(' | '));
    await c.shot('seed-acceptance-plan');
    assert.equal((await productRow(await openAllProducts(page), 'Office 365 E1')).assigned, e1Before.assigned, 'staged, not applied');
    assert.deepEqual(c.errors, []);
  });
});
