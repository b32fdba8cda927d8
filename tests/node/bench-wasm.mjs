#!/usr/bin/env node
// Performance figures of the WASM engine (a script run by hand, not a test):
//
//   node tests/node/bench-wasm.mjs [--users N] [--file TENANT.json] [--loads N] [--changes N]
//        [--plans N] [--plan-only] [--no-worker] [--native-load-mbps X] [--native-process-ms X]
//        [--native-change-us X]
//
// Tenant: by default the engine's synthetic generator with the native benchmark's shape
// (tests/bench/engine_bench.cpp: N users, N/100 groups, 100 SKUs, 5 memberships per user, 20% of
// groups licensed, seat ratio 1.2, 5% direct, seed 42), generated inside the wasm module.
// Measures: load MB/s end to end (bytes in JS -> copied into the heap -> engine ready), full
// background processing, the export (document bytes out of the heap), and one membership change round trip (a Graph batch with one
// POST/DELETE members/$ref) through the Dispatcher in-process and through a worker thread
// (EngineClient over worker_threads), each with and without the processing that follows; the
// planner's preview of a template change on the biggest group (one more plan disabled in its first
// product; the console's page: summary and 20 users), in-process and through the worker, with the
// wasm heap before and after (--plan-only: load, process and that alone).
// With native figures given, prints the WASM/native ratios.
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { EngineClient } from '../../wasm/client.mjs';
import { Dispatcher } from '../../wasm/dispatcher.mjs';
import { Engine } from '../../wasm/engine-api.mjs';
import { loadNodeEngineModule } from '../../wasm/node-support.mjs';
import { NodeWorkerAdapter } from './fixtures/node-worker-adapter.mjs';

