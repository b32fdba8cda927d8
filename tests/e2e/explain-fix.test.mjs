// Explain + fix (issue 12): a failed assignment says why in words (the two plans and where each
// comes from) and lists the fixes Microsoft's troubleshooting article gives, each previewed in one
// click and staged in the plan; applying the staged fix clears the error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, openTenantBlade, waitIdle, blade, fbutton } from './helpers.mjs';
import { applyStepOne, openGroupLicenses } from './flow.mjs';

test('a conflicting service plans error is explained with its fixes; the previewed fix, staged and applied, clears it', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await applyStepOne(page);

    const licenses = await openGroupLicenses(page, 'HR Department');
    await licenses.getByText('10 users have license assignment errors').click();
    const errors = blade(page, 'HR Department - Users with license errors');
    const first = errors.locator('[data-table=group-errors] .table-spacer .row:not(.loading)').first();
    await first.waitFor();
    const userName = (await first.locator('.cell').first().innerText()).trim();
    await first.locator('.row-link').click();
    const user = blade(page, `${userName} - Licenses`);
    await user.locator('.simple-body .row', { hasText: 'Office 365 E3' }).locator('.row-link').click();
    const e3 = blade(page, `Office 365 E3 - ${userName}`);
    const explain = e3.locator('[data-testid=explain-fix]');
    await explain.locator('[data-testid=fix]').first().waitFor();
    const text = await explain.innerText();
    assert.match(text, /Why Inherited \(HR Department\) failed/);
    assert.match(text, /Conflicting service plans: SharePoint \(Plan 2\) from HR Department conflicts with SharePoint \(Plan 1\) from Kiosk users\./);
    const fixes = await explain.locator('[data-testid=fix] .fix-title').allInnerTexts();
    assert.deepEqual(fixes, [
      `Remove ${userName} from Kiosk users`,
      'Switch Kiosk users from Office 365 E1 to Office 365 E3',
      'Turn off SharePoint (Plan 2) in Office 365 E3 of HR Department',
      `Reprocess ${userName}`,
    ]);
    await c.shot('explain-and-fix');

    // Preview, in one click: the user gets both products and loses E1; nothing changes.
    const remove = explain.locator('[data-testid=fix]', { hasText: `Remove ${userName} from Kiosk users` });
    await remove.locator(`fluent-button[aria-label="Preview: Remove ${userName} from Kiosk users"]`).click();
    await remove.locator('.fix-preview[data-state=ready]').waitFor();
    const preview = await remove.locator('.fix-preview').innerText();
    assert.match(preview, /1 user gets Office 365 E3, Enterprise Mobility \+ Security E3\./);
    assert.match(preview, /1 user loses Office 365 E1\./);
    // Switching Kiosk users to E3 instead: its members trade E1 for E3 (one product from two groups
    // does not conflict), and this user, processed again, is no longer in error.
    const switchFix = explain.locator('[data-testid=fix]', { hasText: 'Switch Kiosk users from Office 365 E1 to Office 365 E3' });
    await switchFix.locator('fluent-button', { hasText: 'Preview' }).click();
    await switchFix.locator('.fix-preview[data-state=ready]').waitFor();
    const switched = await switchFix.locator('.fix-preview').innerText();
    assert.match(switched, /users? loses? Office 365 E1\./);
    assert.match(switched, /1 user is no longer in error: Conflicting service plans/);
    // Turning the plan off in HR Department's E3 instead licenses all ten in conflict.
    const off = explain.locator('[data-testid=fix]', { hasText: 'Turn off SharePoint (Plan 2) in Office 365 E3 of HR Department' });
    await off.locator('fluent-button', { hasText: 'Preview' }).click();
    await off.locator('.fix-preview[data-state=ready]').waitFor();
    assert.match(await off.locator('.fix-preview').innerText(), /10 users get Office 365 E3, Enterprise Mobility \+ Security E3\./);

    // Staged and applied from the plan: the error is gone.
    await remove.locator('fluent-button', { hasText: 'Add to plan' }).click();
    await page.locator('#plan-badge', { hasText: '1' }).waitFor();
    await page.locator('#plan-button').click();
    const planBlade = blade(page, 'Plan');
    await planBlade.locator('[data-testid=plan-effect][data-state=ready]').waitFor();
    await fbutton(planBlade, 'Apply plan').click();
    await page.locator('#plan-badge').waitFor({ state: 'hidden' });
    await waitIdle(page);
    await planBlade.locator('.blade-close').click();
    await explain.locator('[data-testid=fix]').first().waitFor({ state: 'detached' });
    assert.match(await e3.locator('.simple-body .row', { hasText: 'Exchange Online (Plan 2)' }).innerText(), /On\s+Inherited \(HR Department\)/);
    assert.equal(await explain.locator('[data-testid=fix]').count(), 0, 'nothing left to fix');
    assert.deepEqual(c.errors, []);
  });
});

