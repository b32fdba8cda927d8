// The seed's alternate path: Users and groups → All groups → HR Department → Licenses → Assign, and a
// failing assignment whose notification opens the details of the failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, fbutton } from './helpers.mjs';
import { openGroupLicenses, newestNotification } from './flow.mjs';

test('alternate path: assign from the group Licenses tab, live status, then applied', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const licenses = await openGroupLicenses(page, 'HR Department');
    await licenses.getByText('No license is assigned to this group.').waitFor();
    await fbutton(licenses, 'Assign').click();
    const assign = blade(page, 'Assign license');
    // Started from the group: it is already chosen; pick the products.
    await assign.locator('[data-testid=pick-principals]', { hasText: 'HR Department' }).waitFor();
    await assign.locator('[data-testid=pick-products]').click();
    const products = blade(page, 'Products');
    await products.locator('.simple-body .row', { hasText: 'Office 365 E3' }).locator('input').check();
    await products.locator('.simple-body .row', { hasText: 'Enterprise Mobility + Security E3' }).locator('input').check();
    await fbutton(products, 'Select').click();
    await assign.locator('[data-testid=pick-products]', { hasText: 'Office 365 E3, Enterprise Mobility + Security E3' }).waitFor();
    await assign.locator('[data-testid=assignment-options]').click();
    const options = blade(page, 'Assignment options');
    await options.locator('.plan-row', { hasText: 'Yammer Enterprise' }).locator('fluent-switch').click();
    await fbutton(options, 'OK').click();
    await c.shot('assign-from-group');
    await fbutton(assign, 'Assign').click();
    await assign.waitFor({ state: 'detached' });
    await waitIdle(page);
    const hr = blade(page, 'HR Department - Licenses');
    await hr.getByText('Latest license changes have been applied to all users').waitFor();
    await hr.getByText('10 users have license assignment errors').waitFor();
    const rows = await hr.locator('.simple-body .row').allInnerTexts();
    assert.equal(rows.length, 2);
    assert.match(rows.join('\n'), /Office 365 E3[\s\S]*35 of 36[\s\S]*Yammer Enterprise/);
    await c.shot('group-applied');

    // Change the services of a product on the group: turn Yammer back On and save.
    await hr.locator('.simple-body .row', { hasText: 'Office 365 E3' }).locator('.row-link').click();
    const e3 = blade(page, 'Office 365 E3 - Assignment options');
    await e3.locator('.plan-row', { hasText: 'Yammer Enterprise' }).locator('fluent-switch').click();
    await fbutton(e3, 'Save').click();
    await e3.waitFor({ state: 'detached' });
    await waitIdle(page);
    await hr.locator('.simple-body .row', { hasText: '36 of 36' }).waitFor();

    // Reprocess: the group is processed again (a new Start/Finish pair in its audit log).
    await fbutton(hr, 'Reprocess').click();
    const note = page.locator('#toasts .notif', { hasText: /Reprocess(ing|ed) HR Department/ });
    await note.waitFor();
    await waitIdle(page);
    await hr.getByText('Latest license changes have been applied to all users').waitFor();
    await blade(page, 'HR Department -').locator('[role=tab]', { hasText: 'Audit logs' }).click();
    const audit = blade(page, 'HR Department - Audit logs');
    await audit.getByLabel('Activity', { exact: true }).selectOption('Finish applying group based license to users');
    await audit.locator('[data-table=audit] .table-footer', { hasText: '3 items' }).waitFor();
    assert.deepEqual(c.errors, []);
  });
});

test('a failing assignment (group not security-enabled) shows the error in the notification details', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const licenses = await openGroupLicenses(page, 'All Company');
    await fbutton(licenses, 'Assign').click();
    const assign = blade(page, 'Assign license');
    await assign.locator('[data-testid=pick-principals]', { hasText: 'All Company' }).waitFor();
    await assign.locator('[data-testid=pick-products]').click();
    const products = blade(page, 'Products');
    await products.locator('.simple-body .row', { hasText: 'Office 365 E3' }).locator('input').check();
    await fbutton(products, 'Select').click();
    await fbutton(assign, 'Assign').click();
    const note = await newestNotification(page);
    await note.locator('.notif-text', { hasText: 'Failed' }).waitFor();
    const text = await note.innerText();
    assert.match(text, /Assigning licenses to All Company/);
    await c.shot('failure-notification');
    await note.click();
    const details = blade(page, 'Failure details');
    const failure = details.locator('[data-testid=failure]', { hasText: 'All Company' });
    await failure.waitFor();
    // The engine's error response, as returned in the batch.
    assert.match(await failure.innerText(), /not security-enabled/);
    await c.shot('failure-details');
    // Nothing changed on the group.
    await waitIdle(page);
    const again = await openGroupLicenses(page, 'All Company');
    await again.getByText('No license is assigned to this group.').waitFor();
    assert.deepEqual(c.errors, []);
  });
});
