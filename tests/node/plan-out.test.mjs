// The plan out (wasm/plan-out.mjs): CSV quoting, Graph batches, the PowerShell script.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphBatches, powershellScript, toCsv } from '../../wasm/plan-out.mjs';

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
