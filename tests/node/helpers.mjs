// Shared helpers of the Node test layer (not a test file: node --test runs *.test.mjs only).
import { fileURLToPath } from 'node:url';
import { createNodeEngine } from '../../wasm/node-support.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../wasm/cli.mjs', import.meta.url));

/** The clock every test pins (so audit times and states are deterministic). */
export const NOW_ISO = '2026-11-15T10:00:00Z';

export const SKU = Object.freeze({
  E1: '18181a46-0d4e-45cd-891e-60aabd171b4e', // STANDARDPACK
  E3: '6fd2c87f-b296-42f0-b197-1e91e994b900', // ENTERPRISEPACK
  EMS: 'efccb6f7-5641-4e0e-bd10-b4976e1bf68e', // EMS
  ADDON: '0c000000-0000-4000-8000-00000000add0', // a test-only add-on product
});

export const PLAN = Object.freeze({
  EXO_P1: '9aaf7827-d63c-4b61-89c3-182f06f82e5c', // EXCHANGE_S_STANDARD
  EXO_P2: 'efb87545-963c-4e0d-99df-69c6916d9eb0', // EXCHANGE_S_ENTERPRISE
  SPO_P1: 'c7699d2e-19aa-44de-8edf-1736da088ca1', // SHAREPOINTSTANDARD
  SPO_P2: '5dbe027f-2339-4123-9542-606e4d348a72', // SHAREPOINTENTERPRISE
  YAMMER: '7547a3fe-08ee-4ccb-b430-5077c5041653', // YAMMER_ENTERPRISE
  TEAMS: '57ff2da0-773e-42df-b2af-ffb7a2317929', // TEAMS1
  INTUNE: 'c1ec4a95-1f05-45b3-a911-aa3fa01094f5', // INTUNE_A
  AAD_P1: '41781fb2-bc02-4b7c-bd55-b576c07bb09d', // AAD_PREMIUM
  ADDON: '0c000000-0000-4000-8000-0000000000a1', // test-only plan that needs Exchange
});

/** A fresh engine (own wasm instance) with the clock pinned. */
export async function newEngine() {
  const engine = await createNodeEngine();
  engine.setNow(NOW_ISO);
  return engine;
}

/** A user object of a test tenant. */
export function user(id, { location = 'US', direct = [], proxyAddresses, enabled = true } = {}) {
  return {
    id,
    displayName: `User ${id}`,
    userPrincipalName: `${id}@fabrikam.example`,
    usageLocation: location,
    accountEnabled: enabled,
    proxyAddresses: proxyAddresses ?? [`SMTP:${id}@fabrikam.example`],
    assignedLicenses: direct.map((skuId) => ({ skuId, disabledPlans: [] })),
  };
}

/** A security group of a test tenant; `licenses` are {skuId, disabledPlans} or skuIds. */
export function group(id, members, licenses = [], extra = {}) {
  return {
    id,
    displayName: `Group ${id}`,
    securityEnabled: true,
    mailEnabled: false,
    groupTypes: [],
    assignedLicenses: licenses.map((l) => (typeof l === 'string' ? { skuId: l, disabledPlans: [] } : l)),
    members,
    ...extra,
  };
}

function sku(skuId, skuPartNumber, enabled, plans) {
  return {
    skuId,
    skuPartNumber,
    appliesTo: 'User',
    capabilityStatus: 'Enabled',
    prepaidUnits: { enabled, warning: 0, suspended: 0, lockedOut: 0 },
    servicePlans: plans.map(([servicePlanId, servicePlanName]) => ({ servicePlanId, servicePlanName, appliesTo: 'User' })),
  };
}

/**
 * A small tenant ("Fabrikam", US) with explicit products and rules:
 * E1 (Exchange P1, SharePoint P1, Yammer), E3 (Exchange P2, SharePoint P2, Yammer, Teams),
 * EMS (Intune, Entra ID P1) and an add-on whose plan needs Exchange (P1 or P2).
 * Rules: Exchange P1/P2 and SharePoint P1/P2 exclusive; add-on needs Exchange; Teams prohibited in CN.
 */
