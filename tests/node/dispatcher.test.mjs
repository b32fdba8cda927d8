// The worker protocol in Node: the Dispatcher alone (postMessage captured), then EngineClient over a
// worker_threads worker (progress, cancel, errors, worker death and restore).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { EngineClient } from '../../wasm/client.mjs';
import { Dispatcher, PROGRESS_INTERVAL_MS } from '../../wasm/dispatcher.mjs';
import { EngineError, createEngine } from '../../wasm/engine-api.mjs';
import { readWasmBinary } from '../../wasm/node-support.mjs';
import { EVENT_ID, RequestType } from '../../wasm/protocol.mjs';
import { NodeWorkerAdapter } from './fixtures/node-worker-adapter.mjs';
import { NOW_ISO, PLAN, SKU, batch, assignGroupLicense, newEngine } from './helpers.mjs';

/** A dispatcher over a fresh engine, recording what it posts. */
async function harness(engine) {
  const posted = [];
  const waiters = new Map();
  const post = (message, transfer) => {
    const entry = { message, transfer, at: performance.now() };
    posted.push(entry);
    if (message.id !== EVENT_ID) waiters.get(message.id)?.(message);
  };
  const dispatcher = new Dispatcher(engine ?? (await newEngine()), post);
  let nextId = 1;
  const send = (type, payload = {}) => {
    const id = nextId++;
    const reply = new Promise((resolve) => waiters.set(id, resolve));
    dispatcher.handle({ id, type, ...payload });
    return reply;
  };
  const events = () => posted.filter((p) => p.message.id === EVENT_ID);
  return { dispatcher, posted, send, events };
}

/** A tenant that takes a while to process: large enough for several progress events. */
async function syntheticBytes(users, { membershipsPerUser = 6, licensedGroupFraction = 0.5 } = {}) {
  const engine = await newEngine();
  const bytes = engine.generateSyntheticTenant({ users, groups: 40, licensedGroupFraction, membershipsPerUser, seed: 7 });
  engine.dispose();
  return bytes;
}