const { values: options } = parseArgs({
  options: {
    users: { type: 'string', default: '1000000' },
    file: { type: 'string' },
    loads: { type: 'string', default: '3' },
    changes: { type: 'string', default: '200' },
    plans: { type: 'string', default: '5' },
    'plan-only': { type: 'boolean', default: false },
    'no-worker': { type: 'boolean', default: false },
    'native-load-mbps': { type: 'string' },
    'native-process-ms': { type: 'string' },
    'native-change-us': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (options.help) {
  process.stdout.write(`usage: node tests/node/bench-wasm.mjs [--users N] [--file TENANT.json] [--loads N] [--changes N]
       [--plans N] [--plan-only] [--no-worker] [--native-load-mbps X] [--native-process-ms X] [--native-change-us X]\n`);
  process.exit(0);
}

const users = Number(options.users);
const loads = Number(options.loads);
const changeCount = Number(options.changes);
const log = (line) => process.stdout.write(`${line}\n`);
const ms = (value) => `${value.toFixed(value < 10 ? 3 : 0)} ms`;
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const percentile = (list, p) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(list.length * p))];

const module = await loadNodeEngineModule();
let bytes;
let started = performance.now();
if (options.file) {
  bytes = new Uint8Array(await readFile(options.file));
  log(`tenant: ${options.file}, ${(bytes.length / 1e6).toFixed(1)} MB`);
} else {
  const generator = new Engine(module);
  bytes = generator.generateSyntheticTenant({
    users,
    groups: Math.max(10, Math.floor(users / 100)),
    skus: 100,
    membershipsPerUser: 5,
    licensedGroupFraction: 0.2,
    seatRatio: 1.2,
    directFraction: 0.05,
    seed: 42,
  });
  generator.dispose();
  log(`tenant: synthetic, ${users} users, ${(bytes.length / 1e6).toFixed(1)} MB, generated in wasm in ${ms(performance.now() - started)}`);
}

// Load, end to end: the bytes are in JS memory; the call copies them into the heap and parses.
const engine = new Engine(module);
const loadTimes = [];
let summary;
for (let i = 0; i < loads; i++) {
  started = performance.now();
  summary = engine.loadDocument(bytes);
  loadTimes.push(performance.now() - started);
}
const loadMs = median(loadTimes);
const loadMbps = bytes.length / 1e6 / (loadMs / 1000);
log(`load: median ${ms(loadMs)} of ${loads} (${loadTimes.map((t) => t.toFixed(0)).join(', ')} ms) = ${loadMbps.toFixed(1)} MB/s; ` +
  `${summary.users} users, ${summary.groups} groups, ${summary.memberships} memberships, ${summary.queuedGroups} groups queued`);
log(`wasm heap after load: ${(module.debugMemory().heapSize / 2 ** 20).toFixed(0)} MiB`);

// The same bytes in 16 MiB pieces (what the CLI and the console do): only one piece in the heap.
// V8's JSON.parse on the same bytes (the text decoded first, not timed), in the same rounds: each
// round a streamed load then a parse, so that both meet the same machine (JSON.parse's rate moves
// with the host's load far more than ours; README, "Load speed").
const text = bytes.length < 512 << 20 ? new TextDecoder().decode(bytes) : null;
const streamTimes = [];
const parseTimes = [];
const roundRatios = [];
for (let i = 0; i < loads; i++) {
  started = performance.now();
  engine.beginLoad(bytes.length);
  for (let at = 0; at < bytes.length; at += 16 << 20) engine.feedLoad(bytes.subarray(at, at + (16 << 20)));
  engine.finishLoad();
  streamTimes.push(performance.now() - started);
  if (!text) continue;
  started = performance.now();
  JSON.parse(text);
  parseTimes.push(performance.now() - started);
  roundRatios.push(parseTimes[i] / streamTimes[i]);
}
const streamMs = median(streamTimes);
const streamMbps = bytes.length / 1e6 / (streamMs / 1000);
const parseMbps = text ? bytes.length / 1e6 / (median(parseTimes) / 1000) : NaN;
log(`streamed load (16 MiB pieces): median ${ms(streamMs)} = ${streamMbps.toFixed(1)} MB/s; ` +
  `V8 JSON.parse of the same text: ${text ? `${parseMbps.toFixed(1)} MB/s (${parseTimes.map((t) => t.toFixed(0)).join(', ')} ms)` : 'not run (over 512 MiB)'}; ` +
  `load / JSON.parse = ${text ? (loadMbps / parseMbps).toFixed(2) : '-'}x, streamed / JSON.parse = ${text ? (streamMbps / parseMbps).toFixed(2) : '-'}x` +
  (text ? `; per round (a streamed load, then a parse): median ${median(roundRatios).toFixed(2)}x, ` +
    `${Math.min(...roundRatios).toFixed(2)}-${Math.max(...roundRatios).toFixed(2)}x` : ''));

started = performance.now();
let chunks = 0;
let progress = engine.processChunk(1 << 16);
while (!progress.done) {
  chunks += 1;
  progress = engine.processChunk(1 << 16);
}
const processMs = performance.now() - started;
log(`full processing: ${ms(processMs)} (${chunks + 1} chunks of 65,536 user evaluations)`);
log(`wasm heap after processing: ${(module.debugMemory().heapSize / 2 ** 20).toFixed(0)} MiB`);

// The planner's preview of a template change on the biggest group: its first product with one
// more plan disabled (the native BM_PlanTemplateChange100k/1), the summary and 20 users. Each run's
// request has its own id, so none is served from the last preview (wasm/engine-api.mjs keeps it for
// the same batch text).
const planCount = Number(options.plans);
function templateChange(target) {
  const [big] = target.query({ query: 'groups', licensedOnly: true, orderBy: 'members desc', limit: 1 }).items;
  const detail = target.query({ query: 'group', id: big.id });
  const license = detail.licenses[0];
  const extra = license.servicePlans.find((p) => p.enabled);
  const disabledPlans = [...license.disabledPlans, ...(extra ? [extra.servicePlanId] : [])];
  const batch = (run) => ({
    requests: [{
      id: String(run + 1), method: 'POST', url: `/groups/${big.id}/assignLicense`,
      body: { addLicenses: [{ skuId: license.skuId, disabledPlans }], removeLicenses: [] },
    }],
  });
  return { group: big, batch };
}
const template = templateChange(engine);
const heapBefore = module.debugMemory().heapSize;
const planTimes = [];
let planEffect;
for (let i = 0; i < planCount; i++) {
  const planBatch = template.batch(i);
  started = performance.now();
  planEffect = engine.planChanges(planBatch, { userLimit: 20 });
  planTimes.push(performance.now() - started);
}
const heapAfter = module.debugMemory().heapSize;
const planMs = median(planTimes);
log(`plan (template change on "${template.group.displayName}", ${template.group.members} members; summary and 20 users): ` +
  `median ${ms(planMs)} of ${planCount} (${planTimes.map((t) => t.toFixed(0)).join(', ')} ms) in-process, ` +
  `${planEffect.summary.usersChanged} users changed; wasm heap ${(heapBefore / 2 ** 20).toFixed(0)} -> ${(heapAfter / 2 ** 20).toFixed(0)} MiB ` +
  `(+${(((heapAfter - heapBefore) / heapBefore) * 100).toFixed(1)}%: the wasm memory only grows, so this is what the previews made the module reserve beyond the loaded tenant)`);

for (const exportOptions of options['plan-only'] ? [] : [{ assignedPlans: false, audit: false }, {}]) {
  const label = exportOptions.assignedPlans === false ? 'export without assignedPlans and audits' : 'full export';
  started = performance.now();
  try {
    const exportedBytes = engine.exportDocument(exportOptions);
    const exportMs = performance.now() - started;
    log(`${label}: ${ms(exportMs)} for ${(exportedBytes.length / 1e6).toFixed(1)} MB ` +
      `(${(exportedBytes.length / 1e6 / (exportMs / 1000)).toFixed(1)} MB/s, copied out of the heap); ` +
      `wasm heap after export: ${(module.debugMemory().heapSize / 2 ** 20).toFixed(0)} MiB`);
  } catch (error) {
    log(`${label}: FAILED after ${ms(performance.now() - started)}: ${error.code}: ${error.message}`);
  }
}

// Membership changes: a small licensed group and a user not in it, added then removed.
function pickChange(target) {
  const groups = target.query({ query: 'groups', licensedOnly: true, limit: 1000 }).items;
  const group = groups.reduce((best, g) => (g.members > 0 && (!best || g.members < best.members) ? g : best), null);
  const members = new Set(target.query({ query: 'groupMembers', id: group.id, limit: 100000 }).items.map((m) => m.id));
  const candidates = target.query({ query: 'users', limit: 1000 }).items.filter((u) => !members.has(u.id));
  return { group, userId: candidates[0].id };
}
function changeBatch({ group, userId }, index) {
  const add = index % 2 === 0;
  return {
    requests: [
      add
        ? { id: '1', method: 'POST', url: `/groups/${group.id}/members/$ref`, body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${userId}` } }
        : { id: '1', method: 'DELETE', url: `/groups/${group.id}/members/${userId}/$ref` },
    ],
  };
}

/** The same preview through a worker thread (EngineClient.plan: the console's path). */
async function workerPlan(client) {
  const times = [];
  for (let i = 0; i < planCount; i++) {
    started = performance.now();
    await client.plan(JSON.stringify(template.batch(i)), { userLimit: 20 });
    times.push(performance.now() - started);
  }
  log(`worker thread plan (same template change): median ${ms(median(times))} of ${planCount} (${times.map((t) => t.toFixed(0)).join(', ')} ms)`);
}
if (options['plan-only']) {
  if (!options['no-worker']) {
    const client = new EngineClient({ createWorker: () => new NodeWorkerAdapter() });
    await client.loadDocument(bytes);
    await client.process();
    await workerPlan(client);
    client.terminate();
  }
  log(`summary: plan of a template change on ${template.group.members} members ${planMs.toFixed(0)} ms in-process (target <= 150)`);
  engine.dispose();
  process.exit(0);
}

const change = pickChange(engine);
log(`membership change: user ${change.userId} in and out of "${change.group.displayName}" (${change.group.members} members)`);

// In-process dispatcher: the engine work plus the protocol layer, no thread hop.
let inProcessMedian;
let inProcessWithProcessMedian;
{
  const waiters = new Map();
  const dispatcher = new Dispatcher(engine, (message) => waiters.get(message.id)?.(message));
  let id = 1;
  const send = (type, payload) =>
    new Promise((resolve) => {
      const requestId = id++;
      waiters.set(requestId, resolve);
      dispatcher.handle({ id: requestId, type, ...payload });
    });
  const batchTimes = [];
  const withProcess = [];
  for (let i = 0; i < changeCount; i++) {
    const batchText = JSON.stringify(changeBatch(change, i));
    started = performance.now();
    const reply = await send('applyBatch', { batch: batchText });
    const applied = performance.now();
    if (!reply.ok || reply.value.responses[0].status >= 300) throw new Error(`change failed: ${JSON.stringify(reply)}`);
    await send('process', {});
    batchTimes.push(applied - started);
    withProcess.push(performance.now() - started);
  }
  log(`dispatcher (in-process) change round trip: median ${ms(median(batchTimes))}, p95 ${ms(percentile(batchTimes, 0.95))}; ` +
    `with processing: median ${ms(median(withProcess))}, p95 ${ms(percentile(withProcess, 0.95))} (${changeCount} changes)`);
  inProcessMedian = median(batchTimes);
  inProcessWithProcessMedian = median(withProcess);
}

let workerMedian = null;
if (!options['no-worker']) {
  // A real thread hop: EngineClient -> worker_threads worker -> Dispatcher -> engine.
  const client = new EngineClient({ createWorker: () => new NodeWorkerAdapter() });
  started = performance.now();
  await client.loadDocument(bytes);
  // The real pacing of progress events on this machine (the tests check it on a fake clock).
  const eventTimes = [];
  const stopWatching = client.onProgress(() => eventTimes.push(performance.now()));
  await client.process();
  stopWatching();
  log(`worker: loaded and processed the tenant in ${ms(performance.now() - started)}`);
  if (eventTimes.length >= 3) {
    const gaps = eventTimes.slice(1).map((t, i) => t - eventTimes[i]);
    const span = eventTimes.at(-1) - eventTimes[0];
    log(`worker progress: ${eventTimes.length} events over ${ms(span)} = ${((eventTimes.length - 1) / (span / 1000)).toFixed(1)} per second ` +
      `(target 5-20), gaps median ${ms(median(gaps))}, longest ${ms(Math.max(...gaps))}`);
  } else {
    log(`worker progress: ${eventTimes.length} events (processing too short to measure a rate)`);
  }
  const times = [];
  const withProcess = [];
  for (let i = 0; i < changeCount; i++) {
    const batchText = JSON.stringify(changeBatch(change, i));
    started = performance.now();
    const response = await client.applyBatch(batchText);
    const applied = performance.now();
    if (response.responses[0].status >= 300) throw new Error(`change failed: ${JSON.stringify(response)}`);
    await client.process();
    times.push(applied - started);
    withProcess.push(performance.now() - started);
  }
  workerMedian = median(times);
  await workerPlan(client);
  log(`worker thread change round trip: median ${ms(workerMedian)}, p95 ${ms(percentile(times, 0.95))}; ` +
    `with processing: median ${ms(median(withProcess))}, p95 ${ms(percentile(withProcess, 0.95))}`);
  client.terminate();
}

if (options['native-load-mbps'] || options['native-process-ms'] || options['native-change-us']) {
  log('wasm / native:');
  if (options['native-load-mbps']) {
    const native = Number(options['native-load-mbps']);
    log(`  load: ${loadMbps.toFixed(1)} vs ${native} MB/s -> native is ${(native / loadMbps).toFixed(2)}x faster`);
  }
  if (options['native-process-ms']) {
    const native = Number(options['native-process-ms']);
    log(`  processing: ${processMs.toFixed(0)} vs ${native} ms -> wasm takes ${(processMs / native).toFixed(2)}x`);
  }
  if (options['native-change-us']) {
    const native = Number(options['native-change-us']) / 1000;
    // Native BM_MembershipChange times ApplyBatch + ProcessAll on the engine; the wasm figure adds the
    // JSON text of the batch and response, the embind string copies and the dispatcher's promises.
    log(`  membership change + processing: ${(inProcessWithProcessMedian * 1000).toFixed(1)} vs ${(native * 1000).toFixed(2)} us -> wasm through the dispatcher takes ${(inProcessWithProcessMedian / native).toFixed(1)}x`);
  }
}
log(
  `summary: load ${loadMbps.toFixed(1)} MB/s (target >= 60), processing ${processMs.toFixed(0)} ms, ` +
    `change round trip ${inProcessMedian.toFixed(3)} ms in-process${workerMedian === null ? '' : `, ${workerMedian.toFixed(3)} ms via worker`} (target <= 0.5), ` +
    `plan of a template change on ${template.group.members} members ${planMs.toFixed(0)} ms in-process (target <= 150)`,
);
engine.dispose();
