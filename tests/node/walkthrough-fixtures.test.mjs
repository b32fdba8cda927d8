// The seed walkthrough through the command line, with the batches kept in tests/fixtures/:
// step 1 leaves 990 licensed and 10 in conflict; step 3 (the ten leave Kiosk users) licenses all.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'wasm', 'cli.mjs');
const NOW = '2026-12-01T00:00:00Z';
const dir = mkdtempSync(join(tmpdir(), 'gbl-walk-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function hrState(file) {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const hr = doc.groups.find((g) => g.displayName === 'HR Department');
  const byId = new Map(doc.users.map((u) => [u.id, u]));
  let licensed = 0;
  for (const m of hr.members) {
    const states = byId.get(m.id).licenseAssignmentStates.filter((s) => s.assignedByGroup === hr.id);
    if (states.length === 2 && states.every((s) => s.state === 'Active')) licensed += 1;
  }
  return { licensed, inError: hr.membersWithLicenseErrors.length };
}

test('walkthrough batches through the CLI: 990 / 10, then all 1,000', () => {
  const sample = join(dir, 'sample.json');
  const step1 = join(dir, 'step1.json');
  const step3 = join(dir, 'step3.json');
  cli('sample', '--out', sample, '--now', NOW);
  cli('process', sample, '--changes', join(ROOT, 'tests/fixtures/walkthrough-step1.json'), '--out', step1, '--now', NOW);
  assert.deepEqual(hrState(step1), { licensed: 990, inError: 10 });
  cli('process', step1, '--changes', join(ROOT, 'tests/fixtures/walkthrough-step3.json'), '--out', step3, '--now', NOW);
  assert.deepEqual(hrState(step3), { licensed: 1000, inError: 0 });
  const responses = JSON.parse(readFileSync(step3, 'utf8')).responses;
  assert.equal(responses.length, 10);
  assert.ok(responses.every((r) => r.status === 204));
});
