// Embed (issue 14): ?embed=all-products in an <iframe> on a page from another local port, with the
// console served by `serve({frameAncestors})` naming that page's origin: the blade works there
// under the CSP, without the portal chrome. The default (frame-ancestors 'self') refuses the frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { startConsole, repoRoot, consoleDist } from './helpers.mjs';

const { serve } = await import(path.join(repoRoot, 'web', 'serve.mjs'));

/** A docs page on its own port: one iframe of `src`. Resolves {server, origin, url}. */
async function docsPage(src) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Docs</title><h1>Group-based licensing, tried here</h1><iframe title="All products" src="${src}" width="900" height="520"></iframe>`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { server, origin, url: `${origin}/` };
}

test('an embedded All products blade works in an iframe on another origin under the CSP', async (t) => {
  // The docs page's port first, so the console can name its origin.
  const holder = http.createServer();
  await new Promise((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const docsOrigin = `http://127.0.0.1:${holder.address().port}`;
  await new Promise((resolve) => holder.close(resolve));
  const c = await startConsole(t, { frameAncestors: docsOrigin });
  const docs = http.createServer();
  try {
    docs.on('request', (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Docs</title><h1>Group-based licensing, tried here</h1><iframe title="All products" src="${c.url}?embed=all-products" width="900" height="520"></iframe>`);
    });
    await new Promise((resolve) => docs.listen(Number(docsOrigin.split(':').pop()), '127.0.0.1', resolve));
    const cspErrors = [];
    c.page.on('console', (msg) => {
      if (/Content Security Policy|frame-ancestors/i.test(msg.text())) cspErrors.push(msg.text());
    });
    await c.page.goto(`${docsOrigin}/`);
    const frame = c.page.frameLocator('iframe');
    await frame.locator('body[data-ready="true"]').waitFor({ timeout: 30000 });
    const e3 = frame.locator('[data-blade="licenses"] .row', { hasText: 'Office 365 E3' });
    await e3.waitFor();
    assert.ok(await frame.locator('.topbar').isHidden(), 'no top bar');
    assert.ok(await frame.locator('.sidenav').isHidden(), 'no portal menu');
    assert.equal(await frame.locator('section.blade').count(), 1, 'one blade');
    // The blade works: a product opens its licensed users beside it.
    await e3.locator('.row-link').click();
    await frame.locator('[data-blade="product"]').waitFor();
    await c.shot('embedded-all-products');
    assert.deepEqual(cspErrors, []);
    assert.deepEqual(c.errors.filter((e) => !/favicon/.test(e)), []);
  } finally {
    await c.close(); // the browser first: its keep-alive connections would hold the servers open
    docs.closeAllConnections();
    await new Promise((resolve) => docs.close(resolve));
  }
});

test('by default (frame-ancestors \'self\') another origin cannot frame the console', async (t) => {
  const { server, url } = await serve({ dir: consoleDist(), port: 0 });
  const docs = await docsPage(`${url}?embed=all-products`);
  const c = await startConsole(t);
  try {
    const refused = new Promise((resolve) => {
      c.page.on('console', (msg) => {
        if (/frame-ancestors/.test(msg.text())) resolve(msg.text());
      });
    });
    await c.page.goto(docs.url);
    assert.match(await refused, /frame-ancestors 'self'/);
  } finally {
    await c.close();
    for (const s of [docs.server, server]) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  }
});
