// Graph's 20-request limit across the boundary: the engine refuses a longer batch; the CLI and the
// console split theirs (splitBatch), keeping order, unless a request depends on another.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EngineError } from '../../wasm/engine-api.mjs';
import { MAX_BATCH_REQUESTS, splitBatch } from '../../wasm/protocol.mjs';
import { CLI, NOW_ISO, newEngine } from './helpers.mjs';

/** One POST members/$ref request per user, adding them to the group. */
function memberRequests(users, groupId) {
  return users.map((u, i) => ({
    id: String(i + 1),
    method: 'POST',
    url: `/groups/${groupId}/members/$ref`,
    body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${u.id}` },
  }));
}

test('splitBatch: pieces of 20 in order; a batch with dependsOn stays whole', () => {
  const requests = Array.from({ length: 45 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: '/x' }));
  const parts = splitBatch({ requests });
  assert.deepEqual(parts.map((p) => p.requests.length), [20, 20, 5]);
  assert.deepEqual(parts.flatMap((p) => p.requests.map((r) => r.id)), requests.map((r) => r.id));
  assert.equal(MAX_BATCH_REQUESTS, 20);
  const chained = { requests: requests.map((r, i) => (i ? { ...r, dependsOn: [String(i)] } : r)) };
  assert.equal(splitBatch(chained).length, 1);
  assert.deepEqual(splitBatch({ requests: requests.slice(0, 3) }), [{ requests: requests.slice(0, 3) }]);
});

test('the engine refuses 21 requests; the CLI applies a 25-request file 20 at a time', async () => {
  const engine = await newEngine();
  engine.loadSample();
  const users = engine.query({ query: 'users', limit: 25 }).items;
  const created = engine.applyBatch({ requests: [{ id: '1', method: 'POST', url: '/groups', body: { displayName: 'Pilot', securityEnabled: true, mailEnabled: false } }] });
  const groupId = created.responses[0].body.id;
  let error = null;
  try {
    engine.applyBatch({ requests: memberRequests(users.slice(0, 21), groupId) });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof EngineError);
  assert.equal(error.code, 'BadRequest');
  assert.match(error.message, /at most 20/);
  const document = engine.exportDocumentText();
  engine.dispose();

  const dir = mkdtempSync(join(tmpdir(), 'gbl-batches-'));
  try {
    writeFileSync(join(dir, 'tenant.json'), document);
    writeFileSync(join(dir, 'batch.json'), JSON.stringify({ requests: memberRequests(users, groupId) }));
    const run = spawnSync(process.execPath, [CLI, 'process', join(dir, 'tenant.json'), '--changes', join(dir, 'batch.json'), '--out', join(dir, 'out.json'), '--now', NOW_ISO], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    assert.equal(out.responses.length, 25);
    assert.ok(out.responses.every((r) => r.status === 204), JSON.stringify(out.responses.filter((r) => r.status !== 204)));
    assert.equal(out.groups.find((g) => g.id === groupId).members.length, 25);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
