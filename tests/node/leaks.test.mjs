// Leak checks: failing calls and load/free cycles leave the wasm heap, the bytes in use, the wasm
// stack pointer and the embind handle table where they were.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../wasm/engine-api.mjs';
import { loadNodeEngineModule } from '../../wasm/node-support.mjs';
import { SKU, group, tenant, user } from './helpers.mjs';

function snapshot(module) {
  return { ...module.debugMemory(), emvalHandles: module.count_emval_handles() };
}

function fails(call) {
  try {
    call();
  } catch (error) {
    if (error?.name !== 'EngineError') throw error;
    return;
  }
  throw new Error('expected a failure');
}

test('100,000 failing calls leak neither heap nor stack', async () => {
  const module = await loadNodeEngineModule();
  const engine = new Engine(module);
  engine.loadSample();
  const malformed = new TextEncoder().encode('{"users": [{"id": "u1"}, ]}');
  const unknownSku = JSON.stringify(tenant({ users: [user('u1', { direct: ['00000000-0000-0000-0000-0000000000ff'] })], groups: [] }));
  const calls = [
    () => engine.loadDocument(malformed),
    () => engine.loadDocument(unknownSku),
    () => engine.applyBatch('{"requests": [}'),
    () => engine.query('{"query": "user", "id": "nobody"}'),
    () => engine.query('{"query": "no-such-query"}'),
  ];
  for (const call of calls) fails(call); // warm-up: first-use allocations are not leaks
  const before = snapshot(module);
  for (let i = 0; i < 100_000; i++) fails(calls[i % calls.length]);
  const after = snapshot(module);
  assert.deepEqual(after, before);
  // The engine still works and still holds the sample.
  assert.ok(engine.query({ query: 'tenant' }).users >= 1000);
  engine.dispose();
});

test('1,000 load/free cycles leak neither heap nor stack', async () => {
  const module = await loadNodeEngineModule();
  const document = JSON.stringify(
    tenant({
      users: Array.from({ length: 50 }, (_, i) => user(`u${i}`)),
      groups: [group('g1', Array.from({ length: 50 }, (_, i) => `u${i}`), [SKU.E3, SKU.EMS])],
      seats: { E3: 40 },
    }),
  );
  const cycle = () => {
    const engine = new Engine(module);
    try {
      engine.loadDocument(document);
      engine.applyBatch({ requests: [{ id: '1', method: 'DELETE', url: '/groups/g1/members/u1/$ref' }] });
      engine.processAll();
      engine.query({ query: 'groupErrors', id: 'g1' });
      engine.exportDocument();
    } finally {
      engine.dispose();
    }
  };
  cycle();
  const before = snapshot(module);
  for (let i = 0; i < 1000; i++) cycle();
  const after = snapshot(module);
  assert.deepEqual(after, before);
});

test('the sample tenant, loaded and processed 20 times, leaves nothing behind', async () => {
  // While a tenant is loaded, container capacities vary a little from load to load; what must
  // hold is that everything a tenant allocated is gone once it is replaced or freed.
  const module = await loadNodeEngineModule();
  const cycle = () => {
    const engine = new Engine(module);
    try {
      engine.loadSample();
      engine.processAll();
      engine.loadSample(); // replacing a processed tenant frees it
      engine.processAll();
    } finally {
      engine.dispose();
    }
  };
  cycle();
  const before = snapshot(module);
  for (let i = 0; i < 20; i++) cycle();
  assert.deepEqual(snapshot(module), before);
});

test('an out-of-memory failure inside the engine is an Internal error that leaks nothing', async () => {
  // 12M synthetic users need a document string above 2 GiB: the single allocation fails in wasm32,
  // the bindings catch std::bad_alloc (wasm exceptions) and the heap and stack come back.
  const module = await loadNodeEngineModule();
  const engine = new Engine(module);
  engine.loadSample();
  const users = engine.query({ query: 'tenant' }).users;
  const before = snapshot(module);
  let failure;
  try {
    engine.generateSyntheticTenant({ users: 12_000_000, groups: 100_000 });
  } catch (error) {
    failure = error;
  }
  assert.equal(failure?.name, 'EngineError');
  assert.equal(failure.code, 'Internal');
  assert.match(failure.message, /out of memory/);
  const after = snapshot(module);
  assert.equal(after.allocated, before.allocated);
  assert.equal(after.stackPointer, before.stackPointer);
  assert.equal(after.emvalHandles, before.emvalHandles);
  // The engine is intact and usable.
  assert.equal(engine.query({ query: 'tenant' }).users, users);
  engine.loadSample();
  engine.dispose();
});
