// The plan out (wasm/plan-out.mjs): CSV quoting, Graph batches, the PowerShell script.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectCsv, extensionHowTo, graphBatches, mergeLicenseSwitches, powershellScript, toCsv } from '../../wasm/plan-out.mjs';

test('CSV follows RFC 4180 (quotes, CRLF) and starts with a byte order mark for Excel', () => {
  const csv = toCsv(['a', 'b'], [['x, y', 'say "hi"'], ['line\nbreak', null]]);
  assert.equal(csv, '\ufeffa,b\r\n"x, y","say ""hi"""\r\n"line\nbreak",\r\n');
});

test('Graph batches keep the plan order with dependsOn, 20 a batch, and leave out extensions and refused requests', () => {
  const requests = Array.from({ length: 23 }, (_, i) => ({ id: String(i + 1), method: 'POST', url: `/users/u${i}/reprocessLicenseAssignment` }));
  requests.push({ id: '24', method: 'PATCH', url: '/subscribedSkus/s1', body: { prepaidUnits: { enabled: 5 } } });
  const statuses = requests.map((r, i) => ({ id: r.id, status: i === 3 ? 404 : 200, ...(i === 23 ? { extension: true } : {}) }));
  const out = graphBatches([{ requests }], { requests: statuses });
  assert.deepEqual(out.batches.map((b) => b.requests.length), [20, 2]);
  assert.equal(out.batches[0].requests[0].dependsOn, undefined);
  assert.deepEqual(out.batches[0].requests[1].dependsOn, ['1']);
  assert.deepEqual(out.leftOut.map((r) => r.id), ['4', '24']);
  assert.match(out.leftOut[0].why, /answered 404/);
  assert.match(out.leftOut[1].why, /not in Microsoft Graph/);
});

test('the PowerShell script asks for the least scopes, checks each target first, has -WhatIf, and cannot be injected', () => {
  const out = {
    batches: [{
      requests: [
        { id: '1', method: 'POST', url: '/groups/g1/assignLicense', body: { addLicenses: [{ skuId: 's-e5', disabledPlans: ['p1'] }], removeLicenses: ['s-e3'] } },
        { id: '2', method: 'DELETE', url: '/groups/g2/members/u1/$ref', dependsOn: ['1'] },
        { id: '3', method: 'PATCH', url: '/users/u2', body: { usageLocation: 'GB' } },
        { id: '4', method: 'POST', url: '/groups/g1/members/$ref', body: { '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/u3"$(Remove-Item x)' } },
      ],
    }],
    leftOut: [{ id: '5', method: 'PATCH', url: '/licensingRules', why: 'not in Microsoft Graph' }],
  };
  const script = powershellScript(out, new Map([['s-e5', 'SPE_E5'], ['s-e3', 'SPE_E3']]));
  assert.match(script, /^param\(\[switch\]\$WhatIf\)$/m);
  assert.match(script, /Connect-MgGraph -Scopes Group.ReadWrite.All, GroupMember.ReadWrite.All, User.ReadWrite.All/);
  assert.match(script, /# Step 1: group g1: add SPE_E5; remove SPE_E3\./);
  assert.match(script, /Set-MgGroupLicense -GroupId 'g1' -AddLicenses @\(@\{SkuId='s-e5'; DisabledPlans=@\('p1'\)\}\) -RemoveLicenses @\('s-e3'\)/);
  assert.match(script, /Get-MgGroup -GroupId 'g1' .* -ErrorAction Stop/);
  assert.match(script, /if \(-not \(\$members.Id -contains 'u1'\)\) \{ Write-Host "Step 2: not a member: skipped" \}/);
  assert.match(script, /Update-MgUser -UserId 'u2' -BodyParameter @\{ usageLocation = 'GB' \}/);
  assert.match(script, /# Left out: PATCH \/licensingRules: not in Microsoft Graph/);
  // The odd id is quoted where it is an argument and shown without "$(" where it is text.
  assert.match(script, /New-MgGroupMember -GroupId 'g1' -DirectoryObjectId 'u3"\$\(Remove-Item x\)'/);
  // Outside single-quoted literals (which PowerShell never expands), the id's "$(" is gone.
  for (const line of script.split('\n')) {
    const expanded = line.replace(/'(?:[^']|'')*'/g, "''");
    assert.ok(!/\$\(Remove/.test(expanded), line);
  }
});

/** The lines of step `n` of a script: from its `# Step n:` comment to the blank line after it. */
function stepLines(script, n) {
  const lines = script.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`# Step ${n}:`));
  assert.ok(start >= 0, `step ${n} is in the script`);
  const end = lines.indexOf('', start);
  return lines.slice(start, end);
}

