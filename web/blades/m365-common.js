// Wording and helpers shared by the Microsoft 365 admin center pages (web/blades/m365-*.js): a group's
// license status as the admin center words it, the count a change affects (from the planner), and the
// confirmations it asks before Unassign licenses and Remove from group.
import { h, num } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { errorCount } from './common.js';

/**
 * A group's status on a product's Groups tab ("Assign or unassign licenses to a group in the Microsoft
 * 365 admin center", Verify that the license assignment is finished): All licenses assigned, In
 * progress, Errors & issues.
 * @param {{processingState?: any, processing?: any, membersWithErrors?: any}} g a `groups`,
 *   `licensedGroups` or `group` query row
 * @returns {{text: string, kind: 'success'|'error'|'neutral'}}
 */
export function groupStatus(g) {
  const p = g.processing ?? g.processingState;
  const state = typeof p === 'object' && p ? p.state : p;
  if (state === 'QueuedForProcessing' || state === 'ProcessingInProgress') return { text: 'In progress', kind: 'neutral' };
  if (errorCount(g) > 0) return { text: 'Errors & issues', kind: 'error' };
  return { text: 'All licenses assigned', kind: 'success' };
}

/** The status as a pill. */
export function groupStatusPill(g) {
  const s = groupStatus(g);
  return h('span', { class: ['pill', `pill-${s.kind}`], attrs: { 'data-status': s.text }, text: s.text });
}

/** A user's state for one product in the admin center's words. */
export function userStateText(state) {
  if (state === 'Active') return 'Assigned';
  if (state === 'ActiveWithError') return 'Assigned, with errors';
  if (state === 'Error') return 'Not assigned (error)';
  return state || '';
}

/**
 * How many users a change would leave without a product, in words, from the planner's preview
 * (computed in the worker and undone there: nothing changes).
 * @param {object[]} requests
 * @param {string} productName
 * @returns {Promise<string>}
 */
export async function lossWords(requests, productName) {
  const effect = await engine.plan(requests);
  const lose = (effect?.summary?.loses || []).reduce((a, l) => a + Number(l.users || 0), 0);
  const gain = (effect?.summary?.gains || []).reduce((a, g) => a + Number(g.users || 0), 0);
  const parts = [lose
    ? `${num(lose)} ${lose === 1 ? 'user loses' : 'users lose'} ${productName}.`
    : `No user loses ${productName}: every one affected keeps it through another assignment.`];
  if (gain) parts.push(`${num(gain)} ${gain === 1 ? 'user gets' : 'users get'} licenses they could not get before.`);
  return parts.join(' ');
}

/** POST /users/{id}/reprocessLicenseAssignment for each user (the admin center's Reprocess). */
export function reprocessRequests(users) {
  return users.map((u, i) => ({ id: String(i + 1), method: 'POST', url: `/users/${encodeURIComponent(u.id)}/reprocessLicenseAssignment` }));
}

/** The admin center reprocesses at most 20 users at a time (manage-group-licenses, Limitations). */
export const REPROCESS_LIMIT = 20;
