// The tenant survives a reload (IndexedDB) until reset; the blades come back from the address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, fbutton } from './helpers.mjs';
import { assignE3AndEmsToHr, openGroupLicenses } from './flow.mjs';

test('reload keeps the tenant and its audit log; reset goes back to the sample', async (t) => {
  await withConsole(t, async (c) => {
    let page = c.page;
    await openConsole(page, c.url);
    await assignE3AndEmsToHr(page);
    await waitIdle(page);
    await openGroupLicenses(page, 'HR Department');
    const hash = new URL(page.url()).hash;
    assert.match(hash, /group~/);

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    // The same blade is back, with the same state.
    const hr = blade(page, 'HR Department - Licenses');
    await hr.getByText('10 users have license assignment errors').waitFor();
    await hr.locator('.simple-body .row', { hasText: 'Office 365 E3' }).waitFor();
    await c.shot('after-reload');

    // A new browser on the same profile (tab closed and reopened).
    page = await c.restartBrowser();
    await openConsole(page, c.url, hash.replace('licenses', 'audit'));
    const audit = blade(page, 'HR Department - Audit logs');
    await audit.getByLabel('Activity', { exact: true }).selectOption('Finish applying group based license to users');
    await audit.locator('.row', { hasText: 'Users successfully assigned licenses: 990' }).waitFor();
    await c.shot('after-restart-audit');

    // Reset to the sample: HR Department is unlicensed again, and stays so after a reload.
    await page.locator('.nav-item', { hasText: 'Azure Active Directory' }).click();
    await blade(page, 'Overview').locator('.aad-nav button', { hasText: 'Tenant document' }).click();
    await fbutton(blade(page, 'Tenant document'), 'Reset to sample').click();
    // Asked first, naming what goes; Cancel keeps it, Reset replaces it.
    let confirm = blade(page, 'Reset to sample');
    await confirm.getByText(/This replaces Contoso \(1,040 users\) and the \d+ changes made to it/).waitFor();
    await c.shot('reset-confirm');
    await fbutton(confirm, 'Cancel').click();
    await confirm.waitFor({ state: 'detached' });
    await fbutton(blade(page, 'Tenant document'), 'Reset to sample').click();
    confirm = blade(page, 'Reset to sample');
    await fbutton(confirm, 'Reset').click();
    await blade(page, 'Tenant document').getByText('The sample tenant was loaded.').waitFor();
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const again = await openGroupLicenses(page, 'HR Department');
    await again.getByText('No license is assigned to this group.').waitFor();
    await c.shot('after-reset-reload');
  });
});
