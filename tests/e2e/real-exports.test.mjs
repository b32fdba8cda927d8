// Real exports through the console's import: an EntraExporter folder (folder picker and drop), a
// Windows PowerShell 5.1 document (UTF-16LE, PascalCase), section files; warnings are shown, the
// commands that produce each shape are on the blade, and an imported folder survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withConsole, openConsole, openTenantBlade, blade } from './helpers.mjs';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const TREE = join(FIXTURES, 'entra-exporter/EntraBackup');

/** Every file under `dir`, paths from its parent ("EntraBackup/Users/..."), bytes as numbers. */
function treeFiles(dir) {
  const out = [];
  const walk = (folder) => {
    for (const name of readdirSync(folder).sort()) {
      const full = join(folder, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push({ path: relative(join(dir, '..'), full), bytes: [...readFileSync(full)] });
    }
  };
  walk(dir);
  return out;
}

test('an EntraExporter folder imports through the folder picker, says what it lacks, and survives a reload', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const tenant = await openTenantBlade(page);
    await page.setInputFiles('#tenant-folder', TREE);
    await page.locator('#toasts .notif', { hasText: 'Loaded Fabrikam Lab' }).waitFor();
    const toast = await page.locator('#toasts .notif', { hasText: 'Loaded Fabrikam Lab' }).innerText();
    assert.match(toast, /3 users, 2 groups, 2 products/);
    assert.match(toast, /1 member that is not a user or a group was kept, never licensed/);
    assert.match(toast, /1 dynamic group has no Members folder/);
    assert.match(toast, /ignored: Domains\/, Policies\//);

    // The dynamic group's member keeps its license after processing.
    await page.locator('.nav-item', { hasText: 'Users and groups' }).click();
    const ug = blade(page, 'Users and groups -');
    await ug.locator('.row-link', { hasText: 'Megan Bowen' }).click();
    const megan = blade(page, 'Megan Bowen -');
    await megan.locator('.simple-body .row', { hasText: 'Inherited (Sales (dynamic))' }).waitFor();

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const again = await openTenantBlade(page);
    await again.locator('.kv', { hasText: 'Fabrikam Lab' }).waitFor();
    assert.match(await again.locator('.kv').innerText(), /Users\s+3/);
    assert.deepEqual(c.errors, []);
  });
});

test('a dropped EntraExporter folder missing Users is refused naming the Export-Entra types; the tenant stays', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const tenant = await openTenantBlade(page);
    const files = treeFiles(TREE).filter((f) => !f.path.includes('/Users/'));
    // A folder dropped from the desktop: DataTransfer items whose entries are directories.
    await page.evaluate((list) => {
      const byFolder = new Map();
      const fileEntry = (f) => {
        const name = f.path.split('/').pop();
        const file = new File([new Uint8Array(f.bytes)], name);
        return { name, fullPath: `/${f.path}`, isFile: true, isDirectory: false, file: (ok) => ok(file) };
      };
      const dir = (path) => {
        if (!byFolder.has(path)) {
          const children = [];
          byFolder.set(path, {
            name: path.split('/').pop(), fullPath: `/${path}`, isFile: false, isDirectory: true, children,
            createReader() {
              let done = false;
              return {
                readEntries: (ok) => {
                  const batch = done ? [] : children;
                  done = true;
                  setTimeout(() => ok(batch)); // asynchronous, as the browser's
                },
              };
            },
          });
          const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : null;
          if (parent) dir(parent).children.push(byFolder.get(path));
        }
        return byFolder.get(path);
      };
      for (const f of list) dir(f.path.slice(0, f.path.lastIndexOf('/'))).children.push(fileEntry(f));
      const root = dir('EntraBackup');
      const transfer = {
        types: ['Files'],
        files: [],
        items: [{ kind: 'file', webkitGetAsEntry: () => root }],
      };
      for (const type of ['dragenter', 'dragover', 'drop']) {
        const ev = new Event(type, { bubbles: true, cancelable: true });
        Object.defineProperty(ev, 'dataTransfer', { value: transfer });
        document.body.dispatchEvent(ev);
      }
    }, files);
    const error = tenant.locator('[data-testid=import-error]');
    await error.waitFor();
    const text = await error.innerText();
    assert.match(text, /Import of EntraBackup \(\d+ files\) failed/);
    assert.match(text, /has no Users folder: EntraExporter writes Users only with -All or -Type Users/);
    assert.match(text, /The current tenant was kept/);
    await tenant.locator('.kv', { hasText: 'Contoso' }).waitFor();
    assert.deepEqual(c.errors, []);
  });
});

test('a Windows PowerShell document (UTF-16LE, PascalCase, AdditionalProperties) imports; the ignored member is shown', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    await openTenantBlade(page);
    await page.setInputFiles('#tenant-file', join(FIXTURES, 'powershell-tenant.json'));
    await page.locator('#toasts .notif', { hasText: 'Loaded Northwind Traders' }).waitFor();
    await page.locator('.nav-item', { hasText: 'Users and groups' }).click();
    const ug = blade(page, 'Users and groups -');
    // Non-ASCII names decoded from UTF-16 show as written.
    await ug.locator('.row-link', { hasText: 'Jörg Brandt' }).waitFor();
    await ug.locator('.row-link', { hasText: 'Renée Dubois' }).waitFor();
    const toast = await page.locator('#toasts .notif', { hasText: 'Loaded Northwind Traders' }).innerText();
    assert.match(toast, /ignored: Devices/);
    assert.deepEqual(c.errors, []);
  });
});

test('section files chosen together import as one export; the import blade lists the export commands', async (t) => {
  await withConsole(t, async (c) => {
    const { page } = c;
    await openConsole(page, c.url);
    const tenant = await openTenantBlade(page);
    for (const title of ['One document with Microsoft Graph PowerShell', 'A folder with EntraExporter', 'Section files']) {
      await tenant.locator('h4', { hasText: title }).waitFor();
    }
    assert.match(await tenant.locator('pre.command').nth(1).innerText(), /Export-Entra -Path C:\\EntraBackup -Type Organization, SKUs, Users, Groups/);
    const e3 = '6fd2c87f-b296-42f0-b197-1e91e994b900';
    const json = (value) => Buffer.from(JSON.stringify(value));
    await page.setInputFiles('#tenant-file', [
      { name: 'subscribedSkus.json', mimeType: 'application/json', buffer: json({ value: [{ skuId: e3, skuPartNumber: 'ENTERPRISEPACK', prepaidUnits: { enabled: 3 } }] }) },
      { name: 'users.json', mimeType: 'application/json', buffer: json([{ id: 'a1', displayName: 'Section User', usageLocation: 'US' }]) },
      { name: 'groups.json', mimeType: 'application/json', buffer: json([{ id: 'g1', displayName: 'Section group', securityEnabled: true, assignedLicenses: [{ skuId: e3, disabledPlans: [] }], members: ['a1'] }]) },
    ]);
    await page.locator('#toasts .notif', { hasText: /Loaded .*1 user, 1 group, 1 product/ }).waitFor();
    assert.deepEqual(c.errors, []);
  });
});
