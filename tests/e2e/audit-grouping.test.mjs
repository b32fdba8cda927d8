// A group's own Audit logs read as the seed tells it (issue 13): after step 1, HR Department's log
// starts with Finish, Start and Set group license; its per-user "Change user license" rows are left
// out and said to be (how many), and a checkbox brings them back. The tenant-wide log keeps them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, blade } from './helpers.mjs';
import { applyStepOne, openGroupTab } from './flow.mjs';

const rowsOf = (scope) => scope.locator('[data-table=audit] .table-spacer .row:not(.loading)');
const footerOf = (scope) => scope.locator('[data-table=audit] .table-footer');
/** The Activity cell of each row shown, in order. */
const activities = (scope) => rowsOf(scope).evaluateAll((rows) => rows
  .sort((a, b) => Number(a.dataset.index ?? 0) - Number(b.dataset.index ?? 0))
  .map((r) => r.querySelectorAll('.cell')[3]?.textContent.trim()));

test("a group's audit log reads Finish, Start and Set group license first; per-user rows are counted and can be shown", async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await applyStepOne(page);

    const audit = await openGroupTab(page, 'HR Department', 'Audit logs');
    await audit.locator('.filter-pill', { hasText: 'Target: HR Department' }).waitFor();
    // By default the group's own events only: the processing's Finish and Start, the admin's change.
    await footerOf(audit).filter({ hasText: /^3 items$/ }).waitFor();
    assert.deepEqual(await activities(audit), [
      'Finish applying group based license to users',
      'Start applying group based license to users',
      'Set group license',
    ]);
    const first = await rowsOf(audit).first().innerText();
    assert.match(first, /Finish applying group based license to users/);
    assert.match(first, /Users successfully assigned licenses: 990/);
    assert.match(first, /Users for whom license assignment failed: 10/);

    // What is left out is said, with its count: 990 users licensed and 10 who failed, one row each.
    const note = audit.locator('[data-testid=audit-hidden-note]');
    await note.filter({ hasText: /1,000 per-user license changes \(Change user license\) hidden/ }).waitFor();
    const toggle = audit.getByLabel('Show per-user license changes (1,000)', { exact: true });
    assert.equal(await toggle.isChecked(), false);
    await c.shot('group-audit-start-finish-first');

    // Shown again: every event of the group, newest first (Finish, then the per-user rows, …).
    await toggle.check();
    await footerOf(audit).filter({ hasText: /^1,003 items$/ }).waitFor();
    const shown = await activities(audit);
    assert.equal(shown[0], 'Finish applying group based license to users');
    assert.equal(shown[1], 'Change user license');
    assert.match(await note.innerText(), /1,000 per-user license changes \(Change user license\) shown/);
    await c.shot('group-audit-per-user-shown');
    await toggle.uncheck();
    await footerOf(audit).filter({ hasText: /^3 items$/ }).waitFor();

    // Other filters count what they hide too: the failures are per-user rows, and the note says so.
    await audit.getByLabel('Status', { exact: true }).selectOption('failure');
    await note.filter({ hasText: /^10 per-user license changes \(Change user license\) hidden/ }).waitFor();
    await audit.getByLabel('Show per-user license changes (10)', { exact: true }).check();
    await footerOf(audit).filter({ hasText: /^10 items$/ }).waitFor();
    assert.equal((await activities(audit))[0], 'Change user license');
    await audit.getByLabel('Show per-user license changes (10)', { exact: true }).uncheck();
    await audit.getByLabel('Status', { exact: true }).selectOption('');

    // An activity chosen in the filter is shown whatever it is, also Change user license.
    await audit.getByLabel('Activity', { exact: true }).selectOption('Change user license');
    await footerOf(audit).filter({ hasText: /^1,000 items$/ }).waitFor();
    await audit.getByLabel('Activity', { exact: true }).selectOption('');
    await footerOf(audit).filter({ hasText: /^3 items$/ }).waitFor();

    // The tenant-wide Audit logs keep everything, with no such checkbox.
    await page.locator('.nav-item', { hasText: 'Audit logs' }).click();
    const all = blade(page, 'Audit logs');
    await rowsOf(all).first().waitFor();
    await footerOf(all).filter({ hasText: /items$/ }).waitFor();
    const allText = await footerOf(all).innerText();
    assert.ok(Number(allText.replace(/[^\d]/g, '')) >= 1003, allText);
    assert.equal(await all.getByText(/per-user license changes/).count(), 0);
    const tenantWide = await activities(all);
    assert.ok(tenantWide.includes('Change user license'), JSON.stringify(tenantWide));
    assert.deepEqual(c.errors, []);
  });
});
