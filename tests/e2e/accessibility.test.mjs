// Accessibility (issue 13): axe-core (npm) runs in the page on every main blade of the seed's
// walkthrough and finds no critical or serious violation. axe's source is evaluated as a string in the
// page (the console's CSP forbids a <script> tag from elsewhere). The only exclusion: the colour
// contrast of disabled controls (WCAG 1.4.3 exempts inactive components; axe cannot tell that a Fluent
// button is disabled, since its state lives in ElementInternals).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, fbutton, openTenantBlade } from './helpers.mjs';
import { assignE3AndEmsToHr, openAllProducts, openGroupTab, startAssign } from './flow.mjs';
import { FAILING, axeViolations, describeViolations, settle } from './axe.mjs';

test('axe-core finds no critical or serious violation on the main blades', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    /** @type {{name: string, violations: any[]}[]} */
    const results = [];
    const check = async (name) => {
      // Let the blade's rows, fonts and transitions settle before axe reads the page.
      await settle(page);
      const violations = await axeViolations(page);
      results.push({ name, violations });
      await c.shot(name.replace(/\W+/g, '-').toLowerCase());
      const counts = violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`).join(', ');
      t.diagnostic(`${name}: ${violations.length ? counts : 'no violation'}`);
      if (process.env.GBL_AXE_VERBOSE) t.diagnostic(describeViolations([{ name, violations }]));
    };

    await openConsole(page, c.url);
    await page.getByText('Azure services', { exact: true }).waitFor();
    await check('Home');

    await page.locator('.nav-item', { hasText: 'Azure Active Directory' }).click();
    await blade(page, 'Overview').getByText('License processing', { exact: true }).waitFor();
    await check('Azure Active Directory overview');

    await openAllProducts(page);
    await check('Licenses - All products');

    // Assign license and its Assignment options, staged to the plan (then the Plan blade).
    const assign = await startAssign(page, ['Office 365 E3', 'Enterprise Mobility + Security E3'], 'HR Department');
    await assign.getByText('Before you assign: what will happen', { exact: false }).waitFor();
    await check('Assign license');
    await assign.locator('[data-testid=assignment-options]').click();
    const options = blade(page, 'Assignment options');
    await options.locator('.plan-row', { hasText: 'Yammer Enterprise' }).waitFor();
    await check('Assignment options');
    await fbutton(options, 'OK').click();
    await options.waitFor({ state: 'detached' });
    await fbutton(assign, 'Add to plan').click();
    await assign.waitFor({ state: 'detached' });
    await page.locator('#plan-button').click();
    const planBlade = blade(page, 'Plan');
    await planBlade.locator('[data-testid=plan-effect][data-state=ready]').waitFor();
    await check('Plan');
    await fbutton(planBlade, 'Discard plan').click();
    await page.locator('#plan-badge').waitFor({ state: 'hidden' });

    // Step 1 of the seed done: the blades below then show users in error.
    await assignE3AndEmsToHr(page);
    await waitIdle(page);

    const products = await openAllProducts(page);
    await products.locator('.row-link', { hasText: /^Office 365 E3$/ }).click();
    const licensedUsers = blade(page, 'Office 365 E3 - Licensed users');
    await licensedUsers.locator('[data-table=licensed-users] .table-spacer .row:not(.loading)').first().waitFor();
    await check('Office 365 E3 - Licensed users');
    await blade(page, 'Office 365 E3 -').locator('[role=tab]', { hasText: 'Licensed groups' }).click();
    await blade(page, 'Office 365 E3 - Licensed groups').locator('[data-table=licensed-groups] .row', { hasText: 'HR Department' }).waitFor();
    await check('Office 365 E3 - Licensed groups');

    await page.locator('.nav-item', { hasText: 'Users and groups' }).click();
    const allUsers = blade(page, 'Users and groups - All users');
    await allUsers.locator('[data-table=users] .table-spacer .row:not(.loading)').first().waitFor();
    await check('Users and groups - All users');

    await page.locator('.nav-item', { hasText: 'Users and groups' }).click();
    const ug = blade(page, 'Users and groups -');
    await ug.locator('[role=tab]', { hasText: 'All groups' }).click();
    await ug.locator('[data-table=groups] .table-spacer .row:not(.loading)').first().waitFor();
    await check('Users and groups - All groups');

    const overview = await openGroupTab(page, 'HR Department', 'Overview');
    await overview.locator('.kv').first().waitFor();
    await check('HR Department - Overview');
    const licenses = await openGroupTab(page, 'HR Department', 'Licenses');
    await licenses.getByText('10 users have license assignment errors').waitFor();
    await check('HR Department - Licenses');

    // A user in error, their licenses, and one license's detail.
    await licenses.getByText('10 users have license assignment errors').click();
    const errors = blade(page, 'HR Department - Users with license errors');
    const firstError = errors.locator('[data-table=group-errors] .table-spacer .row:not(.loading)').first();
    await firstError.waitFor();
    await check('HR Department - Users with license errors');
    const userName = (await firstError.locator('.cell').first().innerText()).trim();
    await firstError.locator('.row-link').click();
    const user = blade(page, `${userName} - Licenses`);
    const e3 = user.locator('.simple-body .row', { hasText: 'Office 365 E3' });
    await e3.waitFor();
    await check('A user - Licenses');
    await e3.locator('.row-link').click();
    const e3Blade = blade(page, `Office 365 E3 - ${userName}`);
    await e3Blade.locator('.simple-body .row', { hasText: 'Exchange Online (Plan 2)' }).waitFor();
    await check("A user's license");
    await e3Blade.locator('.blade-close').click();
    await e3Blade.waitFor({ state: 'detached' });
    await user.locator('[role=tab]', { hasText: 'Profile' }).click();
    await blade(page, `${userName} - Profile`).locator('.kv').waitFor();
    await check('A user - Profile');

    const members = await openGroupTab(page, 'HR Department', 'Members');
    await members.locator('.table-spacer .row:not(.loading)').first().waitFor();
    await check('HR Department - Members');
    const groupAudit = await openGroupTab(page, 'HR Department', 'Audit logs');
    await groupAudit.locator('[data-table=audit] .table-spacer .row:not(.loading)').first().waitFor();
    await check('HR Department - Audit logs');

    await openTenantBlade(page);
    await check('Tenant document');

    await page.locator('.nav-item', { hasText: 'Audit logs' }).click();
    await blade(page, 'Audit logs').locator('[data-table=audit] .table-spacer .row:not(.loading)').first().waitFor();
    await check('Audit logs');

    // On a narrow page (320 px: lists scroll sideways inside themselves) the lists stay accessible.
    await page.locator('.nav-item', { hasText: 'Users and groups' }).click();
    await allUsers.locator('[data-table=users] .table-spacer .row:not(.loading)').first().waitFor();
    await page.setViewportSize({ width: 320, height: 800 });
    await check('Users and groups - All users at 320 px');
    await page.setViewportSize({ width: 1600, height: 1000 });
    await openAllProducts(page);
    await page.setViewportSize({ width: 320, height: 800 });
    await check('Licenses - All products at 320 px');
    await page.setViewportSize({ width: 1600, height: 1000 });

    const failing = results.map(({ name, violations }) => ({ name, violations: violations.filter((v) => FAILING.has(v.impact)) }));
    const list = describeViolations(failing);
    assert.ok(!list, `critical or serious accessibility violations:\n${list}`);
    const others = describeViolations(results.map(({ name, violations }) => ({ name, violations: violations.filter((v) => !FAILING.has(v.impact)) })));
    if (others) t.diagnostic(`moderate and minor (not failing):\n${others}`);
    assert.deepEqual(c.errors, []);
  });
});

test('lists are grids with one tab stop and an active row; the count, the processing status and the messages are live; Go to All products keeps the keyboard on the blade', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const focused = () => page.evaluate(() => {
      const a = document.activeElement;
      return { tag: a?.tagName, role: a?.getAttribute('role'), text: (a?.textContent || '').trim().slice(0, 80), activedescendant: a?.getAttribute('aria-activedescendant') };
    });

    // Licenses > Overview > Go to All products, with the keyboard: focus lands on the heading of
    // the view it opened (it fell to the page's body).
    await page.locator('.nav-item', { hasText: 'Licenses' }).click();
    const licenses = blade(page, 'Licenses -');
    await licenses.locator('[role=tab]', { hasText: 'Overview' }).click();
    const go = licenses.getByText('Go to All products', { exact: true });
    await go.focus();
    await page.keyboard.press('Enter');
    await blade(page, 'Licenses - All products').locator('.row', { hasText: 'Office 365 E3' }).waitFor();
    const after = await focused();
    assert.equal(after.tag, 'H2', JSON.stringify(after));
    assert.equal(after.text, 'Licenses - All products');

    // All users: the grid is the scrolling element and the one tab stop; its rows are not tab stops.
    await page.locator('.nav-item', { hasText: 'Users and groups' }).click();
    const users = blade(page, 'Users and groups - All users');
    const grid = users.locator('[data-table=users] [role=grid]');
    await users.locator('[data-table=users] .table-spacer .row:not(.loading)').first().waitFor();
    assert.equal(await grid.getAttribute('aria-label'), 'All users');
    assert.equal(await grid.getAttribute('tabindex'), '0');
    assert.equal(await grid.locator('[tabindex="0"]').count(), 0, 'one tab stop: the grid');
    assert.ok(Number(await grid.getAttribute('aria-rowcount')) > 1000);
    assert.deepEqual(await grid.locator('[role=columnheader]').allInnerTexts(), ['Name', 'User name', 'Usage location', 'Licenses', 'License errors', 'Sign-in']);
    // The count is a status region next to the grid, not inside it.
    const status = users.locator('[data-table=users] .table-footer [role=status]');
    assert.match(await status.innerText(), /^1,040 items$/);
    assert.equal(await grid.locator('[role=status], [aria-live]').count(), 0);
    // Tab from the search box reaches the grid (past Download assignment paths); the arrows move the
    // active row, which aria-activedescendant names; End reaches the last user; Enter opens.
    await users.locator('[data-testid=search-users] input').focus();
    for (let i = 0; i < 5 && (await focused()).role !== 'grid'; i++) await page.keyboard.press('Tab');
    assert.equal((await focused()).role, 'grid');
    await page.keyboard.press('ArrowDown');
    const activeRow = async () => {
      const id = await grid.getAttribute('aria-activedescendant');
      assert.ok(id, 'the grid names its active row');
      const row = page.locator(`[id="${id}"]`);
      assert.equal(await row.getAttribute('role'), 'row');
      assert.match(await row.getAttribute('class'), /\bactive\b/);
      return row;
    };
    assert.equal(await (await activeRow()).getAttribute('aria-rowindex'), '3', 'the second user (row 1 is the header)');
    await page.keyboard.press('End');
    await users.locator('[data-table=users] .row.active[aria-rowindex="1041"]').waitFor();
    const last = (await (await activeRow()).locator('.cell').first().innerText()).trim();
    await page.keyboard.press('Home');
    await users.locator('[data-table=users] .row.active[aria-rowindex="2"]').waitFor();
    await page.keyboard.press('End');
    await users.locator('[data-table=users] .row.active[aria-rowindex="1041"]').waitFor();
    await page.keyboard.press('Enter');
    await blade(page, `${last} - Licenses`).waitFor();

    // A list with selection: Space selects the active row (aria-selected), the count says so.
    const products = await openAllProducts(page);
    await products.locator('.row', { hasText: 'Office 365 E3' }).locator('input[type=checkbox]').check();
    await fbutton(products, 'Assign').click();
    await blade(page, 'Assign license').locator('[data-testid=pick-principals]').click();
    const picker = blade(page, 'Users and groups');
    const groups = picker.locator('[data-table=pick-groups] [role=grid]');
    await picker.locator('[data-table=pick-groups] .table-spacer .row:not(.loading)').first().waitFor();
    assert.equal(await groups.getAttribute('aria-multiselectable'), 'true');
    await groups.focus();
    await page.keyboard.press(' ');
    const chosen = page.locator(`[id="${await groups.getAttribute('aria-activedescendant')}"]`);
    assert.equal(await chosen.getAttribute('aria-selected'), 'true');
    await picker.locator('[data-table=pick-groups] .table-footer [role=status]', { hasText: '1 selected' }).waitFor();
    await picker.locator('.blade-close').click();
    // The Assign blade's message (an error of Assign) is read out at once.
    assert.equal(await blade(page, 'Assign license').locator('[data-testid=assign-message]').getAttribute('role'), 'alert');
    await blade(page, 'Assign license').locator('.blade-close').click();

    // The top bar's processing text and a group's processing status are live regions.
    assert.equal(await page.locator('#busy').getAttribute('role'), 'status');
    const hr = await openGroupTab(page, 'HR Department', 'Licenses');
    assert.equal(await hr.locator('[data-testid=group-status]').getAttribute('role'), 'status');
    assert.deepEqual(c.errors, []);
  });
});
