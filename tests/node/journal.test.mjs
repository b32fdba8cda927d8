// The journal through the WASM module: a change previewed (applied, processed, read) and rolled
// back leaves the tenant byte for byte as it was; commit keeps it; misuse is an EngineError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../wasm/engine-api.mjs';
import { NOW_ISO, PLAN, SKU, assignGroupLicense, batch, newEngine } from './helpers.mjs';

test('preview of the seed step 1 in a journal, then rollback: the same document', async () => {
  const engine = await newEngine();
  engine.setNow(NOW_ISO);
  engine.loadSample();
  const before = Buffer.from(engine.exportDocument());
  const hr = engine.query({ query: 'groups', search: 'HR Department' }).items[0];
  engine.beginJournal();
  assert.equal(engine.journalOpen(), true);
  engine.applyBatch(batch(assignGroupLicense(hr.id, [{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER] }, { skuId: SKU.EMS, disabledPlans: [] }])));
  engine.processAll();
  const errors = engine.query({ query: 'groupErrors', id: hr.id });
  assert.equal(errors.total, 10);
  assert.equal(errors.items[0].failedProducts[0].evidence.error, 'MutuallyExclusiveViolation');
  engine.rollBack();
  assert.equal(engine.journalOpen(), false);
  assert.ok(Buffer.from(engine.exportDocument()).equals(before), 'the export is byte for byte the one before');
  assert.equal(engine.query({ query: 'groupErrors', id: hr.id }).total, 0);

  engine.beginJournal();
  engine.applyBatch(batch(assignGroupLicense(hr.id, [{ skuId: SKU.EMS, disabledPlans: [] }])));
  engine.processAll();
  engine.commit();
  assert.ok(!Buffer.from(engine.exportDocument()).equals(before), 'a committed change stays');
  engine.dispose();
});

test('rollBack and commit without a journal are BadRequest', async () => {
  const engine = await newEngine();
  engine.loadSample();
  for (const call of [() => engine.rollBack(), () => engine.commit()]) {
    let error = null;
    try {
      call();
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, 'BadRequest');
    assert.match(error.message, /no journal is open/);
  }
  engine.dispose();
});
