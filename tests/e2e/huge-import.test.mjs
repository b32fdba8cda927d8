// A document over 2 GiB imports in the console: read from the File in pieces into the worker (no
// buffer of the whole document on either side, which Chromium could not even allocate), with the
// bytes read shown as they go, and the page never blocked while it reads (no main-thread task over
// 50 ms from the choice of the file to the loaded tenant).
//
// The file is generated here (tests/bench/gen_tenant --real-shaped: users as a real beta GET /users
// returns them, ~4.5 KB each, most of it properties the loader skips) and deleted afterwards; it is
// never in the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { withConsole, openConsole, openTenantBlade, watchLongTasks, forgetLongTasks, reportLongTasks, recordTexts, shownTexts, repoRoot } from './helpers.mjs';

const USERS = 470_000;
const GENERATOR = path.join(repoRoot, 'build', 'native', 'tests', 'bench', 'gbl_gen_tenant');

test('a real-shaped document over 2 GiB imports, read in the worker with the bytes read shown', async (t) => {
  assert.ok(existsSync(GENERATOR), `${GENERATOR} is built by .ci/build.sh`);
  const dir = path.join(repoRoot, 'build', 'e2e-tmp');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'huge-real-shaped.json');
  t.after(() => rmSync(file, { force: true }));
  const made = spawnSync(GENERATOR, ['--users', String(USERS), '--groups', '4000', '--skus', '40', '--real-shaped', '--out', file], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const size = statSync(file).size;
  assert.ok(size > 2 ** 31, `${size} bytes: over 2 GiB`);

  await withConsole(t, async (c) => {
    const { page } = c;
    await watchLongTasks(page);
    await openConsole(page, c.url);
    const tenant = await openTenantBlade(page);
    await recordTexts(page, 'reading', '[data-testid=import-busy] .import-read');
    await forgetLongTasks(page);
    await page.setInputFiles('#tenant-file', file);
    await tenant.locator('[data-testid=import-busy]').waitFor();
    await page.locator('#toasts .notif', { hasText: `${USERS.toLocaleString('en-US')} users` }).waitFor({ timeout: 600000 });
    const reading = await shownTexts(page, 'reading');
    // The bytes read were shown as they went: several distinct counts before the end.
    assert.ok(reading.length >= 3, JSON.stringify(reading));
    assert.match(reading.at(-1), /GB of 2\.\d\d GB/);
    await reportLongTasks(page, t, 'importing a 2.2 GB document');
    assert.deepEqual(c.errors, []);
  });
});
