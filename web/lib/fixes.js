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
 * Add the prerequisite: another product of the tenant that has the prerequisite plan, given where
 * the failing license comes from (a prerequisite counts only "in the same group" for a group
 * license, licensing-group-advanced.md; for a direct license, directly) with only that plan on, as
 * the add-on groups of Microsoft's guidance carry a prerequisite-only copy. Null when no product
 * of the tenant has the plan.
 * @param {{id: string, displayName: string}} user
 * @param {{skuId: string, displayName: string}} license
 * @param {string|null|undefined} fromGroup
 * @param {any} prerequisite the evidence's prerequisiteServicePlan
 * @param {{kind: string, id: string, name: string}} who
 * @returns {Promise<Fix|null>}
 */
async function prerequisiteProductFix(user, license, fromGroup, prerequisite, who) {
  const wanted = String(prerequisite.servicePlanId).toLowerCase();
  const all = await engine.query({ query: 'products' });
  for (const row of Array.isArray(all) ? all : []) {
    if (row.skuId === license.skuId) continue;
    const p = await engine.query({ query: 'product', skuId: row.skuId });
    const plans = p.servicePlans || [];
    if (!plans.some((sp) => String(sp.servicePlanId).toLowerCase() === wanted)) continue;
    const disabledPlans = plans.map((sp) => sp.servicePlanId).filter((id) => String(id).toLowerCase() !== wanted);
    const add = { addLicenses: [{ skuId: row.skuId, disabledPlans }], removeLicenses: [] };
    if (fromGroup) {
      const g = await engine.query({ query: 'group', id: fromGroup });
      return {
        title: `Add ${p.displayName} with only ${planText(prerequisite)} on to ${g.displayName}`,
        why: `${planText(prerequisite)} must come from the same group. Each member of ${g.displayName} who does not hold ${p.displayName} yet takes a seat of it (the preview says how many).`,
        requests: [{ method: 'POST', url: `/groups/${enc(fromGroup)}/assignLicense`, body: add }, reprocess(user.id)],
        targets: [{ kind: 'group', id: fromGroup, name: g.displayName, processes: true }, who],
      };
    }
    return {
      title: `Assign ${p.displayName} with only ${planText(prerequisite)} on to ${user.displayName}`,
      why: `${license.displayName} needs ${planText(prerequisite)}; this takes a seat of ${p.displayName} unless the user holds it already.`,
      requests: [{ method: 'POST', url: `/users/${enc(user.id)}/assignLicense`, body: add }],
      targets: [who],
    };
  }
  return null;
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
        // Switch the other group's product to this one: the same product from two groups is one
        // license (the union of their plans), so nothing conflicts. It reaches every member of
        // that group, and this user is processed again after it.
        const theirs = (other.licenses || []).find((l) => l.skuId === e.conflictingSkuId);
        const already = (other.licenses || []).some((l) => l.skuId === license.skuId);
        if (theirs && !already) {
          const { disabled } = fromGroup ? await templateOf(fromGroup, license.skuId) : { disabled: null };
          fixes.push({
            title: `Switch ${other.displayName} from ${theirs.displayName || e.conflictingSkuId} to ${product}`,
            why: `Every member of ${other.displayName} gets ${product} instead of ${theirs.displayName || 'its product'} (the preview says who else that affects and the seats it takes); one product from two groups does not conflict.`,
            requests: [{ method: 'POST', url: `/groups/${enc(conflicting)}/assignLicense`, body: { addLicenses: [{ skuId: license.skuId, disabledPlans: disabled || [] }], removeLicenses: [e.conflictingSkuId] } }, reprocess(user.id)],
            targets: [{ kind: 'group', id: conflicting, name: other.displayName, processes: true }, who],
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
    case 'DependencyViolation': {
      const needed = e.prerequisiteServicePlan?.servicePlanId;
      let turnedOn = false;
      if (fromGroup && needed) {
        const { group, disabled } = await templateOf(fromGroup, license.skuId);
        if (disabled && disabled.includes(needed)) {
          turnedOn = true;
          fixes.push({
            title: `Turn on ${planText(e.prerequisiteServicePlan)} in ${product} of ${group.displayName}`,
            why: `${planText(e.servicePlan)} needs it.`,
            requests: [templateChange(fromGroup, license.skuId, disabled.filter((id) => id !== needed)), reprocess(user.id)],
            targets: [{ kind: 'group', id: fromGroup, name: group.displayName, processes: true }, who],
          });
        }
      }
      if (needed && !turnedOn) {
        const fix = await prerequisiteProductFix(user, license, fromGroup, e.prerequisiteServicePlan, who);
        if (fix) fixes.push(fix);
      }
      break;
    }
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
