// The plan out of the CLI's `plan` and `errors` commands: the effect as CSV, the staged changes as
// Graph JSON batches, every user in error as CSV or JSON. Pure functions over the engine's
// answers (no file or engine access here), so the Node tests check them directly.
import { MAX_BATCH_REQUESTS } from './protocol.mjs';

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
function csvField(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A CSV document (RFC 4180: CRLF line ends) with a UTF-8 byte order mark, so that Excel opens it as
 * UTF-8.
 * @param {string[]} headers
 * @param {unknown[][]} rows
 */
export function toCsv(headers, rows) {
  const lines = [headers, ...rows].map((row) => row.map(csvField).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

/**
 * The plan's per-user effect as CSV rows: products by part number where the tenant has them.
 * @param {{users: any[]}} effect
 * @param {Map<string, string>} skuNames skuId → skuPartNumber
 */
export function effectCsv(effect, skuNames) {
  const sku = (id) => skuNames.get(id) ?? id;
  const plans = (list) => list.map((p) => `${sku(p.skuId)}/${p.servicePlanId}`).join('; ');
  const errors = (list) =>
    list.map((e) => `${sku(e.skuId)}: ${e.error}${e.assignedByGroup ? ` (group ${e.assignedByGroup})` : ' (direct)'}${e.evidence?.reason ? `: ${e.evidence.reason}` : ''}`).join('; ');
  // "ENTERPRISEPACK: Direct -> Inherited (Sales)" for each product kept through other paths.
  const paths = (list) => (list ?? []).map((c) => `${sku(c.skuId)}: ${c.before.map((p) => p.path).join(', ')} -> ${c.after.map((p) => p.path).join(', ')}`).join('; ');
  return toCsv(
    ['userId', 'displayName', 'gains', 'loses', 'plansGained', 'plansLost', 'newErrors', 'clearedErrors', 'pathChanges'],
    effect.users.map((u) => [u.id, u.displayName, u.gains.map(sku).join('; '), u.loses.map(sku).join('; '), plans(u.plansGained), plans(u.plansLost), errors(u.newErrors), errors(u.clearedErrors), paths(u.pathChanges)]),
  );
}

/** A request's Graph path: a leading `https://graph.microsoft.com/v1.0` (or `beta`) and the query dropped. */
function graphPath(url) {
  const path = String(url ?? '').replace(/^https:\/\/graph\.microsoft\.com\/(?:v1\.0|beta)(?=\/|$)/i, '').split('?')[0];
  return path.startsWith('/') ? path : `/${path}`;
}

/**
 * How to do by hand a request that Graph v1.0 has no equivalent for (an extension of this planner),
 * by kind: seats (PATCH /subscribedSkus/{skuId}), a group's reprocessing (POST
 * /groups/{id}/reprocessLicenseAssignment), proxy addresses (PATCH /users/{id} with
 * proxyAddresses, read-only in Graph) and the rule profile (PATCH /licensingRules).
 * @param {{method?: string, url?: string, body?: any}} request
 * @returns {string}
 */
export function extensionHowTo(request) {
  const method = String(request.method ?? '').toUpperCase();
  const path = graphPath(request.url);
  const body = request.body ?? {};
  let m;
  if (method === 'PATCH' && (m = /^\/subscribedSkus\/([^/]+)$/i.exec(path))) {
    const enabled = body.prepaidUnits?.enabled;
    const target = typeof enabled === 'number' ? ` to ${enabled} enabled units` : '';
    return `seats of product ${m[1]}${target}: Graph cannot buy or cancel licenses; in the Microsoft 365 admin center open Billing > Your products, the product, then Buy licenses (or Remove licenses); then reprocess the groups whose members wait for a seat`;
  }
  if (method === 'POST' && (m = /^\/groups\/([^/]+)\/reprocessLicenseAssignment$/i.exec(path))) {
    return `reprocess group ${m[1]}: Graph v1.0 reprocesses one user at a time only (POST /users/{id}/reprocessLicenseAssignment, Invoke-MgLicenseUser); in the Microsoft Entra admin center open Groups > All groups, the group, Licenses, then Reprocess`;
  }
  if (method === 'PATCH' && /^\/users\/[^/]+$/i.test(path) && body && typeof body === 'object' && 'proxyAddresses' in body) {
    const others = Object.keys(body).filter((k) => k !== 'proxyAddresses');
    const rest = others.length ? `; this request's other attributes (${others.join(', ')}) are left out with it: set them with Update-MgUser` : '';
    return `proxy addresses of user ${path.split('/')[2]}: proxyAddresses is read-only in Graph; in the Microsoft 365 admin center open Users > Active users, the user, then Manage username and email (or use the Exchange admin center, or on-premises Active Directory for a synced user)${rest}`;
  }
  if (method === 'PATCH' && /^\/licensingRules$/i.test(path)) {
    const profile = typeof body.profile === 'string' ? ` (${body.profile})` : '';
    return `the rule profile${profile} is a setting of this offline planner only: nothing to change on the tenant, whose licensing service applies its own rules`;
  }
  return 'do it by hand in the Microsoft Entra admin center or the Microsoft 365 admin center';
}

/**
 * The staged changes as Graph JSON batches to send in order, at most MAX_BATCH_REQUESTS each; in a
 * batch each request depends on the one before it (`dependsOn`), so Graph runs them in the plan's
 * order and stops a batch at the first failure. Requests Graph does not have (our extensions) and
 * requests the preview answered with an error are left out, each with the reason (for an
 * extension, how to do it by hand: `extensionHowTo`). A product switch staged as two requests in a
 * row on one target is sent as one (`mergeLicenseSwitches`; `merged` lists the plan's ids).
 * @param {{requests: any[]}[]} batches the plan's batches as given
 * @param {{requests: {id: string, status: number, extension?: boolean}[]}} effect
 * @returns {{batches: {requests: any[]}[], leftOut: {id: string, method: string, url: string, why: string}[], merged: {ids: string[], url: string}[]}}
 */
export function graphBatches(batches, effect) {
  const requests = batches.flatMap((b) => b.requests ?? []);
  const outcome = effect.requests ?? [];
  const kept = [];
  const leftOut = [];
  requests.forEach((request, i) => {
    const result = outcome[i] ?? {};
    const { method, url } = request;
    if (result.extension) {
      leftOut.push({ id: String(request.id), method, url, why: `not in Microsoft Graph v1.0 (an extension of this planner): ${extensionHowTo(request)}` });
    } else if (!(result.status >= 200 && result.status < 300)) {
      leftOut.push({ id: String(request.id), method, url, why: `the preview answered ${result.status}: it would fail on the tenant too` });
    } else {
      const { dependsOn: _ignored, ...rest } = request;
      kept.push(rest);
    }
  });
  const { requests: steps, merged } = mergeLicenseSwitches(kept);
  const out = [];
  for (let i = 0; i < steps.length; i += MAX_BATCH_REQUESTS) {
    const part = steps.slice(i, i + MAX_BATCH_REQUESTS).map((request, k) => ({ ...request, id: String(k + 1) }));
    out.push({ requests: part.map((request, k) => (k === 0 ? request : { ...request, dependsOn: [String(k)] })) });
  }
  return { batches: out, leftOut, merged };
}

/**
 * The target of a license change (`POST /users/{id}/assignLicense` or `POST /groups/{id}/assignLicense`,
 * in any letter case, as Graph reads its paths), or null for any other request.
 * @param {any} request
 * @returns {{kind: 'users' | 'groups', id: string} | null}
 */
export function licenseChangeTarget(request) {
  if (String(request?.method ?? '').toUpperCase() !== 'POST') return null;
  const m = /^\/(users|groups)\/([^/]+)\/assignLicense$/i.exec(graphPath(request.url));
  return m ? { kind: /** @type {'users' | 'groups'} */ (m[1].toLowerCase()), id: m[2] } : null;
}

/**
 * A product switch staged as two requests in a row on one target (remove E1, then add E3 on the same
 * group or user) made one `assignLicense` with both lists: Graph then removes and adds at once, so no
 * user is left without the product in between (removing first) or in a transient conflict (adding
 * first). Only neighbours are merged, and only when they name different products (the same product
 * added and removed is left as two steps); the outcome is what the two give in order, since the
 * processing follows the whole plan either way. Returns the requests and the ids merged.
 * @param {any[]} requests
 * @returns {{requests: any[], merged: {ids: string[], url: string}[]}}
 */
export function mergeLicenseSwitches(requests) {
  const isLicenseChange = (r) => licenseChangeTarget(r) !== null;
  const skusOf = (body) => [...(body?.addLicenses ?? []).map((l) => String(l?.skuId ?? '')), ...(body?.removeLicenses ?? []).map(String)].map((id) => id.toLowerCase());
  const out = [];
  const merged = [];
  let ids = null;
  for (const request of requests) {
    const last = out[out.length - 1];
    const same = last && isLicenseChange(last) && isLicenseChange(request) &&
      graphPath(last.url).toLowerCase() === graphPath(request.url).toLowerCase();
    const disjoint = same && !skusOf(request.body).some((id) => skusOf(last.body).includes(id));
    if (!disjoint) {
      out.push(request);
      ids = [String(request.id)];
      continue;
    }
    out[out.length - 1] = {
      ...last,
      body: {
        addLicenses: [...(last.body?.addLicenses ?? []), ...(request.body?.addLicenses ?? [])],
        removeLicenses: [...(last.body?.removeLicenses ?? []), ...(request.body?.removeLicenses ?? [])],
      },
    };
    ids.push(String(request.id));
    if (ids.length === 2) merged.push({ ids, url: String(last.url) });
  }
  return { requests: out, merged };
}

/**
 * Every user in error as rows: one per user, group and failing product.
 * @param {{group: any, item: any}[]} entries groupErrors items with their group
 * @param {Map<string, string>} skuNames
 */
export function errorRows(entries, skuNames) {
  const rows = [];
  for (const { group, item } of entries) {
    for (const product of item.failedProducts ?? []) {
      rows.push({
        userId: item.id,
        userPrincipalName: item.userPrincipalName ?? '',
        displayName: item.displayName ?? '',
        groupId: group.id,
        group: group.displayName,
        skuId: product.skuId,
        product: skuNames.get(product.skuId) ?? product.displayName ?? product.skuId,
        error: product.error,
        // The evidence's words (recorded by processing, or found again by the checks for a state
        // read from a document); the error's own text when there is none.
        reason: product.evidence?.reason ?? product.errorText ?? '',
        evidence: evidenceText(product.evidence),
      });
    }
  }
  return rows;
}

/**
 * What an error's evidence names, as `name=value` pairs joined by "; " (one CSV cell): the plan at
 * fault, the conflicting plan and the path it comes from, the prerequisite, the usage location,
 * the shortfall of seats, the shared address, the product that failed first; "rechecked" when the
 * checks found it again for a state read from a document. "" when there is no evidence.
 * @param {any} evidence
 */
export function evidenceText(evidence) {
  if (!evidence || typeof evidence !== 'object') return '';
  const plan = (p) => p?.servicePlanName || p?.servicePlanId;
  const parts = [
    ['servicePlan', plan(evidence.servicePlan)],
    ['conflictingServicePlan', plan(evidence.conflictingServicePlan)],
    ['conflictingPath', evidence.conflictingPath],
    ['prerequisiteServicePlan', plan(evidence.prerequisiteServicePlan)],
    ['usageLocation', evidence.usageLocation],
    ['shortfall', evidence.shortfall],
    ['proxyAddress', evidence.proxyAddress],
    ['failingSkuId', evidence.failingSkuId],
  ].filter(([, value]) => value !== undefined && value !== null && value !== '').map(([key, value]) => `${key}=${value}`);
  if (evidence.rechecked) parts.push('rechecked');
  return parts.join('; ');
}

/** The columns of `errorRows` in CSV order. */
export const ERROR_COLUMNS = ['userId', 'userPrincipalName', 'displayName', 'groupId', 'group', 'skuId', 'product', 'error', 'reason', 'evidence'];

/**
 * License assignment paths as rows: one per user, product and path (direct, or the group), with
 * the state and error of that path.
 * @param {{id: string, displayName?: string, userPrincipalName?: string, paths?: any[]}[]} users assignmentPaths items
 */
export function pathRows(users) {
  const rows = [];
  for (const user of users) {
    for (const p of user.paths ?? []) {
      rows.push({
        userId: user.id,
        userPrincipalName: user.userPrincipalName ?? '',
        displayName: user.displayName ?? '',
        skuId: p.skuId,
        product: p.skuPartNumber ?? p.product ?? p.skuId,
        assignment: p.assignedByGroup ? 'Inherited' : 'Direct',
        groupId: p.assignedByGroup ?? '',
        group: p.groupName ?? '',
        state: p.state,
        error: p.error === 'None' ? '' : p.error,
      });
    }
  }
  return rows;
}

/** The columns of `pathRows` in CSV order. */
export const PATH_COLUMNS = ['userId', 'userPrincipalName', 'displayName', 'skuId', 'product', 'assignment', 'groupId', 'group', 'state', 'error'];

/** Text shown in a comment or a double-quoted message: ids and names only, nothing PowerShell expands. */
const safe = (value) => String(value).replace(/[^\w.@/ ,:;()'-]/g, '?');

/** A PowerShell single-quoted string literal. */
const psText = (value) => `'${String(value).replace(/'/g, "''")}'`;

/** Graph's id from a `@odata.id` reference ("https://graph.microsoft.com/v1.0/directoryObjects/{id}"). */
const refId = (ref) => String(ref ?? '').split('/').pop();

/** A JSON value as a PowerShell literal: $null, $true/$false, numbers, '…', @(…), @{ 'key' = …; … }. */
function psValue(value) {
  if (value === null || value === undefined) return '$null';
  if (typeof value === 'boolean') return value ? '$true' : '$false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '$null';
  if (Array.isArray(value)) return `@(${value.map(psValue).join(', ')})`;
  if (typeof value === 'object') return `@{ ${Object.entries(value).map(([k, v]) => `${psText(k)} = ${psValue(v)}`).join('; ')} }`;
  return psText(value);
}

/** True for a PATCH /groups body that sets only the membership rule and its processing state. */
function isRuleBody(body) {
  const keys = Object.keys(body);
  return keys.length > 0 && keys.every((k) => k === 'membershipRule' || k === 'membershipRuleProcessingState');
}

/** `@(@{SkuId='…'; DisabledPlans=@('…')})` for a list of assignedLicense objects. */
function psLicenses(list) {
  return `@(${(list ?? []).map((l) => `@{SkuId=${psText(l.skuId)}; DisabledPlans=@(${(l.disabledPlans ?? []).map(psText).join(', ')})}`).join(', ')})`;
}

/** Text for a `#` comment line: nothing there is expanded, but a line break would end the comment. */
const commentText = (value) => String(value).replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ');

/**
 * The script's helper for licence steps, defined once before the first of them: true when the
 * step is already in effect, i.e. every product to add is assigned with exactly the disabled plans
 * asked for (compared as sets, ids in any letter case) and no product to remove is assigned. For a
 * remove-only step: none of the products to remove is assigned.
 */
const LICENSE_CHECK = [
  '# Licence steps: in effect when every product to add is assigned with exactly the disabled plans asked for',
  '# (compared as sets, ids in any letter case) and no product to remove is assigned.',
  'function Test-LicenseStepInEffect($Assigned, $Add, $Remove) {',
  "  $idSet = { param($ids) (@($ids) | Where-Object { $_ } | ForEach-Object { ([string]$_).ToLowerInvariant() } | Sort-Object -Unique) -join ',' }",
  '  $held = @{}',
  '  foreach ($license in @($Assigned)) { if ($license) { $held[([string]$license.SkuId).ToLowerInvariant()] = & $idSet $license.DisabledPlans } }',
  '  foreach ($skuId in @($Remove)) { if ($skuId -and $held.ContainsKey(([string]$skuId).ToLowerInvariant())) { return $false } }',
  '  foreach ($license in @($Add)) {',
  '    if (-not $license) { continue }',
  '    $skuId = ([string]$license.SkuId).ToLowerInvariant()',
  '    if (-not $held.ContainsKey($skuId) -or $held[$skuId] -ne (& $idSet $license.DisabledPlans)) { return $false }',
  '  }',
  '  return $true',
  '}',
];

/**
 * The plan as a Microsoft Graph PowerShell script: Connect-MgGraph with the least scopes its steps
 * need, then one step per request, in the plan's order, each commented with what it does and why.
 * Each step reads its target first: a target that is gone stops the script (except a user to
 * delete: already gone, the step is skipped); a step already in effect is skipped (a membership, a
 * usage location, a licence change whose products are already assigned as planned, a deleted
 * user). Reprocess, rule and attribute steps check only that the target exists; any other request
 * is sent as it is (Invoke-MgGraphRequest), unchecked. `-WhatIf` runs the checks and prints the
 * steps without changing anything. Requests Graph does not have are left out with how to do them
 * by hand.
 * @param {{batches: {requests: any[]}[], leftOut: {id: string, method: string, url: string, why: string}[]}} out graphBatches' result
 * @param {Map<string, string>} skuNames skuId → skuPartNumber
 * @returns {string}
 */
export function powershellScript(out, skuNames) {
  const name = (id) => skuNames.get(id) ?? id;
  const scopes = new Set();
  /** @type {string[][]} */
  const steps = [];
  let licenseSteps = 0;
  const requests = out.batches.flatMap((b) => b.requests);
  requests.forEach((request, i) => {
    const n = i + 1;
    const url = graphPath(request.url);
    const method = String(request.method ?? '').toUpperCase();
    const body = request.body ?? {};
    let m;
    const license = licenseChangeTarget(request);
    if (license) {
      const { id } = license;
      const isGroup = license.kind === 'groups';
      licenseSteps += 1;
      scopes.add(isGroup ? 'Group.ReadWrite.All' : 'User.ReadWrite.All');
      const adds = (body.addLicenses ?? []).map((l) => name(l.skuId)).join(', ') || 'nothing';
      const removes = (body.removeLicenses ?? []).map(name).join(', ') || 'nothing';
      const get = isGroup ? `Get-MgGroup -GroupId ${psText(id)} -Property id,displayName,assignedLicenses -ErrorAction Stop` : `Get-MgUser -UserId ${psText(id)} -Property id,displayName,assignedLicenses -ErrorAction Stop`;
      const cmdlet = isGroup ? 'Set-MgGroupLicense' : 'Set-MgUserLicense';
      const set = isGroup ? `Set-MgGroupLicense -GroupId ${psText(id)}` : `Set-MgUserLicense -UserId ${psText(id)}`;
      const addList = psLicenses(body.addLicenses);
      const removeList = `@(${(body.removeLicenses ?? []).map(psText).join(', ')})`;
      steps.push([
        `# Step ${n}: ${isGroup ? 'group' : 'user'} ${safe(id)}: add ${adds}; remove ${removes}.${adds !== 'nothing' && removes !== 'nothing' ? ' One call: the service removes and adds at once, so no user is without a license or in a conflict in between.' : ''}`,
        `$target = ${get}`,
        `if (Test-LicenseStepInEffect -Assigned $target.AssignedLicenses -Add ${addList} -Remove ${removeList}) { Write-Host "Step ${n}: already in effect ($($target.DisplayName) holds the licenses as planned): skipped" }`,
        `elseif ($WhatIf) { Write-Host "Step ${n}: would run ${cmdlet} ${safe(id)} (add ${safe(adds)}; remove ${safe(removes)}); $($target.DisplayName) holds: $(($target.AssignedLicenses.SkuId) -join ', ')" }`,
        'else {',
        `  ${set} -AddLicenses ${addList} -RemoveLicenses ${removeList} | Out-Null`,
        '}',
      ]);
    } else if ((m = /^\/groups\/([^/]+)\/members\/\$ref$/.exec(url)) && method === 'POST') {
      const [, group] = m;
      const member = refId(body['@odata.id']);
      scopes.add('GroupMember.ReadWrite.All');
      steps.push([
        `# Step ${n}: add ${safe(member)} to group ${safe(group)} (the group's licenses follow by group-based licensing).`,
        `$members = Get-MgGroupMember -GroupId ${psText(group)} -All -ErrorAction Stop`,
        `if ($members.Id -contains ${psText(member)}) { Write-Host "Step ${n}: already a member: skipped" }`,
        `elseif ($WhatIf) { Write-Host "Step ${n}: would add ${safe(member)} to ${safe(group)}" }`,
        `else { New-MgGroupMember -GroupId ${psText(group)} -DirectoryObjectId ${psText(member)} }`,
      ]);
    } else if ((m = /^\/groups\/([^/]+)\/members\/([^/]+)\/\$ref$/.exec(url)) && method === 'DELETE') {
      const [, group, member] = m;
      scopes.add('GroupMember.ReadWrite.All');
      steps.push([
        `# Step ${n}: remove ${safe(member)} from group ${safe(group)} (the licenses it gave go with it).`,
        `$members = Get-MgGroupMember -GroupId ${psText(group)} -All -ErrorAction Stop`,
        `if (-not ($members.Id -contains ${psText(member)})) { Write-Host "Step ${n}: not a member: skipped" }`,
        `elseif ($WhatIf) { Write-Host "Step ${n}: would remove ${safe(member)} from ${safe(group)}" }`,
        `else { Remove-MgGroupMemberByRef -GroupId ${psText(group)} -DirectoryObjectId ${psText(member)} }`,
      ]);
    } else if ((m = /^\/users\/([^/]+)$/.exec(url)) && method === 'DELETE') {
      const [, user] = m;
      scopes.add('User.ReadWrite.All');
      steps.push([
        `# Step ${n}: delete user ${safe(user)}: it moves to the deleted users (restorable for 30 days), leaves its groups and frees its seats (one already gone is skipped).`,
        `$target = Get-MgUser -UserId ${psText(user)} -Property id,displayName -ErrorAction SilentlyContinue`,
        `if (-not $target) { Write-Host "Step ${n}: user ${safe(user)} not found (already deleted): skipped" }`,
        `elseif ($WhatIf) { Write-Host "Step ${n}: would delete $($target.DisplayName) (${safe(user)})" }`,
        `else { Remove-MgUser -UserId ${psText(user)} }`,
      ]);
    } else if ((m = /^\/users\/([^/]+)$/.exec(url)) && method === 'PATCH' && Object.keys(body).length === 1 && 'usageLocation' in body) {
      const [, user] = m;
      scopes.add('User.ReadWrite.All');
      const location = body.usageLocation;
      steps.push([
        `# Step ${n}: usage location of ${safe(user)} → ${safe(location ?? 'none')} (licenses need one).`,
        `$target = Get-MgUser -UserId ${psText(user)} -Property id,displayName,usageLocation -ErrorAction Stop`,
        `if ($target.UsageLocation -eq ${location === null ? '$null' : psText(location)}) { Write-Host "Step ${n}: already so: skipped" }`,
        `elseif ($WhatIf) { Write-Host "Step ${n}: would set the usage location of $($target.DisplayName) from $($target.UsageLocation)" }`,
        `else { Update-MgUser -UserId ${psText(user)} -BodyParameter @{ usageLocation = ${location === null ? '$null' : psText(location)} } }`,
      ]);
    } else if ((m = /^\/users\/([^/]+)\/reprocessLicenseAssignment$/.exec(url)) && method === 'POST') {
      const [, user] = m;
      scopes.add('User.ReadWrite.All');
      steps.push([
        `# Step ${n}: reprocess user ${safe(user)}: the service evaluates the user's group licenses again (clears errors whose cause is gone; only the user's existence is checked).`,
        `$null = Get-MgUser -UserId ${psText(user)} -Property id -ErrorAction Stop`,
        `if ($WhatIf) { Write-Host "Step ${n}: would reprocess ${safe(user)}" } else { Invoke-MgLicenseUser -UserId ${psText(user)} | Out-Null }`,
      ]);
    } else if ((m = /^\/groups\/([^/]+)$/.exec(url)) && method === 'PATCH' && isRuleBody(body)) {
      const [, group] = m;
      scopes.add('Group.ReadWrite.All');
      const args = [
        'membershipRule' in body ? `-MembershipRule ${psText(body.membershipRule)}` : '',
        'membershipRuleProcessingState' in body ? `-MembershipRuleProcessingState ${psText(body.membershipRuleProcessingState)}` : '',
      ].filter(Boolean).join(' ');
      steps.push([
        `# Step ${n}: membership rule of dynamic group ${safe(group)}: its members, and the licenses they get from it, follow once the service has processed the rule (only the group's existence is checked).`,
        `$target = Get-MgGroup -GroupId ${psText(group)} -Property id,displayName,membershipRule,membershipRuleProcessingState -ErrorAction Stop`,
        `if ($WhatIf) { Write-Host "Step ${n}: would change the rule of $($target.DisplayName): $($target.MembershipRule)" }`,
        `else { Update-MgGroup -GroupId ${psText(group)} ${args} }`,
      ]);
    } else if ((m = /^\/users\/([^/]+)$/.exec(url)) && method === 'PATCH' && Object.keys(body).length > 0) {
      const [, user] = m;
      scopes.add('User.ReadWrite.All');
      // Plain strings as Update-MgUser's own parameters (-Department 'Sales'); anything else
      // (null to clear, lists, onPremisesExtensionAttributes, extension_<appId>_<name>) in -BodyParameter.
      const simple = Object.entries(body).every(([k, v]) => typeof v === 'string' && /^[A-Za-z][A-Za-z0-9]*$/.test(k));
      const args = simple
        ? Object.entries(body).map(([k, v]) => `-${k[0].toUpperCase()}${k.slice(1)} ${psText(v)}`).join(' ')
        : `-BodyParameter ${psValue(body)}`;
      steps.push([
        `# Step ${n}: attributes of user ${safe(user)} (${safe(Object.keys(body).join(', '))}): dynamic groups whose rules read them change members, and their licenses follow (only the user's existence is checked).`,
        `$target = Get-MgUser -UserId ${psText(user)} -Property id,displayName -ErrorAction Stop`,
        `if ($WhatIf) { Write-Host "Step ${n}: would update $($target.DisplayName)" }`,
        `else { Update-MgUser -UserId ${psText(user)} ${args} }`,
      ]);
    } else {
      // Any other Graph request, sent as it is.
      scopes.add(/^\/users/.test(url) ? 'User.ReadWrite.All' : 'Group.ReadWrite.All');
      const json = request.body === undefined ? '' : ` -Body (${psText(JSON.stringify(request.body))})`;
      const raw = String(request.url ?? '');
      const uri = /^https:\/\//i.test(raw) ? raw : `https://graph.microsoft.com/v1.0${raw.startsWith('/') ? '' : '/'}${raw}`;
      steps.push([
        `# Step ${n}: ${safe(method)} ${safe(raw)} (sent as it is: not checked first).`,
        `if ($WhatIf) { Write-Host "Step ${n}: would send ${safe(method)} ${safe(raw)}" } else {`,
        `  Invoke-MgGraphRequest -Method ${psText(method)} -Uri ${psText(uri)}${json} -ContentType 'application/json' | Out-Null`,
        '}',
      ]);
    }
  });
  const lines = [
    '# The plan, as previewed offline by the group-based licensing planner. Run with -WhatIf first: it runs the checks',
    '# and prints each step without changing anything.',
    '# Each step reads its target first. A target that is gone stops the script; a user to delete that is gone is skipped.',
    '# A step already in effect is skipped: a membership, a usage location, a licence change whose products are already',
    '# assigned with the disabled plans asked for (and whose products to remove are absent). Reprocess, rule and attribute',
    '# steps check only that the target exists; a request sent as it is (Invoke-MgGraphRequest) is not checked.',
    'param([switch]$WhatIf)',
    "$ErrorActionPreference = 'Stop'",
    `Connect-MgGraph -Scopes ${[...scopes].sort().join(', ') || 'User.Read.All'} -NoWelcome`,
    '',
    ...(licenseSteps > 0 ? [...LICENSE_CHECK, ''] : []),
    ...steps.flatMap((s) => [...s, '']),
  ];
  for (const left of out.leftOut) lines.push(`# Left out: ${safe(left.method)} ${safe(left.url)}: ${commentText(left.why)}`);
  return `${lines.join('\n')}\n`;
}
