// Seed step 1: All products → select E3 and EMS → Assign → HR Department → Yammer Enterprise Off →
// Assign → a notification shows status and outcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, watchLongTasks, forgetLongTasks, reportLongTasks } from './helpers.mjs';
import { assignE3AndEmsToHr, newestNotification, openAllProducts, productRow } from './flow.mjs';

test('step 1: assign E3 and EMS to HR Department with Yammer Enterprise off', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await watchLongTasks(page);
    await openConsole(page, c.url);
    await c.shot('home');
    const productsBefore = await openAllProducts(page);
    const e3Before = await productRow(productsBefore, 'Office 365 E3');
    await c.shot('all-products');

    await assignE3AndEmsToHr(page, (n) => c.shot(n), () => forgetLongTasks(page));
    // The notification appears at once and follows the job while it runs.
    const toast = page.locator('#toasts .notif').first();
    await toast.waitFor();
    // "Assigning…" while the job runs, "Assigned…" once it is over (it may already be).
    assert.match(await toast.innerText(), /Assign(ing|ed) licenses to HR Department/);
    await c.shot('notification-running');
    await waitIdle(page);
    const note = await newestNotification(page);
    await note.locator('.notif-text', { hasText: /HR Department/ }).waitFor();
    const text = await note.innerText();
    assert.match(text, /Office 365 E3, Enterprise Mobility \+ Security E3 assigned to HR Department/);
    assert.match(text, /10 users have license assignment errors/);
    await c.shot('notification-done');
    // The 1,000 members were processed in the worker; the main thread's longest task is a figure.
    await reportLongTasks(page, t, 'assigning to 1,000 members');
    await page.locator('#notifications .blade-close').click();

    // The seats moved: E3 assigned grew by the members that got it (990 of 1,000).
    const products = await openAllProducts(page);
    const e3After = await productRow(products, 'Office 365 E3');
    assert.equal(e3After.assigned - e3Before.assigned, 990);
    assert.equal(e3After.available, e3After.total - e3After.assigned);
    await c.shot('all-products-after');

    // A product opens its Licensed users and Licensed groups.
    await products.locator('.row-link', { hasText: /^Office 365 E3$/ }).click();
    const e3 = blade(page, 'Office 365 E3 - Licensed users');
    // Everyone holding E3, plus the 10 HR members whose E3 is in error.
    await e3.locator('[data-table=licensed-users] .table-footer', { hasText: `${(e3After.assigned + 10).toLocaleString('en-US')} items` }).waitFor();
    await e3.locator('[data-table=licensed-users] .row', { hasText: 'Inherited (HR Department)' }).first().waitFor();
    await c.shot('licensed-users');
    await blade(page, 'Office 365 E3 -').locator('[role=tab]', { hasText: 'Licensed groups' }).click();
    const groups = blade(page, 'Office 365 E3 - Licensed groups');
    const hr = groups.locator('[data-table=licensed-groups] .row', { hasText: 'HR Department' });
    await hr.waitFor();
    assert.match(await hr.innerText(), /Complete\s+10/);
    await c.shot('licensed-groups');
    assert.deepEqual(c.errors, []);
  });
});
