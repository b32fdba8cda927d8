// Remove license on a group is confirmed first, with what it would do: the members who lose the
// product and the seats freed (the planner's preview). Cancel changes nothing; Remove removes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, fbutton } from './helpers.mjs';
import { applyStepOne, openAllProducts, openGroupLicenses, productRow } from './flow.mjs';

test('Remove license on a group asks first, saying how many members lose it and the seats freed', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await applyStepOne(page);
    const before = await productRow(await openAllProducts(page), 'Office 365 E3');

    const openRemove = async () => {
      const licenses = await openGroupLicenses(page, 'HR Department');
      await licenses.locator('.simple-body .row', { hasText: 'Office 365 E3' }).locator('.row-link').click();
      const options = blade(page, 'Office 365 E3 - Assignment options');
      await options.waitFor();
      await fbutton(options, 'Remove license').click();
      const confirm = blade(page, 'Remove license');
      await confirm.locator('[data-testid=confirm-preview][data-state=ready]').waitFor();
      return confirm;
    };
    let confirm = await openRemove();
    const text = await confirm.innerText();
    assert.match(text, /990 users lose Office 365 E3\./);
    // The ten in conflict are no longer in error, and EMS (all or nothing) reaches them.
    assert.match(text, /10 users get Enterprise Mobility \+ Security E3\./);
    assert.match(text, /Remove makes the change/);
    assert.match(text, new RegExp(`Office 365 E3: ${before.assigned.toLocaleString('en-US')} → ${(before.assigned - 990).toLocaleString('en-US')} assigned`));
    await c.shot('remove-license-confirm');
    await fbutton(confirm, 'Cancel').click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal((await productRow(await openAllProducts(page), 'Office 365 E3')).assigned, before.assigned, 'Cancel changed nothing');

    confirm = await openRemove();
    await fbutton(confirm, 'Remove').click();
    await confirm.waitFor({ state: 'detached' });
    await waitIdle(page);
    const after = await productRow(await openAllProducts(page), 'Office 365 E3');
    assert.equal(before.assigned - after.assigned, 990);
    assert.deepEqual(c.errors, []);
  });
});
