// Boot, sign-in and hash router of the ops console.
import { h, clear, notice } from './dom.js';
import { login, logout, me, onSessionChange, ApiError } from './api.js';
import * as routesPage from './pages/routes.js';
import * as agentsPage from './pages/agents.js';
import * as roundTablePage from './pages/roundtable.js';
import * as webhooksPage from './pages/webhooks.js';
import * as jobsPage from './pages/jobs.js';
import * as chartsPage from './pages/charts.js';
import * as routeFilesPage from './pages/routefiles.js';
import * as usagePage from './pages/usage.js';
import * as partnersPage from './pages/partners.js';

const PAGES = [
  { path: 'routes', label: 'Routes', page: routesPage },
  { path: 'route-files', label: 'Route files', page: routeFilesPage },
  { path: 'agents', label: 'Agents & runs', page: agentsPage },
  { path: 'round-table', label: 'Round table', page: roundTablePage },
  { path: 'webhooks', label: 'Webhooks', page: webhooksPage },
  { path: 'jobs', label: 'Jobs', page: jobsPage },
  { path: 'charts', label: 'Charts', page: chartsPage },
  { path: 'usage', label: 'Usage', page: usagePage },
  { path: 'partners', label: 'Partners', page: partnersPage },
];

const app = document.getElementById('app');
let cleanup = null;
let main = null;
let nav = null;

function showLogin(message) {
  stopPage();
  const error = h('p', { class: 'form-error', id: 'login-error', role: 'alert' }, message || '');
  const email = h('input', { id: 'login-email', type: 'email', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'login-password', type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'login-submit' }, 'Sign in');
  const form = h('form', { class: 'login-card', id: 'login-form' },
    h('div', { class: 'brand brand-large' }, h('span', { class: 'brand-mark' }, 'SKYYROSE'), h('span', { class: 'brand-sub' }, 'Hub · Ops console')),
    h('p', { class: 'tagline' }, 'Where Love Meets Luxury'),
    h('label', null, 'E-mail', email),
    h('label', null, 'Password', password),
    submit, error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    try {
      await login(email.value, password.value);
    } catch (err) {
      error.textContent = err instanceof ApiError && err.status === 401
        ? 'E-mail or password is not right.' : `Sign-in failed: ${err.message}`;
      submit.disabled = false;
    }
  });
  clear(app).append(h('div', { class: 'login-screen' }, form));
  email.focus();
}

function showShell() {
  const user = me();
  nav = h('nav', { class: 'nav' }, PAGES.map((p) => h('a', { href: `#/${p.path}`, 'data-page': p.path }, p.label)));
  main = h('main', { class: 'main', id: 'main' });
  const signOut = h('button', { type: 'button', class: 'btn btn-ghost', id: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => logout());
  clear(app).append(
    h('div', { class: 'shell' },
      h('aside', { class: 'sidebar' },
        h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }, 'SKYYROSE'), h('span', { class: 'brand-sub' }, 'Hub · Ops')),
        nav,
        h('div', { class: 'whoami' },
          h('span', { class: 'whoami-name', id: 'whoami' }, user.displayName || user.email || user.name || user.id),
          h('span', { class: 'whoami-role', id: 'whoami-role' }, user.role || user.kind),
          signOut)),
      main));
  route();
}

function stopPage() {
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
}

async function route() {
  if (!me()) return;
  const [path, ...params] = (location.hash.replace(/^#\/?/, '') || 'routes').split('/').map(decodeURIComponent);
  const entry = PAGES.find((p) => p.path === path) || PAGES[0];
  stopPage();
  nav.querySelectorAll('a').forEach((a) => a.classList.toggle('active', a.dataset.page === entry.path));
  // each visit renders into its own element: a slow answer for a page left meanwhile lands in a detached one
  const view = h('div', { class: 'view', 'data-view': entry.path });
  clear(main).append(view);
  route.current = view;
  try {
    const result = await entry.page.render(view, params);
    if (route.current === view) cleanup = result;
    else if (typeof result === 'function') result();
  } catch (err) {
    if (route.current !== view) return;
    if (err instanceof ApiError && err.status === 401) return; // session ended: the login screen is showing
    view.append(notice(`Could not load this page: ${err.message}`, 'error'));
  }
}

onSessionChange((s) => (s ? showShell() : showLogin()));
window.addEventListener('hashchange', route);
showLogin();
