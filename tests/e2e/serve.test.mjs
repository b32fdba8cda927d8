// web/serve.mjs: 127.0.0.1 only, MIME types the module worker and wasm need, the strict CSP header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, assertBuilt } from './helpers.mjs';

const { serve, CSP } = await import(path.join(repoRoot, 'web', 'serve.mjs'));

test('serve.mjs: MIME types, CSP header, 404 and no escape from web/dist', async () => {
  assertBuilt();
  const { server, url, port } = await serve({ dir: path.join(repoRoot, 'web', 'dist'), port: 0 });
  try {
    assert.equal(server.address().address, '127.0.0.1');
    assert.ok(port > 0);
    const index = await fetch(url);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type'), /^text\/html/);
    // frame-ancestors 'self' unless --frame-ancestors names who may embed it (playground-embed).
    assert.equal(index.headers.get('content-security-policy'), "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; frame-ancestors 'self'");
    assert.equal(`${CSP}; frame-ancestors 'self'`, index.headers.get('content-security-policy'));
    const html = await index.text();
    // No inline script or style in the page itself.
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(html, /\sstyle=/);
    const assets = await readdir(path.join(repoRoot, 'web', 'dist', 'assets'));
    const wasm = assets.find((f) => f.endsWith('.wasm'));
    const js = assets.find((f) => f.endsWith('.js'));
    assert.ok(wasm && js, `assets: ${assets}`);
    const w = await fetch(`${url}assets/${wasm}`);
    assert.equal(w.headers.get('content-type'), 'application/wasm');
    assert.ok(w.headers.get('content-security-policy'));
    const j = await fetch(`${url}assets/${js}`);
    assert.match(j.headers.get('content-type'), /^text\/javascript/);
    assert.equal((await fetch(`${url}nope.txt`)).status, 404);
    assert.equal((await fetch(`${url}..%2f..%2fpackage.json`)).status, 403);
    assert.equal((await fetch(url, { method: 'POST' })).status, 405);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
