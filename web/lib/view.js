// The console's two views of the same engine and tenant: the Azure portal of 2017 (the seed's blades)
// and today's Microsoft 365 admin center (Billing > Licenses, Users, Teams & groups). The choice is
// kept in localStorage, so a reload comes back to the same view; the wording that names Entra follows it.

const KEY = 'gbl-view';

/** The Azure portal of 2017: the blades of the seed walkthrough. */
export const PORTAL_2017 = 'azure-2017';
/** The Microsoft 365 admin center, where licenses are assigned since September 2024. */
export const M365 = 'm365';

/** The views, in the order the top bar's View select lists them. */
export const VIEWS = [
  { value: PORTAL_2017, label: 'Azure portal (2017)', brand: 'Microsoft Azure', home: 'home' },
  { value: M365, label: 'Microsoft 365 admin center', brand: 'Microsoft 365 admin center', home: 'm365-home' },
];

const listeners = new Set();

/**
 * The view chosen (the 2017 portal unless another was chosen and remembered).
 * @returns {string}
 */
export function current() {
  let saved = null;
  try {
    saved = localStorage.getItem(KEY);
  } catch {
    /* storage refused (private mode): the default view */
  }
  return VIEWS.some((v) => v.value === saved) ? saved : PORTAL_2017;
}

/** @returns {boolean} whether the Microsoft 365 admin center view is the one shown */
export function isM365() {
  return current() === M365;
}

/**
 * The description of a view (its label, the top bar's brand, its home page's blade type).
 * @param {string} [value]
 */
export function describe(value = current()) {
  return VIEWS.find((v) => v.value === value) || VIEWS[0];
}

/**
 * Chooses a view and remembers it; listeners hear of the change.
 * @param {string} value
 */
export function choose(value) {
  if (!VIEWS.some((v) => v.value === value) || value === current()) return;
  try {
    localStorage.setItem(KEY, value);
  } catch {
    /* not remembered; the page still switches */
  }
  for (const fn of listeners) fn(value);
}

/**
 * Runs `fn(value)` whenever the view changes. Returns an unsubscribe.
 * @param {(value: string) => void} fn
 */
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * The directory's name in the view's words: "Azure Active Directory" in 2017, "Microsoft Entra ID"
 * today (renamed in 2023; Microsoft's current pages say Microsoft Entra ID).
 * @returns {string}
 */
export function entraName() {
  return isM365() ? 'Microsoft Entra ID' : 'Azure Active Directory';
}
