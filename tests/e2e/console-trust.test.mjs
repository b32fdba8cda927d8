// A console admins can trust (issue 13): no choice is dropped silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, fbutton } from './helpers.mjs';
import { openGroupLicenses, openGroupTab, startAssign } from './flow.mjs';

test('Assign while Assignment options is still open sends the services as switched (Yammer Enterprise stays off)', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const assign = await startAssign(page, ['Office 365 E3'], 'HR Department');
    await assign.locator('[data-testid=assignment-options]').click();
    const options = blade(page, 'Assignment options');
    await options.locator('.plan-row', { hasText: 'Yammer Enterprise' }).locator('fluent-switch').click();
    // The Assign blade shows the choice at once, before OK.
    await assign.locator('[data-testid=assignment-options]', { hasText: '1 service turned off' }).waitFor();
    await c.shot('assign-before-ok');
    await fbutton(assign, 'Assign').click();
    await assign.waitFor({ state: 'detached' });
    await waitIdle(page);
    // The job's notification, once it is over: in the past tense, and counted once on the bell
    // (it was "Assigning…" and 2).
    const toast = page.locator('#toasts .notif').first();
    await toast.locator('.notif-title', { hasText: 'Assigned licenses to HR Department' }).waitFor();
    assert.equal(await page.locator('#bell-badge').innerText(), '1');
    // Hovered, a toast stays (the timer is held while the pointer is on it).
    await toast.hover();
    assert.equal(await toast.evaluate((el) => el.dataset.pausable), 'true');
    const licenses = await openGroupLicenses(page, 'HR Department');
    const e3 = licenses.locator('.simple-body .row', { hasText: 'Office 365 E3' });
    await e3.waitFor();
    const text = await e3.innerText();
    assert.match(text, /35 of 36/);
    assert.match(text, /Yammer Enterprise/);
    // Long cells carry their whole text on hover.
    const cell = e3.locator('.cell').last();
    assert.equal(await cell.getAttribute('title'), (await cell.innerText()).trim());
    // A group without licenses has nothing to process: its status says so, not "Complete".
    const sales = await openGroupTab(page, 'Sales', 'Overview');
    await sales.getByText('No licenses assigned').waitFor();
    assert.deepEqual(c.errors, []);
  });
});
