// The plan's changes reorder by dragging, and by the keyboard on each change's handle (arrow keys,
// Home / End), besides Move up / Move down: the order is what the preview and Apply follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, blade, fbutton } from './helpers.mjs';
import { assignE3AndEmsToHr, stageKioskE1Removal } from './flow.mjs';

/** The staged changes' titles, in order, and the preview's text once it is ready. */
async function planState(planBlade) {
  await planBlade.locator('[data-testid=plan-effect][data-state=ready]').waitFor();
  const titles = await planBlade.locator('[data-testid=plan-change] .plan-change-title').allInnerTexts();
  return { titles: titles.map((t) => t.replace('⠿', '').trim()), effect: await planBlade.locator('[data-testid=plan-effect]').innerText() };
}

test('a staged change moves with the keyboard on its handle and by dragging, and the preview follows the order', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await assignE3AndEmsToHr(page, null, null, 'Add to plan');
    await stageKioskE1Removal(page);
    await page.locator('#plan-badge', { hasText: '2' }).waitFor();
    await page.locator('#plan-button').click();
    const planBlade = blade(page, 'Plan');
    await planBlade.waitFor();
    let state = await planState(planBlade);
    assert.match(state.titles[1], /Remove license: Office 365 E1 from Kiosk users/);
    assert.match(state.effect, /10 users will fail/, 'E1 removed after step 1: the ten stay in error');

    // Keyboard: the second change's handle, ArrowUp: it comes first, the handle keeps the focus,
    // and the move is said in words; the ten are then licensed.
    const handle = planBlade.getByRole('button', { name: /^Reorder: Remove license: Office 365 E1 from Kiosk users, change 2 of 2/ });
    await handle.focus();
    await page.keyboard.press('ArrowUp');
    await planBlade.locator('[data-testid=plan-change]').first().filter({ hasText: 'Kiosk users' }).waitFor();
    state = await planState(planBlade);
    assert.match(state.titles[0], /Remove license: Office 365 E1 from Kiosk users/);
    assert.doesNotMatch(state.effect, /users? will fail/, 'E1 removed first: all 1,000 licensed');
    assert.match(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') || ''), /^Reorder: Remove license: Office 365 E1 from Kiosk users, change 1 of 2/);
    assert.match(await planBlade.locator('.message-slot').innerText(), /moved to 1 of 2/);
    // End puts it last again.
    await page.keyboard.press('End');
    await planBlade.locator('[data-testid=plan-change]').last().filter({ hasText: 'Kiosk users' }).waitFor();
    await c.shot('plan-reorder-keyboard');

    // Mouse: drag the Kiosk change onto the first one: it takes its place.
    const changes = planBlade.locator('[data-testid=plan-change]');
    await changes.nth(1).dragTo(changes.nth(0));
    await changes.first().filter({ hasText: 'Kiosk users' }).waitFor();
    state = await planState(planBlade);
    assert.match(state.titles[0], /Remove license: Office 365 E1 from Kiosk users/);
    assert.doesNotMatch(state.effect, /users? will fail/);
    // Move up / Move down are still there.
    await planBlade.locator('fluent-button[aria-label="Move down: Remove license: Office 365 E1 from Kiosk users"]').click();
    await changes.last().filter({ hasText: 'Kiosk users' }).waitFor();
    assert.match((await planState(planBlade)).effect, /10 users will fail/);
    await c.shot('plan-reorder-dragged');
  });
});
