// Dynamic groups through the built module (issue 15): Validate rules, a rule edit's preview, and
// the plan out's Update-MgGroup / Update-MgUser lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { powershellScript } from '../../wasm/plan-out.mjs';
import { SKU, group, newEngine, tenant, user } from './helpers.mjs';

/** Sales (s1, s2) and HR (h1) people; a dynamic Sales group licensed with E3. */
function salesTenant() {
  const withDepartment = (id, department) => ({ ...user(id), department });
  return tenant({
    users: [withDepartment('s1', 'Sales'), withDepartment('s2', 'Sales'), withDepartment('h1', 'HR')],
    groups: [
      group('sales', ['s1', 's2'], [SKU.E3], {
        groupTypes: ['DynamicMembership'],
        membershipRule: 'user.department -eq "Sales"',
        membershipRuleProcessingState: 'On',
      }),
    ],
  });
}

test('validateRule tells for each user whether the rule holds and which expression decided', async () => {
  const engine = await newEngine();
  engine.loadDocument(JSON.stringify(salesTenant()));
  const r = engine.query({ query: 'validateRule', rule: 'user.department -eq "HR" -or user.jobTitle -eq "Boss"', userIds: ['h1', 's1'] });
  assert.equal(r.valid, true);
  assert.deepEqual(r.users.map((u) => [u.id, u.matches, u.decidedBy]), [
    ['h1', true, 'user.department -eq "HR"'],
    ['s1', false, 'user.jobTitle -eq "Boss"'],
  ]);
  const bad = engine.query({ query: 'validateRule', rule: 'user.department -eq', userIds: [] });
  assert.equal(bad.valid, false);
  assert.equal(bad.error.position, 19);
  assert.match(bad.error.message, /position 19/);
});

test('the group query carries the rule, its state and a stale export', async () => {
  const engine = await newEngine();
  const doc = salesTenant();
  doc.groups[0].members = ['s1', 'h1'];
  engine.loadDocument(JSON.stringify(doc));
  const g = engine.query({ query: 'group', id: 'sales' });
  assert.equal(g.membershipRule, 'user.department -eq "Sales"');
  assert.equal(g.membershipRuleProcessingState, 'On');
  assert.deepEqual(g.staleExport, { listedOnly: 1, ruleOnly: 1 });
});

test('a rule edit previews its joins, leaves and license effect', async () => {
  const engine = await newEngine();
  engine.loadDocument(JSON.stringify(salesTenant()));
  engine.processAll();
  const effect = engine.planChanges({ requests: [{ id: '1', method: 'PATCH', url: '/groups/sales', body: { membershipRule: 'user.department -in ["Sales","HR"]' } }] });
  assert.deepEqual(effect.summary.memberships, [{ groupId: 'sales', displayName: 'Group sales', joined: 1, left: 0 }]);
  const h1 = effect.users.find((u) => u.id === 'h1');
  assert.deepEqual(h1.joinedGroups, ['sales']);
  assert.deepEqual(h1.gains, [SKU.E3]);
});

test('the PowerShell plan out writes Update-MgGroup for a rule and Update-MgUser for attributes', () => {
  const out = {
    batches: [{
      requests: [
        { id: '1', method: 'PATCH', url: '/groups/g1', body: { membershipRule: "user.department -eq \"O'Brien\"", membershipRuleProcessingState: 'On' } },
        { id: '2', method: 'PATCH', url: '/users/u1', body: { department: 'Sales', jobTitle: 'Seller' } },
        { id: '3', method: 'PATCH', url: '/users/u2', body: { department: null, onPremisesExtensionAttributes: { extensionAttribute1: 'A' } } },
      ],
    }],
    leftOut: [],
  };
  const script = powershellScript(out, new Map());
  assert.match(script, /Update-MgGroup -GroupId 'g1' -MembershipRule 'user\.department -eq "O''Brien"' -MembershipRuleProcessingState 'On'/);
  assert.match(script, /Update-MgUser -UserId 'u1' -Department 'Sales' -JobTitle 'Seller'/);
  assert.match(script, /Update-MgUser -UserId 'u2' -BodyParameter @\{ 'department' = \$null; 'onPremisesExtensionAttributes' = @\{ 'extensionAttribute1' = 'A' \} \}/);
  assert.match(script, /Connect-MgGraph -Scopes Group.ReadWrite.All, User.ReadWrite.All/);
});
