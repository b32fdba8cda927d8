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
  return toCsv(
    ['userId', 'displayName', 'gains', 'loses', 'plansGained', 'plansLost', 'newErrors', 'clearedErrors'],
    effect.users.map((u) => [u.id, u.displayName, u.gains.map(sku).join('; '), u.loses.map(sku).join('; '), plans(u.plansGained), plans(u.plansLost), errors(u.newErrors), errors(u.clearedErrors)]),
  );
}

/**
 * The staged changes as Graph JSON batches to send in order, at most MAX_BATCH_REQUESTS each; in a
 * batch each request depends on the one before it (`dependsOn`), so Graph runs them in the plan's
 * order and stops a batch at the first failure. Requests Graph does not have (our extensions) and
 * requests the preview answered with an error are left out, each with the reason.
 * @param {{requests: any[]}[]} batches the plan's batches as given
 * @param {{requests: {id: string, status: number, extension?: boolean}[]}} effect
 * @returns {{batches: {requests: any[]}[], leftOut: {id: string, method: string, url: string, why: string}[]}}
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
      leftOut.push({ id: String(request.id), method, url, why: 'not in Microsoft Graph (an extension of this planner): do it by hand (seats: buy them in the Microsoft 365 admin center)' });
    } else if (!(result.status >= 200 && result.status < 300)) {
      leftOut.push({ id: String(request.id), method, url, why: `the preview answered ${result.status}: it would fail on the tenant too` });
    } else {
      const { dependsOn: _ignored, ...rest } = request;
      kept.push(rest);
    }
  });
  const out = [];
  for (let i = 0; i < kept.length; i += MAX_BATCH_REQUESTS) {
    const part = kept.slice(i, i + MAX_BATCH_REQUESTS).map((request, k) => ({ ...request, id: String(k + 1) }));
    out.push({ requests: part.map((request, k) => (k === 0 ? request : { ...request, dependsOn: [String(k)] })) });
  }
  return { batches: out, leftOut };
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
        // The evidence's words when the engine recorded them; the error's own text otherwise (a
        // state read from a document carries no evidence).
        reason: product.evidence?.reason ?? product.errorText ?? '',
      });
    }
  }
  return rows;
}

/** The columns of `errorRows` in CSV order. */
export const ERROR_COLUMNS = ['userId', 'userPrincipalName', 'displayName', 'groupId', 'group', 'skuId', 'product', 'error', 'reason'];
