// 1,000,000 users: the All users list stays virtualized and paged through the engine; past Chromium's
// element height limit it moves through the rows in windows, and the keyboard reaches the last user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { withConsole, openConsole, waitIdle, blade, repoRoot } from './helpers.mjs';

const USERS = 1_000_000;

function millionTenant() {
  const hex = (n, w) => n.toString(16).padStart(w, '0');
  const parts = ['{"organization":[{"id":"11111111-2222-4333-8444-555555555556","displayName":"Million Corp","countryLetterCode":"US"}],"subscribedSkus":[],"groups":[],"users":['];
  for (let i = 0; i < USERS; i++) {
    parts.push(`${i ? ',' : ''}{"id":"${hex(i, 8)}-0000-4000-8000-${hex(i, 12)}","displayName":"Person ${i + 1}","userPrincipalName":"p${i + 1}@million.example","usageLocation":"US","accountEnabled":true}`);
  }
  parts.push(']}');
  return Buffer.from(parts.join(''));
}

test('1,000,000 users: the users list pages through the engine in windows', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    // Over 50 MB: playwright takes it from a file.
    const file = path.join(repoRoot, 'build', 'e2e-tmp', 'million.json');
    await writeFile(file, millionTenant());
    t.after(() => rm(file, { force: true }));
    await page.evaluate(() => document.querySelector('[data-nav="aad"]').click());
    await blade(page, 'Overview').locator('.aad-nav button', { hasText: 'Tenant document' }).click();
    await page.setInputFiles('#tenant-file', file);
    await page.locator('#toasts .notif', { hasText: '1,000,000 users' }).waitFor({ timeout: 180000 });
    await waitIdle(page, 120000);
    await page.locator('.nav-item', { hasText: 'Users and groups' }).click();
    const ug = blade(page, 'Users and groups - All users');
    const footer = ug.locator('[data-table=users] .table-footer');
    await footer.filter({ hasText: '1,000,000 items' }).waitFor({ timeout: 60000 });
    const rendered = await ug.locator('[data-table=users] .table-spacer .row').count();
    assert.ok(rendered < 100, `only the visible rows are in the DOM (${rendered})`);
    // The first window, then the next one; End reaches the last user.
    assert.match(await footer.innerText(), /rows 1–[\d,]+/);
    await footer.locator('button', { hasText: 'Next rows' }).click();
    await footer.filter({ hasText: /rows [\d,]+–1,000,000/ }).waitFor();
    await ug.locator('[data-table=users] .table-scroll').focus();
    await page.keyboard.press('End');
    await ug.locator('[data-table=users] .row.active', { hasText: 'Person 1000000' }).waitFor();
    await c.shot('last-of-a-million');
    await footer.locator('button', { hasText: 'Previous rows' }).click();
    await ug.locator('[data-table=users] .row', { hasText: 'p1@million.example' }).first().waitFor();
    assert.deepEqual(c.errors, []);
  });
});
