// Reflow (WCAG 1.4.10, issue 13): at 1440, 768 and 320 CSS px wide the active blade stays whole. The
// portal menu stands beside the blades on a wide page; below 1024 px it is hidden and the top bar's
// menu button opens it over the page (Escape or choosing an item closes it). Screenshots of the seed's
// Assign license blade on HR Department and of All users at each width. Geometry only, never time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withConsole, openConsole, blade, fbutton, openTenantBlade } from './helpers.mjs';
import { openAllProducts, openGroupTab, startAssign } from './flow.mjs';

const WIDTHS = [1440, 768, 320];
const HEIGHT = 900;

/**
 * What the page shows of the active (last) blade: boxes of the blade, its title, a button by its text
 * (and whether a click at its centre reaches it), a column header by its text, the menu when it shows,
 * and the page's and the blade area's widths.
 */
function geometry(page, { button, column } = {}) {
  return page.evaluate(({ buttonText, columnText }) => {
    const box = (el) => {
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { x: r.left, y: r.top, width: r.width, height: r.height };
    };
    /** Whether a click at the element's centre lands on it (nothing covers it). */
    const reachable = (el) => {
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return !!hit && (el === hit || el.contains(hit) || el.shadowRoot?.contains(hit));
    };
    const active = [...document.querySelectorAll('#blades > section.blade')].at(-1);
    const title = active.querySelector('.blade-title');
    const nav = document.getElementById('sidenav');
    const navStyle = getComputedStyle(nav);
    const navBox = box(nav);
    const navShown = navStyle.visibility !== 'hidden' && navStyle.display !== 'none' && navBox.width > 0 && navBox.x + navBox.width > 0;
    const btn = buttonText ? [...active.querySelectorAll('fluent-button')].find((b) => b.textContent.trim() === buttonText) : null;
    const col = columnText ? [...active.querySelectorAll('[role=columnheader]')].find((c) => c.textContent.trim() === columnText) : null;
    const blades = document.getElementById('blades');
    // Anything of the blade past the page's right edge that no box of its own scrolls or clips (a
    // list or a command's text may scroll sideways inside itself: that box is what must fit).
    // (A clipping box that is itself past the edge, such as a list's cell, may sit in one that fits,
    // such as the list; the blade and its body do not count as such a box.)
    const contained = (el) => {
      for (let a = el.parentElement; a && a !== active.parentElement; a = a.parentElement) {
        if (getComputedStyle(a).overflowX === 'visible') continue;
        if (a === active || a.classList.contains('blade-body') || a.classList.contains('menu-content')) {
          return a.getBoundingClientRect().right <= window.innerWidth + 1 && a === el.parentElement;
        }
        if (a.getBoundingClientRect().right <= window.innerWidth + 1) return true;
      }
      return false;
    };
    const overflowing = [...active.querySelectorAll('*')].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && r.right > window.innerWidth + 1 && !contained(el);
    }).slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} (right ${Math.round(el.getBoundingClientRect().right)})`);
    return {
      viewport: { width: window.innerWidth, height: window.innerHeight },
      scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
      bladeArea: { scrollWidth: blades.scrollWidth, clientWidth: blades.clientWidth },
      active: box(active),
      title: box(title),
      titleText: title.textContent,
      titleCut: title.scrollWidth > title.clientWidth + 1,
      nav: navShown ? navBox : null,
      button: btn ? { ...box(btn), reachable: reachable(btn) } : null,
      column: col ? box(col) : null,
      overflowing,
    };
  }, { buttonText: button || null, columnText: column || null });
}

const overlap = (a, b) => a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
const inside = (r, vp) => r.x >= -0.5 && r.y >= -0.5 && r.x + r.width <= vp.width + 0.5 && r.y + r.height <= vp.height + 0.5;

/** The facts every width must show, for the blade titled `title`. */
function assertWhole(g, width, { title, button, column }) {
  const at = `at ${width} px: ${JSON.stringify(g)}`;
  assert.equal(g.viewport.width, width);
  assert.match(g.titleText, title, at);
  if (g.nav) assert.ok(!overlap(g.nav, g.active), `the menu does not cover the active blade ${at}`);
  assert.ok(g.active.x >= -0.5 && g.active.x + g.active.width <= width + 0.5, `the active blade lies within the page's width ${at}`);
  assert.ok(inside(g.title, g.viewport) && !g.titleCut, `the blade's title shows whole ${at}`);
  assert.deepEqual(g.overflowing, [], `nothing of the blade passes the right edge ${at}`);
  if (button) {
    assert.ok(g.button, `${button} is on the blade ${at}`);
    assert.ok(inside(g.button, g.viewport), `${button} is within the viewport ${at}`);
    assert.ok(g.button.reachable, `nothing covers ${button} ${at}`);
  }
  if (column) {
    assert.ok(g.column && inside(g.column, g.viewport), `the ${column} column shows ${at}`);
    assert.ok(g.column.x >= g.active.x - 0.5, `the ${column} column starts inside the blade ${at}`);
  }
  if (width <= 320) {
    assert.ok(g.scrollWidth <= width, `no horizontal scrolling of the page (scrollWidth ${g.scrollWidth}) ${at}`);
    assert.ok(g.bladeArea.scrollWidth <= g.bladeArea.clientWidth + 1, `the blade area does not scroll sideways ${at}`);
  }
}

