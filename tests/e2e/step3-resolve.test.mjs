// Seed step 3: the error notification on HR Department → 10 users, both products failed, top reason
// Conflicting service plans → a user: E1 inherited from Kiosk users, E3 from HR Department in error →
// remove the user from Kiosk users → HR Department's licenses land and the group's error count drops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, fbutton } from './helpers.mjs';
import { assignE3AndEmsToHr, openGroupLicenses } from './flow.mjs';

test('step 3: resolve a conflicting service plans error by removing the user from Kiosk users', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await assignE3AndEmsToHr(page);
    await waitIdle(page);

    const licenses = await openGroupLicenses(page, 'HR Department');
    const errorsLink = licenses.getByText('10 users have license assignment errors');
    await errorsLink.click();
    const errors = blade(page, 'HR Department - Users with license errors');
    const rows = errors.locator('[data-table=group-errors] .table-spacer .row:not(.loading)');
    await page.waitForFunction(() => document.querySelectorAll('[data-table=group-errors] .table-spacer .row:not(.loading)').length === 10);
    assert.equal(await errors.locator('.table-footer').innerText(), '10 items');
    for (const text of await rows.allInnerTexts()) {
      assert.match(text, /Office 365 E3/);
      assert.match(text, /Enterprise Mobility \+ Security E3/);
      assert.match(text, /Conflicting service plans/);
    }
    const headers = await errors.locator('[role=columnheader]').allInnerTexts();
    assert.ok(headers.includes('Failed assignments') && headers.includes('Top reason for failure'), `headers: ${headers}`);
    await c.shot('users-in-error');

    // Open the first user: E1 inherited from Kiosk users, the HR Department assignments in error.
    const userName = (await rows.first().locator('.cell').first().innerText()).trim();
    await rows.first().locator('.row-link').click();
    const user = blade(page, `${userName} - Licenses`);
    await user.waitFor();
    const e1 = user.locator('.simple-body .row', { hasText: 'Office 365 E1' });
    await e1.waitFor();
    assert.match(await e1.innerText(), /Inherited \(Kiosk users\)/);
    assert.match(await e1.innerText(), /Active/);
    const e3 = user.locator('.simple-body .row', { hasText: 'Office 365 E3' });
    assert.match(await e3.innerText(), /Inherited \(HR Department\)/);
    assert.match(await e3.innerText(), /Error/);
    assert.match(await e3.innerText(), /Conflicting service plans/);
    const headers2 = await user.locator('[role=columnheader]').allInnerTexts();
    assert.ok(headers2.includes('Assignment paths'), `headers: ${headers2}`);
    await c.shot('user-licenses-conflict');

    // Select E1: its services and the source enabling each.
    await e1.locator('.row-link').click();
    const e1Blade = blade(page, `Office 365 E1 - ${userName}`);
    await e1Blade.locator('.simple-body .row', { hasText: 'Exchange Online (Plan 1)' }).waitFor();
    assert.match(await e1Blade.locator('.simple-body .row', { hasText: 'Exchange Online (Plan 1)' }).innerText(), /On\s+Inherited \(Kiosk users\)/);
    await c.shot('user-e1-services');
    await e1Blade.locator('.blade-close').click();

    // E3, in error: its plans are not off by choice but not applied, naming the failed path.
    await e3.locator('.row-link').click();
    const e3Blade = blade(page, `Office 365 E3 - ${userName}`);
    const exchange = e3Blade.locator('.simple-body .row', { hasText: 'Exchange Online (Plan 2)' });
    await exchange.waitFor();
    assert.match(await exchange.innerText(), /Not applied \(error\)\s+Inherited \(HR Department\): failed/);
    assert.match(await e3Blade.locator('.simple-body .row', { hasText: 'Yammer Enterprise' }).innerText(), /Off/);
    await c.shot('user-e3-not-applied');
    await e3Blade.locator('.blade-close').click();

    // Groups of the user → Kiosk users → Remove from group.
    const userBlade = blade(page, `${userName} -`);
    await userBlade.locator('[role=tab]', { hasText: 'Groups' }).click();
    const groups = blade(page, `${userName} - Groups`);
    const kiosk = groups.locator('.simple-body .row', { hasText: 'Kiosk users' });
    await kiosk.waitFor();
    await kiosk.locator('input[type=checkbox]').check();
    await c.shot('user-groups-kiosk-selected');
    await fbutton(groups, 'Remove from group').click();
    // Confirmed first, as the portal asks, with what it will do: E1 goes, HR Department's land.
    const confirm = blade(page, 'Remove from group');
    await confirm.locator('[data-testid=confirm-preview][data-state=ready]').waitFor();
    const said = await confirm.innerText();
    assert.match(said, /1 user gets Office 365 E3, Enterprise Mobility \+ Security E3\./);
    assert.match(said, /1 user loses Office 365 E1\./);
    await c.shot('remove-from-kiosk-confirm');
    await fbutton(confirm, 'Remove').click();
    await confirm.waitFor({ state: 'detached' });
    await groups.locator('.simple-body .row', { hasText: 'Kiosk users' }).waitFor({ state: 'detached' });
    await waitIdle(page);

    // The HR Department licenses landed.
    await userBlade.locator('[role=tab]', { hasText: 'Licenses' }).click();
    const after = blade(page, `${userName} - Licenses`);
    const e3After = after.locator('.simple-body .row', { hasText: 'Office 365 E3' });
    await e3After.filter({ hasText: 'Active' }).waitFor();
    assert.match(await e3After.innerText(), /Inherited \(HR Department\)/);
    assert.doesNotMatch(await e3After.innerText(), /Conflicting/);
    const emsAfter = after.locator('.simple-body .row', { hasText: 'Enterprise Mobility + Security E3' });
    assert.match(await emsAfter.innerText(), /Active/);
    assert.equal(await after.locator('.simple-body .row', { hasText: 'Office 365 E1' }).count(), 0);
    await c.shot('user-licenses-resolved');

    // The group's error count dropped to 9, and the list of users in error with it.
    await page.waitForFunction(() => document.querySelectorAll('[data-table=group-errors] .table-spacer .row:not(.loading)').length === 9);
    const hr = await openGroupLicenses(page, 'HR Department');
    await hr.getByText('9 users have license assignment errors').waitFor();
    await c.shot('group-errors-9');
    assert.deepEqual(c.errors, []);
  });
});
