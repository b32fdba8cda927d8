// wasm/cli.mjs end to end: spawned as a separate node process on files in a temporary folder.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI, NOW_ISO, ROOT, PLAN, SKU, assignGroupLicense, batch, group, removeMember, tenant, user } from './helpers.mjs';

function cli(...args) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('cli', () => {
  let dir;
  let samplePath;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gbl-cli-'));
    samplePath = join(dir, 'sample.json');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The sample tenant written by `cli sample` to `name` in the test folder, parsed, with a group's id by name. */
  function sampleFile(name) {
    const path = join(dir, name);
    assert.equal(cli('sample', '--out', path, '--now', NOW_ISO).status, 0);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    return { path, doc, groupId: (displayName) => doc.groups.find((g) => g.displayName === displayName).id };
  }

  test('--help documents every command and option', () => {
    const run = cli('--help');
    assert.equal(run.status, 0);
    for (const word of ['process', 'summary', 'sample', '--changes', '--out', '--timings', '--now', '--process', '--limit', 'Exit status']) {
      assert.ok(run.stdout.includes(word), `help mentions ${word}`);
    }
  });

  test('real exports: a UTF-16LE document with a byte-order mark loads; ignored members are printed', () => {
    // Windows PowerShell 5.1: `Get-... | ConvertTo-Json > tenant.json` writes UTF-16LE with a BOM.
    const doc = tenant({ users: [user('u1')], groups: [group('g1', ['u1'], [SKU.E3])] });
    doc.Devices = [];
    const path = join(dir, 'utf16.json');
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(doc), 'utf16le')]));
    const outPath = join(dir, 'utf16-out.json');
    const run = cli('process', path, '--out', outPath, '--now', NOW_ISO);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, `${path}: ignored: Devices\n`);
    const out = JSON.parse(readFileSync(outPath, 'utf8'));
    assert.equal(out.users[0].licenseAssignmentStates[0].state, 'Active');
  });

  test('real exports: an empty document is an error, not an empty tenant', () => {
    const path = join(dir, 'empty.json');
    writeFileSync(path, '{}');
    const run = cli('process', path, '--out', join(dir, 'never.json'));
    assert.equal(run.status, 2);
    assert.match(run.stderr, /SchemaError: \$: the document has no users, groups or subscribedSkus/);
    assert.equal(existsSync(join(dir, 'never.json')), false);
  });

  test('real exports: an EntraExporter folder loads and is processed; what it lacks is printed', () => {
    const tree = join(ROOT, 'tests/fixtures/entra-exporter/EntraBackup');
    const outPath = join(dir, 'tree-out.json');
    const run = cli('process', tree, '--out', outPath, '--now', NOW_ISO);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /1 dynamic group has no Members folder/);
    assert.match(run.stderr, /ignored: Domains\/, Policies\//);
    const out = JSON.parse(readFileSync(outPath, 'utf8'));
    assert.equal(out.organization[0].displayName, 'Fabrikam Lab');
    assert.equal(out.users.length, 3);
    const retail = out.groups.find((g) => g.displayName === 'Retail staff');
    assert.deepEqual(retail.members.map((m) => m.id ?? m).length, 3, 'two users and the kiosk device');
    const megan = out.users.find((u) => u.displayName === 'Megan Bowen');
    assert.deepEqual(megan.assignedLicenses.map((l) => l.skuId), [SKU.EMS], 'the dynamic group keeps its license');
  });

  test('real exports: a folder exported without Users says which Export-Entra types to use', () => {
    const copy = join(dir, 'config-only');
    cpSync(join(ROOT, 'tests/fixtures/entra-exporter/EntraBackup'), copy, { recursive: true });
    rmSync(join(copy, 'Users'), { recursive: true });
    const outPath = join(dir, 'config-out.json');
    const run = cli('process', copy, '--out', outPath);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /has no Users folder: EntraExporter writes Users only with -All or -Type Users/);
    assert.equal(existsSync(outPath), false);
  });

  test('sample writes the built-in tenant; the same clock gives the same bytes', () => {
    const run = cli('sample', '--out', samplePath, '--now', NOW_ISO);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    const document = JSON.parse(readFileSync(samplePath, 'utf8'));
    assert.ok(document.users.length >= 1000);
    assert.ok(document.groups.some((g) => g.displayName === 'HR Department'));
    const toStdout = cli('sample', '--now', NOW_ISO);
    assert.equal(toStdout.status, 0);
    assert.equal(toStdout.stdout, readFileSync(samplePath, 'utf8'));
  });

  test('process: the walkthrough batch, responses added, deterministic with --now, timings', () => {
    cli('sample', '--out', samplePath, '--now', NOW_ISO);
    const sample = JSON.parse(readFileSync(samplePath, 'utf8'));
    const hr = sample.groups.find((g) => g.displayName === 'HR Department');
    const kiosk = sample.groups.find((g) => g.displayName === 'Kiosk users');
    const changesPath = join(dir, 'changes.json');
    writeFileSync(
      changesPath,
      JSON.stringify(batch(assignGroupLicense(hr.id, [{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER] }, { skuId: SKU.EMS, disabledPlans: [] }]))),
    );
    const outPath = join(dir, 'out.json');
    const run = cli('process', samplePath, '--changes', changesPath, '--out', outPath, '--now', NOW_ISO, '--timings');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /^timings: load \d+ ms, apply \d+ ms, process \d+ ms, write \d+ ms\n$/);
    const text = readFileSync(outPath, 'utf8');
    const result = JSON.parse(text);
    assert.deepEqual(result.responses.map((r) => [r.id, r.status]), [['1', 202]]);
    const states = result.users.flatMap((u) => u.licenseAssignmentStates.filter((s) => s.assignedByGroup === hr.id && s.skuId === SKU.E3));
    assert.equal(states.filter((s) => s.state === 'Active').length, 990);
    assert.equal(states.filter((s) => s.error === 'MutuallyExclusiveViolation').length, 10);
    const hrOut = result.groups.find((g) => g.id === hr.id);
    assert.equal(hrOut.membersWithLicenseErrors.length, 10);
    assert.ok(JSON.stringify(result.directoryAudits).includes('Users successfully assigned licenses: 990, Users for whom license assignment failed: 10.'));

    // Same input, same clock: same bytes (stdout this time).
    const again = cli('process', samplePath, '--changes', changesPath, '--now', NOW_ISO);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, text);

    // Chain: the output is a valid input; removing the ten from Kiosk users licenses everyone.
    const fixPath = join(dir, 'fix.json');
    writeFileSync(fixPath, JSON.stringify(batch(...hrOut.membersWithLicenseErrors.map((id) => removeMember(kiosk.id, id)))));
    const fixed = cli('process', outPath, '--changes', fixPath, '--now', NOW_ISO);
    assert.equal(fixed.status, 0, fixed.stderr);
    const final = JSON.parse(fixed.stdout);
    assert.ok(final.responses.every((r) => r.status === 204));
    const finalStates = final.users.flatMap((u) => u.licenseAssignmentStates.filter((s) => s.assignedByGroup === hr.id && s.skuId === SKU.E3));
    assert.equal(finalStates.filter((s) => s.state === 'Active').length, 1000);
  });

  test('process without --changes adds no responses', () => {
    const small = join(dir, 'small.json');
    writeFileSync(small, JSON.stringify(tenant({ users: [user('u1')], groups: [group('g1', ['u1'], [SKU.E3])] })));
    const run = cli('process', small, '--now', NOW_ISO);
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal('responses' in result, false);
    assert.deepEqual(result.users[0].assignedLicenses.map((l) => l.skuId), [SKU.E3]);
  });

  test('--no-assigned-plans and --no-audit make the written document smaller', () => {
    const small = join(dir, 'lean.json');
    writeFileSync(small, JSON.stringify(tenant({ users: [user('u1')], groups: [group('g1', ['u1'], [SKU.E3])] })));
    const full = cli('process', small, '--now', NOW_ISO);
    const lean = cli('process', small, '--now', NOW_ISO, '--no-assigned-plans', '--no-audit');
    assert.equal(lean.status, 0, lean.stderr);
    const fullDocument = JSON.parse(full.stdout);
    const leanDocument = JSON.parse(lean.stdout);
    assert.ok(fullDocument.users[0].assignedPlans.length > 0 && fullDocument.directoryAudits.length > 0);
    assert.equal('assignedPlans' in leanDocument.users[0], false);
    assert.equal('directoryAudits' in leanDocument, false);
    assert.deepEqual(leanDocument.users[0].assignedLicenses, fullDocument.users[0].assignedLicenses);
    const sample = cli('sample', '--now', NOW_ISO, '--no-audit');
    assert.equal(sample.status, 0, sample.stderr);
    assert.equal('directoryAudits' in JSON.parse(sample.stdout), false);
    assert.equal(cli('summary', small, '--no-audit').status, 2);
  });

  test('summary prints products, groups and users in error as tables', () => {
    const small = join(dir, 'summary.json');
    writeFileSync(
      small,
      JSON.stringify(
        tenant({
          users: [user('u1'), user('u2'), user('u3', { direct: [SKU.E1] })],
          groups: [group('g1', ['u1', 'u2', 'u3'], [SKU.E3])],
          seats: { E3: 1 },
        }),
      ),
    );
    const run = cli('summary', small, '--process', '--now', NOW_ISO);
    assert.equal(run.status, 0, run.stderr);
    const out = run.stdout;
    assert.match(out, /Products\n/);
    assert.match(out, /ENTERPRISEPACK\s+1\s+1\s+0/);
    assert.match(out, /Licensed groups\n/);
    assert.match(out, /Group g1\s+Office 365 E3\s+3\s+ProcessingComplete\s+2/);
    assert.match(out, /Users in error \(2 user-group pairs\)/);
    assert.match(out, /u3@fabrikam\.example\s+Group g1\s+ENTERPRISEPACK\s+Conflicting service plans\s+MutuallyExclusiveViolation/);
    assert.match(out, /Not enough licenses\s+CountViolation/);
    const capped = cli('summary', small, '--process', '--limit', '1');
    assert.equal(capped.status, 0, capped.stderr);
    assert.match(capped.stdout, /Users in error \(2 user-group pairs\)/);
    assert.match(capped.stdout, /\.\.\. and 1 more \(use --limit 0 for all\)/);
    // Without --process the queued state shows.
    const queued = cli('summary', small);
    assert.equal(queued.status, 0, queued.stderr);
    assert.match(queued.stdout, /QueuedForProcessing/);
  });

  test('bad input: clear message naming file and path, exit 2, nothing written', () => {
    const outPath = join(dir, 'must-not-exist.json');
    const malformed = join(dir, 'malformed.json');
    writeFileSync(malformed, '{"users": [ {"id": "u1"},, ]}');
    let run = cli('process', malformed, '--out', outPath);
    assert.equal(run.status, 2);
    assert.ok(run.stderr.includes(malformed), run.stderr);
    assert.match(run.stderr, /ParseError: .*byte \d+/);
    assert.equal(existsSync(outPath), false);

    const unknownSku = join(dir, 'unknown-sku.json');
    const document = tenant({ users: [user('u1')], groups: [group('g1', ['u1'])] });
    document.groups[0].assignedLicenses = [{ skuId: '11111111-2222-3333-4444-555555555555', disabledPlans: [] }];
    writeFileSync(unknownSku, JSON.stringify(document));
    run = cli('process', unknownSku, '--out', outPath);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /SchemaError: groups\[0\]\.assignedLicenses\[0\]\.skuId/);
    assert.equal(existsSync(outPath), false);

    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(tenant({ users: [user('u1')], groups: [] })));
    const badBatch = join(dir, 'bad-batch.json');
    writeFileSync(badBatch, '{"requests": [ {"id": "1", ');
    run = cli('process', good, '--changes', badBatch, '--out', outPath);
    assert.equal(run.status, 2);
    assert.ok(run.stderr.includes(badBatch), run.stderr);
    assert.equal(existsSync(outPath), false);

    run = cli('process', join(dir, 'missing.json'), '--out', outPath);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /missing\.json: cannot read the tenant document: no such file/);

    for (const args of [[], ['frobnicate'], ['process'], ['process', good, '--now', 'tomorrow'], ['process', good, '--limit', '3'], ['sample', 'extra'], ['process', good, '--bogus']]) {
      run = cli(...args);
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /^cli: error: /);
    }
    assert.equal(existsSync(outPath), false);
  });

  test('a product switch staged as two requests goes out as one assignLicense; the exported batch, applied, gives exactly the preview', () => {
    const { path: samplePath, doc, groupId } = sampleFile('switch-sample.json');
    const kiosk = groupId('Kiosk users');
    const changes = join(dir, 'switch-changes.json');
    writeFileSync(changes, JSON.stringify(batch(assignGroupLicense(kiosk, [], [SKU.E1]), assignGroupLicense(kiosk, [{ skuId: SKU.E3, disabledPlans: [] }]))));
    const effect = JSON.parse(cli('plan', samplePath, '--changes', changes, '--now', NOW_ISO).stdout);
    assert.ok(effect.users.length > 0);
    assert.ok(effect.users.every((u) => u.loses.includes(SKU.E1) && u.gains.includes(SKU.E3)), 'every Kiosk member switches');

    const graph = cli('plan', samplePath, '--changes', changes, '--format', 'graph-batch', '--now', NOW_ISO);
    assert.equal(graph.status, 0, graph.stderr);
    const out = JSON.parse(graph.stdout);
    assert.equal(out.batches[0].requests.length, 1, 'one call: removed and added at once');
    assert.deepEqual(out.batches[0].requests[0].body, { addLicenses: [{ skuId: SKU.E3, disabledPlans: [] }], removeLicenses: [SKU.E1] });
    assert.deepEqual(out.merged, [{ ids: ['1', '2'], url: `/groups/${kiosk}/assignLicense` }]);
    const script = cli('plan', samplePath, '--changes', changes, '--format', 'powershell', '--now', NOW_ISO).stdout;
    assert.match(script, /One call: the service removes and adds at once/);

    // Applied: every user holds what the preview of the two requests said, no more, no less.
    const graphPath = join(dir, 'switch-graph.json');
    writeFileSync(graphPath, graph.stdout);
    const appliedPath = join(dir, 'switch-applied.json');
    assert.equal(cli('process', samplePath, '--changes', graphPath, '--out', appliedPath, '--now', NOW_ISO).status, 0);
    const held = (d) => new Map(d.users.map((u) => [u.id, new Set(u.assignedLicenses.map((l) => l.skuId))]));
    const was = held(doc);
    const is = held(JSON.parse(readFileSync(appliedPath, 'utf8')));
    const previewed = new Map(effect.users.map((u) => [u.id, u]));
    for (const [id, skus] of is) {
      const expected = new Set(was.get(id));
      const u = previewed.get(id);
      for (const s of u?.loses ?? []) expected.delete(s);
      for (const s of u?.gains ?? []) expected.add(s);
      assert.deepEqual([...skus].sort(), [...expected].sort(), id);
    }
  });

  test('plan previews the seed step without changing anything; its Graph batches, applied, give what it previewed', () => {
    const samplePlanPath = join(dir, 'plan-sample.json');
    assert.equal(cli('sample', '--out', samplePlanPath, '--now', NOW_ISO).status, 0);
    const before = readFileSync(samplePlanPath, 'utf8');
    const doc = JSON.parse(before);
    const hr = doc.groups.find((g) => g.displayName === 'HR Department').id;
    const changes = join(dir, 'plan-step1.json');
    const seats = { id: '2', method: 'PATCH', url: `/subscribedSkus/${SKU.E3}`, body: { prepaidUnits: { enabled: 1200 } } };
    const step = batch(assignGroupLicense(hr, [{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER] }, { skuId: SKU.EMS, disabledPlans: [] }]));
    step.requests.push(seats);
    writeFileSync(changes, JSON.stringify(step));

    const run = cli('plan', samplePlanPath, '--changes', changes, '--now', NOW_ISO);
    assert.equal(run.status, 0, run.stderr);
    const effect = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(effect).sort(), ['groups', 'requests', 'skus', 'summary', 'users']);
    assert.equal(effect.summary.usersChanged, effect.users.length);
    assert.deepEqual(effect.summary.newErrors.map((e) => e.users).sort(), [10, 10], 'E3 (conflict) and EMS (all or nothing), ten users each');
    const licensed = effect.users.filter((u) => [...u.gains].sort().join() === [SKU.E3, SKU.EMS].sort().join());
    const failed = effect.users.filter((u) => u.newErrors.length > 0);
    assert.equal(licensed.length, 990);
    assert.equal(failed.length, 10);
    assert.ok(failed.every((u) => u.newErrors.some((e) => e.error === 'MutuallyExclusiveViolation' && e.evidence.conflictingPath === 'Inherited (Kiosk users)')));
    assert.deepEqual(effect.users.map((u) => u.id), [...effect.users.map((u) => u.id)].sort(), 'users sorted by id');
    assert.deepEqual(effect.requests, [{ id: '1', status: 202 }, { id: '2', status: 200, extension: true }]);
    assert.equal(readFileSync(samplePlanPath, 'utf8'), before, 'the tenant file is untouched');

    // The plan out as Graph batches: the seat change (our extension) is left out, with why.
    const graph = cli('plan', samplePlanPath, '--changes', changes, '--format', 'graph-batch', '--now', NOW_ISO);
    assert.equal(graph.status, 0, graph.stderr);
    const out = JSON.parse(graph.stdout);
    assert.equal(out.batches.length, 1);
    assert.equal(out.batches[0].requests.length, 1);
    assert.deepEqual(out.leftOut.map((r) => r.id), ['2']);
    const graphPath = join(dir, 'plan-graph.json');
    writeFileSync(graphPath, graph.stdout);
    // Applied with process --changes (without the seat change: 100 seats short of 990 + 2)...
    const appliedPath = join(dir, 'plan-applied.json');
    const applied = cli('process', samplePlanPath, '--changes', graphPath, '--out', appliedPath, '--now', NOW_ISO);
    assert.equal(applied.status, 0, applied.stderr);
    // ... it gives what the plan of the same batches previews.
    const replan = JSON.parse(cli('plan', samplePlanPath, '--changes', graphPath, '--now', NOW_ISO).stdout);
    const after = JSON.parse(readFileSync(appliedPath, 'utf8'));
    const held = (d) => new Map(d.users.map((u) => [u.id, u.assignedLicenses.map((l) => l.skuId).sort().join()]));
    const was = held(doc);
    const changed = [...held(after)].filter(([id, skus]) => skus !== was.get(id)).map(([id]) => id).sort();
    assert.deepEqual(replan.users.filter((u) => u.gains.length || u.loses.length).map((u) => u.id), changed);

    const csv = cli('plan', samplePlanPath, '--changes', changes, '--format', 'csv', '--now', NOW_ISO);
    assert.equal(csv.status, 0, csv.stderr);
    assert.ok(csv.stdout.startsWith('\ufeffuserId,displayName,gains,loses,plansGained,plansLost,newErrors,clearedErrors,pathChanges\r\n'));
    assert.equal(csv.stdout.trimEnd().split('\r\n').length, effect.users.length + 1);

    assert.match(cli('plan', samplePlanPath, '--now', NOW_ISO).stderr, /--changes BATCH.json is required/);
    assert.match(cli('plan', samplePlanPath, '--changes', changes, '--format', 'xml').stderr, /--format: "xml" is not one of json, csv, graph-batch/);
  });

  test('errors lists every user in error, one row per user, group and product', () => {
    const { path: samplePath2, doc, groupId } = sampleFile('errors-sample.json');
    const hr = groupId('HR Department');
    const changes = join(dir, 'errors-step1.json');
    writeFileSync(changes, JSON.stringify(batch(assignGroupLicense(hr, [{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER] }, { skuId: SKU.EMS, disabledPlans: [] }]))));
    const processed = join(dir, 'errors-processed.json');
    assert.equal(cli('process', samplePath2, '--changes', changes, '--out', processed, '--now', NOW_ISO).status, 0);
    const json = cli('errors', processed, '--now', NOW_ISO);
    assert.equal(json.status, 0, json.stderr);
    const rows = JSON.parse(json.stdout);
    assert.equal(new Set(rows.map((r) => r.userId)).size, 10);
    assert.equal(rows.length, 20, 'E3 (conflict) and EMS (all or nothing) for each of the ten');
    assert.ok(rows.every((r) => r.group === 'HR Department' && r.reason.length > 0));
    // The document carries the errors only: the checks run again name the conflict and its path.
    const conflicts = rows.filter((r) => r.error === 'MutuallyExclusiveViolation');
    assert.equal(conflicts.length, 10);
    assert.ok(conflicts.every((r) => /conflictingPath=Inherited \(Kiosk users\)/.test(r.evidence) && /rechecked$/.test(r.evidence)), conflicts[0].evidence);
    assert.ok(rows.filter((r) => r.error === 'Other').every((r) => /failingSkuId=/.test(r.evidence)));
    const csv = cli('errors', processed, '--format', 'csv', '--now', NOW_ISO);
    const lines = csv.stdout.trimEnd().split('\r\n');
    assert.equal(lines[0], '\ufeffuserId,userPrincipalName,displayName,groupId,group,skuId,product,error,reason,evidence');
    assert.equal(lines.length, 21);

    // One group's users in error: the same ten under HR Department, none under Kiosk users.
    const one = cli('errors', processed, '--group', hr, '--now', NOW_ISO);
    assert.equal(one.status, 0, one.stderr);
    assert.deepEqual(JSON.parse(one.stdout), rows);
    const kiosk = doc.groups.find((g) => g.displayName === 'Kiosk users').id;
    assert.deepEqual(JSON.parse(cli('errors', processed, '--group', kiosk, '--now', NOW_ISO).stdout), []);
    const unknown = cli('errors', processed, '--group', '00000000-0000-4000-8000-000000000000', '--now', NOW_ISO);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--group: .*no group "00000000-0000-4000-8000-000000000000"/);
  });

  test('paths lists every license assignment path: direct or which group, with its state and error', () => {
    const processed = join(dir, 'errors-processed.json');
    const res = cli('paths', processed, '--now', NOW_ISO);
    assert.equal(res.status, 0, res.stderr);
    const rows = JSON.parse(res.stdout);
    const doc = JSON.parse(readFileSync(processed, 'utf8'));
    // Every state of every user in the document is one row.
    const states = doc.users.reduce((n, u) => n + (u.licenseAssignmentStates ?? []).length, 0);
    assert.equal(rows.length, states);
    const hrE3 = rows.filter((r) => r.group === 'HR Department' && r.product === 'ENTERPRISEPACK');
    assert.equal(hrE3.length, 1000);
    assert.equal(hrE3.filter((r) => r.error === 'MutuallyExclusiveViolation').length, 10);
    assert.ok(hrE3.every((r) => r.assignment === 'Inherited'));
    assert.ok(rows.some((r) => r.assignment === 'Direct' && r.groupId === '' && r.error === ''));
    const csv = cli('paths', processed, '--format', 'csv', '--now', NOW_ISO).stdout.trimEnd().split('\r\n');
    assert.equal(csv[0], '\ufeffuserId,userPrincipalName,displayName,skuId,product,assignment,groupId,group,state,error');
    assert.equal(csv.length, states + 1);
  });

  test('a reader that closes stdout early (cli | head) ends the CLI quietly with status 0', async () => {
    // The sample document is about 800 kB, far more than a pipe holds: the CLI is still writing
    // when its reader goes away after the first chunk, as `node wasm/cli.mjs sample | head -c 100`.
    const child = spawn(process.execPath, [CLI, 'sample', '--now', NOW_ISO], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
      stderr += text;
    });
    let chunks = 0;
    child.stdout.on('data', () => {
      chunks += 1;
      child.stdout.destroy();
    });
    const [code, signal] = await new Promise((resolve) => child.on('close', (c, s) => resolve([c, s])));
    assert.ok(chunks >= 1, 'the reader got the first chunk');
    assert.doesNotMatch(stderr, /EPIPE/);
    assert.equal(stderr, '');
    assert.equal(signal, null);
    assert.equal(code, 0);
  });
});