describe('Dispatcher', () => {
  test('load, batch, process with progress events, query, export', async () => {
    const { send, events, posted } = await harness();
    const loaded = await send(RequestType.LOAD_SAMPLE);
    assert.equal(loaded.ok, true);
    assert.ok(loaded.value.users >= 1000);

    const hr = (await send(RequestType.QUERY, { query: { query: 'groups', search: 'HR Department' } })).value.items[0];
    const applied = await send(RequestType.APPLY_BATCH, {
      batch: batch(assignGroupLicense(hr.id, [{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER] }, { skuId: SKU.EMS, disabledPlans: [] }])),
    });
    assert.equal(applied.ok, true);
    assert.equal(applied.value.responses[0].status, 202);

    const started = performance.now();
    const processed = await send(RequestType.PROCESS, { chunkUsers: 25 });
    const elapsed = performance.now() - started;
    assert.equal(processed.ok, true, JSON.stringify(processed));
    assert.equal(processed.value.done, true);
    const progress = events().map((e) => e.message);
    assert.ok(progress.length >= 2, `${progress.length} progress events`);
    assert.ok(progress.every((m) => m.event === 'progress'));
    for (const key of ['groupId', 'groupName', 'processed', 'total', 'queuedGroups', 'done']) {
      assert.ok(key in progress[0].value, `progress has ${key}`);
    }
    assert.equal(progress.at(-1).value.done, true);
    assert.ok(progress.slice(0, -1).every((m) => m.value.done === false));
    assert.ok(progress.some((m) => m.value.groupName === 'HR Department'));
    // At most ~20 per second (plus the first and the final one).
    assert.ok(progress.length <= elapsed / PROGRESS_INTERVAL_MS + 2, `${progress.length} events in ${elapsed.toFixed(0)} ms`);
    // The final event comes before the reply.
    const finalIndex = posted.findIndex((p) => p.message.id === EVENT_ID && p.message.value.done);
    const replyIndex = posted.findIndex((p) => p.message === processed);
    assert.ok(finalIndex < replyIndex);

    const errors = await send(RequestType.QUERY, { query: { query: 'groupErrors', id: hr.id } });
    assert.equal(errors.value.total, 10);

    const exported = await send(RequestType.EXPORT);
    assert.ok(exported.value instanceof ArrayBuffer);
    const exportEntry = posted.find((p) => p.message === exported);
    assert.deepEqual(exportEntry.transfer, [exported.value]);
    const document = JSON.parse(new TextDecoder().decode(exported.value));
    assert.ok(Array.isArray(document.users) && document.users.length >= 1000);
    const chunked = await send(RequestType.EXPORT, { chunked: true });
    assert.ok(Array.isArray(chunked.value) && chunked.value.every((piece) => piece instanceof ArrayBuffer));
    assert.deepEqual(posted.find((p) => p.message === chunked).transfer, chunked.value);
    assert.ok(Buffer.concat(chunked.value.map((piece) => Buffer.from(piece))).equals(Buffer.from(exported.value)));
    const lean = await send(RequestType.EXPORT, { assignedPlans: false, audit: false });
    assert.ok(lean.value.byteLength < exported.value.byteLength);
    assert.equal('directoryAudits' in JSON.parse(new TextDecoder().decode(lean.value)), false);
  });

  test('adaptive chunks: progress 5 to 20 times per second on a long run', async () => {
    const { send, events } = await harness();
    // About 1.5 s of processing in 40 groups of ~40,000 members.
    const bytes = await syntheticBytes(200_000, { membershipsPerUser: 8, licensedGroupFraction: 0.6 });
    const loaded = await send(RequestType.LOAD_DOCUMENT, { bytes: bytes.buffer });
    assert.equal(loaded.ok, true, JSON.stringify(loaded));
    const processed = await send(RequestType.PROCESS);
    assert.equal(processed.ok, true);
    const times = events().map((e) => e.at);
    const total = times.at(-1) - times[0];
    assert.ok(total >= 400, `processing took ${total.toFixed(0)} ms: too short to judge the rate (enlarge the tenant)`);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    const rate = (times.length - 1) / (total / 1000);
    assert.ok(rate >= 5 && rate <= 21, `${rate.toFixed(1)} events per second`);
    // Chunks aim at 20 ms of engine time; a busy machine may stretch one, never to half a second.
    assert.ok(Math.max(...gaps) <= 500, `longest gap ${Math.max(...gaps).toFixed(0)} ms`);
    assert.ok(Math.min(...gaps.slice(0, -1)) >= PROGRESS_INTERVAL_MS - 1, `shortest gap ${Math.min(...gaps).toFixed(1)} ms`);
  });

  test('cancel stops processing between chunks; queries are served meanwhile', async () => {
    const { send, events, posted } = await harness();
    await send(RequestType.LOAD_DOCUMENT, { bytes: await syntheticBytes(100_000) });
    const processing = send(RequestType.PROCESS, { chunkUsers: 200 });
    const midQuery = send(RequestType.QUERY, { query: { query: 'processing' } });
    while (events().length < 2) await new Promise((resolve) => setImmediate(resolve));
    const cancelled = await send(RequestType.CANCEL);
    assert.deepEqual(cancelled.value, { cancelled: true });
    const reply = await processing;
    assert.equal(reply.ok, false);
    assert.deepEqual(Object.keys(reply.error).sort(), ['code', 'message', 'name']);
    assert.equal(reply.error.code, 'Cancelled');
    assert.equal(reply.fatal, undefined);
    const query = await midQuery;
    assert.equal(query.ok, true);
    assert.ok(posted.indexOf(posted.find((p) => p.message === query)) < posted.indexOf(posted.find((p) => p.message === reply)));
    assert.equal((await send(RequestType.QUERY, { query: { query: 'tenant' } })).value.pending, true);
    // Nothing runs now: cancel says so, and a new process finishes the queue.
    assert.deepEqual((await send(RequestType.CANCEL)).value, { cancelled: false });
    const finished = await send(RequestType.PROCESS);
    assert.equal(finished.ok, true);
    assert.equal((await send(RequestType.QUERY, { query: { query: 'tenant' } })).value.pending, false);
  });

  test('a second process joins the running one; load cancels a run', async () => {
    const { send } = await harness();
    await send(RequestType.LOAD_DOCUMENT, { bytes: await syntheticBytes(50_000) });
    const first = send(RequestType.PROCESS, { chunkUsers: 500 });
    const second = send(RequestType.PROCESS, { chunkUsers: 500 });
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a.ok && b.ok, true);
    assert.deepEqual(a.value, b.value);

    await send(RequestType.LOAD_DOCUMENT, { bytes: await syntheticBytes(50_000) });
    const running = send(RequestType.PROCESS, { chunkUsers: 100 });
    const reload = await send(RequestType.LOAD_SAMPLE);
    assert.equal(reload.ok, true);
    const cancelled = await running;
    assert.equal(cancelled.error.code, 'Cancelled');
  });

  test('errors cross as plain objects', async () => {
    const { send } = await harness();
    const cases = [
      [RequestType.LOAD_DOCUMENT, { bytes: new TextEncoder().encode('{"users": [,]}').buffer }, 'ParseError'],
      [RequestType.LOAD_DOCUMENT, { bytes: 'text is not bytes' }, 'BadRequest'],
      [RequestType.QUERY, { query: { query: 'no-such-query' } }, 'BadRequest'],
      [RequestType.QUERY, {}, 'BadRequest'],
      [RequestType.APPLY_BATCH, { batch: '{"requests": [' }, 'ParseError'],
      [RequestType.SET_NOW, { now: 'not a date' }, 'BadRequest'],
      [RequestType.PROCESS, { chunkUsers: -3 }, 'BadRequest'],
      ['frobnicate', {}, 'BadRequest'],
    ];
    for (const [type, payload, code] of cases) {
      const reply = await send(type, payload);
      assert.equal(reply.ok, false, type);
      assert.equal(reply.error.code, code, `${type}: ${reply.error.message}`);
      assert.equal(reply.error.name, 'EngineError');
      assert.equal(Object.getPrototypeOf(reply.error), Object.prototype);
      assert.deepEqual(structuredClone(reply), reply);
      assert.equal(reply.fatal, undefined);
    }
    // The engine still serves requests after failures.
    assert.equal((await send(RequestType.LOAD_SAMPLE)).ok, true);
    assert.equal((await send(RequestType.SET_NOW, { now: NOW_ISO })).ok, true);
  });

  test('a non-engine failure is fatal and sticks', async () => {
    const real = await newEngine();
    const trapping = Object.create(real);
    trapping.query = () => {
      throw new WebAssembly.RuntimeError('memory access out of bounds');
    };
    const { send } = await harness(trapping);
    const reply = await send(RequestType.QUERY, { query: { query: 'tenant' } });
    assert.equal(reply.ok, false);
    assert.equal(reply.fatal, true);
    assert.equal(reply.error.name, 'RuntimeError');
    assert.equal(reply.error.code, 'Internal');
    const next = await send(RequestType.LOAD_SAMPLE);
    assert.equal(next.fatal, true);
    assert.match(next.error.message, /memory access out of bounds/);

    const failedStart = await harness(Promise.reject(new Error('no wasm here')));
    const first = await failedStart.send(RequestType.LOAD_SAMPLE);
    assert.equal(first.fatal, true);
    assert.match(first.error.message, /failed to start: no wasm here/);
  });

  test('messages without an id are reported, not answered', async () => {
    const { dispatcher, posted } = await harness();
    await dispatcher.handle({ type: 'loadSample' });
    assert.equal(posted.length, 1);
    assert.equal(posted[0].message.id, EVENT_ID);
    assert.equal(posted[0].message.event, 'error');
  });
});

