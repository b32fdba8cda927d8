// The seed walkthrough as reusable steps (each test drives the console the way an admin would).
import assert from 'node:assert/strict';
import { blade, fbutton, waitIdle } from './helpers.mjs';

/** Home → More services → Azure Active Directory → Licenses → All products. */
export async function openAllProducts(page) {
  await page.locator('.nav-item', { hasText: 'More services' }).click();
  await blade(page, 'All services').locator('button', { hasText: 'Azure Active Directory' }).click();
  await blade(page, 'Overview').locator('.aad-nav button', { hasText: 'Licenses' }).click();
  const licenses = blade(page, 'Licenses -');
  await licenses.locator('[role=tab]', { hasText: 'All products' }).click();
  const products = blade(page, 'Licenses - All products');
  await products.locator('.row', { hasText: 'Office 365 E3' }).waitFor();
  return products;
}

/**
 * Numbers of one All products row, read from the page. The cells' text content: All products may be
 * an earlier blade shown as its strip (its list laid out and kept current, unseen) while Assign
 * license is open beside it.
 */
export async function productRow(bladeLocator, name) {
  const row = bladeLocator.locator('.simple-body .row').filter({ has: bladeLocator.page().locator('.row-link', { hasText: new RegExp(`^${name}$`) }) });
  await row.locator('.cell').nth(5).waitFor({ state: 'attached' });
  const cells = await row.locator('.cell').allTextContents();
  const n = (s) => Number(String(s).replace(/[^\d]/g, ''));
  return { total: n(cells[2]), assigned: n(cells[3]), available: n(cells[4]), expiringSoon: n(cells[5]) };
}

/**
 * All products → the products checked → Assign → Users and groups → search the group → select it →
 * Select. Returns the Assign license blade, the group chosen.
 */
export async function startAssign(page, productNames, groupName, shot) {
  const products = await openAllProducts(page);
  for (const name of productNames) await products.locator('.row', { hasText: name }).locator('input[type=checkbox]').check();
  await shot?.('all-products-selected');
  await fbutton(products, 'Assign').click();
  const assign = blade(page, 'Assign license');
  await assign.waitFor();
  await assign.locator('[data-testid=pick-principals]').click();
  const picker = blade(page, 'Users and groups');
  await picker.locator('[data-testid=picker-search] input').fill(groupName);
  const groupRow = picker.locator('[data-table=pick-groups] .table-spacer .row', { hasText: groupName });
  // The search narrowed the list to the one group.
  await page.waitForFunction(() => document.querySelectorAll('[data-table=pick-groups] .table-spacer .row').length === 1);
  await groupRow.locator('input[type=checkbox]').check();
  await shot?.('picker-hr-selected');
  await fbutton(picker, 'Select').click();
  await picker.waitFor({ state: 'detached' });
  await assign.locator('[data-testid=pick-principals]', { hasText: groupName }).waitFor();
  return assign;
}

/**
 * Step 1 of the seed: select E3 and EMS → Assign → Users and groups → search HR Department → select →
 * Select → Assignment options → Yammer Enterprise Off → OK → Assign (or `submit`: Add to plan).
 * Returns the All products blade.
 */
export async function assignE3AndEmsToHr(page, shot, beforeAssign, submit = 'Assign') {
  const assign = await startAssign(page, ['Office 365 E3', 'Enterprise Mobility + Security E3'], 'HR Department', shot);
  const products = blade(page, 'Licenses - All products');
  await assign.locator('[data-testid=assignment-options]').click();
  const options = blade(page, 'Assignment options');
  await options.locator('h3', { hasText: 'Office 365 E3' }).waitFor();
  await options.locator('h3', { hasText: 'Enterprise Mobility + Security E3' }).waitFor();
  const yammer = options.locator('.plan-row', { hasText: 'Yammer Enterprise' });
  assert.equal(await yammer.count(), 1, 'Yammer Enterprise is listed once');
  await yammer.locator('fluent-switch').click();
  await assert.doesNotReject(yammer.locator('.switch-state', { hasText: 'Off' }).waitFor());
  await shot?.('assignment-options-yammer-off');
  await fbutton(options, 'OK').click();
  await options.waitFor({ state: 'detached' });
  await assign.locator('[data-testid=assignment-options]', { hasText: '1 service turned off' }).waitFor();
  await beforeAssign?.();
  await fbutton(assign, submit).click();
  await assign.waitFor({ state: 'detached' });
  return products;
}

/** Step 1 of the seed done and its processing finished (the starting point of steps 2 and 3). */
export async function applyStepOne(page) {
  await assignE3AndEmsToHr(page);
  await waitIdle(page);
}

/** Opens the notifications panel and returns the newest notification card. */
export async function newestNotification(page) {
  const panel = page.locator('#notifications');
  if (await panel.isHidden()) await page.locator('#bell').click();
  return panel.locator('.notif').first();
}

/** Users and groups → All groups → search → open the group → one of its tabs (Licenses, Members…). */
export async function openGroupTab(page, name, tab) {
  await page.locator('.nav-item', { hasText: 'Azure Active Directory' }).click();
  await blade(page, 'Overview').locator('.aad-nav button', { hasText: 'Users and groups' }).click();
  const ug = blade(page, 'Users and groups -');
  await ug.locator('[role=tab]', { hasText: 'All groups' }).click();
  await ug.locator('[data-testid=search-groups] input').fill(name);
  const row = ug.locator('[data-table=groups] .row', { hasText: name }).first();
  await row.waitFor();
  await row.locator('.row-link').click();
  const group = blade(page, `${name} -`);
  await group.locator('[role=tab]', { hasText: tab }).click();
  await blade(page, `${name} - ${tab}`).waitFor();
  return blade(page, `${name} - ${tab}`);
}

/** Users and groups → All groups → search → open the group → Licenses tab. */
export function openGroupLicenses(page, name) {
  return openGroupTab(page, name, 'Licenses');
}

/** Stages the removal of Office 365 E1 from Kiosk users (its Remove license confirmation). */
export async function stageKioskE1Removal(page) {
  const licenses = await openGroupLicenses(page, 'Kiosk users');
  await licenses.locator('.simple-body .row', { hasText: 'Office 365 E1' }).locator('.row-link').click();
  const options = blade(page, 'Office 365 E1 - Assignment options');
  await options.waitFor();
  await fbutton(options, 'Remove license').click();
  const confirm = blade(page, 'Remove license');
  await confirm.locator('[data-testid=confirm-preview][data-state=ready]').waitFor();
  await fbutton(confirm, 'Add to plan').click();
  await confirm.waitFor({ state: 'detached' });
}

export { waitIdle };