test('the users in error of a group and every license assignment path download as CSV files Excel opens', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await applyStepOne(page);
    const { readFile } = await import('node:fs/promises');
    const licenses = await openGroupLicenses(page, 'HR Department');
    await licenses.getByText('10 users have license assignment errors').click();
    const errors = blade(page, 'HR Department - Users with license errors');
    const [csv] = await Promise.all([page.waitForEvent('download'), fbutton(errors, 'Download CSV').click()]);
    assert.equal(csv.suggestedFilename(), 'HR Department - users with license errors.csv');
    const lines = (await readFile(await csv.path(), 'utf8')).trimEnd().split('\r\n');
    assert.equal(lines[0], '\ufeffuserId,userPrincipalName,displayName,groupId,group,skuId,product,error,reason,evidence');
    assert.equal(lines.length, 21, 'E3 and EMS for each of the ten');
    assert.ok(lines.slice(1).every((l) => /,HR Department,/.test(l)));

    await page.locator('.nav-item', { hasText: 'Users and groups' }).click();
    const ug = blade(page, 'Users and groups - All users');
    const [paths] = await Promise.all([page.waitForEvent('download'), fbutton(ug, 'Download assignment paths').click()]);
    const rows = (await readFile(await paths.path(), 'utf8')).trimEnd().split('\r\n');
    assert.equal(rows[0], '\ufeffuserId,userPrincipalName,displayName,skuId,product,assignment,groupId,group,state,error');
    assert.equal(rows.filter((r) => /,ENTERPRISEPACK,Inherited,[^,]*,HR Department,/.test(r)).length, 1000);
    // The ten: E3 in conflict, EMS not assigned with it (all or nothing).
    assert.equal(rows.filter((r) => /,ENTERPRISEPACK,.*,MutuallyExclusiveViolation$/.test(r)).length, 10);
    assert.equal(rows.filter((r) => /,EMS,.*,Other$/.test(r)).length, 10);
    assert.deepEqual(c.errors, []);
  });
});

// A prerequisite that no product of the group has: the fix adds a product of the tenant that has it,
// to the same group (a group license finds its prerequisites only in the same group), with only that
// plan on; previewed, it licenses the user.
test('a missing prerequisite is fixed by adding, to the same group, a product that has it with only that plan on', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const addOnPlan = '0b3e57e2-4c3b-4e31-9f49-1d6b0f7f0a01';
    const basePlan = '0b3e57e2-4c3b-4e31-9f49-1d6b0f7f0a02';
    const otherPlan = '0b3e57e2-4c3b-4e31-9f49-1d6b0f7f0a03';
    const plan = (servicePlanId, servicePlanName) => ({ servicePlanId, servicePlanName, appliesTo: 'User', provisioningStatus: 'Success' });
    const doc = {
      organization: [{ id: 'org', displayName: 'Fabrikam', countryLetterCode: 'US' }],
      subscribedSkus: [
        { skuId: '6a7e2c41-5a3e-4f7c-9d8f-0c1b2a3d4e01', skuPartNumber: 'ADDON_ANALYTICS', prepaidUnits: { enabled: 10 }, servicePlans: [plan(addOnPlan, 'ANALYTICS_ADDON')] },
        { skuId: '6a7e2c41-5a3e-4f7c-9d8f-0c1b2a3d4e02', skuPartNumber: 'BASE_SUITE', prepaidUnits: { enabled: 10 }, servicePlans: [plan(basePlan, 'BASE_SERVICE'), plan(otherPlan, 'OTHER_SERVICE')] },
      ],
      licensingRules: { dependencies: [{ servicePlanId: addOnPlan, requiresAnyOf: [basePlan] }] },
      users: [{ id: '7c0a9f10-1111-4a4a-8b8b-000000000001', displayName: 'Ann Lee', userPrincipalName: 'ann@fabrikam.com', usageLocation: 'US', accountEnabled: true }],
      groups: [{
        id: '8d1b0e20-2222-4b4b-9c9c-000000000001', displayName: 'Analytics users', securityEnabled: true, mailEnabled: false, groupTypes: [],
        assignedLicenses: [{ skuId: '6a7e2c41-5a3e-4f7c-9d8f-0c1b2a3d4e01', disabledPlans: [] }],
        members: ['7c0a9f10-1111-4a4a-8b8b-000000000001'],
      }],
    };
    await openTenantBlade(page);
    await page.setInputFiles('#tenant-file', { name: 'fabrikam.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
    await blade(page, 'Fabrikam - Overview').waitFor();
    await waitIdle(page);

    const licenses = await openGroupLicenses(page, 'Analytics users');
    await licenses.getByText(/1 user has license assignment errors/).click();
    const errors = blade(page, 'Analytics users - Users with license errors');
    const first = errors.locator('[data-table=group-errors] .table-spacer .row:not(.loading)').first();
    await first.waitFor();
    await first.locator('.row-link').click();
    const user = blade(page, 'Ann Lee - Licenses');
    await user.locator('.simple-body .row', { hasText: 'ADDON_ANALYTICS' }).locator('.row-link').click();
    const explain = blade(page, 'ADDON_ANALYTICS - Ann Lee').locator('[data-testid=explain-fix]');
    await explain.locator('[data-testid=fix]').first().waitFor();
    const fixes = await explain.locator('[data-testid=fix] .fix-title').allInnerTexts();
    const title = 'Add BASE_SUITE with only BASE_SERVICE on to Analytics users';
    assert.ok(fixes.includes(title), fixes.join(' | '));
    const fix = explain.locator('[data-testid=fix]', { hasText: title });
    await fix.locator('fluent-button', { hasText: 'Preview' }).click();
    await fix.locator('.fix-preview[data-state=ready]').waitFor();
    const preview = await fix.locator('.fix-preview').innerText();
    assert.match(preview, /1 user gets ADDON_ANALYTICS, BASE_SUITE\./);
    assert.match(preview, /1 user is no longer in error/);
    assert.deepEqual(c.errors, []);
  });
});
