// Share (issue 14): the seed's step 1 done in one browser; its share link and its scenario file
// opened in a fresh browser profile give the same tenant: the exported documents (licenses,
// states, errors, audit lines with their times) are equal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { withConsole, startConsole, openConsole, openTenantBlade, fbutton, blade, waitIdle } from './helpers.mjs';
import { applyStepOne } from './flow.mjs';

async function exportTenant(page) {
  const tenant = await openTenantBlade(page);
  const [download] = await Promise.all([page.waitForEvent('download'), fbutton(tenant, 'Export').click()]);
  return JSON.parse(await readFile(await download.path(), 'utf8'));
}

test('a share link and a scenario file reproduce the seed after step 1 in a fresh browser', async (t) => {
  await withConsole(t, async ({ page, url, shot }) => {
    await openConsole(page, url);
    await applyStepOne(page);
    await page.locator('#share-button').click();
    const box = page.getByLabel('Share link');
    await page.waitForFunction(() => document.querySelector('#share-link')?.value.includes('#scenario='));
    const link = await box.inputValue();
    assert.ok(link.startsWith(`${url}#scenario=`), link.slice(0, 80));
    assert.match(link.slice(url.length), /^#scenario=[A-Za-z0-9_-]+$/, 'base64url in the fragment');
    assert.ok(link.length <= 8000, `the link is ${link.length} characters`);
    await shot('share-link');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=share-download]').click()]);
    const scenarioFile = await download.path();
    const scenario = JSON.parse(await readFile(scenarioFile, 'utf8'));
    assert.equal(scenario.format, 'gbl-scenario/1');
    assert.deepEqual(scenario.base, { builtIn: 'sample' });
    assert.ok(scenario.log.some((op) => op.batch?.requests?.[0]?.url?.endsWith('/assignLicense')));
    await page.locator('[data-testid=share-close]').click();
    const original = await exportTenant(page);
    assert.equal(original.groups.find((g) => g.displayName === 'HR Department').membersWithLicenseErrors.length, 10);

    const fresh = await startConsole(t);
    try {
      const other = fresh.page;
      // The scenario file, chosen on Scenarios in a fresh profile (nothing to lose: no confirmation).
      await openConsole(other, fresh.url);
      await other.locator('#scenarios-button').click();
      await other.locator('#scenario-file').setInputFiles(scenarioFile);
      await other.waitForSelector('body[data-scenario-loads="1"]');
      await waitIdle(other);
      assert.deepEqual(await exportTenant(other), original, 'the scenario file gives the same tenant');

      // The link itself in another fresh profile.
      const third = await startConsole(t);
      try {
        await openConsole(third.page, link);
        await waitIdle(third.page);
        assert.doesNotMatch(await third.page.evaluate(() => location.hash), /scenario=/, 'the fragment is read, then cleared');
        assert.deepEqual(await exportTenant(third.page), original, 'the share link gives the same tenant');
        await third.shot('share-opened');
      } finally {
        await third.close();
      }

      // The link in the profile that now has changes (on its own origin): asked first, then loaded.
      await other.goto(fresh.url + link.slice(url.length)); // the fragment changes in the same page
      await other.waitForSelector('body[data-ready="true"]');
      const confirm = blade(other, 'Scenarios').locator('[data-testid=scenario-confirm]');
      await confirm.getByText('replaces Contoso').waitFor();
      await confirm.locator('[data-testid=scenario-confirm-load]').click();
      await other.waitForSelector('body[data-scenario-loads="2"]');
      await waitIdle(other);
      assert.deepEqual(await exportTenant(other), original, 'the link after the confirmation gives the same tenant');
    } finally {
      await fresh.close();
    }
  });
});