/** Index of the only line of `lines` that matches `pattern`. */
function onlyLine(lines, pattern) {
  const found = lines.flatMap((line, i) => (pattern.test(line) ? [i] : []));
  assert.equal(found.length, 1, `one line matches ${pattern}: ${lines.join('\n')}`);
  return found[0];
}

const oneBatch = (...requests) => ({ batches: [{ requests }], leftOut: [] });

test('a licence step reads what the target holds and runs only when its products are not already assigned as planned', () => {
  const script = powershellScript(oneBatch(
    { id: '1', method: 'POST', url: '/groups/g1/assignLicense', body: { addLicenses: [{ skuId: 's-e5', disabledPlans: ['p1', 'p2'] }], removeLicenses: ['s-e3'] } },
    { id: '2', method: 'POST', url: '/users/u1/assignLicense', body: { addLicenses: [], removeLicenses: ['s-e3'] } },
  ), new Map([['s-e5', 'SPE_E5'], ['s-e3', 'SPE_E3']]));
  const lines = script.split('\n');

  // The comparison is defined once, before the first step, and compares what it should: the
  // disabled plans as sets (sorted, duplicates dropped), ids lowered, products to remove absent.
  const define = onlyLine(lines, /^function Test-LicenseStepInEffect\(\$Assigned, \$Add, \$Remove\) \{$/);
  assert.ok(define < lines.findIndex((line) => line.startsWith('# Step 1:')));
  const body = lines.slice(define, lines.indexOf('}', define) + 1).join('\n');
  assert.match(body, /DisabledPlans/);
  assert.match(body, /ToLowerInvariant\(\)/);
  assert.match(body, /Sort-Object -Unique/);
  assert.match(body, /foreach \(\$skuId in @\(\$Remove\)\) \{ if \(.*ContainsKey.*\) \{ return \$false \} \}/);
  assert.match(body, /foreach \(\$license in @\(\$Add\)\)/);

  // Group step: read assignedLicenses, then the guard, then -WhatIf, then Set-MgGroupLicense in the else branch.
  const group = stepLines(script, 1);
  const read = onlyLine(group, /^\$target = Get-MgGroup -GroupId 'g1' -Property [\w,]*assignedLicenses[\w,]* -ErrorAction Stop$/);
  const guard = onlyLine(group, /^if \(Test-LicenseStepInEffect -Assigned \$target\.AssignedLicenses -Add @\(@\{SkuId='s-e5'; DisabledPlans=@\('p1', 'p2'\)\}\) -Remove @\('s-e3'\)\) \{ Write-Host "Step 1: already in effect[^"]*: skipped" \}$/);
  const whatIf = onlyLine(group, /^elseif \(\$WhatIf\) \{ Write-Host "Step 1: would run Set-MgGroupLicense/);
  const otherwise = onlyLine(group, /^else \{$/);
  const set = onlyLine(group, /Set-MgGroupLicense -GroupId/);
  assert.ok(read < guard && guard + 1 === whatIf && whatIf + 1 === otherwise && otherwise + 1 === set, group.join('\n'));
  assert.equal(group[set], "  Set-MgGroupLicense -GroupId 'g1' -AddLicenses @(@{SkuId='s-e5'; DisabledPlans=@('p1', 'p2')}) -RemoveLicenses @('s-e3') | Out-Null");
  assert.equal(group[set + 1], '}');
  assert.equal(group.length, set + 2, 'nothing after the guarded branch');

  // User step, remove only: the guard has nothing to add, so it holds when no product to remove is assigned.
  const user = stepLines(script, 2);
  onlyLine(user, /^\$target = Get-MgUser -UserId 'u1' -Property [\w,]*assignedLicenses[\w,]* -ErrorAction Stop$/);
  const userGuard = onlyLine(user, /^if \(Test-LicenseStepInEffect -Assigned \$target\.AssignedLicenses -Add @\(\) -Remove @\('s-e3'\)\) \{ Write-Host "Step 2: already in effect[^"]*: skipped" \}$/);
  const userSet = onlyLine(user, /Set-MgUserLicense -UserId/);
  assert.equal(user[userSet - 1], 'else {');
  assert.ok(userGuard < userSet);
  assert.equal(lines.filter((line) => /Set-Mg(Group|User)License -/.test(line)).length, 2, 'each licence cmdlet runs in its step only');

  // A script without licence steps does not carry the comparison.
  assert.doesNotMatch(powershellScript(oneBatch({ id: '1', method: 'POST', url: '/users/u1/reprocessLicenseAssignment' }), new Map()), /Test-LicenseStepInEffect/);
});

test('a user delete is skipped when the user is already gone, and -WhatIf still only prints it', () => {
  const script = powershellScript(oneBatch({ id: '1', method: 'DELETE', url: '/users/u9' }), new Map());
  assert.match(script, /Connect-MgGraph -Scopes User.ReadWrite.All -NoWelcome/);
  const step = stepLines(script, 1);
  const read = onlyLine(step, /^\$target = Get-MgUser -UserId 'u9' -Property id,displayName -ErrorAction SilentlyContinue$/);
  const gone = onlyLine(step, /^if \(-not \$target\) \{ Write-Host "Step 1: user u9 [^"]*skipped" \}$/);
  const whatIf = onlyLine(step, /^elseif \(\$WhatIf\) \{ Write-Host "Step 1: would delete/);
  const remove = onlyLine(step, /Remove-MgUser/);
  assert.ok(read < gone && gone < whatIf && whatIf < remove);
  assert.equal(step[remove], "else { Remove-MgUser -UserId 'u9' }");
  assert.doesNotMatch(script, /Invoke-MgGraphRequest -Method 'DELETE'/);
});

test('reprocess, rule and attribute steps say in one comment what they do and why, and check that the target exists', () => {
  const script = powershellScript(oneBatch(
    { id: '1', method: 'POST', url: '/users/u1/reprocessLicenseAssignment' },
    { id: '2', method: 'PATCH', url: '/groups/g1', body: { membershipRule: 'user.department -eq "Sales"' } },
    { id: '3', method: 'PATCH', url: '/users/u2', body: { department: 'Sales' } },
  ), new Map());
  const [reprocess, rule, attributes] = [1, 2, 3].map((n) => stepLines(script, n));
  for (const step of [reprocess, rule, attributes]) {
    assert.equal(step.filter((line) => line.startsWith('#')).length, 1, step.join('\n'));
    assert.match(step[0], /only the (user|group)'s existence is checked/);
  }
  assert.match(reprocess[0], /reprocess user u1: the service evaluates the user's group licenses again \(clears errors whose cause is gone/);
  assert.match(reprocess[1], /^\$null = Get-MgUser -UserId 'u1' -Property id -ErrorAction Stop$/);
  assert.match(rule[0], /membership rule of dynamic group g1: its members, and the licenses they get from it, follow/);
  assert.match(rule[1], /^\$target = Get-MgGroup -GroupId 'g1' .* -ErrorAction Stop$/);
  assert.match(attributes[0], /attributes of user u2 \(department\): dynamic groups whose rules read them change members, and their licenses follow/);
  assert.match(attributes[1], /^\$target = Get-MgUser -UserId 'u2' .* -ErrorAction Stop$/);
});

test('each kind of extension is left out with how to do it by hand; a group reprocess says nothing of seats', () => {
  const requests = [
    { id: '1', method: 'POST', url: '/groups/g1/reprocessLicenseAssignment' },
    { id: '2', method: 'PATCH', url: '/subscribedSkus/s1', body: { prepaidUnits: { enabled: 25 } } },
    { id: '3', method: 'PATCH', url: 'https://graph.microsoft.com/v1.0/users/u1', body: { proxyAddresses: ['SMTP:a@contoso.com'], department: 'Sales' } },
    { id: '4', method: 'PATCH', url: '/licensingRules', body: { profile: 'current' } },
    { id: '5', method: 'POST', url: '/users/u2/reprocessLicenseAssignment' },
  ];
  const out = graphBatches([{ requests }], { requests: requests.map((r) => ({ id: r.id, status: 200, extension: r.id !== '5' })) });
  // The user's reprocess is Graph's own (Invoke-MgLicenseUser): it is kept.
  assert.deepEqual(out.batches.flatMap((b) => b.requests.map((r) => r.url)), ['/users/u2/reprocessLicenseAssignment']);
  const why = Object.fromEntries(out.leftOut.map((r) => [r.id, r.why]));
  assert.doesNotMatch(why[1], /seat/i);
  for (const text of Object.values(why)) assert.match(text, /^not in Microsoft Graph v1\.0 \(an extension of this planner\): /);
  assert.match(why[1], /Microsoft Entra admin center/);
  assert.match(why[1], /Groups > All groups, the group, Licenses, then Reprocess/);
  assert.match(why[1], /Invoke-MgLicenseUser/);
  assert.match(why[2], /seats of product s1 to 25 enabled units/);
  assert.match(why[2], /Microsoft 365 admin center/);
  assert.match(why[2], /Buy licenses/);
  assert.doesNotMatch(why[3], /seat/i);
  assert.match(why[3], /proxyAddresses is read-only in Graph/);
  assert.match(why[3], /Manage username and email/);
  assert.match(why[3], /other attributes \(department\)/);
  assert.doesNotMatch(why[4], /seat/i);
  assert.match(why[4], /nothing to change on the tenant/);
  assert.equal(extensionHowTo({ method: 'POST', url: '/somethingElse' }), 'do it by hand in the Microsoft Entra admin center or the Microsoft 365 admin center');

  const script = powershellScript(out, new Map());
  const leftOut = script.split('\n').filter((line) => line.startsWith('# Left out: '));
  assert.equal(leftOut.length, 4);
  assert.match(leftOut[0], /^# Left out: POST \/groups\/g1\/reprocessLicenseAssignment: .*Reprocess$/);
  assert.doesNotMatch(leftOut[0], /seat/i);
  // A reason that holds a line break stays one comment line.
  const broken = powershellScript({ batches: [], leftOut: [{ id: '1', method: 'PATCH', url: '/x', why: 'a\nRemove-Item x' }] }, new Map());
  assert.ok(broken.split('\n').every((line) => line === '' || line.startsWith('#') || !/Remove-Item/.test(line)));
});

test('only neighbouring license changes of one target naming different products are merged', () => {
  const lic = (id, url, add, remove) => ({ id, method: 'POST', url, body: { addLicenses: add.map((skuId) => ({ skuId, disabledPlans: [] })), removeLicenses: remove } });
  const { requests, merged } = mergeLicenseSwitches([
    lic('1', '/groups/g1/assignLicense', [], ['e1']),
    lic('2', '/groups/G1/assignLicense', ['e3'], []),
    lic('3', '/groups/g1/assignLicense', ['ems'], []),
    lic('4', '/groups/g2/assignLicense', ['e3'], []),
    { id: '5', method: 'POST', url: '/groups/g2/members/$ref', body: {} },
    lic('6', '/groups/g2/assignLicense', [], ['e1']),
    lic('7', '/users/u1/assignLicense', ['e5'], []),
    lic('8', '/users/u1/assignLicense', [], ['e5']),
  ]);
  assert.deepEqual(requests.map((r) => r.id), ['1', '4', '5', '6', '7', '8']);
  assert.deepEqual(requests[0].body, { addLicenses: [{ skuId: 'e3', disabledPlans: [] }, { skuId: 'ems', disabledPlans: [] }], removeLicenses: ['e1'] });
  assert.deepEqual(merged, [{ ids: ['1', '2', '3'], url: '/groups/g1/assignLicense' }]);
});

test('the per-user effect CSV says which products are kept through another assignment path', () => {
  const user = { id: 'u1', displayName: 'Ann', gains: [], loses: [], plansGained: [], plansLost: [], newErrors: [], clearedErrors: [],
    pathChanges: [{ skuId: 's-e3', before: [{ assignedByGroup: null, path: 'Direct' }], after: [{ assignedByGroup: 'g1', path: 'Inherited (Sales)' }] }] };
  const lines = effectCsv({ users: [user] }, new Map([['s-e3', 'ENTERPRISEPACK']])).trimEnd().split('\r\n');
  assert.equal(lines[0], '\ufeffuserId,displayName,gains,loses,plansGained,plansLost,newErrors,clearedErrors,pathChanges');
  assert.equal(lines[1], 'u1,Ann,,,,,,,ENTERPRISEPACK: Direct -> Inherited (Sales)');
});
