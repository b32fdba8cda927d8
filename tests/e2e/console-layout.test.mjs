// What an admin sees stays readable (issue 13): earlier blades show whole or as a strip with their
// title (never a clipped part); a toast covers neither the active blade's close button nor the
// Assigned / Available columns and is one key away; service plans read in words with their plan name
// beside, and Assignment options can be filtered. Geometry and text only: nothing here is timed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, waitIdle, blade, fbutton } from './helpers.mjs';
import { assignE3AndEmsToHr, openGroupLicenses, startAssign } from './flow.mjs';

/**
 * Every blade on screen: whether it lies whole inside the blade area, the text it shows, its title,
 * and for a blade shown as a strip whether every element seen is the strip or its title, the title
 * lying whole inside the strip.
 */
function bladesOnScreen(page) {
  return page.evaluate(() => {
    const area = document.getElementById('blades').getBoundingClientRect();
    const seen = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const inside = (r, box) => r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
    return [...document.querySelectorAll('#blades > section')].map((b) => {
      const r = b.getBoundingClientRect();
      const title = b.querySelector('h2')?.textContent.trim();
      const visible = [...b.querySelectorAll('*')].filter(seen);
      // The element holding the shown text, when only one text shows (a strip).
      const texts = visible.filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
      const textBox = texts.length === 1 ? texts[0].getBoundingClientRect() : null;
      const holder = texts.length === 1 ? texts[0].closest('button') : null;
      return {
        title,
        whole: r.left >= area.left - 0.5 && r.right <= area.right + 0.5,
        shown: b.innerText.trim(),
        width: Math.round(r.width),
        textCount: texts.length,
        // The title's text lies whole inside the strip, which lies whole inside the blade area.
        titleWhole: !!(textBox && holder && inside(textBox, holder.getBoundingClientRect()) && inside(holder.getBoundingClientRect(), area)),
        holderIsButton: !!holder,
      };
    });
  });
}

/** Asserts that no blade shows cut off: whole, or a strip that shows its title and nothing else. */
function assertNoClippedBlade(list, active) {
  assert.ok(list.length >= 2, `blades: ${JSON.stringify(list)}`);
  const last = list.at(-1);
  assert.match(last.title, active);
  assert.ok(last.whole, `the active blade is whole: ${JSON.stringify(last)}`);
  for (const b of list.slice(0, -1)) {
    if (b.whole && b.shown !== b.title) continue; // shown whole
    assert.equal(b.shown, b.title, `an earlier blade not shown whole shows its title only: ${JSON.stringify(b)}`);
    assert.equal(b.textCount, 1, `one text in the strip: ${JSON.stringify(b)}`);
    assert.ok(b.holderIsButton && b.titleWhole, `the strip's title is not cut: ${JSON.stringify(b)}`);
  }
}

const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test('earlier blades show whole or as their title; the toast leaves the close button and the Assigned / Available columns free and is one key away', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    let whileAssigning = null;
    const products = await assignE3AndEmsToHr(page, null, async () => {
      whileAssigning = await bladesOnScreen(page);
      await c.shot('assign-with-earlier-blades');
    });
    // Assign license open: All products and the blades before it were cut off at the left edge.
    assertNoClippedBlade(whileAssigning, /^Assign license$/);
    assert.ok(whileAssigning.some((b) => b.title === 'Licenses - All products' && b.shown === b.title), JSON.stringify(whileAssigning));

    // The job's toast, once processing is over, and what it must leave free on the active blade.
    await waitIdle(page);
    const toast = page.locator('#toasts .notif').first();
    await toast.locator('.notif-title', { hasText: 'Assigned licenses to HR Department' }).waitFor();
    await toast.hover(); // held while the pointer is on it, so it stays to be measured
    const toastBox = await toast.boundingBox();
    const close = products.locator('.blade-close').first();
    const assigned = products.getByText('Assigned', { exact: true });
    const available = products.getByText('Available', { exact: true });
    await assigned.waitFor();
    for (const [name, box] of [['close button', await close.boundingBox()], ['Assigned', await assigned.boundingBox()], ['Available', await available.boundingBox()]]) {
      assert.ok(box, name);
      assert.ok(!overlap(toastBox, box), `the toast ${JSON.stringify(toastBox)} covers the ${name} ${JSON.stringify(box)}`);
    }
    // Nor the blade's title bar and commands.
    for (const part of ['.blade-header', '.blade-toolbar']) {
      const box = await products.locator(part).first().boundingBox();
      assert.ok(!overlap(toastBox, box), `the toast covers ${part}`);
    }
    assert.ok(toastBox.width <= 320, `narrow: ${toastBox.width}`);
    const viewport = page.viewportSize();
    assert.ok(toastBox.x + toastBox.width <= viewport.width && toastBox.y + toastBox.height <= viewport.height, 'inside the page');
    await c.shot('toast-clear-of-columns');
    // A live region, and one key away: Alt+N from the blade goes to it (a focused toast stays);
    // Tab from the bell reaches it too.
    assert.match(await toast.getAttribute('role'), /^(status|alert)$/);
    await products.locator('.blade-title').focus();
    await page.keyboard.press('Alt+N');
    assert.equal(await page.evaluate(() => !!document.activeElement?.closest('#toasts')), true, 'Alt+N focuses the newest toast');
    await page.locator('#bell').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => !!document.activeElement?.closest('#toasts')), true, 'the toast follows the bell');

    // After processing, All products is in front: the blades before it are strips, each its title.
    const after = await bladesOnScreen(page);
    assertNoClippedBlade(after, /^Licenses - All products$/);
    // Select a strip: back to that blade, whole.
    await page.locator('#blades').getByText('Contoso - Overview', { exact: true }).filter({ visible: true }).click();
    await products.waitFor({ state: 'detached' });
    const back = await bladesOnScreen(page);
    assert.equal(back.at(-1).title, 'Contoso - Overview');
    assert.ok(back.at(-1).whole);

    // The group's processing status is a live region.
    const licenses = await openGroupLicenses(page, 'HR Department');
    const status = licenses.locator('[data-testid=group-status]');
    await status.getByText('Latest license changes have been applied to all users').waitFor();
    assert.equal(await status.getAttribute('role'), 'status');
    assert.deepEqual(c.errors, []);
  });
});

