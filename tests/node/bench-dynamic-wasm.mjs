#!/usr/bin/env node
// Dynamic groups' figures of the WASM engine (issue 15; a script run by hand, not a test):
//
//   gbl_gen_tenant --users 1000000 --groups 10000 --skus 100 --seed 42 \
//       --dynamic-members 100000 --out tenant.json
//   node tests/node/bench-dynamic-wasm.mjs --file tenant.json [--changes N] [--edits N]
//
// The tenant has departments and a dynamic licensing group `user.department -eq "Sales"` (the
// generator's --dynamic-members). After its load and full processing, measures as the native
// BM_DynamicUserChange / BM_DynamicRuleEdit / BM_PlanDynamicRuleEdit do: one PATCH /users
// department change (the user leaves or joins the group, its licenses follow), a PATCH /groups
// rule edit (the rule over every user, the group's disabled users leaving or joining), and the
// planner's preview of a rule edit adding a department (summary and 20 users).
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Engine } from '../../wasm/engine-api.mjs';
import { loadNodeEngineModule } from '../../wasm/node-support.mjs';

const { values: options } = parseArgs({
  options: {
    file: { type: 'string' },
    changes: { type: 'string', default: '2000' },
    edits: { type: 'string', default: '6' },
  },
});
if (!options.file) {
  process.stderr.write('usage: node tests/node/bench-dynamic-wasm.mjs --file TENANT.json [--changes N] [--edits N]\n');
  process.exit(2);
}
const log = (line) => process.stdout.write(`${line}\n`);
const ms = (value) => `${value.toFixed(value < 10 ? 3 : 0)} ms`;
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

const engine = new Engine(await loadNodeEngineModule());
const bytes = new Uint8Array(await readFile(options.file));
let started = performance.now();
const summary = engine.loadDocument(bytes);
log(`load: ${ms(performance.now() - started)}, ${summary.users} users, ${summary.groups} groups`);
started = performance.now();
engine.processAll();
log(`processing: ${ms(performance.now() - started)}`);

const group = engine.query({ query: 'groups', search: 'Sales (dynamic licensing)' }).items[0];
if (!group) throw new Error('the tenant has no dynamic licensing group (gbl_gen_tenant --dynamic-members N)');
const member = engine.query({ query: 'groupMembers', id: group.id, limit: 1 }).items[0].id;
const patch = (url, body) => ({ requests: [{ id: '1', method: 'PATCH', url, headers: { 'Content-Type': 'application/json' }, body }] });
const ok = (answer) => {
  for (const r of answer.responses) if (r.status >= 300) throw new Error(JSON.stringify(r));
};

const changeTimes = [];
for (let i = 0; i < Number(options.changes); i++) {
  started = performance.now();
  ok(engine.applyBatch(patch(`/users/${member}`, { department: i % 2 === 0 ? 'Finance' : 'Sales' })));
  changeTimes.push(performance.now() - started);
}
if (Number(options.changes) % 2 === 1) ok(engine.applyBatch(patch(`/users/${member}`, { department: 'Sales' })));
// The first changes run while V8 still optimizes the module's code (Liftoff, then TurboFan): the
// later half is the steady state, as Google Benchmark's figure natively.
const later = changeTimes.slice(Math.floor(changeTimes.length / 2));
log(`PATCH /users department (leave or join, licenses follow): median ${ms(median(changeTimes))} of ${changeTimes.length}; ` +
  `the later ${later.length}: median ${ms(median(later))}`);

const narrow = patch(`/groups/${group.id}`, { membershipRule: 'user.department -eq "Sales" -and user.accountEnabled -eq true' });
const wide = patch(`/groups/${group.id}`, { membershipRule: 'user.department -eq "Sales"' });
const editTimes = [];
for (let i = 0; i < Number(options.edits); i++) {
  started = performance.now();
  ok(engine.applyBatch(i % 2 === 0 ? narrow : wide));
  editTimes.push(performance.now() - started);
}
if (Number(options.edits) % 2 === 1) ok(engine.applyBatch(wide));
log(`PATCH /groups membershipRule over ${summary.users} users: median ${ms(median(editTimes))} of ${editTimes.length} (${editTimes.map((t) => t.toFixed(0)).join(', ')} ms)`);

started = performance.now();
const effect = engine.planChanges(patch(`/groups/${group.id}`, { membershipRule: 'user.department -in ["Sales", "Finance"]' }), { userLimit: 20 });
const planMs = performance.now() - started;
const moved = effect.summary.memberships[0] ?? { joined: 0, left: 0 };
log(`plan of a rule edit on the ${group.members}-member group: ${ms(planMs)} (${moved.joined} join, ${moved.left} leave, ${effect.summary.usersChanged} users' licenses change)`);
engine.dispose();
