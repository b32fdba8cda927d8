// The top bar's View select (Azure portal (2017) / Microsoft 365 admin center) and what follows the
// view: the side menu (the 2017 portal's, or the admin center's Home, Users > Active users, Teams &
// groups > Active teams & groups, Billing > Licenses, Admin centers > Microsoft Entra ID), the brand,
// the page's title and the home page. The same engine and tenant behind both.
import { h, icon } from './dom.js';
import * as shell from './shell.js';
import * as view from './view.js';

/** The admin center's menu: sections with their pages (blade types). */
const M365_NAV = [
  { label: 'Home', type: 'm365-home', icon: 'home' },
  { heading: 'Users', items: [{ label: 'Active users', type: 'm365-users', icon: 'user' }] },
  { heading: 'Teams & groups', items: [{ label: 'Active teams & groups', type: 'm365-groups', icon: 'users' }] },
  { heading: 'Billing', items: [{ label: 'Licenses', type: 'm365-licenses', icon: 'license' }] },
  { heading: 'Admin centers', items: [{ label: 'Microsoft Entra ID', type: 'aad', icon: 'aad' }] },
];

/**
 * Puts the View select in the top bar and applies the remembered view.
 * @param {{topbar: HTMLElement, sidenav: HTMLElement, onNavigate?: () => void}} o onNavigate: a
 *   menu item was chosen (the page closes the menu it opened over itself on narrow pages)
 */
export function mountViewSwitch({ topbar, sidenav, onNavigate }) {
  // Two selects, kept alike: the top bar's, and on pages narrower than 640 px (where the top bar has
  // no room left) the same choice at the top of the menu.
  const makeSelect = (id) => {
    const el = h('select', { id, class: 'view-select' }, view.VIEWS.map((v) => h('option', { value: v.value, text: v.label })));
    el.value = view.current();
    el.addEventListener('change', () => view.choose(el.value));
    return el;
  };
  const select = makeSelect('view-select');
  const navSelect = makeSelect('view-select-menu');
  const control = h('span', { class: 'view-switch' }, h('label', { attrs: { for: 'view-select' }, text: 'View' }), select);
  const anchor = topbar.querySelector('.brand-sub');
  (anchor || topbar.firstElementChild)?.after(control);
  sidenav.prepend(h('div', { class: 'view-switch-menu' }, h('label', { attrs: { for: 'view-select-menu' }, text: 'Console view' }), navSelect));

  const portalMenu = sidenav.querySelector('ul');
  let m365Menu = null;
  const item = (x) => {
    const b = h('button', { type: 'button', class: 'nav-item', attrs: { 'data-m365-nav': x.type } }, icon(x.icon), h('span', { text: x.label }));
    b.addEventListener('click', () => {
      onNavigate?.();
      shell.openRoot(x.type);
    });
    return h('li', {}, b);
  };
  const buildMenu = () => h('ul', { class: 'nav-m365' }, M365_NAV.map((x) => (x.heading
    ? h('li', { class: 'nav-section' }, h('span', { class: 'nav-heading', attrs: { 'aria-hidden': 'true' }, text: x.heading }),
      h('ul', { attrs: { 'aria-label': x.heading } }, x.items.map(item)))
    : item(x))));

  /** Shows the view chosen; `navigate`: its home page opens (a switch, not the first paint). */
  function apply(navigate) {
    const v = view.describe();
    const m365 = view.isM365();
    select.value = v.value;
    navSelect.value = v.value;
    document.body.classList.toggle('view-m365', m365);
    const brand = topbar.querySelector('.brand');
    if (brand) brand.textContent = v.brand;
    document.title = m365
      ? 'Microsoft 365 admin center · Microsoft Entra group-based licensing (offline console)'
      : 'Microsoft Entra group-based licensing (offline console)';
    if (portalMenu) portalMenu.hidden = m365;
    if (m365 && !m365Menu) {
      m365Menu = buildMenu();
      // Before the 2017 menu: the narrow page's overlay gives the keyboard to the first item.
      portalMenu ? portalMenu.before(m365Menu) : sidenav.append(m365Menu);
    } else if (!m365 && m365Menu) {
      m365Menu.remove();
      m365Menu = null;
    }
    sidenav.setAttribute('aria-label', m365 ? 'Admin center menu' : 'Portal menu');
    shell.setHome(v.home);
    if (navigate) shell.openRoot(v.home);
  }
  view.onChange(() => apply(true));
  apply(false);
}
