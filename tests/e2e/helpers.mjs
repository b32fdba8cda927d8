// Shared set-up of the browser tests: serve web/dist on a free 127.0.0.1 port, drive Debian's chromium
// headless through playwright-core with a fresh profile, save screenshots under tests/out/.
import { mkdtemp, mkdir, rm, appendFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const outDir = path.join(repoRoot, 'tests', 'out');
const tmpRoot = path.join(repoRoot, 'build', 'e2e-tmp');

// Playwright leaves playwright-* folders in TMPDIR: keep them inside the build tree.
await mkdir(tmpRoot, { recursive: true });
process.env.TMPDIR = tmpRoot;

const { chromium } = await import('playwright-core');
const { serve } = await import(path.join(repoRoot, 'web', 'serve.mjs'));

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The built console served to the tests: web/dist, or GBL_WEB_DIST (a separate build, for runs side by side). */
const distDir = process.env.GBL_WEB_DIST ? path.resolve(process.env.GBL_WEB_DIST) : path.join(repoRoot, 'web', 'dist');

/** Fails early with a clear message when the console was not built. */
export function assertBuilt() {
  const index = path.join(distDir, 'index.html');
  if (!existsSync(index)) throw new Error(`web/dist is missing: build first (npx vite build web) — looked for ${index}`);
}

/**
 * Starts the server and a browser with a fresh profile. Returns {page, context, url, errors, shot, close}.
 * `errors` collects page errors, console errors and CSP violations.
 */
export async function startConsole(t, { profileDir, frameAncestors } = {}) {
  assertBuilt();
  const { server, url } = await serve({ dir: distDir, port: 0, frameAncestors });
  const userDataDir = profileDir || (await mkdtemp(path.join(tmpRoot, 'profile-')));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1600, height: 1000 },
    acceptDownloads: true,
  });
  // Exports are downloads unless a test gives the page a file picker (useFilePicker): a real
  // showSaveFilePicker would wait for a person in a system dialog.
  await context.addInitScript(() => {
    /** @type {any} */ (window).showSaveFilePicker = undefined;
  });
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  await mkdir(outDir, { recursive: true });
  let shots = 0;
  const prefix = (t?.name || 'test').replace(/[^\w-]+/g, '-').slice(0, 60);
  const api = {
    page,
    context,
    url,
    errors,
    userDataDir,
    async shot(name) {
      shots++;
      const file = path.join(outDir, `${prefix}-${String(shots).padStart(2, '0')}-${name}.png`);
      await api.page.screenshot({ path: file, fullPage: false });
      return file;
    },
    async close({ keepProfile = false } = {}) {
      await api.context.close().catch(() => {});
      await new Promise((resolve) => server.close(resolve));
      if (!keepProfile && !profileDir) await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
    },
    async restartBrowser() {
      // Same profile, new browser: what a reload after closing the tab looks like.
      await api.context.close();
      const ctx2 = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1600, height: 1000 },
      });
      await ctx2.addInitScript(() => {
        /** @type {any} */ (window).showSaveFilePicker = undefined;
      });
      api.context = ctx2;
      api.page = ctx2.pages()[0] || (await ctx2.newPage());
      api.page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
      api.page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
      });
      return api.page;
    },
  };
  return api;
}

/**
 * Gives the page a showSaveFilePicker that "chooses" `name` in the origin's private file system
 * (a real FileSystemFileHandle, written by the console's worker); the options it was called with
 * go to window.__pickerOptions.
 */
export async function useFilePicker(page, name) {
  await page.evaluate((fileName) => {
    /** @type {any} */ (window).showSaveFilePicker = async (options) => {
      /** @type {any} */ (window).__pickerOptions = options;
      const root = await navigator.storage.getDirectory();
      return root.getFileHandle(fileName, { create: true });
    };
  }, name);
}

/** The size and the first `head` characters of a file in the origin's private file system. */
export async function privateFile(page, name, head = 0) {
  return page.evaluate(async ({ fileName, count }) => {
    const root = await navigator.storage.getDirectory();
    const file = await (await root.getFileHandle(fileName)).getFile();
    return { size: file.size, head: count ? await file.slice(0, count).text() : '', text: file.size < 20e6 ? await file.text() : null };
  }, { fileName: name, count: head });
}

