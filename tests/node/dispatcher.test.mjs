// The worker protocol in Node: the Dispatcher alone (postMessage captured), then EngineClient over a
// worker_threads worker (progress, cancel, errors, worker death and restore).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { EngineClient } from '../../wasm/client.mjs';
import {
  Dispatcher,
  FIRST_CHUNK_USERS,
  MAX_CHUNK_USERS,
  MIN_CHUNK_USERS,
  PROGRESS_INTERVAL_MS,
  TARGET_CHUNK_MS,
  nextChunkSize,
} from '../../wasm/dispatcher.mjs';
import { EngineError, createEngine } from '../../wasm/engine-api.mjs';
import { readWasmBinary } from '../../wasm/node-support.mjs';
import { EVENT_ID, LOAD_PROGRESS_BYTES, PROTOCOL_VERSION, RequestType } from '../../wasm/protocol.mjs';
import { NodeWorkerAdapter } from './fixtures/node-worker-adapter.mjs';
import { NOW_ISO, PLAN, SKU, batch, assignGroupLicense, newEngine } from './helpers.mjs';

/**
 * A clock that moves only when the engine works: `msPerUser` for every user a chunk is asked to
 * evaluate (a chunk uses its whole budget unless the run ends in it). No test below reads the real
 * clock: the pacing is checked on this one, so it holds on a machine of any speed.
 */
function workClock(msPerUser, { slowerAfterChunks = Infinity, slowerMsPerUser = msPerUser } = {}) {
  return { ms: 0, msPerUser, slowerAfterChunks, slowerMsPerUser, chunks: [], now() { return this.ms; } };
}

