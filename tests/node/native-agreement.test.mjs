// Native and WASM builds of the engine agree: the same tenant, batch and clock give the same
// document. The native side is build/native/tests/gbl_native_process (TENANT.json BATCH.json NOW_ISO,
// prints the exported document); the WASM side is `node wasm/cli.mjs process`. A missing native
// program is a failure, not a skip: the comparison is part of the contract.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLI, NOW_ISO, PLAN, ROOT, SKU, addMember, assignGroupLicense, batch, newEngine, removeMember } from './helpers.mjs';

const NATIVE = join(ROOT, 'build/native/tests/gbl_native_process');

/** JSON text with object keys sorted at every level (arrays keep their order). */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function run(command, args) {
  const result = spawnSync(command, args, { maxBuffer: 1024 * 1024 * 1024 });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

/** Compares the two outputs; the CLI adds `responses`, which the native program may not print. */
function assertAgree(tenantPath, batchPath) {
  const native = run(NATIVE, [tenantPath, batchPath, NOW_ISO]);
  const wasm = run(process.execPath, [CLI, 'process', tenantPath, '--changes', batchPath, '--now', NOW_ISO]);
  const nativeDocument = JSON.parse(native.toString('utf8'));
  const wasmDocument = JSON.parse(wasm.toString('utf8'));
  if (!('responses' in nativeDocument)) delete wasmDocument.responses;
  const a = canonical(nativeDocument);
  const b = canonical(wasmDocument);
  if (a !== b) {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    assert.fail(`native and wasm documents differ at canonical offset ${i}:\nnative: ${a.slice(Math.max(0, i - 200), i + 200)}\nwasm:   ${b.slice(Math.max(0, i - 200), i + 200)}`);
  }
  return { nativeBytes: native.length, wasmBytes: wasm.length };
}

let dir;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gbl-agree-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the native comparison program exists (build/native/tests/gbl_native_process)', () => {
  assert.ok(existsSync(NATIVE), `${NATIVE} is missing: build the native tree (bash .ci/build.sh); the lead's tests/CMakeLists.txt provides it`);
});

test('sample + walkthrough batch: native and wasm documents are identical', () => {
  const tenantPath = join(dir, 'sample.json');
  run(process.execPath, [CLI, 'sample', '--out', tenantPath, '--now', NOW_ISO]);
  const sample = JSON.parse(readFileSync(tenantPath, 'utf8'));
  const hr = sample.groups.find((g) => g.displayName === 'HR Department');
  const kiosk = sample.groups.find((g) => g.displayName === 'Kiosk users');
  const someone = sample.users.at(-1).id;
  const batchPath = join(dir, 'batch.json');
  writeFileSync(
    batchPath,
    JSON.stringify(
      batch(
        assignGroupLicense(hr.id, [{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER] }, { skuId: SKU.EMS, disabledPlans: [] }]),
        removeMember(kiosk.id, kiosk.members.map((m) => (typeof m === 'string' ? m : m.id))[0]),
        addMember(hr.id, someone),
        ['PATCH', `/users/${someone}`, { usageLocation: 'DE' }],
      ),
    ),
  );
  assertAgree(tenantPath, batchPath);
});

test('synthetic tenant with seat shortage: native and wasm documents are identical', async () => {
  const engine = await newEngine();
  const bytes = engine.generateSyntheticTenant({ users: 20_000, groups: 60, skus: 6, seatRatio: 0.8, seed: 42 });
  engine.dispose();
  const tenantPath = join(dir, 'synthetic.json');
  writeFileSync(tenantPath, bytes);
  const batchPath = join(dir, 'empty-batch.json');
  writeFileSync(batchPath, JSON.stringify({ requests: [] }));
  assertAgree(tenantPath, batchPath);
});
