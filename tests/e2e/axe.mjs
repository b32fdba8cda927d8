// axe-core (npm) in the page, for the browser tests that check accessibility: its source is
// evaluated as a string (the console's CSP forbids a <script> tag from elsewhere). The only exclusion:
// the colour contrast of disabled controls (WCAG 1.4.3 exempts inactive components; axe cannot tell
// that a Fluent button is disabled, since its state lives in ElementInternals).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Impacts that fail the test. */
export const FAILING = new Set(['critical', 'serious']);

/**
 * Lets the page settle before axe reads it: two frames (rows and fonts laid out), then every finite
 * CSS transition and animation finished, shadow roots included. A Fluent button that was just enabled
 * fades from its disabled colours (about 0.1 s); read mid-fade, its contrast is neither state's
 * (a CI run saw 3.01:1, #eeeeee on #4a8eca, 74% of the way). No clock: it waits for the animations'
 * own `finished` promises; endless ones (a busy indicator) are not waited for.
 * @param {import('playwright-core').Page} page
 */
export async function settle(page) {
  await page.evaluate(async () => {
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    for (let round = 0; round < 5; round++) {
      const finite = document.getAnimations().filter((a) => a.playState === 'running' && Number.isFinite(Number(a.effect?.getComputedTiming().endTime)));
      if (!finite.length) return;
      await Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  });
}

/**
 * The page settled (see settle), then axe-core's critical and serious violations on it.
 * @param {import('playwright-core').Page} page
 */
export async function axeSerious(page) {
  await settle(page);
  return (await axeViolations(page)).filter((v) => FAILING.has(v.impact));
}

/**
 * Runs axe-core on the whole page and returns its violations, each with the impact, the rule, the
 * help text and the elements (CSS paths and axe's summary). Colour contrast on disabled controls is
 * left out (see the top of the file).
 * @param {import('playwright-core').Page} page
 */
export async function axeViolations(page) {
  const hasAxe = await page.evaluate(() => typeof (/** @type {any} */ (window).axe) === 'object');
  // The whole source as one string, evaluated in the page: no <script> element, so the CSP allows it.
  if (!hasAxe) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = /** @type {any} */ (window).axe;
    const res = await axe.run(document, { resultTypes: ['violations'] });
    /** The element a node's target names, through shadow roots. */
    const elementOf = (target) => {
      let root = document;
      let el = null;
      for (const sel of target) {
        el = root.querySelector(Array.isArray(sel) ? sel[0] : sel);
        if (!el) return null;
        root = el.shadowRoot || el;
      }
      return el;
    };
    const disabled = (el) => {
      for (let e = el; e; e = e.parentElement || (e.getRootNode() instanceof ShadowRoot ? e.getRootNode().host : null)) {
        if (e.hasAttribute?.('disabled') || e.getAttribute?.('aria-disabled') === 'true') return true;
      }
      return false;
    };
    return res.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes
        .filter((n) => !(v.id === 'color-contrast' && disabled(elementOf(n.target))))
        .map((n) => ({ target: n.target.map(String).join(' >> '), summary: n.failureSummary?.split('\n').slice(0, 3).join(' ') || '' })),
    })).filter((v) => v.nodes.length > 0);
  });
}

/** A readable list of violations: one line per rule, then its elements. */
export function describeViolations(results) {
  const lines = [];
  for (const { name, violations } of results) {
    for (const v of violations) {
      lines.push(`${name}: [${v.impact}] ${v.id} (${v.help}), ${v.nodes.length} element(s)`);
      for (const n of v.nodes.slice(0, 5)) lines.push(`    ${n.target}\n      ${n.summary}`);
      if (v.nodes.length > 5) lines.push(`    … and ${v.nodes.length - 5} more`);
    }
  }
  return lines.join('\n');
}

