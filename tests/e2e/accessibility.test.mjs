// Accessibility (issue 13): axe-core (npm) runs in the page on every main blade of the seed's
// walkthrough and finds no critical or serious violation. axe's source is evaluated as a string in the
// page (the console's CSP forbids a <script> tag from elsewhere). The only exclusion: the colour
// contrast of disabled controls (WCAG 1.4.3 exempts inactive components; axe cannot tell that a Fluent
// button is disabled, since its state lives in ElementInternals).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { withConsole, openConsole, waitIdle, blade, fbutton, openTenantBlade } from './helpers.mjs';
import { assignE3AndEmsToHr, openAllProducts, openGroupTab, startAssign } from './flow.mjs';

const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Impacts that fail the test. */
const FAILING = new Set(['critical', 'serious']);

/**
 * Runs axe-core on the whole page and returns its violations, each with the impact, the rule, the
 * help text and the elements (CSS paths and axe's summary). Colour contrast on disabled controls is
 * left out (see the top of the file).
 * @param {import('playwright-core').Page} page
 */
async function axeViolations(page) {
  const hasAxe = await page.evaluate(() => typeof (/** @type {any} */ (window).axe) === 'object');
  // The whole source as one string, evaluated in the page: no <script> element, so the CSP allows it.
  if (!hasAxe) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = /** @type {any} */ (window).axe;
    const res = await axe.run(document, { resultTypes: ['violations'] });
    /** The element a node's target names, through shadow roots. */
    const elementOf = (target) => {
      let root = document;
      let el = null;
      for (const sel of target) {
        el = root.querySelector(Array.isArray(sel) ? sel[0] : sel);
        if (!el) return null;
        root = el.shadowRoot || el;
      }
      return el;
    };
    const disabled = (el) => {
      for (let e = el; e; e = e.parentElement || (e.getRootNode() instanceof ShadowRoot ? e.getRootNode().host : null)) {
        if (e.hasAttribute?.('disabled') || e.getAttribute?.('aria-disabled') === 'true') return true;
      }
      return false;
    };
    return res.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes
        .filter((n) => !(v.id === 'color-contrast' && disabled(elementOf(n.target))))
        .map((n) => ({ target: n.target.map(String).join(' >> '), summary: n.failureSummary?.split('\n').slice(0, 3).join(' ') || '' })),
    })).filter((v) => v.nodes.length > 0);
  });
}

/** A readable list of violations: one line per rule, then its elements. */
function describe(results) {
  const lines = [];
  for (const { name, violations } of results) {
    for (const v of violations) {
      lines.push(`${name}: [${v.impact}] ${v.id} (${v.help}), ${v.nodes.length} element(s)`);
      for (const n of v.nodes.slice(0, 5)) lines.push(`    ${n.target}\n      ${n.summary}`);
      if (v.nodes.length > 5) lines.push(`    … and ${v.nodes.length - 5} more`);
    }
  }
  return lines.join('\n');
}

test('axe-core finds no critical or serious violation on the main blades', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    /** @type {{name: string, violations: any[]}[]} */
    const results = [];
    const check = async (name) => {
      // Let the blade's rows and fonts settle (a frame) before axe reads the page.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      const violations = await axeViolations(page);
      results.push({ name, violations });
      await c.shot(name.replace(/\W+/g, '-').toLowerCase());
      const counts = violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`).join(', ');
      t.diagnostic(`${name}: ${violations.length ? counts : 'no violation'}`);
      if (process.env.GBL_AXE_VERBOSE) t.diagnostic(describe([{ name, violations }]));
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

    const failing = results.map(({ name, violations }) => ({ name, violations: violations.filter((v) => FAILING.has(v.impact)) }));
    const list = describe(failing);
    assert.ok(!list, `critical or serious accessibility violations:\n${list}`);
    const others = describe(results.map(({ name, violations }) => ({ name, violations: violations.filter((v) => !FAILING.has(v.impact)) })));
    if (others) t.diagnostic(`moderate and minor (not failing):\n${others}`);
    assert.deepEqual(c.errors, []);
  });
});