/** The built console's folder (web/dist, or GBL_WEB_DIST). */
export function consoleDist() {
  return distDir;
}

/** Opens the console and waits until the engine has loaded the tenant. */
export async function openConsole(page, url, hash = '') {
  await page.goto(url + hash);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
}

/** The blade whose title matches (last one when several). */
export function blade(page, title) {
  return page.locator('section.blade').filter({ has: page.locator('.blade-title', { hasText: title }) }).last();
}

/** Opens Azure Active Directory > Tenant document and waits for the tenant's facts. */
export async function openTenantBlade(page) {
  await page.locator('.nav-item', { hasText: 'Azure Active Directory' }).click();
  await blade(page, 'Overview').locator('.aad-nav button', { hasText: 'Tenant document' }).click();
  const tenant = blade(page, 'Tenant document');
  await tenant.locator('.kv').waitFor();
  return tenant;
}

/** A fluent-button by its text inside `scope`. */
export function fbutton(scope, text) {
  return scope.locator('fluent-button').filter({ hasText: new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).first();
}

/** Waits until no license processing is running (the top bar's busy text is empty). */
export async function waitIdle(page, timeout = 60000) {
  await page.waitForFunction(() => document.getElementById('busy')?.textContent === '', null, { timeout });
}

/** Runs `fn(c)` with a started console; a failure saves a screenshot named "failure" before rethrowing. */
export async function withConsole(t, fn, opts) {
  const c = await startConsole(t, opts);
  try {
    await fn(c);
  } catch (err) {
    await c.shot('failure').catch(() => {});
    if (c.errors.length) err.message += `\npage errors:\n${c.errors.join('\n')}`;
    throw err;
  } finally {
    await c.close();
  }
}

/** Records the page's long tasks (over 50 ms) in window.__longTasks from the first script on. */
export async function watchLongTasks(page) {
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/**
 * Records every distinct text an element shows from now on (each change, however brief), read back
 * with `shownTexts(page, name)`.
 */
export async function recordTexts(page, name, selector) {
  await page.evaluate(({ key, sel }) => {
    const seen = [];
    /** @type {any} */ (window)[key] = seen;
    new MutationObserver(() => {
      const text = document.querySelector(sel)?.textContent;
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, { key: `__texts_${name}`, sel: selector });
}

/** The texts recordTexts(page, name, …) saw, in order. */
export async function shownTexts(page, name) {
  return page.evaluate((key) => /** @type {any} */ (window)[key], `__texts_${name}`);
}

/** Forgets the long tasks seen so far (what came before is not part of the phase measured next). */
export async function forgetLongTasks(page) {
  await page.evaluate(() => window.__longTasks.splice(0));
}

export const MAIN_THREAD_REPORT = path.join(repoRoot, 'build', 'e2e-report', 'main-thread.jsonl');

/**
 * The main thread's tasks over 50 ms (the Long Tasks API's threshold) in one phase of a browser test (since forgetLongTasks), written
 * to build/e2e-report/main-thread.jsonl and to the test's output. A figure against the 50 ms target,
 * never a pass or a fail: no test reads the clock to decide (DEVELOPERS.md; machines differ 3x and
 * more). The tests assert what does not depend on the machine: the work is done in the worker, the
 * page shows its progress, Cancel stops it.
 * @param {any} t the node:test context
 * @param {string} phase
 */
export async function reportLongTasks(page, t, phase, { from, to } = {}) {
  const tasks = await page.evaluate(({ a, b }) => window.__longTasks.splice(0).filter((lt) => (a === undefined || lt.start + lt.duration > a) && (b === undefined || lt.start < b)), { a: from, b: to });
  const longest = tasks.reduce((m, lt) => Math.max(m, lt.duration), 0);
  const entry = { test: t.name, phase, over50ms: tasks.filter((lt) => lt.duration > 50).length, longestMs: Math.round(longest) };
  await mkdir(path.dirname(MAIN_THREAD_REPORT), { recursive: true });
  await appendFile(MAIN_THREAD_REPORT, `${JSON.stringify(entry)}\n`);
  t.diagnostic(`main thread, ${phase}: ${entry.over50ms ? `${entry.over50ms} task(s) over 50 ms, the longest ${entry.longestMs} ms` : 'no task over 50 ms'}`);
  return entry;
}