export function tenant({ users, groups, seats = {} }) {
  return {
    organization: [{ id: 'org-fabrikam', displayName: 'Fabrikam', countryLetterCode: 'US' }],
    subscribedSkus: [
      sku(SKU.E1, 'STANDARDPACK', seats.E1 ?? 100, [
        [PLAN.EXO_P1, 'EXCHANGE_S_STANDARD'],
        [PLAN.SPO_P1, 'SHAREPOINTSTANDARD'],
        [PLAN.YAMMER, 'YAMMER_ENTERPRISE'],
      ]),
      sku(SKU.E3, 'ENTERPRISEPACK', seats.E3 ?? 100, [
        [PLAN.EXO_P2, 'EXCHANGE_S_ENTERPRISE'],
        [PLAN.SPO_P2, 'SHAREPOINTENTERPRISE'],
        [PLAN.YAMMER, 'YAMMER_ENTERPRISE'],
        [PLAN.TEAMS, 'TEAMS1'],
      ]),
      sku(SKU.EMS, 'EMS', seats.EMS ?? 100, [
        [PLAN.INTUNE, 'INTUNE_A'],
        [PLAN.AAD_P1, 'AAD_PREMIUM'],
      ]),
      sku(SKU.ADDON, 'TEST_ADDON', seats.ADDON ?? 100, [[PLAN.ADDON, 'TEST_ADDON_PLAN']]),
    ],
    users,
    groups,
    licensingRules: {
      mutuallyExclusive: [
        { name: 'Exchange Online', servicePlanIds: [PLAN.EXO_P1, PLAN.EXO_P2] },
        { name: 'SharePoint Online', servicePlanIds: [PLAN.SPO_P1, PLAN.SPO_P2] },
      ],
      dependencies: [{ servicePlanId: PLAN.ADDON, requiresAnyOf: [PLAN.EXO_P1, PLAN.EXO_P2] }],
      usageLocationRestrictions: [{ servicePlanId: PLAN.TEAMS, prohibitedCountries: ['CN'] }],
    },
  };
}

/** A Graph JSON batch from [method, url, body?] triples (ids "1", "2", ...). */
export function batch(...requests) {
  return {
    requests: requests.map(([method, url, body], index) => {
      const request = { id: String(index + 1), method, url };
      if (body !== undefined) {
        request.body = body;
        request.headers = { 'Content-Type': 'application/json' };
      }
      return request;
    }),
  };
}

export const addMember = (groupId, memberId) => [
  'POST',
  `/groups/${groupId}/members/$ref`,
  { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${memberId}` },
];
export const removeMember = (groupId, memberId) => ['DELETE', `/groups/${groupId}/members/${memberId}/$ref`];
export const assignGroupLicense = (groupId, addLicenses, removeLicenses = []) => [
  'POST',
  `/groups/${groupId}/assignLicense`,
  { addLicenses, removeLicenses },
];
export const assignUserLicense = (userId, addLicenses, removeLicenses = []) => [
  'POST',
  `/users/${userId}/assignLicense`,
  { addLicenses, removeLicenses },
];

/** Applies a batch and asserts nothing about it; returns the responses array. */
export function apply(engine, ...requests) {
  return engine.applyBatch(batch(...requests)).responses;
}

/** Runs processing to completion. */
export function processAll(engine) {
  return engine.processAll({ chunkUsers: 4096 });
}

/** The exported document, parsed. */
export function exported(engine) {
  return JSON.parse(engine.exportDocumentText());
}

/** The exported user object with `id`. */
export function exportedUser(engine, id) {
  return exported(engine).users.find((u) => u.id === id);
}

/** The licenseAssignmentStates of a user for one product (from the exported document). */
export function statesOf(engine, userId, skuId) {
  return (exportedUser(engine, userId).licenseAssignmentStates ?? []).filter((s) => s.skuId === skuId);
}

/** Effective skuIds of a user (the exported assignedLicenses). */
export function effectiveSkus(engine, userId) {
  return (exportedUser(engine, userId).assignedLicenses ?? []).map((l) => l.skuId).sort();
}

/** Every item of a list query. */
export function listAll(engine, query) {
  const items = [];
  for (let offset = 0; ; offset += 1000) {
    const page = engine.query({ ...query, offset, limit: 1000 });
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total) return items;
  }
}

/** The product row of `skuId` from the products query. */
export function product(engine, skuId) {
  return engine.query({ query: 'products' }).find((p) => p.skuId === skuId);
}

/** The group of the sample (or any tenant) with exactly this display name. */
export function groupByName(engine, name) {
  const found = listAll(engine, { query: 'groups', search: name }).filter((g) => g.displayName === name);
  if (found.length !== 1) throw new Error(`expected one group named ${JSON.stringify(name)}, found ${found.length}`);
  return found[0];
}

/** Every member id of a group (users only). */
export function memberIds(engine, groupId) {
  return listAll(engine, { query: 'groupMembers', id: groupId })
    .filter((m) => m.type === 'user')
    .map((m) => m.id);
}

/** The seed walkthrough on a loaded sample: E3 + EMS with Yammer off on HR Department, processed. */
export function assignHrLicenses(engine) {
  const hr = groupByName(engine, 'HR Department');
  const responses = apply(
    engine,
    assignGroupLicense(hr.id, [
      { skuId: SKU.E3, disabledPlans: [PLAN.YAMMER] },
      { skuId: SKU.EMS, disabledPlans: [] },
    ]),
  );
  return { hr, responses };
}
