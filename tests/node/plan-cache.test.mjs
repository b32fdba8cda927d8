// The last preview serves the next one (wasm/engine-api.mjs planChanges): the Plan blade asks for
// the effect and then for the first page of its users with the same batch, which is one run of the
// planner; a page the last preview listed is cut out of it, equal to what the planner computes;
// anything that may change the tenant, or another batch, runs the planner again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PLAN_CACHE_MIN_USERS } from '../../wasm/engine-api.mjs';
import { batch, newEngine } from './helpers.mjs';

/** An engine with a processed synthetic tenant (1,500 users) and a plan that changes many. */
async function planned() {
  const engine = await newEngine();
  const bytes = engine.generateSyntheticTenant({ users: 1500, groups: 15, skus: 4, seed: 7 });
  engine.loadDocument(bytes);
  engine.processAll();
  const [big] = engine.query({ query: 'groups', licensedOnly: true, orderBy: 'members desc', limit: 1 }).items;
  const license = engine.query({ query: 'group', id: big.id }).licenses[0];
  const remove = batch(['POST', `/groups/${big.id}/assignLicense`, { addLicenses: [], removeLicenses: [license.skuId] }]);
  return { engine, bytes, remove };
}

test('the effect and then the first page of its users are one run of the planner, each as the planner lists it', async () => {
  const { engine, bytes, remove } = await planned();
  // The reference: a second engine's whole list, computed once.
  const reference = await newEngine();
  reference.loadDocument(bytes);
  reference.processAll();
  const all = reference.planChanges(remove);
  assert.ok(all.summary.usersChanged > PLAN_CACHE_MIN_USERS + 50, 'the plan changes more users than a page');

  const effect = engine.planChanges(remove, { userLimit: 20 });
  assert.equal(engine.planRuns, 1);
  const firstPage = engine.planChanges(remove, { userLimit: PLAN_CACHE_MIN_USERS, userOffset: 0 });
  const inside = engine.planChanges(remove, { userLimit: 30, userOffset: 40 });
  assert.equal(engine.planRuns, 1, 'pages inside the last preview need no run');
  assert.deepEqual(effect, { ...all, users: all.users.slice(0, 20) });
  assert.deepEqual(firstPage, { ...all, users: all.users.slice(0, PLAN_CACHE_MIN_USERS) });
  assert.deepEqual(inside, { ...all, users: all.users.slice(40, 70) });

  const next = engine.planChanges(remove, { userLimit: PLAN_CACHE_MIN_USERS, userOffset: PLAN_CACHE_MIN_USERS });
  assert.equal(engine.planRuns, 2, 'a page past the last preview runs the planner');
  assert.deepEqual(next, { ...all, users: all.users.slice(PLAN_CACHE_MIN_USERS, 2 * PLAN_CACHE_MIN_USERS) });
  // A served preview is a copy: changing it changes nothing the next one returns.
  next.users.length = 0;
  next.summary.usersChanged = -1;
  assert.deepEqual(engine.planChanges(remove, { userLimit: 10, userOffset: PLAN_CACHE_MIN_USERS }), { ...all, users: all.users.slice(PLAN_CACHE_MIN_USERS, PLAN_CACHE_MIN_USERS + 10) });
  assert.equal(engine.planRuns, 2);
  engine.dispose();
  reference.dispose();
});

test('a query leaves the last preview in use; a change, processing, the clock or another batch run the planner again', async () => {
  const { engine, remove } = await planned();
  engine.planChanges(remove, { userLimit: 20 });
  engine.query({ query: 'products' });
  engine.planChanges(remove, { userLimit: 20 });
  assert.equal(engine.planRuns, 1, 'a query changes nothing');

  const someone = engine.query({ query: 'users', limit: 1 }).items[0];
  const before = engine.planChanges(remove, { userLimit: 5 });
  engine.applyBatch(batch(['PATCH', `/users/${someone.id}`, { usageLocation: 'GB' }]));
  const after = engine.planChanges(remove, { userLimit: 5 });
  assert.equal(engine.planRuns, 2, 'a batch applied invalidates the last preview');
  assert.equal(after.summary.usersChanged, before.summary.usersChanged);

  engine.processAll();
  engine.planChanges(remove, { userLimit: 5 });
  assert.equal(engine.planRuns, 3, 'processing invalidates it');
  engine.setNow('2026-11-16T10:00:00Z');
  engine.planChanges(remove, { userLimit: 5 });
  assert.equal(engine.planRuns, 4, 'the clock invalidates it');

  const [group] = engine.query({ query: 'groups', licensedOnly: true, limit: 1 }).items;
  engine.planChanges(batch(['POST', `/groups/${group.id}/reprocessLicenseAssignment`]), { userLimit: 5 });
  assert.equal(engine.planRuns, 5, 'another batch is another plan');
  engine.planChanges(remove, { userLimit: 5 });
  assert.equal(engine.planRuns, 6, 'only the last preview is kept');
  engine.dispose();
});
