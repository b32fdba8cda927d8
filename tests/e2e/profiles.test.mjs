// Rule profiles in the console: the top bar shows the profile in force; Tenant document → Licensing
// rules switches it; the seed's step 1 gives 990 licensed and 10 in conflict on either profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade } from './helpers.mjs';
import { assignE3AndEmsToHr, openGroupLicenses } from './flow.mjs';

for (const profile of ['current', '2017']) {
  test(`rule profile ${profile}: shown, switchable, and the seed's step 1 fails 10 users`, async (t) => {
    await withConsole(t, async (c) => {
      const { page } = c;
      await openConsole(page, c.url);
      const badge = page.locator('#rules-badge');
      await badge.filter({ hasText: 'Rules: current' }).waitFor();
      await page.locator('.nav-item', { hasText: 'Azure Active Directory' }).click();
      await blade(page, 'Overview').locator('.aad-nav button', { hasText: 'Tenant document' }).click();
      const tenantBlade = blade(page, 'Tenant document');
      await tenantBlade.getByText('Licensing rules', { exact: true }).waitFor();
      const select = tenantBlade.getByLabel('Rule profile');
      assert.equal(await select.inputValue(), 'current');
      if (profile !== 'current') {
        await select.selectOption(profile);
        await badge.filter({ hasText: `Rules: ${profile}` }).waitFor();
        await page.locator('#toasts .notif', { hasText: `Rule profile ${profile}` }).first().waitFor();
      }
      await c.shot(`profile-${profile}`);

      await assignE3AndEmsToHr(page);
      await waitIdle(page);
      const licenses = await openGroupLicenses(page, 'HR Department');
      await licenses.getByText('10 users have license assignment errors').waitFor();
      await c.shot(`step1-on-${profile}`);
      assert.deepEqual(c.errors, []);
    });
  });
}