test('Assignment options: plan names in words with the plan name beside, a Filter services box, and Assign before OK still counts', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const assign = await startAssign(page, ['Office 365 E3', 'Enterprise Mobility + Security E3'], 'HR Department');
    await assign.locator('[data-testid=assignment-options]').click();
    const options = blade(page, 'Assignment options');
    await options.locator('h3', { hasText: 'Enterprise Mobility + Security E3' }).waitFor();
    const switches = options.locator('fluent-switch:visible');
    assert.equal(await switches.count(), 43);
    // The catalogue writes EMS's plans in capitals: shown in words.
    await options.getByText('Microsoft Intune', { exact: true }).waitFor();
    assert.equal(await options.getByText('MICROSOFT INTUNE', { exact: true }).count(), 0);
    await options.getByText('Microsoft Azure Multi-Factor Authentication', { exact: true }).waitFor();
    // Plans that read alike are told apart by their service plan name, beside in smaller text.
    const yammer = options.locator('.plan-row', { hasText: 'Yammer Enterprise' });
    const viva = options.locator('.plan-row', { hasText: 'Viva Engage Core' });
    await yammer.getByText('YAMMER_ENTERPRISE', { exact: true }).waitFor();
    await viva.getByText('VIVAENGAGE_CORE', { exact: true }).waitFor();
    const size = (loc) => loc.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(await size(yammer.getByText('YAMMER_ENTERPRISE', { exact: true })) < await size(yammer.getByText('Yammer Enterprise', { exact: true })));

    // Filter services: by name…
    const filter = options.locator('[data-testid=filter-services]');
    await options.getByText('Filter services', { exact: true }).waitFor();
    await filter.locator('input').fill('Yammer');
    await options.getByText(/^1 of 43 services match/).waitFor();
    assert.equal(await switches.count(), 1);
    assert.equal(await options.locator('.plan-row:visible').innerText().then((s) => /Yammer Enterprise/.test(s)), true);
    // …only the product that has it keeps its heading.
    assert.equal(await options.locator('h3:visible').allInnerTexts().then((l) => l.join('|')), 'Office 365 E3');
    await c.shot('options-filtered-yammer');
    // Switching works on the filtered list, and counts at once (before OK).
    await yammer.locator('fluent-switch').click();
    await yammer.locator('.switch-state', { hasText: 'Off' }).waitFor();
    await assign.locator('[data-testid=assignment-options]', { hasText: '1 service turned off' }).waitFor();
    // …or by service plan name; cleared, all 43 are back, Yammer still Off.
    await filter.locator('input').fill('vivaengage');
    await options.getByText(/^1 of 43 services match/).waitFor();
    assert.match(await options.locator('.plan-row:visible').innerText(), /Viva Engage Core/);
    await filter.locator('input').fill('');
    await options.getByText(/^43 services$/).waitFor();
    assert.equal(await switches.count(), 43);
    assert.equal(await yammer.locator('.switch-state').innerText(), 'Off');

    // Assign while the options are still open: the group gets 35 of 36 services.
    await fbutton(assign, 'Assign').click();
    await assign.waitFor({ state: 'detached' });
    await waitIdle(page);
    const licenses = await openGroupLicenses(page, 'HR Department');
    const e3 = licenses.locator('.simple-body .row', { hasText: 'Office 365 E3' });
    await e3.waitFor();
    assert.match(await e3.innerText(), /35 of 36/);
    assert.match(await e3.innerText(), /Yammer Enterprise/);
    // The group's own options of a product have the filter too.
    await e3.locator('.row-link').click();
    const groupOptions = blade(page, 'Office 365 E3 - Assignment options');
    await groupOptions.locator('[data-testid=filter-services] input').fill('yammer');
    await groupOptions.getByText(/^1 of 36 services match/).waitFor();
    assert.equal(await groupOptions.locator('.plan-row:visible .switch-state').innerText(), 'Off');
    assert.deepEqual(c.errors, []);
  });
});
