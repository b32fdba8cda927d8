// Demo pace (issue 14): a `process` request with `usersPerSecond` delivers the run in chunks of a
// tenth of that rate, a progress event after each chunk and a pause between them; the tenant it
// leaves is the one an unpaced run leaves. The pauses go to a recording `sleep` that returns at
// once, so nothing here waits for or reads the clock.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Dispatcher, MAX_USERS_PER_SECOND, pacedChunk } from '../../wasm/dispatcher.mjs';
import { EVENT_ID, RequestType } from '../../wasm/protocol.mjs';
import { ROOT, newEngine } from './helpers.mjs';

const STEP1 = JSON.parse(await readFile(`${ROOT}tests/fixtures/walkthrough-step1.json`, 'utf8'));

/** A dispatcher over the sample after the seed's step 1, recording posts, chunks and pauses. */
async function pacedHarness() {
  const engine = await newEngine();
  engine.loadSample();
  engine.applyBatch(STEP1);
  const chunks = [];
  const pauses = [];
  const counted = new Proxy(engine, {
    get(target, key) {
      if (key === 'processChunk') {
        return (users) => {
          chunks.push(users);
          return target.processChunk(users);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const posted = [];
  const waiters = new Map();
  const dispatcher = new Dispatcher(counted, (message) => {
    posted.push(message);
    if (message.id !== EVENT_ID) waiters.get(message.id)?.(message);
  }, {
    sleep: async (ms) => {
      pauses.push(ms);
    },
  });
  let nextId = 1;
  const send = (type, payload = {}) => {
    const id = nextId++;
    const reply = new Promise((resolve) => waiters.set(id, resolve));
    dispatcher.handle({ id, type, ...payload });
    return reply;
  };
  return { engine, send, posted, chunks, pauses };
}

test('pacedChunk: a tenth of the rate per chunk, at least one user, and the pause those users take', () => {
  // Arithmetic on the requested rate (users per second), compared with fixed numbers: no clock.
  assert.deepEqual(pacedChunk(200), { chunk: 20, pauseMs: 100 });
  assert.deepEqual(pacedChunk(5), { chunk: 1, pauseMs: 200 });
  assert.deepEqual(pacedChunk(1000), { chunk: 100, pauseMs: 100 });
});

test('a paced run processes chunks of a tenth of the rate, an event after each, and ends as an unpaced run does', async () => {
  const paced = await pacedHarness();
  const reply = await paced.send(RequestType.PROCESS, { usersPerSecond: 200 });
  assert.equal(reply.ok, true, JSON.stringify(reply.error));
  assert.equal(reply.value.done, true);
  // HR Department's 1,000 members in chunks of 20.
  assert.ok(paced.chunks.length >= 50, `chunks: ${paced.chunks.length}`);
  assert.ok(paced.chunks.every((n) => n === 20));
  assert.ok(paced.pauses.length >= 49 && paced.pauses.every((ms) => ms === 100), `pauses: ${paced.pauses.slice(0, 5)}`);
  const events = paced.posted.filter((m) => m.id === EVENT_ID && m.event === 'progress').map((m) => m.value);
  const counts = new Set(events.filter((e) => !e.done && e.groupName === 'HR Department').map((e) => e.processed));
  assert.ok(counts.size >= 40, `distinct intermediate counts: ${counts.size}`);
  assert.ok([...counts].every((n) => n > 0 && n < 1000));

  const plain = await pacedHarness();
  const plainReply = await plain.send(RequestType.PROCESS, {});
  assert.equal(plainReply.ok, true);
  const a = Buffer.from(paced.engine.exportDocument()).toString('utf8');
  const b = Buffer.from(plain.engine.exportDocument()).toString('utf8');
  assert.equal(a, b, 'the paced run leaves the same tenant, audit log included');
});

test('a cancel during a paced run stops it between chunks; a bad rate is refused', async () => {
  const paced = await pacedHarness();
  const run = paced.send(RequestType.PROCESS, { usersPerSecond: 100 });
  const cancel = await paced.send(RequestType.CANCEL);
  assert.deepEqual(cancel.value, { cancelled: true });
  const reply = await run;
  assert.equal(reply.ok, false);
  assert.equal(reply.error.code, 'Cancelled');
  assert.ok(paced.chunks.length < 100);

  for (const usersPerSecond of [0, -5, Number.NaN, MAX_USERS_PER_SECOND + 1, '50']) {
    const refused = await paced.send(RequestType.PROCESS, { usersPerSecond });
    assert.equal(refused.ok, false);
    assert.equal(refused.error.code, 'BadRequest');
  }
});
