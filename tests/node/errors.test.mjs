// Error envelopes through the boundary: every failure is an EngineError with a stable code and a
// message naming what is wrong and where; the engine keeps its tenant after a failed load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../wasm/engine-api.mjs';
import { SKU, group, newEngine, tenant, user } from './helpers.mjs';

function failure(call) {
  try {
    call();
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to throw');
}

test('malformed JSON is a ParseError with the byte offset; the tenant stays', async () => {
  const engine = await newEngine();
  engine.loadSample();
  const before = engine.query({ query: 'tenant' });
  const text = '{"users": [ {"id": "u1",, } ]}';
  const error = failure(() => engine.loadDocument(text));
  assert.ok(error instanceof EngineError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'EngineError');
  assert.equal(error.code, 'ParseError');
  const offset = Number(/byte (\d+)/.exec(error.message)?.[1]);
  assert.ok(Number.isInteger(offset), error.message);
  assert.ok(offset >= text.indexOf(',,') && offset <= text.indexOf(',,') + 2, `offset ${offset}: ${error.message}`);
  assert.deepEqual(engine.query({ query: 'tenant' }), before);
  engine.dispose();
});

test('truncated and empty documents are ParseErrors', async () => {
  const engine = await newEngine();
  for (const text of ['', '{"users": [', '\u00ff\u00fe']) {
    const error = failure(() => engine.loadDocument(text));
    assert.equal(error.code, 'ParseError', `${JSON.stringify(text)}: ${error.message}`);
  }
  engine.dispose();
});

test('an unknown skuId is a SchemaError naming the path', async () => {
  const engine = await newEngine();
  const document = tenant({ users: [user('u1'), user('u2')], groups: [] });
  document.users[1].assignedLicenses = [{ skuId: '00000000-0000-0000-0000-00000000beef', disabledPlans: [] }];
  const error = failure(() => engine.loadDocument(JSON.stringify(document)));
  assert.equal(error.code, 'SchemaError');
  assert.match(error.message, /users\[1\]\.assignedLicenses\[0\]\.skuId/);
  assert.match(error.message, /00000000-0000-0000-0000-00000000beef/);
  engine.dispose();
});

test('wrong types are SchemaErrors naming the path', async () => {
  const engine = await newEngine();
  const document = tenant({ users: [user('u1')], groups: [group('g1', ['u1'], [SKU.E3])] });
  document.groups[0].members = 'u1';
  const error = failure(() => engine.loadDocument(JSON.stringify(document)));
  assert.equal(error.code, 'SchemaError');
  assert.match(error.message, /groups\[0\]\.members/);
  const notObject = failure(() => engine.loadDocument('[1, 2]'));
  assert.equal(notObject.code, 'SchemaError');
  engine.dispose();
});

test('batches: not a batch fails as a whole, bad requests fail one by one', async () => {
  const engine = await newEngine();
  engine.loadDocument(JSON.stringify(tenant({ users: [user('u1')], groups: [group('g1', ['u1'])] })));
  assert.equal(failure(() => engine.applyBatch('{"requests": [')).code, 'ParseError');
  assert.ok(['SchemaError', 'BadRequest'].includes(failure(() => engine.applyBatch({ requests: 'nope' })).code));
  const { responses } = engine.applyBatch({
    requests: [
      { id: 'a', method: 'GET', url: '/me' },
      { id: 'b', method: 'POST', url: '/groups/g1/assignLicense', body: { addLicenses: [{ skuId: 'not-a-sku' }], removeLicenses: [] } },
      { id: 'c', method: 'PATCH', url: '/users/u1', body: { usageLocation: 'DE' } },
    ],
  });
  assert.deepEqual(responses.map((r) => r.id), ['a', 'b', 'c']);
  assert.ok(responses[0].status >= 400 && typeof responses[0].body.error.code === 'string', JSON.stringify(responses[0]));
  assert.ok(responses[1].status >= 400 && responses[1].body.error.message.includes('not-a-sku'), JSON.stringify(responses[1]));
  assert.ok(responses[2].status < 300, JSON.stringify(responses[2]));
  engine.dispose();
});

test('queries: unknown query, missing id, unknown id', async () => {
  const engine = await newEngine();
  engine.loadSample();
  assert.equal(failure(() => engine.query({ query: 'nope' })).code, 'BadRequest');
  assert.equal(failure(() => engine.query('{')).code, 'ParseError');
  assert.equal(failure(() => engine.query({ query: 'user' })).code, 'BadRequest');
  assert.equal(failure(() => engine.query({ query: 'user', id: 'no-such-user' })).code, 'NotFound');
  assert.equal(failure(() => engine.query({ query: 'group', id: 'no-such-group' })).code, 'NotFound');
  engine.dispose();
});

test('the JS layer rejects bad arguments with EngineError BadRequest', async () => {
  const engine = await newEngine();
  assert.equal(failure(() => engine.loadDocument(42)).code, 'BadRequest');
  assert.equal(failure(() => engine.applyBatch(7)).code, 'BadRequest');
  assert.equal(failure(() => engine.setNow('yesterday')).code, 'BadRequest');
  assert.equal(failure(() => engine.setActor('')).code, 'BadRequest');
  assert.equal(failure(() => engine.processChunk(0)).code, 'BadRequest');
  assert.equal(failure(() => engine.processChunk(-1)).code, 'BadRequest');
  assert.equal(failure(() => engine.generateSyntheticTenant({ users: -5 })).code, 'BadRequest');
  assert.equal(failure(() => engine.generateSyntheticTenant({ colour: 1 })).code, 'BadRequest');
  engine.dispose();
  assert.equal(failure(() => engine.loadSample()).code, 'BadRequest');
});

test('the exported document loads again to the same state', async () => {
  const engine = await newEngine();
  engine.loadSample();
  const first = engine.exportDocument();
  const again = await newEngine();
  again.loadDocument(first);
  assert.deepEqual(again.query({ query: 'products' }), engine.query({ query: 'products' }));
  assert.equal(Buffer.from(again.exportDocument()).equals(Buffer.from(first)), true);
  engine.dispose();
  again.dispose();
});

test('streamed export: pieces join to the document; stopping and a throwing callback are safe', async () => {
  const engine = await newEngine();
  engine.loadDocument(engine.generateSyntheticTenant({ users: 20_000, groups: 200, seed: 3 }));
  engine.processAll();
  const whole = Buffer.from(engine.exportDocument());
  const pieces = [];
  assert.equal(engine.exportDocumentChunks((piece) => pieces.push(Buffer.from(piece))), true);
  assert.ok(pieces.length >= 2, `${pieces.length} pieces`);
  assert.ok(pieces.every((piece) => piece.length <= 2 * 1024 * 1024));
  assert.ok(Buffer.concat(pieces).equals(whole));

  let calls = 0;
  assert.equal(engine.exportDocumentChunks(() => ++calls < 2), false);
  assert.equal(calls, 2);

  // A callback that throws: the error comes back to the caller after the wasm call has returned,
  // and nothing leaked (trap 10: a throw through wasm frames would leak the wasm stack).
  const before = engine.debugMemory();
  for (let i = 0; i < 200; i++) {
    assert.throws(
      () =>
        engine.exportDocumentChunks(() => {
          throw new RangeError('disk full');
        }),
      { name: 'RangeError', message: 'disk full' },
    );
  }
  const after = engine.debugMemory();
  assert.equal(after.stackPointer, before.stackPointer);
  assert.equal(after.allocated, before.allocated);
  assert.ok(Buffer.from(engine.exportDocument()).equals(whole));
  assert.equal(failure(() => engine.exportDocumentChunks('nope')).code, 'BadRequest');
  engine.dispose();
});