describe('EngineClient over a worker', () => {
  const clients = [];
  after(() => clients.forEach((client) => client.terminate()));

  function newClient() {
    const workers = [];
    const client = new EngineClient({
      createWorker: () => {
        const worker = new NodeWorkerAdapter();
        workers.push(worker);
        return worker;
      },
    });
    clients.push(client);
    return { client, workers };
  }

  test('requests, progress subscription, cancel and EngineError rejections', async () => {
    const { client } = newClient();
    await client.setNow(NOW_ISO);
    const summary = await client.loadSample();
    assert.ok(summary.users >= 1000);
    const hr = (await client.query({ query: 'groups', search: 'HR Department' })).items[0];
    await client.applyBatch(batch(assignGroupLicense(hr.id, [{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER] }, { skuId: SKU.EMS, disabledPlans: [] }])));
    const seen = [];
    const unsubscribe = client.onProgress((p) => seen.push(p));
    const result = await client.process({ chunkUsers: 50 });
    unsubscribe();
    assert.equal(result.done, true);
    assert.ok(seen.length >= 2 && seen.at(-1).done === true);
    assert.equal((await client.query({ query: 'groupErrors', id: hr.id })).total, 10);

    const rejected = await client.query({ query: 'nope' }).catch((error) => error);
    assert.ok(rejected instanceof EngineError);
    assert.equal(rejected.code, 'BadRequest');

    const document = await client.exportDocument();
    assert.ok(document instanceof ArrayBuffer && document.byteLength > 100_000);

    // Cancel a long run.
    await client.loadDocument(await syntheticBytes(100_000));
    const progress = [];
    client.onProgress((p) => progress.push(p));
    const running = client.process({ chunkUsers: 200 });
    while (progress.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(await client.cancel(), { cancelled: true });
    const error = await running.catch((e) => e);
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, 'Cancelled');
  });

  test('a dead worker rejects pending requests; the next request restores the tenant', async () => {
    const { client, workers } = newClient();
    const restarts = [];
    client.onRestart((info) => restarts.push(info));
    await client.setNow(NOW_ISO);
    await client.loadSample();
    const hr = (await client.query({ query: 'groups', search: 'HR Department' })).items[0];
    await client.applyBatch(batch(assignGroupLicense(hr.id, [{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER] }, { skuId: SKU.EMS, disabledPlans: [] }])));
    await client.process();
    const before = await client.query({ query: 'groupErrors', id: hr.id });
    assert.equal(before.total, 10);

    // Kill the worker while a request is pending.
    const pending = client.query({ query: 'products' });
    workers[0].worker.postMessage({ type: 'testCrash' });
    const pendingSlow = client.exportDocument();
    const outcomes = await Promise.allSettled([pending, pendingSlow]);
    const rejections = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason);
    // The crash is queued behind the query: the query may still answer; the export cannot.
    assert.ok(rejections.length >= 1);
    for (const reason of rejections) {
      assert.ok(reason instanceof EngineError);
      assert.equal(reason.code, 'WorkerDied');
      assert.match(reason.message, /simulated worker crash/);
    }
    assert.equal(workers[0].terminated, true);

    // The next request runs in a new worker, with the sample, the batch and processing replayed.
    const after = await client.query({ query: 'groupErrors', id: hr.id });
    assert.equal(workers.length, 2);
    assert.deepEqual(after, before);
    assert.equal(restarts.length, 1);
    assert.equal(restarts[0].restored, true);
  });

  test('a worker that cannot be created is a WorkerDied rejection', async () => {
    const client = new EngineClient({
      createWorker: () => {
        throw new Error('Worker is not defined');
      },
    });
    const error = await client.loadSample().catch((e) => e);
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, 'WorkerDied');
    assert.match(error.message, /cannot be started: Worker is not defined/);
  });

  test('terminate rejects what is pending and refuses new requests', async () => {
    const { client } = newClient();
    const pending = client.loadSample();
    client.terminate();
    const error = await pending.catch((e) => e);
    assert.equal(error.code, 'Terminated');
    assert.equal((await client.query({ query: 'tenant' }).catch((e) => e)).code, 'Terminated');
  });
});

test('createEngine in Node needs the wasm bytes (trap 3) and works with them', async () => {
  const engine = await createEngine({ wasmBinary: await readWasmBinary() });
  assert.equal(engine.hasPendingWork(), false);
  engine.dispose();
});
