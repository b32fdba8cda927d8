// Import and export of tenant documents: names from data are text (never HTML), an invalid import
// shows the engine's message and keeps the current tenant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { withConsole, openConsole, openTenantBlade, blade, fbutton, useFilePicker, privateFile } from './helpers.mjs';

async function exportTenant(page, tenantBlade) {
  const [download] = await Promise.all([page.waitForEvent('download'), fbutton(tenantBlade, 'Export').click()]);
  return JSON.parse(await readFile(await download.path(), 'utf8'));
}

/** Drops a file on the page the way a drag from the desktop does. */
async function dropFile(page, name, text) {
  await page.evaluate(({ name, text }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, { type: 'application/json' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, { name, text });
}

test('a display name with HTML shows as typed, never as markup (drag and drop import)', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    let dialogs = 0;
    page.on('dialog', async (d) => {
      dialogs++;
      await d.dismiss();
    });
    await openConsole(page, c.url);
    const tenant = await openTenantBlade(page);
    const doc = await exportTenant(page, tenant);
    assert.equal(doc.users.length, 1040);
    const evilUser = '<img src=x onerror=alert(1)>';
    const evilGroup = '<b onmouseover=alert(2)>Kiosk</b> & "users"';
    const kiosk = doc.groups.find((g) => g.displayName === 'Kiosk users');
    kiosk.displayName = evilGroup;
    const firstMember = kiosk.members[0];
    const memberId = typeof firstMember === 'string' ? firstMember : firstMember.id;
    const user = doc.users.find((u) => u.id === memberId);
    user.displayName = evilUser;
    await dropFile(page, 'evil.json', JSON.stringify(doc));
    await page.locator('#toasts .notif', { hasText: 'Loaded' }).waitFor();

    // Users list: the name is plain text.
    await page.locator('.nav-item', { hasText: 'Users and groups' }).click();
    const ug = blade(page, 'Users and groups -');
    await ug.locator('[data-testid=search-users] input').fill('<img');
    const row = ug.locator('[data-table=users] .row', { hasText: evilUser });
    await row.waitFor();
    assert.equal(await row.locator('.row-link').innerText(), evilUser);
    await row.locator('.row-link').click();
    const userBlade = blade(page, `${evilUser} -`);
    await userBlade.waitFor();
    assert.equal(await userBlade.locator('.blade-title').innerText(), `${evilUser} - Licenses`);
    // The group name with markup, in the user's assignment paths and groups.
    await userBlade.locator('.simple-body .row', { hasText: `Inherited (${evilGroup})` }).waitFor();
    await userBlade.locator('[role=tab]', { hasText: 'Groups' }).click();
    const groupLink = blade(page, `${evilUser} - Groups`).locator('.row-link', { hasText: evilGroup });
    await groupLink.waitFor();
    assert.equal(await groupLink.innerText(), evilGroup);
    await c.shot('html-names');
    // Nothing was parsed as HTML: no <img>/<b> element came from data, no script ran.
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('.blades b').count(), 0);
    await page.locator('.row-link', { hasText: evilUser }).first().hover().catch(() => {});
    assert.equal(dialogs, 0);
    assert.deepEqual(c.errors, []);
  });
});

test('an invalid import shows the engine message and keeps the current tenant (file picker)', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const tenant = await openTenantBlade(page);
    await tenant.getByText('1,040').waitFor();
    await page.setInputFiles('#tenant-file', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"users": [ {"id": 1,, }') });
    const error = tenant.locator('[data-testid=import-error]');
    await error.waitFor();
    const text = await error.innerText();
    assert.match(text, /Import of broken\.json failed/);
    assert.match(text, /The current tenant was kept/);
    // The engine's own message is shown (JSON error with its position), not a generic text.
    assert.ok(text.replace(/Import of broken\.json failed:|The current tenant was kept\./g, '').trim().length > 10, text);
    await c.shot('invalid-import');
    // The current tenant is still there.
    await tenant.locator('.kv', { hasText: 'Contoso' }).waitFor();
    assert.match(await tenant.locator('.kv').innerText(), /1,040/);

    // A well-formed JSON that is not a tenant document: rejected too, with the engine's reason.
    await page.setInputFiles('#tenant-file', { name: 'array.json', mimeType: 'application/json', buffer: Buffer.from('[1,2,3]') });
    await tenant.locator('[data-testid=import-error]', { hasText: 'array.json' }).waitFor();
    await c.shot('invalid-import-2');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const again = await openTenantBlade(page);
    await again.locator('.kv', { hasText: 'Contoso' }).waitFor();
    assert.deepEqual(c.errors.filter((e) => !/Failed to load resource/.test(e)), []);
  });
});

test('Export is one at a time: the button is disabled from the click until the document is written', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const tenant = await openTenantBlade(page);
    const exportButton = fbutton(tenant, 'Export');
    const downloaded = page.waitForEvent('download');
    // Clicked and read in the same task: the click handler disables it before anything else runs.
    const disabledAtClick = await exportButton.evaluate((el) => {
      el.click();
      return el.hasAttribute('disabled');
    });
    assert.equal(disabledAtClick, true);
    await downloaded;
    await page.waitForFunction((el) => !el.hasAttribute('disabled'), await exportButton.elementHandle());
    assert.deepEqual(c.errors, []);
  });
});

test('Export saves to the file chosen in the save dialog, written by the worker (File System Access API)', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const tenant = await openTenantBlade(page);
    const downloaded = await exportTenant(page, tenant);
    await useFilePicker(page, 'export.json');
    await fbutton(tenant, 'Export').click();
    await page.getByText('Saved Contoso to export.json').first().waitFor();
    const saved = await privateFile(page, 'export.json');
    assert.deepEqual(JSON.parse(saved.text), downloaded, 'the same document as the download');
    assert.equal(await page.evaluate(() => window.__pickerOptions.suggestedName), 'Contoso-tenant.json');
    await page.waitForFunction((el) => !el.hasAttribute('disabled'), await fbutton(tenant, 'Export').elementHandle());
    assert.deepEqual(c.errors, []);
  });
});
