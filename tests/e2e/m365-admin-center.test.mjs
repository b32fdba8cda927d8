// The Microsoft 365 admin center view (issue 13, "Today's vocabulary and flow"), driven by what a
// person sees: the top bar's View select → Billing > Licenses > Office 365 E3 > Groups > Assign
// licenses to HR Department with Yammer Enterprise turned off, then Enterprise Mobility + Security E3;
// the group's status Errors & issues and its Actions needed (10 users, Conflicting service plans);
// View error details; Edit user → remove the user from Kiosk users → Reprocess → 9. Unassign licenses
// asks first with the count affected. The choice survives a reload; switching back shows the 2017
// blades. axe-core on every new page (no critical or serious violation). No clock decides anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, fbutton } from './helpers.mjs';
import { newestNotification } from './flow.mjs';
import { axeSerious } from './axe.mjs';


/** Numbers in a text ("1,000 users" → 1000). */
const n = (s) => Number(String(s).replace(/[^\d]/g, ''));

test('Microsoft 365 admin center view: assign E3 and EMS to HR Department, fix one user in Actions needed, reprocess', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    /** @type {{name: string, violations: any[]}[]} */
    const axeResults = [];
    const check = async (name) => {
      const violations = await axeSerious(page);
      axeResults.push({ name, violations });
      t.diagnostic(`axe, ${name}: ${violations.length ? violations.map((v) => `${v.id} (${v.impact})`).join(', ') : 'no critical or serious violation'}`);
      await c.shot(name.replace(/\W+/g, '-').toLowerCase());
    };
    const nav = (label) => page.locator('.nav-m365 .nav-item', { hasText: label });

    await openConsole(page, c.url);
    // The 2017 portal first (the seed's blades); the View select in the top bar says so.
    const viewSelect = page.getByLabel('View', { exact: true });
    assert.equal(await viewSelect.inputValue(), 'azure-2017');
    await viewSelect.selectOption({ label: 'Microsoft 365 admin center' });
    const home = blade(page, 'Home');
    await home.getByText('Since September 2024 licenses are assigned here', { exact: false }).waitFor();
    assert.equal((await page.locator('.topbar .brand').innerText()).trim(), 'Microsoft 365 admin center');
    for (const label of ['Home', 'Active users', 'Active teams & groups', 'Licenses', 'Microsoft Entra ID']) {
      assert.ok(await nav(label).isVisible(), `the menu has ${label}`);
    }
    // The 2017 menu is gone from sight (Azure Active Directory is Microsoft Entra ID here).
    assert.equal(await page.locator('.nav-item:visible', { hasText: 'Azure Active Directory' }).count(), 0);
    await check('M365 Home');

    // Remembered: a reload comes back to the admin center, on the same page.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.getByLabel('View', { exact: true }).inputValue(), 'm365');
    await blade(page, 'Home').getByText('Since September 2024 licenses are assigned here', { exact: false }).waitFor();
    await c.shot('after-reload-still-m365');

    // Billing > Licenses: the products with Available licenses and Assigned licenses.
    await nav('Licenses').click();
    const licenses = blade(page, 'Licenses');
    const e3Row = licenses.locator('.simple-body .row', { has: page.locator('.row-link', { hasText: /^Office 365 E3$/ }) });
    await e3Row.waitFor();
    const headers = await licenses.locator('[role=columnheader]').allInnerTexts();
    assert.deepEqual(headers.map((x) => x.trim()), ['Name', 'Available licenses', 'Assigned licenses']);
    const e3Before = (await e3Row.locator('.cell').allTextContents()).map(n);
    await check('M365 Billing - Licenses');

    /** Billing > Licenses > a product > Groups > Assign licenses > the group (+ apps off) > Assign > Close. */
    const assignToGroup = async (productName, groupName, appsOff, shotPrefix) => {
      await nav('Licenses').click();
      await blade(page, 'Licenses').locator('.row-link', { hasText: new RegExp(`^${productName.replace(/[+]/g, '\\+')}$`) }).click();
      const product = blade(page, productName);
      await product.locator('[role=tab]', { hasText: 'Groups' }).click();
      await fbutton(product, 'Assign licenses').click();
      const panel = blade(page, 'Assign licenses to groups');
      // Fluent's text input keeps its <input> in its shadow root: found by the label it shows.
      await panel.locator('fluent-text-input', { hasText: 'Search for a group' }).locator('input').fill(groupName);
      const suggestion = panel.locator('.m365-suggestion', { hasText: groupName });
      await suggestion.first().waitFor();
      await suggestion.first().click();
      await panel.locator('[data-testid=m365-chosen]', { hasText: groupName }).waitFor();
      if (appsOff.length) {
        await panel.getByRole('button', { name: /Turn apps and services on or off/ }).click();
        for (const app of appsOff) {
          const box = panel.locator('.plan-row', { hasText: app }).locator('input[type=checkbox]');
          assert.equal(await box.count(), 1, `${app} is listed once`);
          await box.uncheck();
        }
        const total = await panel.locator('.plan-row').count();
        await panel.getByText(`${total - appsOff.length} of ${total} on`).waitFor();
      }
      await panel.locator('[data-testid=m365-assign-preview][data-state=ready]').waitFor();
      if (shotPrefix === 'e3') await check('M365 Assign licenses to groups');
      else await c.shot(`${shotPrefix}-assign-panel`);
      await fbutton(panel, 'Assign').click();
      await panel.getByText(`${productName} licenses were assigned to ${groupName}.`).waitFor();
      await c.shot(`${shotPrefix}-assigned`);
      await fbutton(panel, 'Close').click();
      await panel.waitFor({ state: 'detached' });
      return product;
    };

    const e3 = await assignToGroup('Office 365 E3', 'HR Department', ['Yammer Enterprise'], 'e3');
    await assignToGroup('Enterprise Mobility + Security E3', 'HR Department', [], 'ems');
    await waitIdle(page);

    // Back on Office 365 E3 > Groups: HR Department, Errors & issues.
    await nav('Licenses').click();
    await blade(page, 'Licenses').locator('.row-link', { hasText: /^Office 365 E3$/ }).click();
    await blade(page, 'Office 365 E3').locator('[role=tab]', { hasText: 'Groups' }).click();
    const hrRow = blade(page, 'Office 365 E3').locator('[data-table=m365-product-groups] .row', { hasText: 'HR Department' });
    await hrRow.locator('[data-status="Errors & issues"]').waitFor();
    assert.match(await hrRow.innerText(), /Errors & issues\s+10/);
    await check('M365 Office 365 E3 - Groups');
    // The seats moved: 990 of HR Department's 1,000 members got E3 (the 10 in error take none).
    await nav('Licenses').click();
    // The list fills after the blade opens (a query to the worker): wait for the row before reading it.
    await e3Row.waitFor();
    const e3After = (await e3Row.locator('.cell').allTextContents()).map(n);
    assert.equal(e3After[2] - e3Before[2], 990, 'Assigned licenses grew by 990');
    assert.equal(e3Before[1] - e3After[1], 990, 'Available licenses fell by 990');
    await blade(page, 'Licenses').locator('.row-link', { hasText: /^Office 365 E3$/ }).click();
    await blade(page, 'Office 365 E3').locator('[role=tab]', { hasText: 'Users' }).click();
    await blade(page, 'Office 365 E3').locator('[data-table=m365-product-users] .row', { hasText: 'From HR Department' }).first().waitFor();
    await check('M365 Office 365 E3 - Users');
    await blade(page, 'Office 365 E3').locator('[role=tab]', { hasText: 'Groups' }).click();

    // The group: Actions needed lists the 10 users, the Issue Conflicting service plans.
    await blade(page, 'Office 365 E3').locator('[data-table=m365-product-groups] .row-link', { hasText: 'HR Department' }).click();
    const group = blade(page, 'HR Department');
    await group.locator('[data-testid=m365-group-status]', { hasText: 'Status: Errors & issues' }).waitFor();
    await group.locator('[role=tab]', { hasText: 'Actions needed (10)' }).waitFor();
    assert.equal(await group.locator('[role=tab][aria-selected=true]').innerText(), 'Actions needed (10)');
    const actions = group.locator('[data-table=m365-actions-needed]');
    await actions.locator('.table-footer', { hasText: '10 items' }).waitFor();
    const rows = actions.locator('.table-spacer .row:not(.loading)');
    await page.waitForFunction(() => document.querySelectorAll('[data-table=m365-actions-needed] .table-spacer .row:not(.loading)').length === 10);
    for (const text of await rows.allInnerTexts()) assert.match(text, /Conflicting service plans/);
    assert.deepEqual((await actions.locator('[role=columnheader]').allInnerTexts()).map((x) => x.trim()).slice(1), ['Name', 'Username', 'Issue', 'Licenses not assigned']);
    await check('M365 HR Department - Actions needed');
    await group.locator('[role=tab]', { hasText: 'Successfully assigned (990)' }).click();
    await group.locator('[data-table=m365-assigned] .table-footer', { hasText: '990 items' }).waitFor();
    await check('M365 HR Department - Successfully assigned');
    await group.locator('[role=tab]', { hasText: 'Actions needed' }).click();
    await actions.locator('.table-footer', { hasText: '10 items' }).waitFor();

    // View error details for the first user: the reason and the fix (remove from Kiosk users).
    const first = rows.first();
    const userName = (await first.locator('.cell').nth(1).innerText()).trim();
    await first.locator('input[type=checkbox]').check();
    await fbutton(group, 'View error details').click();
    const details = blade(page, 'Error details');
    await details.locator('[data-testid=fix]', { hasText: `Remove ${userName} from Kiosk users` }).waitFor();
    const said = await details.innerText();
    assert.match(said, /Conflicting service plans/);
    assert.match(said, /MutuallyExclusiveViolation/);
    assert.match(said, /Kiosk users/);
    await check('M365 View error details');
    await details.locator('.blade-close').click();
    await details.waitFor({ state: 'detached' });

    // Edit user → Account → Groups → Remove from Kiosk users (asked first, naming what follows).
    await fbutton(group, 'Edit user').click();
    const user = blade(page, userName);
    await user.locator('[role=tab]', { hasText: 'Licenses and apps' }).waitFor();
    await user.locator('.m365-license', { hasText: 'Office 365 E1' }).getByText('From the group Kiosk users').waitFor();
    await check('M365 Edit user - Licenses and apps');
    await user.locator('[role=tab]', { hasText: 'Account' }).click();
    await user.locator('fluent-button[aria-label="Remove from Kiosk users"]').waitFor();
    await check('M365 Edit user - Account');
    await fbutton(user.locator('.m365-group-item', { hasText: 'Kiosk users' }), 'Remove').click();
    const removeDialog = page.locator('dialog[data-testid=m365-remove-member-dialog]');
    await removeDialog.getByText(`Remove ${userName} from Kiosk users?`).waitFor();
    await removeDialog.getByText(/1 user gets Office 365 E3, Enterprise Mobility \+ Security E3\./).waitFor();
    await check('M365 Remove from group dialog');
    await fbutton(removeDialog, 'Remove').click();
    await removeDialog.waitFor({ state: 'detached' });
    await waitIdle(page);
    // Reprocess (as the admin center says: after the change, reattempt the assignment).
    await fbutton(user, 'Reprocess').click();
    await waitIdle(page);
    await user.locator('[role=tab]', { hasText: 'Licenses and apps' }).click();
    await user.locator('.m365-license', { hasText: 'Office 365 E3' }).getByText('From the group HR Department', { exact: true }).waitFor();
    assert.equal(await user.locator('.m365-license', { hasText: 'Office 365 E1' }).count(), 0, 'E1 went with Kiosk users');
    await c.shot('user-fixed');
    await user.locator('.blade-close').click();

    // The count dropped to 9; the user is no longer in Actions needed.
    await group.locator('[role=tab]', { hasText: 'Actions needed (9)' }).waitFor();
    await actions.locator('.table-footer', { hasText: '9 items' }).waitFor();
    assert.doesNotMatch(await actions.locator('.table-spacer').innerText(), new RegExp(userName));
    await c.shot('actions-needed-9');

    // Reprocess two users still in error: accepted, and they stay in error (their conflict remains).
    await rows.nth(0).locator('input[type=checkbox]').check();
    await rows.nth(1).locator('input[type=checkbox]').check();
    await fbutton(group, 'Reprocess').click();
    await waitIdle(page);
    const note = await newestNotification(page);
    await note.getByText('Reprocessed 2 users').waitFor();
    await page.locator('#bell').click();
    await group.locator('[role=tab]', { hasText: 'Actions needed (9)' }).waitFor();
    await c.shot('reprocessed-two');

    // Unassign licenses asks first, naming the group and the count affected; Cancel changes nothing.
    await nav('Licenses').click();
    await blade(page, 'Licenses').locator('.row-link', { hasText: /^Enterprise Mobility \+ Security E3$/ }).click();
    const ems = blade(page, 'Enterprise Mobility + Security E3');
    await ems.locator('[role=tab]', { hasText: 'Groups' }).click();
    const emsHr = ems.locator('[data-table=m365-product-groups] .row', { hasText: 'HR Department' });
    await emsHr.locator('input[type=checkbox]').check();
    await fbutton(ems, 'Unassign licenses').click();
    const unassign = page.locator('dialog[data-testid=confirm-dialog]');
    await unassign.getByText('Unassign licenses?').waitFor();
    await unassign.getByText('Enterprise Mobility + Security E3 will be unassigned from HR Department', { exact: false }).waitFor();
    const lose = unassign.getByText(/users lose Enterprise Mobility \+ Security E3\./);
    await lose.waitFor();
    // HR Department's members who hold it through the group: 990, and the user fixed above.
    assert.match(await lose.innerText(), /^991 users lose/);
    await check('M365 Unassign licenses dialog');
    await fbutton(unassign, 'Cancel').click();
    await unassign.waitFor({ state: 'detached' });
    assert.match(await emsHr.innerText(), /Errors & issues\s+9/, 'nothing was unassigned');

    // Active users and Active teams & groups.
    await nav('Active users').click();
    await blade(page, 'Active users').locator('[data-table=m365-users] .table-spacer .row:not(.loading)').first().waitFor();
    await check('M365 Active users');
    await nav('Active teams & groups').click();
    const teams = blade(page, 'Active teams & groups');
    await teams.getByText('Only groups with license errors').click();
    await teams.locator('[data-table=m365-groups] .row', { hasText: 'HR Department' }).locator('[data-status="Errors & issues"]').waitFor();
    await check('M365 Active teams & groups');

    // Entra's wording follows the view.
    await nav('Microsoft Entra ID').click();
    await page.locator('section.blade .blade-subtitle', { hasText: 'Microsoft Entra ID' }).first().waitFor();
    await c.shot('entra-wording');

    // Switching back shows the 2017 blades and menu, with their 2017 words.
    await page.getByLabel('View', { exact: true }).selectOption({ label: 'Azure portal (2017)' });
    await blade(page, 'Home').getByText('Azure services', { exact: true }).waitFor();
    assert.equal((await page.locator('.topbar .brand').innerText()).trim(), 'Microsoft Azure');
    assert.equal(await page.locator('.nav-m365').count(), 0);
    await page.locator('.nav-item', { hasText: 'Azure Active Directory' }).click();
    await page.locator('section.blade .blade-subtitle', { hasText: 'Azure Active Directory' }).first().waitFor();
    await c.shot('back-to-2017');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.getByLabel('View', { exact: true }).inputValue(), 'azure-2017');

    const failing = axeResults.filter((r) => r.violations.length);
    assert.deepEqual(failing.map((r) => `${r.name}: ${r.violations.map((v) => `${v.id} ${v.nodes.slice(0, 3).map((x) => `${x.target}: ${x.summary}`).join(' | ')}`).join('; ')}`), []);
    assert.deepEqual(c.errors, []);
  });
});
