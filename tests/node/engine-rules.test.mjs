// Every licensing rule of the engine, exercised through the WASM boundary (wasm/engine-api.mjs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  PLAN,
  SKU,
  addMember,
  apply,
  assignGroupLicense,
  assignHrLicenses,
  assignUserLicense,
  effectiveSkus,
  exported,
  exportedUser,
  group,
  groupByName,
  listAll,
  memberIds,
  newEngine,
  processAll,
  product,
  removeMember,
  statesOf,
  tenant,
  user,
} from './helpers.mjs';

const FINISH = 'Finish applying group based license to users';
const START = 'Start applying group based license to users';

/** States of `skuId` inherited from `groupId`, over every exported user, by state/error. */
function tally(document, groupId, skuId) {
  const counts = {};
  for (const u of document.users) {
    for (const s of u.licenseAssignmentStates ?? []) {
      if (s.skuId !== skuId || s.assignedByGroup !== groupId) continue;
      const key = s.state === 'Active' ? 'Active' : `${s.state}:${s.error}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}

describe('seed walkthrough on the sample tenant', () => {
  test('E3 + EMS (Yammer off) on HR Department: 990 licensed, 10 conflicts, then all 1,000', async () => {
    const engine = await newEngine();
    const summary = engine.loadSample();
    assert.ok(summary.users >= 1000, `sample has ${summary.users} users`);

    const { hr, responses } = assignHrLicenses(engine);
    assert.equal(responses.length, 1);
    assert.equal(responses[0].status, 202, JSON.stringify(responses[0]));
    assert.equal(engine.hasPendingWork(), true);
    assert.equal(engine.query({ query: 'group', id: hr.id }).processing.state, 'QueuedForProcessing');

    const last = processAll(engine);
    assert.equal(last.done, true);
    assert.equal(engine.hasPendingWork(), false);

    let document = exported(engine);
    const hrMembers = memberIds(engine, hr.id);
    assert.equal(hrMembers.length, 1000);
    assert.deepEqual(tally(document, hr.id, SKU.E3), { Active: 990, 'Error:MutuallyExclusiveViolation': 10 });
    // EMS is not assigned because E3 of the same group failed: Other.
    assert.deepEqual(tally(document, hr.id, SKU.EMS), { Active: 990, 'Error:Other': 10 });

    // Yammer is off in every HR assignment; the effective license carries it as disabled.
    const licensed = document.users.find((u) =>
      (u.licenseAssignmentStates ?? []).some((s) => s.assignedByGroup === hr.id && s.skuId === SKU.E3 && s.state === 'Active'),
    );
    const hrState = licensed.licenseAssignmentStates.find((s) => s.assignedByGroup === hr.id && s.skuId === SKU.E3);
    assert.deepEqual(hrState.disabledPlans, [PLAN.YAMMER]);
    const effectiveE3 = licensed.assignedLicenses.find((l) => l.skuId === SKU.E3);
    assert.ok(effectiveE3.disabledPlans.includes(PLAN.YAMMER));

    // The ten in error keep E1 from Kiosk users and get neither E3 nor EMS.
    const kiosk = groupByName(engine, 'Kiosk users');
    const failing = document.users.filter((u) =>
      (u.licenseAssignmentStates ?? []).some((s) => s.assignedByGroup === hr.id && s.state === 'Error'),
    );
    assert.equal(failing.length, 10);
    for (const u of failing) {
      const skus = u.assignedLicenses.map((l) => l.skuId);
      assert.ok(skus.includes(SKU.E1), `${u.id} keeps E1`);
      assert.ok(!skus.includes(SKU.E3) && !skus.includes(SKU.EMS), `${u.id} gets neither E3 nor EMS`);
      const e1 = u.licenseAssignmentStates.find((s) => s.skuId === SKU.E1 && s.assignedByGroup === kiosk.id);
      assert.equal(e1.state, 'Active');
    }

    // Console views of the same outcome.
    const errors = engine.query({ query: 'groupErrors', id: hr.id, limit: 100 });
    assert.equal(errors.total, 10);
    for (const item of errors.items) {
      const failed = item.failedProducts.map((p) => p.skuId).sort();
      assert.deepEqual(failed, [SKU.E3, SKU.EMS].sort());
      for (const p of item.failedProducts) assert.equal(p.error, p.skuId === SKU.E3 ? 'MutuallyExclusiveViolation' : 'Other');
      assert.equal(item.topReasonText, 'Conflicting service plans');
    }
    const hrView = engine.query({ query: 'group', id: hr.id });
    assert.equal(hrView.processing.state, 'ProcessingComplete');
    const withErrors = Array.isArray(hrView.membersWithErrors) ? hrView.membersWithErrors.length : hrView.membersWithErrors;
    assert.equal(withErrors, 10);
    const failingUser = engine.query({ query: 'user', id: failing[0].id });
    const e3 = failingUser.licenses.find((l) => l.skuId === SKU.E3);
    assert.ok(e3.assignments.some((a) => a.assignedByGroup === hr.id && a.error === 'MutuallyExclusiveViolation'));

    // Audit: Start and Finish events of the run (system actor), Finish with the portal's result text.
    const starts = engine.query({ query: 'audit', targetId: hr.id, activity: START });
    const finishes = engine.query({ query: 'audit', targetId: hr.id, activity: FINISH });
    assert.equal(starts.total, 1, JSON.stringify(starts.items.map((a) => a.activityDisplayName)));
    assert.equal(finishes.total, 1);
    const finish = finishes.items[0];
    assert.equal(finish.activityDisplayName, FINISH);
    assert.ok(
      JSON.stringify(finish).includes('Users successfully assigned licenses: 990, Users for whom license assignment failed: 10.'),
      JSON.stringify(finish),
    );
    const changes = engine.query({ query: 'audit', targetId: hr.id, activity: 'Change user license', limit: 1 });
    assert.ok(changes.total >= 990, `${changes.total} Change user license events`);

    // Resolve the conflict: take the ten out of Kiosk users.
    const removal = apply(engine, ...failing.map((u) => removeMember(kiosk.id, u.id)));
    assert.ok(removal.every((r) => r.status === 204), JSON.stringify(removal));
    processAll(engine);
    document = exported(engine);
    assert.deepEqual(tally(document, hr.id, SKU.E3), { Active: 1000 });
    assert.deepEqual(tally(document, hr.id, SKU.EMS), { Active: 1000 });
    for (const id of failing.map((u) => u.id)) {
      const skus = document.users.find((u) => u.id === id).assignedLicenses.map((l) => l.skuId);
      assert.ok(skus.includes(SKU.E3) && skus.includes(SKU.EMS) && !skus.includes(SKU.E1), `${id}: ${skus}`);
    }
    assert.equal(engine.query({ query: 'groupErrors', id: hr.id }).total, 0);
    engine.dispose();
  });
});

describe('licensing rules on small tenants', () => {
  test('CountViolation, all-or-nothing per group, and no automatic fix when seats free up', async () => {
    const engine = await newEngine();
    engine.loadDocument(
      JSON.stringify(
        tenant({
          users: [user('u1'), user('u2'), user('u3')],
          groups: [group('g1', ['u1', 'u2', 'u3'], [SKU.E3, SKU.EMS])],
          seats: { E3: 2 },
        }),
      ),
    );
    processAll(engine);
    const document = exported(engine);
    assert.deepEqual(tally(document, 'g1', SKU.E3), { Active: 2, 'Error:CountViolation': 1 });
    const failed = document.users.find((u) => u.licenseAssignmentStates.some((s) => s.state === 'Error'));
    // All or nothing: the user short of E3 does not get the group's EMS either.
    assert.deepEqual(failed.assignedLicenses, []);
    assert.ok(failed.licenseAssignmentStates.filter((s) => s.assignedByGroup === 'g1').every((s) => s.state === 'Error'));
    assert.equal(product(engine, SKU.E3).assigned, 2);
    assert.equal(product(engine, SKU.EMS).assigned, 2);
    assert.equal(document.subscribedSkus.find((s) => s.skuId === SKU.E3).consumedUnits, 2);
    assert.equal(engine.query({ query: 'groupErrors', id: 'g1' }).items[0].topReasonText, 'Not enough licenses');

    // More seats do not fix users already in error...
    const patch = apply(engine, ['PATCH', `/subscribedSkus/${SKU.E3}`, { prepaidUnits: { enabled: 3 } }]);
    assert.ok(patch[0].status < 300, JSON.stringify(patch));
    processAll(engine);
    assert.deepEqual(statesOf(engine, failed.id, SKU.E3).map((s) => s.error), ['CountViolation']);
    // ...until the group is reprocessed.
    const reprocess = apply(engine, ['POST', '/groups/g1/reprocessLicenseAssignment']);
    assert.ok(reprocess[0].status < 300, JSON.stringify(reprocess));
    processAll(engine);
    assert.deepEqual(tally(exported(engine), 'g1', SKU.E3), { Active: 3 });
    assert.deepEqual(effectiveSkus(engine, failed.id), [SKU.E3, SKU.EMS].sort());
    engine.dispose();
  });

  test('several sources of one product take one seat and enable the union of their plans', async () => {
    const engine = await newEngine();
    engine.loadDocument(
      JSON.stringify(
        tenant({
          users: [user('u1', { direct: [SKU.E3] }), user('u2')],
          groups: [
            group('g1', ['u1', 'u2'], [{ skuId: SKU.E3, disabledPlans: [PLAN.TEAMS, PLAN.YAMMER] }]),
            group('g2', ['u1', 'u2'], [{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER, PLAN.SPO_P2] }]),
          ],
        }),
      ),
    );
    processAll(engine);
    assert.equal(product(engine, SKU.E3).assigned, 2);
    assert.equal(exported(engine).subscribedSkus.find((s) => s.skuId === SKU.E3).consumedUnits, 2);
    // u2: two group sources, one state each, effective disabled plans = the intersection.
    const u2 = exportedUser(engine, 'u2');
    assert.deepEqual(u2.licenseAssignmentStates.filter((s) => s.skuId === SKU.E3).map((s) => s.assignedByGroup).sort(), ['g1', 'g2']);
    assert.deepEqual(u2.assignedLicenses, [{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER] }]);
    // u1: direct (everything on) + two groups: one license, nothing disabled.
    const u1 = exportedUser(engine, 'u1');
    const sources = u1.licenseAssignmentStates.filter((s) => s.skuId === SKU.E3).map((s) => s.assignedByGroup);
    assert.equal(sources.length, 3);
    assert.ok(sources.includes(null));
    assert.deepEqual(u1.assignedLicenses, [{ skuId: SKU.E3, disabledPlans: [] }]);
    // The user view tells which source enables which plan.
    const view = engine.query({ query: 'user', id: 'u2' });
    const teams = view.licenses[0].servicePlans.find((p) => p.servicePlanId === PLAN.TEAMS);
    assert.equal(teams.enabled, true);
    assert.ok(JSON.stringify(teams.enabledBy).includes('g2'), JSON.stringify(teams));
    engine.dispose();
  });

  test('nested groups: a license on a parent reaches only its direct user members', async () => {
    const engine = await newEngine();
    engine.loadDocument(
      JSON.stringify(
        tenant({
          users: [user('u1'), user('u2')],
          groups: [
            group('parent', ['u1', { '@odata.type': '#microsoft.graph.group', id: 'child' }], [SKU.E3]),
            group('child', ['u2']),
          ],
        }),
      ),
    );
    processAll(engine);
    assert.deepEqual(effectiveSkus(engine, 'u1'), [SKU.E3]);
    assert.deepEqual(effectiveSkus(engine, 'u2'), []);
    const members = engine.query({ query: 'groupMembers', id: 'parent' }).items;
    assert.deepEqual(members.map((m) => m.type).sort(), ['group', 'user']);
    engine.dispose();
  });

  test('MutuallyExclusiveViolation against a direct license; the direct license stays', async () => {
    const engine = await newEngine();
    engine.loadDocument(
      JSON.stringify(tenant({ users: [user('u1', { direct: [SKU.E1] }), user('u2')], groups: [group('g1', ['u1', 'u2'], [SKU.E3])] })),
    );
    processAll(engine);
    assert.deepEqual(statesOf(engine, 'u1', SKU.E3).map((s) => [s.state, s.error]), [['Error', 'MutuallyExclusiveViolation']]);
    assert.deepEqual(effectiveSkus(engine, 'u1'), [SKU.E1]);
    assert.deepEqual(effectiveSkus(engine, 'u2'), [SKU.E3]);
    // Removing the direct E1 and reprocessing the user resolves it.
    const responses = apply(engine, assignUserLicense('u1', [], [SKU.E1]), ['POST', '/users/u1/reprocessLicenseAssignment']);
    assert.ok(responses.every((r) => r.status < 300), JSON.stringify(responses));
    processAll(engine);
    assert.deepEqual(effectiveSkus(engine, 'u1'), [SKU.E3]);
    engine.dispose();
  });

  test('usage location: prohibited country fails, no location means the tenant country', async () => {
    const engine = await newEngine();
    engine.loadDocument(
      JSON.stringify(
        tenant({
          users: [user('cn', { location: 'CN' }), user('none', { location: null }), user('de', { location: 'DE' })],
          groups: [group('g1', ['cn', 'none', 'de'], [SKU.E3, SKU.EMS])],
        }),
      ),
    );
    processAll(engine);
    assert.deepEqual(statesOf(engine, 'cn', SKU.E3).map((s) => s.error), ['ProhibitedInUsageLocationViolation']);
    assert.deepEqual(effectiveSkus(engine, 'cn'), []);
    assert.deepEqual(effectiveSkus(engine, 'none'), [SKU.E3, SKU.EMS].sort());
    assert.deepEqual(effectiveSkus(engine, 'de'), [SKU.E3, SKU.EMS].sort());
    // Group licensing never writes the usage location.
    assert.equal(exportedUser(engine, 'none').usageLocation ?? null, null);
    // Turning the prohibited plan off on the group re-processes its members.
    apply(engine, assignGroupLicense('g1', [{ skuId: SKU.E3, disabledPlans: [PLAN.TEAMS] }]));
    processAll(engine);
    assert.deepEqual(effectiveSkus(engine, 'cn'), [SKU.E3, SKU.EMS].sort());
    engine.dispose();

    // A tenant located in a prohibited country: users without a location fail there.
    const cnTenant = await newEngine();
    const document = tenant({ users: [user('none', { location: null })], groups: [group('g1', ['none'], [SKU.E3])] });
    document.organization[0].countryLetterCode = 'CN';
    cnTenant.loadDocument(JSON.stringify(document));
    processAll(cnTenant);
    assert.deepEqual(statesOf(cnTenant, 'none', SKU.E3).map((s) => s.error), ['ProhibitedInUsageLocationViolation']);
    cnTenant.dispose();
  });

  test('UniquenessViolation on a shared proxy address', async () => {
    const engine = await newEngine();
    const shared = 'smtp:shared@fabrikam.example';
    engine.loadDocument(
      JSON.stringify(
        tenant({
          users: [
            user('u1', { proxyAddresses: ['SMTP:u1@fabrikam.example', shared] }),
            user('u2', { proxyAddresses: ['SMTP:u2@fabrikam.example', shared] }),
            user('u3'),
          ],
          groups: [group('g1', ['u1', 'u2', 'u3'], [SKU.E3])],
        }),
      ),
    );
    processAll(engine);
    const errors = ['u1', 'u2'].flatMap((id) => statesOf(engine, id, SKU.E3).map((s) => s.error)).filter((e) => e && e !== 'None');
    assert.ok(errors.length >= 1 && errors.every((e) => e === 'UniquenessViolation'), JSON.stringify(errors));
    assert.deepEqual(effectiveSkus(engine, 'u3'), [SKU.E3]);
    assert.equal(engine.query({ query: 'groupErrors', id: 'g1' }).items[0].topReasonText, 'Proxy address is already being used');
    engine.dispose();
  });

  test('DependencyViolation: leaving a group keeps the license another plan depends on', async () => {
    const engine = await newEngine();
    engine.loadDocument(
      JSON.stringify(
        tenant({
          users: [user('u1', { direct: [SKU.ADDON] }), user('u2')],
          groups: [group('g1', ['u1', 'u2'], [SKU.E3])],
        }),
      ),
    );
    processAll(engine);
    assert.deepEqual(effectiveSkus(engine, 'u1'), [SKU.ADDON, SKU.E3].sort());
    const responses = apply(engine, removeMember('g1', 'u1'), removeMember('g1', 'u2'));
    assert.ok(responses.every((r) => r.status === 204), JSON.stringify(responses));
    processAll(engine);
    // u2 simply loses E3; u1 keeps it because the add-on needs its Exchange plan.
    assert.deepEqual(effectiveSkus(engine, 'u2'), []);
    assert.ok(effectiveSkus(engine, 'u1').includes(SKU.E3));
    assert.ok(statesOf(engine, 'u1', SKU.E3).some((s) => s.error === 'DependencyViolation'), JSON.stringify(statesOf(engine, 'u1', SKU.E3)));
    engine.dispose();
  });

  test('membership changes: join gets, leave loses unless another source remains', async () => {
    const engine = await newEngine();
    engine.loadDocument(
      JSON.stringify(
        tenant({
          users: [user('u1'), user('u2'), user('u3')],
          groups: [group('g1', ['u1', 'u2'], [SKU.E3]), group('g2', ['u2'], [SKU.E3])],
        }),
      ),
    );
    processAll(engine);
    const responses = apply(engine, addMember('g1', 'u3'), removeMember('g1', 'u1'), removeMember('g1', 'u2'));
    assert.deepEqual(responses.map((r) => r.status), [204, 204, 204]);
    processAll(engine);
    assert.deepEqual(effectiveSkus(engine, 'u1'), []);
    assert.deepEqual(effectiveSkus(engine, 'u2'), [SKU.E3]);
    assert.deepEqual(statesOf(engine, 'u2', SKU.E3).map((s) => s.assignedByGroup), ['g2']);
    assert.deepEqual(effectiveSkus(engine, 'u3'), [SKU.E3]);
    assert.equal(product(engine, SKU.E3).assigned, 2);
    engine.dispose();
  });

  test('a licensed group cannot be deleted until its licenses are removed', async () => {
    const engine = await newEngine();
    engine.loadDocument(JSON.stringify(tenant({ users: [user('u1')], groups: [group('g1', ['u1'], [SKU.E3])] })));
    processAll(engine);
    const [blocked] = apply(engine, ['DELETE', '/groups/g1']);
    assert.ok(blocked.status >= 400, JSON.stringify(blocked));
    assert.equal(typeof blocked.body.error.code, 'string');
    assert.ok(blocked.body.error.message.length > 0);
    const [unassign, deleted] = apply(engine, assignGroupLicense('g1', [], [SKU.E3]), ['DELETE', '/groups/g1']);
    assert.equal(unassign.status, 202, JSON.stringify(unassign));
    assert.equal(deleted.status, 204, JSON.stringify(deleted));
    processAll(engine);
    assert.deepEqual(effectiveSkus(engine, 'u1'), []);
    engine.dispose();
  });

  test('direct assignment errors are synchronous; unknown objects are 404', async () => {
    const engine = await newEngine();
    engine.loadDocument(
      JSON.stringify(tenant({ users: [user('u1'), user('u2'), user('u3', { location: null })], groups: [], seats: { E3: 1 } })),
    );
    const responses = apply(
      engine,
      assignUserLicense('u1', [{ skuId: SKU.E3, disabledPlans: [] }]),
      assignUserLicense('u2', [{ skuId: SKU.E3, disabledPlans: [] }]),
      assignUserLicense('nobody', [{ skuId: SKU.E3, disabledPlans: [] }]),
      addMember('no-group', 'u1'),
    );
    assert.deepEqual(responses.map((r) => r.id), ['1', '2', '3', '4']);
    assert.equal(responses[0].status, 200, JSON.stringify(responses[0]));
    assert.ok(responses[1].status >= 400 && responses[1].status < 500, JSON.stringify(responses[1]));
    assert.ok(responses[1].body.error.message.length > 0);
    assert.equal(responses[2].status, 404, JSON.stringify(responses[2]));
    assert.equal(responses[3].status, 404, JSON.stringify(responses[3]));
    assert.deepEqual(effectiveSkus(engine, 'u1'), [SKU.E3]);
    assert.deepEqual(effectiveSkus(engine, 'u2'), []);
    engine.dispose();
  });

  test('users and groups created by a batch take part in processing', async () => {
    const engine = await newEngine();
    engine.loadDocument(JSON.stringify(tenant({ users: [], groups: [] })));
    const responses = apply(
      engine,
      ['POST', '/users', { id: 'n1', displayName: 'New One', userPrincipalName: 'n1@fabrikam.example', usageLocation: 'US', accountEnabled: true }],
      ['POST', '/groups', { id: 'ng', displayName: 'New Group', securityEnabled: true, mailEnabled: false, groupTypes: [] }],
      addMember('ng', 'n1'),
      assignGroupLicense('ng', [{ skuId: SKU.EMS, disabledPlans: [] }]),
    );
    assert.deepEqual(responses.map((r) => r.status), [201, 201, 204, 202], JSON.stringify(responses));
    processAll(engine);
    assert.deepEqual(effectiveSkus(engine, 'n1'), [SKU.EMS]);
    assert.equal(engine.query({ query: 'tenant' }).users, 1);
    engine.dispose();
  });

  test('export options leave out assignedPlans and the audit log', async () => {
    const engine = await newEngine();
    engine.loadDocument(JSON.stringify(tenant({ users: [user('u1')], groups: [group('g1', ['u1'], [SKU.E3])] })));
    processAll(engine);
    const full = JSON.parse(engine.exportDocumentText());
    assert.ok(full.users[0].assignedPlans.length > 0);
    assert.ok(full.directoryAudits.length > 0);
    const lean = JSON.parse(engine.exportDocumentText({ assignedPlans: false, audit: false }));
    assert.equal(lean.users[0].assignedPlans, undefined);
    assert.equal(lean.directoryAudits, undefined);
    assert.deepEqual(lean.users[0].assignedLicenses, full.users[0].assignedLicenses);
    const withAudit = JSON.parse(engine.exportDocumentText({ assignedPlans: false }));
    assert.deepEqual(withAudit.directoryAudits, full.directoryAudits);
    assert.throws(() => engine.exportDocument({ audit: 'no' }), { code: 'BadRequest' });
    engine.dispose();
  });

  test('list queries page and search', async () => {
    const engine = await newEngine();
    engine.loadSample();
    const all = engine.query({ query: 'users', limit: 5 });
    assert.equal(all.items.length, 5);
    assert.ok(all.total >= 1000);
    const next = engine.query({ query: 'users', offset: 5, limit: 5 });
    assert.notDeepEqual(next.items.map((u) => u.id), all.items.map((u) => u.id));
    const kiosk = engine.query({ query: 'groups', search: 'kiosk' });
    assert.ok(kiosk.items.some((g) => g.displayName === 'Kiosk users'));
    const licensed = listAll(engine, { query: 'licensedUsers', skuId: SKU.E1 });
    assert.ok(licensed.some((u) => u.paths.includes('Inherited (Kiosk users)')), JSON.stringify(licensed[0]));
    engine.dispose();
  });
});
