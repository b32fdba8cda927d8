// The built-in scenario library (issue 14): each follows a Microsoft article step for step, in the
// order the Scenarios blade lists them. The documents are web/scenarios/*.json (format in README).
import seed from './seed.json';
import migrateUsers from './migrate-users.json';
import changeE3ToE5 from './change-e3-to-e5.json';
import resolveProblems from './resolve-problems.json';
import labOutOfSeats from './lab-out-of-seats.json';
import dynamicSales from './dynamic-sales.json';

/** @type {import('../lib/scenario.js').Scenario[]} */
export const LIBRARY = [seed, migrateUsers, changeE3ToE5, resolveProblems, labOutOfSeats, dynamicSales];

/** A library scenario by id, or undefined. */
export function libraryScenario(id) {
  return LIBRARY.find((s) => s.id === id);
}
