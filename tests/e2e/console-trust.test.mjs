// A console admins can trust (issue 13): no choice is dropped silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, fbutton } from './helpers.mjs';
import { openGroupLicenses, startAssign } from './flow.mjs';

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
    const licenses = await openGroupLicenses(page, 'HR Department');
    const e3 = licenses.locator('.simple-body .row', { hasText: 'Office 365 E3' });
    await e3.waitFor();
    const text = await e3.innerText();
    assert.match(text, /35 of 36/);
    assert.match(text, /Yammer Enterprise/);
    assert.deepEqual(c.errors, []);
  });
});
