// Lists sort and filter by column (issue 13): a sortable column's header orders the list (again:
// the other way) and says so (aria-sort); the footer's "Sort by" does the same by keyboard; a
// group's users in error filter by reason and product, All users by license errors. The order is
// the engine's (orderBy), so it holds across pages of a list of any size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, blade } from './helpers.mjs';
import { applyStepOne, openGroupTab } from './flow.mjs';

/** The text of one column of the rows shown, in list order. */
const column = (list, index) => list.locator('.table-spacer .row:not(.loading)').evaluateAll((rows, i) => rows
  .sort((a, b) => Number(a.dataset.index ?? 0) - Number(b.dataset.index ?? 0))
  .map((r) => r.querySelectorAll('[role=gridcell]')[i]?.textContent.trim() ?? ''), index);
const sortedAlike = (names) => [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
const footer = (list) => list.locator('.table-footer .table-status');
const header = (list, name) => list.locator('[role=columnheader]', { hasText: new RegExp(`^\\s*${name}`) });

test("a group's users in error sort by name either way and filter by reason and product", async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await applyStepOne(page);
    const licenses = await openGroupTab(page, 'HR Department', 'Licenses');
    await licenses.getByText('10 users have license assignment errors').click();
    const errors = blade(page, 'HR Department - Users with license errors');
    const list = errors.locator('[data-table=group-errors]');
    await footer(list).filter({ hasText: /^10 items$/ }).waitFor();
    assert.equal(await header(list, 'Name').getAttribute('aria-sort'), 'none');
    // The key facts are read whole, not cut ("Conflicting service …"): they wrap inside the row.
    const cut = await list.locator('.table-spacer .row:not(.loading) .cell.wrap').evaluateAll((cells) => cells
      .filter((c) => c.scrollHeight > c.clientHeight + 1 || c.scrollWidth > c.clientWidth + 1)
      .map((c) => c.textContent));
    assert.deepEqual(cut, [], 'no failed product or reason is cut off');
    assert.equal(await list.locator('.cell.wrap', { hasText: 'Conflicting service plans' }).count(), 10);

    await header(list, 'Name').locator('button').click();
    await header(list, 'Name').and(list.locator('[aria-sort=ascending]')).waitFor();
    await list.locator('.sort-arrow', { hasText: '↑' }).waitFor();
    let names = await column(list, 0);
    assert.equal(names.length, 10);
    assert.deepEqual(names, sortedAlike(names), 'A to Z');
    const ascending = names;

    await header(list, 'Name').locator('button').click();
    await header(list, 'Name').and(list.locator('[aria-sort=descending]')).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-table=group-errors] .sort-arrow')?.textContent.includes('↓'));
    await list.locator('.table-spacer .row:not(.loading)').first().waitFor();
    names = await column(list, 0);
    assert.deepEqual(names, [...ascending].reverse(), 'Z to A');
    await c.shot('group-errors-sorted-descending');

    // The same by keyboard: the footer's Sort by select.
    await list.getByLabel('Sort by', { exact: true }).selectOption({ label: 'User name, ascending' });
    await list.locator('[role=columnheader][aria-sort=ascending]', { hasText: 'User name' }).waitFor();
    assert.equal(await header(list, 'Name').getAttribute('aria-sort'), 'none');
    const upns = await column(list, 1);
    assert.deepEqual(upns, sortedAlike(upns));

    // Filters: the ten fail on conflicting plans, none on seats; both products fail for them.
    await errors.getByLabel('Reason', { exact: true }).selectOption({ label: 'Not enough licenses' });
    await footer(list).filter({ hasText: 'No user of this group is in a license error state.' }).waitFor();
    await errors.getByLabel('Reason', { exact: true }).selectOption({ label: 'Conflicting service plans' });
    await footer(list).filter({ hasText: /^10 items$/ }).waitFor();
    await errors.getByLabel('Product', { exact: true }).selectOption({ label: 'Enterprise Mobility + Security E3' });
    await footer(list).filter({ hasText: /^10 items$/ }).waitFor();
    await c.shot('group-errors-filtered');
  });
});

test('All users filter to the users with license errors and sort by license errors', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await applyStepOne(page);
    await page.locator('.nav-item', { hasText: 'Azure Active Directory' }).click();
    await blade(page, 'Overview').locator('.aad-nav button', { hasText: 'Users and groups' }).click();
    const ug = blade(page, 'Users and groups -');
    await ug.locator('[role=tab]', { hasText: 'All users' }).click();
    const list = ug.locator('[data-table=users]');
    await footer(list).filter({ hasText: /items$/ }).waitFor();
    const everyone = await footer(list).innerText();

    // Errors first: License errors sorted descending (the header twice).
    await header(list, 'License errors').locator('button').click();
    await list.locator('[role=columnheader][aria-sort=ascending]', { hasText: 'License errors' }).waitFor();
    await header(list, 'License errors').locator('button').click();
    await list.locator('[role=columnheader][aria-sort=descending]', { hasText: 'License errors' }).waitFor();
    await page.waitForFunction(() => {
      const first = document.querySelector('[data-table=users] .table-spacer .row[data-index="0"]');
      return first && first.querySelectorAll('[role=gridcell]')[4]?.textContent.trim() === 'Error';
    });
    const flags = (await column(list, 4)).slice(0, 12);
    assert.deepEqual(flags.slice(0, 10), Array(10).fill('Error'));
    assert.deepEqual(flags.slice(10), ['', ''], 'the ten in error, then the others');

    await ug.getByLabel('Show', { exact: true }).selectOption({ label: 'Users with license errors' });
    await footer(list).filter({ hasText: /^10 items$/ }).waitFor();
    await c.shot('all-users-with-errors');
    await ug.getByLabel('Show', { exact: true }).selectOption({ label: 'All users' });
    await footer(list).filter({ hasText: everyone }).waitFor();
  });
});
