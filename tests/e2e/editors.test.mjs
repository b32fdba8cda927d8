// Editors that planning needs (issues 12 and 13): a product's seats and a group's members, each
// previewed by the planner before Save / Add, and each can be added to the plan instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, fbutton } from './helpers.mjs';
import { openAllProducts, openGroupTab, productRow, startAssign } from './flow.mjs';

async function assignToHr(page, productName) {
  const assign = await startAssign(page, [productName], 'HR Department');
  await fbutton(assign, 'Assign').click();
  await assign.waitFor({ state: 'detached' });
  await waitIdle(page);
}

test('Change seats previews who gets the new seats (the waiting groups processed again), then saves', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await assignToHr(page, 'Power BI Pro');
    const before = await productRow(await openAllProducts(page), 'Power BI Pro');
    const waiting = 1000 - (before.assigned - 4);
    const enabled = before.total - before.expiringSoon; // seats expiring soon stay assignable
    await blade(page, 'Licenses - All products').locator('.row-link', { hasText: 'Power BI Pro' }).click();
    const product = blade(page, 'Power BI Pro -');
    await product.locator('.menu-item, [role=tab], button', { hasText: 'Overview' }).first().click();
    await fbutton(blade(page, 'Power BI Pro - Overview'), 'Change seats').click();
    const seats = blade(page, 'Change seats');
    const input = seats.locator('[data-testid=seats-input] input');
    await input.waitFor();
    await input.fill(String(enabled + waiting));
    const preview = seats.locator('[data-testid=seats-preview][data-state=ready]');
    await preview.locator('[data-testid=preview-gains]').waitFor();
    const text = await preview.innerText();
    assert.match(text, new RegExp(`${waiting.toLocaleString('en-US')} users get Power BI Pro\\.`));
    assert.match(text, /no longer in error: Not enough licenses/);
    await c.shot('change-seats-preview');
    // A negative count is refused with a message.
    await input.fill('-3');
    await seats.getByText('Enter a whole number of seats, 0 or more.').waitFor();
    await input.fill(String(enabled + waiting));
    await seats.locator('[data-testid=seats-preview][data-state=ready] [data-testid=preview-gains]').waitFor();
    await fbutton(seats, 'Save').click();
    await seats.waitFor({ state: 'detached' });
    await waitIdle(page);
    const after = await productRow(await openAllProducts(page), 'Power BI Pro');
    assert.equal(after.assigned, before.assigned + waiting);
    assert.equal(after.available, 0);
    assert.deepEqual(c.errors, []);
  });
});

test('Add members previews what the new members get, and can be staged in the plan', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await assignToHr(page, 'Office 365 E3');
    // A Sales member (Sales is outside HR Department).
    const sales = await openGroupTab(page, 'Sales', 'Members');
    const first = sales.locator('[data-table=group-members] .table-spacer .row:not(.loading)').first();
    await first.waitFor();
    const name = (await first.locator('.row-link').innerText()).trim();
    assert.ok(name, 'a Sales member by name');
    const members = await openGroupTab(page, 'HR Department', 'Members');
    await fbutton(members, 'Add members').click();
    let picker = blade(page, 'Users and groups');
    // A group as a member first: nested groups get nothing (direct members only).
    await picker.locator('[data-testid=picker-search] input').fill('Sales');
    await page.waitForFunction(() => document.querySelectorAll('[data-table=pick-groups] .table-spacer .row').length === 1);
    await picker.locator('[data-table=pick-groups] .table-spacer .row', { hasText: 'Sales' }).locator('input[type=checkbox]').check();
    await fbutton(picker, 'Select').click();
    let confirm = blade(page, 'Add members');
    await confirm.locator('[data-testid=confirm-preview][data-state=ready]').waitFor();
    let text = await confirm.innerText();
    assert.match(text, /group-based licensing applies to direct members only/);
    assert.match(text, /Nothing would change in anyone's licenses\./);
    await fbutton(confirm, 'Cancel').click();
    await confirm.waitFor({ state: 'detached' });
    // Then the user.
    await fbutton(members, 'Add members').click();
    picker = blade(page, 'Users and groups');
    await picker.locator('[data-testid=picker-search] input').fill(name);
    await page.waitForFunction(() => document.querySelectorAll('[data-table=pick-users] .table-spacer .row').length === 1);
    const row = picker.locator('[data-table=pick-users] .table-spacer .row', { hasText: name }).first();
    await row.waitFor();
    await row.locator('input[type=checkbox]').check();
    await fbutton(picker, 'Select').click();
    confirm = blade(page, 'Add members');
    await confirm.locator('[data-testid=confirm-preview][data-state=ready]').waitFor();
    text = await confirm.innerText();
    assert.match(text, /1 user gets Office 365 E3\./);
    assert.match(text, /Add makes the change/);
    await c.shot('add-members-preview');
    await fbutton(confirm, 'Add to plan').click();
    await confirm.waitFor({ state: 'detached' });
    await page.locator('#plan-badge', { hasText: '1' }).waitFor();
    assert.deepEqual(c.errors, []);
  });
});
