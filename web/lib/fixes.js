// Explain + fix: for a user's license assignment in error, the changes that would clear it, each
// as Graph requests the planner can preview and the plan can stage. They follow Microsoft's
// "Resolve problems for licenses assigned to a group" article kind by kind; each ends with the
// user's reprocessing where the service does not re-evaluate by itself (an error stays until the
// user is processed again: freed or bought seats, a changed location, a removed conflict).
import * as engine from './engine.js';

/**
 * @typedef {{method: string, url: string, body?: any}} GraphRequest
 * @typedef {{title: string, why?: string, requests: GraphRequest[], targets: {kind: string, id: string, name: string, processes?: boolean}[]}} Fix
 */

const enc = encodeURIComponent;
const reprocess = (userId) => ({ method: 'POST', url: `/users/${enc(userId)}/reprocessLicenseAssignment` });
const planText = (p) => p?.friendlyName || p?.servicePlanName || p?.servicePlanId || 'a service';

/** The disabled plans of a group's template for one product (null when it has no such license). */
async function templateOf(groupId, skuId) {
  const g = await engine.query({ query: 'group', id: groupId });
  const lic = (g.licenses || []).find((l) => l.skuId === skuId);
  return { group: g, disabled: lic ? lic.disabledPlans || [] : null };
}

/** A group's template for a product with one more plan turned off (POST /groups/{id}/assignLicense). */
function templateChange(groupId, skuId, disabled) {
  return { method: 'POST', url: `/groups/${enc(groupId)}/assignLicense`, body: { addLicenses: [{ skuId, disabledPlans: disabled }], removeLicenses: [] } };
}

/**
 * The computed fixes of one failed assignment.
 * @param {{id: string, displayName: string}} user
 * @param {{skuId: string, displayName: string}} license
 * @param {{assignedByGroup?: string|null, groupName?: string|null, error: string, evidence?: any, disabledPlans?: string[]}} assignment
 * @returns {Promise<Fix[]>}
 */
export async function fixesFor(user, license, assignment) {
  const e = assignment.evidence || {};
  const fixes = [];
  const who = { kind: 'user', id: user.id, name: user.displayName };
  const fromGroup = assignment.assignedByGroup;
  const product = license.displayName;
  switch (assignment.error) {
    case 'MutuallyExclusiveViolation': {
      const conflicting = e.conflictingGroupId;
      if (conflicting) {
        const other = await engine.query({ query: 'group', id: conflicting });
        if (!(other.groupTypes || []).includes('DynamicMembership')) {
          fixes.push({
            title: `Remove ${user.displayName} from ${other.displayName}`,
            why: `The conflicting ${planText(e.conflictingServicePlan)} comes from ${other.displayName}; the user keeps what the group gives only while a member.`,
            requests: [{ method: 'DELETE', url: `/groups/${enc(conflicting)}/members/${enc(user.id)}/$ref` }, reprocess(user.id)],
            targets: [{ kind: 'group', id: conflicting, name: other.displayName }, who],
          });
        }
        // (Turning the plan off in the other group's license is no fix by itself: the user's
        // error here stays until the user is processed again after that group is, and a plan
        // applies its requests before the processing.)
      } else if (e.conflictingSkuId) {
        fixes.push({
          title: `Remove ${user.displayName}'s direct license that conflicts`,
          why: `The conflicting ${planText(e.conflictingServicePlan)} comes from a direct assignment.`,
          requests: [{ method: 'POST', url: `/users/${enc(user.id)}/assignLicense`, body: { addLicenses: [], removeLicenses: [e.conflictingSkuId] } }, reprocess(user.id)],
          targets: [who, who],
        });
      }
      if (fromGroup && e.servicePlan) {
        // Every plan of this product that conflicts (the reason names the first pair only); the
        // group is processed again, so its members are.
        const mine = [...new Map((e.conflictingPairs || [{ servicePlan: e.servicePlan }]).map((p) => [p.servicePlan.servicePlanId, p.servicePlan])).values()];
        const { group, disabled } = await templateOf(fromGroup, license.skuId);
        const off = mine.filter((p) => !disabled?.includes(p.servicePlanId));
        if (disabled && off.length) {
          fixes.push({
            title: `Turn off ${off.map(planText).join(' and ')} in ${product} of ${group.displayName}`,
            why: `Every member of ${group.displayName} loses ${off.length === 1 ? 'that service' : 'those services'} (the preview says how many).`,
            requests: [templateChange(fromGroup, license.skuId, [...disabled, ...off.map((p) => p.servicePlanId)])],
            targets: [{ kind: 'group', id: fromGroup, name: group.displayName, processes: true }],
          });
        }
      }
      break;
    }
    case 'CountViolation': {
      const p = await engine.query({ query: 'product', skuId: license.skuId });
      const enabled = Number(p.total) - Number(p.warning || 0);
      const seats = Math.max(1, Number(e.shortfall) || 0);
      fixes.push({
        title: `Buy ${seats === 1 ? 'a seat' : `${seats} seats`} of ${product} for ${user.displayName}`,
        why: 'Buying seats does not license the users already waiting: they get them when processed again.',
        requests: [{ method: 'PATCH', url: `/subscribedSkus/${enc(license.skuId)}`, body: { prepaidUnits: { enabled: enabled + seats } } }, reprocess(user.id)],
        targets: [{ kind: 'sku', id: license.skuId, name: product }, who],
      });
      break;
    }
    case 'ProhibitedInUsageLocationViolation': {
      const t = await engine.query({ query: 'tenant' });
      const country = t?.countryLetterCode;
      if (country && e.usageLocation !== country) {
        fixes.push({
          title: `Set ${user.displayName}'s usage location to ${country} (the organization's country)`,
          why: `${planText(e.servicePlan)} is not available in ${e.usageLocation || 'the user\'s location'}.`,
          requests: [{ method: 'PATCH', url: `/users/${enc(user.id)}`, body: { usageLocation: country } }, reprocess(user.id)],
          targets: [who, who],
        });
      }
      break;
    }
    case 'DependencyViolation':
      if (fromGroup && e.prerequisiteServicePlan) {
        const { group, disabled } = await templateOf(fromGroup, license.skuId);
        if (disabled && disabled.includes(e.prerequisiteServicePlan.servicePlanId)) {
          fixes.push({
            title: `Turn on ${planText(e.prerequisiteServicePlan)} in ${product} of ${group.displayName}`,
            why: `${planText(e.servicePlan)} needs it.`,
            requests: [templateChange(fromGroup, license.skuId, disabled.filter((id) => id !== e.prerequisiteServicePlan.servicePlanId)), reprocess(user.id)],
            targets: [{ kind: 'group', id: fromGroup, name: group.displayName, processes: true }, who],
          });
        }
      }
      break;
    default:
      break;
  }
  // Always possible, and the fix when the cause was fixed elsewhere (addresses edited in Exchange,
  // seats freed): process the user again.
  fixes.push({
    title: `Reprocess ${user.displayName}`,
    why: assignment.error === 'UniquenessViolation'
      ? `Fix the proxy address ${e.proxyAddress || ''} in Exchange first (no Graph request changes it for a mailbox); then reprocess.`.replace(/\s+/g, ' ')
      : 'Processes the user\'s group licenses again, as they stand now.',
    requests: [reprocess(user.id)],
    targets: [who],
  });
  return fixes;
}
