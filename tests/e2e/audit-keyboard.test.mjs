// Tenant-wide audit logs with their filters (activity, target, date), and the seed's first step done
// with the keyboard alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade } from './helpers.mjs';
import { assignE3AndEmsToHr } from './flow.mjs';

const rowsOf = (page) => page.locator('[data-table=audit] .table-spacer .row:not(.loading)');
const footer = (page) => page.locator('[data-table=audit] .table-footer');

// The page's clock is fixed at this local time, so "today" is the same day for the events and for
// the test, even when the run crosses midnight (timers still run normally).
const TODAY = '2026-06-15';

test('tenant-wide audit logs: filters on activity, target and date', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await page.clock.setFixedTime(new Date(`${TODAY}T10:00:00`));
    await openConsole(page, c.url);
    await assignE3AndEmsToHr(page);
    await waitIdle(page);
    await page.locator('.nav-item', { hasText: 'Audit logs' }).click();
    const audit = blade(page, 'Audit logs');
    await rowsOf(page).first().waitFor();
    const headers = await audit.locator('[role=columnheader]').allInnerTexts();
    for (const h of ['Date', 'Service', 'Category', 'Activity', 'Status', 'Target', 'Initiated by']) assert.ok(headers.includes(h), `${h} in ${headers}`);
    const all = Number((await footer(page).innerText()).replace(/[^\d]/g, ''));
    assert.ok(all > 990, `events: ${all}`);

    // Activity.
    await audit.getByLabel('Activity', { exact: true }).selectOption('Set group license');
    await footer(page).filter({ hasText: /^1 item$/ }).waitFor();
    assert.match(await rowsOf(page).first().innerText(), /Set group license[\s\S]*HR Department/);
    // The admin, not the system, set the license.
    assert.doesNotMatch(await rowsOf(page).first().innerText(), /group-Based Licensing/);
    await audit.getByLabel('Activity', { exact: true }).selectOption('');

    // Status: the ten users the service could not license, each a failed "Change user license".
    await audit.getByLabel('Status', { exact: true }).selectOption('failure');
    await footer(page).filter({ hasText: /^10 items$/ }).waitFor();
    assert.match(await rowsOf(page).first().innerText(), /Change user license[\s\S]*Failure/);
    await audit.getByLabel('Status', { exact: true }).selectOption('');
    await footer(page).filter({ hasText: `${all.toLocaleString('en-US')} items` }).waitFor();

    // Target: a user by name → only that user's events.
    const changeRow = rowsOf(page).filter({ hasText: 'Change user license' }).first();
    const userName = (await changeRow.locator('.cell').nth(5).innerText()).split(',')[0].trim();
    assert.ok(userName.length > 3, userName);
    await audit.locator('[data-testid=audit-target]').fill(userName);
    await page.waitForFunction((name) => {
      const rows = [...document.querySelectorAll('[data-table=audit] .table-spacer .row:not(.loading)')];
      const n = Number(document.querySelector('[data-table=audit] .table-footer')?.textContent.replace(/[^\d]/g, '') || 0);
      return rows.length > 0 && n < 10 && rows.every((r) => r.textContent.includes(name));
    }, userName);
    await c.shot('audit-target');
    await audit.locator('[data-testid=audit-target]').fill('');
    await footer(page).filter({ hasText: `${all.toLocaleString('en-US')} items` }).waitFor();

    // Date: everything happened today; a range in the past holds nothing, today holds everything.
    await audit.locator('input[type=date]').nth(1).fill('2020-01-31');
    await footer(page).filter({ hasText: 'No audit event matches the filters.' }).waitFor();
    await audit.locator('input[type=date]').nth(0).fill(TODAY);
    await audit.locator('input[type=date]').nth(1).fill(TODAY);
    await footer(page).filter({ hasText: `${all.toLocaleString('en-US')} items` }).waitFor();
    await c.shot('audit-date');
    assert.deepEqual(c.errors, []);
  });
});

test('keyboard only: All products → select E3 → Assign → Users and groups', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const focused = () => page.evaluate(() => {
      const a = document.activeElement;
      return `${a?.tagName} ${a?.getAttribute('role') || ''} ${(a?.textContent || '').trim().slice(0, 60)}`;
    });
    const tabTo = async (pattern, max = 60) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        if (pattern.test(await focused())) return;
      }
      throw new Error(`focus never reached ${pattern}; last: ${await focused()}`);
    };
    await tabTo(/^BUTTON\s+Licenses$/);
    await page.keyboard.press('Enter');
    const licenses = blade(page, 'Licenses -');
    await licenses.waitFor();
    await tabTo(/^BUTTON tab Overview$/);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const products = blade(page, 'Licenses - All products');
    await products.locator('.row', { hasText: 'Office 365 E3' }).waitFor();
    await tabTo(/^DIV row .*Office 365 E3/);
    await page.keyboard.press(' ');
    await products.locator('.row.selected', { hasText: 'Office 365 E3' }).waitFor();
    // Back to the toolbar (Shift+Tab) and Assign.
    for (let i = 0; i < 20 && !/FLUENT-BUTTON .*Assign/.test(await focused()); i++) await page.keyboard.press('Shift+Tab');
    assert.match(await focused(), /FLUENT-BUTTON .*Assign/);
    await page.keyboard.press('Enter');
    const assign = blade(page, 'Assign license');
    await assign.waitFor();
    await tabTo(/^BUTTON .*Users and groups/);
    await page.keyboard.press('Enter');
    await blade(page, 'Users and groups').locator('[data-table=pick-groups] .row', { hasText: 'HR Department' }).waitFor();
    await c.shot('keyboard-picker');
    assert.deepEqual(c.errors, []);
  });
});
