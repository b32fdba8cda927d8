// The planner's preview in Assign license (the seed's own case): before Assign, the blade says that
// 990 users will get E3 + EMS and 10 will fail with conflicting service plans, naming the pair and
// Kiosk users, and the seats before and after; nothing changes until Assign.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, fbutton } from './helpers.mjs';
import { applyStepOne, assignE3AndEmsToHr, openAllProducts, openGroupLicenses, productRow } from './flow.mjs';

test('Assign license previews step 1 before anything changes: 990 licensed, 10 conflicts named, seats', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const before = await productRow(await openAllProducts(page), 'Office 365 E3');
    let previewText = '';
    await assignE3AndEmsToHr(page, null, async () => {
      // The preview follows every choice (Yammer Enterprise Off included): wait for the last one.
      const preview = blade(page, 'Assign license').locator('[data-testid=assign-preview][data-state=ready]');
      await preview.locator('[data-testid=preview-failures]').waitFor();
      previewText = await preview.innerText();
      await c.shot('preview-before-assign');
      // Nothing changed yet: the products list still shows the seats as they were.
      const unchanged = await productRow(blade(page, 'All products'), 'Office 365 E3');
      assert.equal(unchanged.assigned, before.assigned);
    });
    assert.match(previewText, /990 users get Office 365 E3, Enterprise Mobility \+ Security E3\./);
    assert.match(previewText, /10 users will fail\. Conflicting service plans: SharePoint \(Plan 2\) from HR Department conflicts with SharePoint \(Plan 1\) from Kiosk users/);
    assert.match(previewText, new RegExp(`Office 365 E3: ${before.assigned} → ${(before.assigned + 990).toLocaleString('en-US')} assigned`));
    assert.match(previewText, /Nothing has changed yet/);
    // Assign then does what the preview said.
    await waitIdle(page);
    const after = await productRow(await openAllProducts(page), 'Office 365 E3');
    assert.equal(after.assigned - before.assigned, 990);
    assert.deepEqual(c.errors, []);
  });
});

test("a group license's services: turning Yammer Enterprise back on previews the 990 members who get it, and can be staged", async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await applyStepOne(page);
    const licenses = await openGroupLicenses(page, 'HR Department');
    await licenses.locator('.simple-body .row', { hasText: 'Office 365 E3' }).locator('.row-link').click();
    const options = blade(page, 'Office 365 E3 - Assignment options');
    const yammer = options.locator('.plan-row', { hasText: 'Yammer Enterprise' });
    await yammer.locator('fluent-switch').click();
    const preview = options.locator('[data-testid=group-license-preview][data-state=ready]');
    await preview.locator('[data-testid=preview-services]').waitFor();
    const text = await preview.innerText();
    assert.match(text, /990 users get Yammer Enterprise \(Office 365 E3\)\./);
    assert.match(text, /Save makes the change/);
    await c.shot('group-license-preview');
    await fbutton(options, 'Add to plan').click();
    await options.waitFor({ state: 'detached' });
    await page.locator('#plan-badge', { hasText: '1' }).waitFor();
    assert.deepEqual(c.errors, []);
  });
});