/** The engine with its processChunk calls recorded on `clock` (and moving it). */
function onClock(engine, clock) {
  const processChunk = (users) => {
    if (clock.chunks.length >= clock.slowerAfterChunks) clock.msPerUser = clock.slowerMsPerUser;
    clock.chunks.push(users);
    clock.ms += users * clock.msPerUser;
    return engine.processChunk(users);
  };
  return new Proxy(engine, {
    get(target, key) {
      if (key === 'processChunk') return processChunk;
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * A dispatcher over a fresh engine, recording what it posts (`at`: the time on `clock`, when given).
 * `onPost(message)` sees each message as it is posted.
 */
async function harness(engine, { clock, onPost, ...options } = {}) {
  const posted = [];
  const waiters = new Map();
  const post = (message, transfer) => {
    const entry = { message, transfer, at: clock ? clock.now() : null };
    posted.push(entry);
    onPost?.(message);
    if (message.id !== EVENT_ID) waiters.get(message.id)?.(message);
  };
  let real = engine ?? (await newEngine());
  if (clock) {
    real = onClock(await real, clock);
    options.now = () => clock.now();
  }
  const dispatcher = new Dispatcher(real, post, options);
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
  test('an export to a chosen file is written part by part; a cancel between parts leaves the file as it was', async () => {
    const bytes = await syntheticBytes(20_000);
    // A FileSystemFileHandle as showSaveFilePicker gives it: createWritable, then write / close,
    // or abort (the file keeps its old bytes until close).
    const file = { bytes: Buffer.from('old') };
    const handle = {
      async createWritable() {
        const parts = [];
        return {
          async write(chunk) {
            parts.push(Buffer.from(chunk));
          },
          async close() {
            file.bytes = Buffer.concat(parts);
          },
          async abort() {},
        };
      },
    };
    let cancelOnProgress = false;
    let sendRef = null;
    const { send, events } = await harness(undefined, {
      onPost: (message) => {
        if (cancelOnProgress && message.event === 'exportProgress') {
          cancelOnProgress = false;
          sendRef(RequestType.EXPORT_CANCEL);
        }
      },
    });
    sendRef = send;
    assert.equal((await send(RequestType.LOAD_DOCUMENT, { bytes })).ok, true);
    const whole = Buffer.from((await send(RequestType.EXPORT)).value);
    const written = await send(RequestType.EXPORT, { handle });
    assert.equal(written.ok, true);
    assert.equal(written.value.bytesWritten, whole.length);
    assert.ok(file.bytes.equals(whole));
    const progress = events().filter((e) => e.message.event === 'exportProgress').map((e) => e.message.value.bytesWritten);
    assert.ok(progress.length >= 2 && progress.at(-1) === whole.length, `${progress.length} progress events`);

    file.bytes = Buffer.from('old');
    cancelOnProgress = true;
    const stopped = await send(RequestType.EXPORT, { handle });
    assert.equal(stopped.ok, false);
    assert.equal(stopped.error.code, 'Cancelled');
    assert.equal(file.bytes.toString(), 'old');
    assert.equal((await send(RequestType.EXPORT, { handle: {} })).error.code, 'BadRequest');
    // The next export is whole again.
    assert.ok(Buffer.from((await send(RequestType.EXPORT)).value).equals(whole));
  });

  test('load, batch, process with progress events, query, export', async () => {
    // 1 ms a user: a chunk of 25 users takes 25 ms, so an event can go out every second chunk at most.
    const clock = workClock(1);
    const { send, events, posted } = await harness(undefined, { clock });
    const loaded = await send(RequestType.LOAD_SAMPLE);
    assert.equal(loaded.ok, true);
    assert.ok(loaded.value.users >= 1000);

    const hr = (await send(RequestType.QUERY, { query: { query: 'groups', search: 'HR Department' } })).value.items[0];
    const applied = await send(RequestType.APPLY_BATCH, {
      batch: batch(assignGroupLicense(hr.id, [{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER] }, { skuId: SKU.EMS, disabledPlans: [] }])),
    });
    assert.equal(applied.ok, true);
    assert.equal(applied.value.responses[0].status, 202);

    const processed = await send(RequestType.PROCESS, { chunkUsers: 25 });
    assert.ok(clock.chunks.every((users) => users === 25), 'a fixed chunk size is kept');
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
    // On the work clock a chunk of 25 users is 25 units and an event needs PROGRESS_INTERVAL_MS (50)
    // of them since the last: one event after chunks 1, 3, 5, ... of the chunks before the last,
    // plus the final one. Exactly that many, whatever the machine.
    const chunks = clock.chunks.length;
    assert.equal(PROGRESS_INTERVAL_MS, 2 * 25, 'the count below assumes two chunks per interval');
    assert.equal(progress.length, Math.ceil((chunks - 1) / 2) + 1, `${progress.length} events for ${chunks} chunks`);
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

  test('adaptive chunks: sized to TARGET_CHUNK_MS of engine time, progress once per PROGRESS_INTERVAL_MS', async () => {
    // 10 us a user on the work clock: a chunk of 2,000 users takes the 20 ms target.
    const clock = workClock(0.01);
    const { send, events } = await harness(undefined, { clock });
    const bytes = await syntheticBytes(50_000, { membershipsPerUser: 8, licensedGroupFraction: 0.6 });
    const loaded = await send(RequestType.LOAD_DOCUMENT, { bytes: bytes.buffer });
    assert.equal(loaded.ok, true, JSON.stringify(loaded));
    const processed = await send(RequestType.PROCESS);
    assert.equal(processed.ok, true);

    const steady = Math.round(TARGET_CHUNK_MS / clock.msPerUser);
    const { chunks } = clock;
    assert.equal(chunks[0], FIRST_CHUNK_USERS);
    chunks.slice(1).forEach((users, i) => assert.ok(users <= 4 * chunks[i], `chunk ${i + 1} grew more than 4x: ${chunks[i]} -> ${users}`));
    // 256 -> 1,024 -> 2,000, then 2,000 to the end.
    assert.deepEqual(chunks.slice(0, 3), [FIRST_CHUNK_USERS, 4 * FIRST_CHUNK_USERS, steady]);
    assert.ok(chunks.slice(2).every((users) => users === steady), `steady chunks: ${[...new Set(chunks.slice(2))]}`);

    const times = events().map((e) => e.at);
    assert.ok(times.length >= 20, `${times.length} events: a long run`);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // Every event but the final one waits PROGRESS_INTERVAL_MS, and comes with the chunk that ends it.
    for (const gap of gaps.slice(0, -1)) {
      assert.ok(gap >= PROGRESS_INTERVAL_MS && gap <= PROGRESS_INTERVAL_MS + TARGET_CHUNK_MS, `gap ${gap} ms`);
    }
    const rate = (times.length - 2) / ((times.at(-2) - times[0]) / 1000);
    assert.ok(rate >= 1000 / (PROGRESS_INTERVAL_MS + TARGET_CHUNK_MS) && rate <= 1000 / PROGRESS_INTERVAL_MS, `${rate.toFixed(1)} events per second`);
  });

  test('adaptive chunks follow the engine: slower work makes smaller chunks, faster work larger ones', async () => {
    // The machine gets 4x busier after the tenth chunk: chunks shrink to keep 20 ms.
    const slower = workClock(0.01, { slowerAfterChunks: 10, slowerMsPerUser: 0.04 });
    const tenant = await syntheticBytes(50_000, { membershipsPerUser: 8, licensedGroupFraction: 0.6 });
    const busy = await harness(undefined, { clock: slower });
    await busy.send(RequestType.LOAD_DOCUMENT, { bytes: tenant });
    assert.equal((await busy.send(RequestType.PROCESS)).ok, true);
    assert.equal(slower.chunks[9], 2000);
    assert.equal(slower.chunks[10], 2000, 'the first slow chunk still has the old size');
    const after = slower.chunks.slice(11);
    assert.ok(after.length > 5, `${slower.chunks.length} chunks`);
    assert.ok(after.every((users) => users === Math.round(TARGET_CHUNK_MS / 0.04)), `chunks after the slow-down: ${[...new Set(after)]}`);

    // A machine 100x faster: chunks grow 4x at a time until they hold 20 ms of work.
    const fast = workClock(0.0001);
    const quick = await harness(undefined, { clock: fast });
    await quick.send(RequestType.LOAD_DOCUMENT, { bytes: tenant });
    assert.equal((await quick.send(RequestType.PROCESS)).ok, true);
    assert.deepEqual(fast.chunks.slice(0, 5), [256, 1024, 4096, 16384, 65536]);
    assert.ok(fast.chunks.length > 5 && fast.chunks.slice(5).every((users) => users === 200_000), `${fast.chunks}`);
  });

  test('nextChunkSize: the target on the clock, at most 4x growth, within bounds', () => {
    assert.equal(nextChunkSize(1000, 10, 20), 2000);
    assert.equal(nextChunkSize(1000, 40, 20), 500);
    assert.equal(nextChunkSize(1000, 1, 20), 4000, 'growth is capped at 4x');
    assert.equal(nextChunkSize(1000, 0, 20), 4000, 'a zero measurement still grows the chunk only 4x');
    assert.equal(nextChunkSize(MIN_CHUNK_USERS, 1000, 20), MIN_CHUNK_USERS);
    assert.equal(nextChunkSize(MAX_CHUNK_USERS, 1, 20), MAX_CHUNK_USERS);
  });

  test('cancel stops processing between chunks; queries are served meanwhile', async () => {
    // The cancel is sent from the first progress event: the dispatcher serves it before the next
    // chunk, however fast the machine is.
    let onProgress = () => {};
    const { send, posted } = await harness(undefined, { onPost: (m) => m.id === EVENT_ID && onProgress(m) });
    await send(RequestType.LOAD_DOCUMENT, { bytes: await syntheticBytes(100_000) });
    let cancelled = null;
    onProgress = (m) => {
      if (!m.value.done && cancelled === null) cancelled = send(RequestType.CANCEL);
    };
    const processing = send(RequestType.PROCESS, { chunkUsers: 200 });
    const midQuery = send(RequestType.QUERY, { query: { query: 'processing' } });
    const reply = await processing;
    assert.ok(cancelled, 'a progress event came before the end');
    assert.deepEqual((await cancelled).value, { cancelled: true });
    assert.equal(reply.ok, false);
    assert.deepEqual(Object.keys(reply.error).sort(), ['code', 'message', 'name']);
    assert.equal(reply.error.code, 'Cancelled');
    assert.equal(reply.fatal, undefined);
    const query = await midQuery;
    assert.equal(query.ok, true);
    assert.ok(posted.indexOf(posted.find((p) => p.message === query)) < posted.indexOf(posted.find((p) => p.message === reply)));
    assert.equal((await send(RequestType.QUERY, { query: { query: 'tenant' } })).value.pending, true);
    // Nothing runs now: cancel says so, and a new process finishes the queue.
    onProgress = () => {};
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

  test('a request of another protocol version is refused; the current one is served', async () => {
    const { dispatcher, posted } = await harness();
    await dispatcher.handle({ id: 1, type: RequestType.LOAD_SAMPLE, v: PROTOCOL_VERSION + 1 });
    const refused = posted.at(-1).message;
    assert.equal(refused.ok, false);
    assert.equal(refused.error.code, 'BadRequest');
    assert.match(refused.error.message, /protocol version/);
    await dispatcher.handle({ id: 2, type: RequestType.LOAD_SAMPLE, v: PROTOCOL_VERSION });
    assert.equal(posted.at(-1).message.ok, true);
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

  function newClient(workerData) {
    const workers = [];
    const client = new EngineClient({
      createWorker: () => {
        const worker = new NodeWorkerAdapter(undefined, workerData);
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
  });

  test('a document read as a Blob in the worker gives the tenant the whole document gives; progress as it reads', async () => {
    const bytes = await syntheticBytes(20_000);
    const { client } = newClient();
    const progress = [];
    // The worker reads the Blob's stream: its pieces end anywhere, inside strings and numbers.
    const summary = await client.loadBlob(new Blob([bytes]), { onProgress: (p) => progress.push(p) });
    assert.equal(summary.users, 20_000);
    assert.ok(progress.length >= Math.floor(bytes.length / LOAD_PROGRESS_BYTES), `${progress.length} progress events`);
    assert.equal(progress.at(-1).bytesRead, bytes.length);
    assert.ok(progress.every((p, i) => i === 0 || p.bytesRead > progress[i - 1].bytesRead));
    const streamed = new TextDecoder().decode(await client.exportDocument());
    const { client: whole } = newClient();
    await whole.loadDocument(bytes);
    assert.equal(streamed, new TextDecoder().decode(await whole.exportDocument()));
  });

  test('a streamed load that fails or is cancelled keeps the tenant', async () => {
    const { client } = newClient();
    await client.loadSample();
    const broken = new Blob([new TextEncoder().encode('{"subscribedSkus": [], "users": [{"id": "a"}, 7]}')]);
    const error = await client.loadBlob(broken).catch((e) => e);
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, 'SchemaError');
    assert.match(error.message, /users\[1\]: expected an object/);
    const abort = new AbortController();
    const bytes = await syntheticBytes(20_000);
    const cancelled = client.loadBlob(new Blob([bytes]), { signal: abort.signal, onProgress: () => abort.abort() });
    const reason = await cancelled.catch((e) => e);
    assert.equal(reason.code, 'Cancelled');
    const tenant = await client.query({ query: 'tenant' });
    assert.equal(tenant.displayName, 'Contoso');
  });

  test('plan previews a batch in the worker and leaves the tenant as it was', async () => {
    const { client } = newClient();
    await client.loadSample();
    const before = Buffer.from(await client.exportDocument());
    const hr = (await client.query({ query: 'groups', search: 'HR Department' })).items[0];
    const effect = await client.plan(batch(assignGroupLicense(hr.id, [{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER] }, { skuId: SKU.EMS, disabledPlans: [] }])));
    assert.equal(effect.users.filter((u) => u.newErrors.length > 0).length, 10);
    assert.equal(effect.groups[0].membersWithErrorsAfter, 10);
    assert.ok(Buffer.from(await client.exportDocument()).equals(before));
    const refused = await client.plan('not json').catch((e) => e);
    assert.equal(refused.code, 'ParseError');
  });

  test('a change sent while an export runs waits for it: the document is the tenant as it was', async () => {
    const bytes = await syntheticBytes(20_000);
    const { client } = newClient();
    await client.loadDocument(bytes);
    await client.process();
    const before = new Uint8Array(await client.exportDocument());
    const user = (await client.query({ query: 'users' })).items[0];
    const exporting = client.exportDocument({ blob: true });
    const changed = client.applyBatch(batch(['PATCH', `/users/${user.id}`, { usageLocation: 'FR' }]));
    const [blob, response] = await Promise.all([exporting, changed]);
    assert.equal(response.responses[0].status, 204);
    assert.ok(Buffer.from(await blob.arrayBuffer()).equals(Buffer.from(before)));
    const after = Buffer.from(await client.exportDocument());
    assert.ok(!after.equals(Buffer.from(before)), 'the change came after the export');
  });

  test('an EntraExporter folder sent one file at a time loads; progress counts files', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const { join, relative } = await import('node:path');
    const root = new URL('../fixtures/entra-exporter/', import.meta.url).pathname;
    const files = [];
    const walk = (dir) => {
      for (const name of readdirSync(dir).sort()) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else files.push({ path: relative(root, full), blob: new Blob([readFileSync(full)]) });
      }
    };
    walk(join(root, 'EntraBackup'));
    const { client } = newClient();
    const progress = [];
    const summary = await client.loadFileList(files, { onProgress: (p) => progress.push(p) });
    assert.equal(summary.users, 3);
    assert.equal(summary.groups, 2);
    assert.equal(summary.otherMembers, 1);
    assert.ok(progress.length > 5 && progress.length < files.length, `${progress.length} of ${files.length} files read`);
    assert.equal(progress.at(-1).filesRead, progress.at(-1).files);
    const tenant = await client.query({ query: 'tenant' });
    assert.equal(tenant.displayName, 'Fabrikam Lab');
  });

  test('cancel reaches a run in the worker', async () => {
    // The worker holds its run after the first progress event until the next message (the cancel).
    const { client } = newClient({ holdAfterProgress: 1 });
    await client.loadDocument(await syntheticBytes(100_000));
    let firstProgress;
    const progressed = new Promise((resolve) => {
      firstProgress = resolve;
    });
    client.onProgress((p) => firstProgress(p));
    const running = client.process({ chunkUsers: 200 });
    const first = await progressed;
    assert.equal(first.done, false);
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