/** Resizes the page and lets the layout settle (a resize observer lays the blades out). */
async function resize(page, width) {
  await page.setViewportSize({ width, height: HEIGHT });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

test('the Assign license blade on HR Department and All users stay whole at 1440, 768 and 320 px', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await page.setViewportSize({ width: 1440, height: HEIGHT });
    await openConsole(page, c.url);

    // The seed's step 1 up to Assign: E3 and EMS chosen for HR Department.
    const assign = await startAssign(page, ['Office 365 E3', 'Enterprise Mobility + Security E3'], 'HR Department');
    await assign.getByText('Before you assign: what will happen', { exact: false }).waitFor();
    for (const width of WIDTHS) {
      await resize(page, width);
      await c.shot(`assign-license-${width}`);
      assertWhole(await geometry(page, { button: 'Assign' }), width, { title: /^Assign license$/, button: 'Assign' });
    }
    // Assignment options at the narrowest width: its title and OK.
    await assign.locator('[data-testid=assignment-options]').click();
    const options = blade(page, 'Assignment options');
    await options.locator('.plan-row', { hasText: 'Yammer Enterprise' }).waitFor();
    await resize(page, 320);
    await c.shot('assignment-options-320');
    assertWhole(await geometry(page, { button: 'OK' }), 320, { title: /^Assignment options$/, button: 'OK' });
    await fbutton(options, 'OK').click();
    await options.waitFor({ state: 'detached' });

    // At 320 px the menu is hidden; its button opens it over the page, and choosing an item closes it.
    const toggle = page.locator('#nav-toggle');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('#sidenav').isVisible(), false);
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    const usersItem = page.locator('.nav-item', { hasText: 'Users and groups' });
    await usersItem.waitFor();
    await c.shot('menu-open-320');
    await usersItem.click();
    const users = blade(page, 'Users and groups - All users');
    await users.locator('[data-table=users] .table-spacer .row:not(.loading)').first().waitFor();
    assert.equal(await page.locator('#sidenav').isVisible(), false, 'choosing an item closes the menu');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    for (const width of [320, 768, 1440]) {
      await resize(page, width);
      await c.shot(`all-users-${width}`);
      assertWhole(await geometry(page, { column: 'Name' }), width, { title: /^Users and groups - All users$/, column: 'Name' });
    }

    // At 768 px: Escape closes the open menu and the keyboard is back on its button; on a wide page
    // the menu stands beside the blades again.
    await resize(page, 768);
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.click();
    await page.locator('#sidenav .nav-item').first().waitFor();
    assert.equal(await page.evaluate(() => !!document.activeElement?.closest('#sidenav')), true, 'the open menu has the keyboard');
    await c.shot('menu-open-768');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#sidenav').isVisible(), false, 'Escape closes the menu');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'nav-toggle');
    await resize(page, 1440);
    assert.equal(await page.locator('#sidenav').isVisible(), true);
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    assert.deepEqual(c.errors, []);
  });
});

test('the other main blades reflow at 320 px: title whole, nothing past the right edge', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await page.setViewportSize({ width: 1440, height: HEIGHT });
    await openConsole(page, c.url);
    // Each blade is opened on the wide page, then the page narrows to 320 px (as zooming in does).
    const at320 = async (name, title) => {
      await resize(page, 320);
      await c.shot(`${name}-320`);
      assertWhole(await geometry(page), 320, { title });
      await resize(page, 1440);
    };
    await page.getByText('Azure services', { exact: true }).waitFor();
    await at320('home', /^Home$/);
    await openAllProducts(page);
    await at320('all-products', /^Licenses - All products$/);
    const licenses = await openGroupTab(page, 'HR Department', 'Licenses');
    await licenses.locator('[data-testid=group-status] fluent-message-bar').waitFor();
    await at320('group-licenses', /^HR Department - Licenses$/);
    await openTenantBlade(page);
    await at320('tenant-document', /^Tenant document$/);
    await page.locator('.nav-item', { hasText: 'Audit logs' }).click();
    await blade(page, 'Audit logs').locator('[data-table=audit]').waitFor();
    await at320('audit-logs', /^Audit logs$/);
    await page.locator('#plan-button').click();
    await blade(page, 'Plan').waitFor();
    await at320('plan', /^Plan$/);
    assert.deepEqual(c.errors, []);
  });
});
