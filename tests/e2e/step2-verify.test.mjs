// Seed step 2: All groups → HR Department → Licenses: the products on the group, processing completes
// ("Latest license changes have been applied to all users"); Audit logs: Start and Finish (990 / 10).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade } from './helpers.mjs';
import { assignE3AndEmsToHr, openGroupLicenses } from './flow.mjs';

test('step 2: HR Department licenses are applied; audit logs show Start and Finish with 990 / 10', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await assignE3AndEmsToHr(page);
    await waitIdle(page);

    const licenses = await openGroupLicenses(page, 'HR Department');
    // Products on the group, with Yammer Enterprise turned off on E3.
    const e3 = licenses.locator('.simple-body .row', { hasText: 'Office 365 E3' });
    await e3.waitFor();
    await licenses.locator('.simple-body .row', { hasText: 'Enterprise Mobility + Security E3' }).waitFor();
    assert.match(await e3.innerText(), /Yammer Enterprise/);
    await licenses.getByText('Latest license changes have been applied to all users').waitFor();
    await licenses.getByText('10 users have license assignment errors').waitFor();
    await c.shot('group-licenses');

    // Select a product: its services, Yammer Enterprise Off.
    await e3.locator('.row-link').click();
    const opts = blade(page, 'Office 365 E3 - Assignment options');
    await opts.waitFor();
    assert.equal(await opts.locator('.plan-row', { hasText: 'Yammer Enterprise' }).locator('.switch-state').innerText(), 'Off');
    await c.shot('group-product-services');
    await opts.locator('.blade-close').click();

    // Audit logs of the group, pre-filtered.
    const group = blade(page, 'HR Department -');
    await group.locator('[role=tab]', { hasText: 'Audit logs' }).click();
    const audit = blade(page, 'HR Department - Audit logs');
    const rows = audit.locator('[data-table=audit] .table-spacer .row');
    await rows.first().waitFor();
    // Pre-filtered on the group: the filter shows it, and every Set/Start/Finish event names it.
    await audit.locator('.filter-pill', { hasText: 'Target: HR Department' }).waitFor();
    await c.shot('group-audit-logs');
    const onlyActivity = (name) => page.waitForFunction((n) => {
      const list = [...document.querySelectorAll('[data-table=audit] .table-spacer .row')];
      return list.length > 0 && list.every((r) => r.textContent.includes(n));
    }, name);
    // Filter on the activity: Start, then Finish.
    await audit.getByLabel('Activity', { exact: true }).selectOption('Start applying group based license to users');
    await onlyActivity('Start applying group based license to users');
    assert.equal(await rows.count(), 1);
    const startText = await rows.first().innerText();
    assert.match(startText, /HR Department/);
    assert.match(startText, /Microsoft Entra group-Based Licensing/);
    await c.shot('audit-start');
    await audit.getByLabel('Activity', { exact: true }).selectOption('Finish applying group based license to users');
    await onlyActivity('Finish applying group based license to users');
    assert.equal(await rows.count(), 1);
    const finishText = await rows.first().innerText();
    assert.match(finishText, /Core Directory/);
    assert.match(finishText, /Microsoft Entra group-Based Licensing/);
    assert.match(finishText, /HR Department/);
    assert.match(finishText, /Users successfully assigned licenses: 990/);
    assert.match(finishText, /Users for whom license assignment failed: 10/);
    await c.shot('audit-finish');
    // Open the Finish event: its details.
    await audit.locator('.row', { hasText: 'Finish applying' }).first().click();
    const detail = blade(page, 'Activity details');
    await detail.getByText('Users successfully assigned licenses: 990', { exact: false }).first().waitFor();
    await c.shot('audit-finish-details');
    assert.deepEqual(c.errors, []);
  });
});
