// The hub's API with the signed-in user's token. The tokens live in this module's memory only (never in web
// storage or cookies): reloading the page signs out.

let session = null; // { access, refresh, expiresAt, me }
// errors come as problem+json; naming only application/json makes the contract facade answer 406
const ACCEPT = 'application/json, application/problem+json';
const listeners = new Set();

export function onSessionChange(fn) {
  listeners.add(fn);
}

function changed() {
  listeners.forEach((fn) => fn(session));
}

export function me() {
  return session?.me ?? null;
}

async function token(body) {
  const res = await fetch('/api/v1/auth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: ACCEPT },
    body: JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function remember(tokens) {
  session = {
    ...(session || {}),
    access: tokens.access_token,
    refresh: tokens.refresh_token,
    // refresh a minute before the access token expires
    expiresAt: Date.now() + Math.max(30, (tokens.expires_in || 900) - 60) * 1000,
  };
}

export async function login(username, password) {
  remember(await token({ grant_type: 'password', username, password }));
  const who = await api('/api/v1/auth/me');
  session.me = who.data;
  changed();
  return session.me;
}

export async function logout() {
  if (session) {
    await api('/api/v1/auth/logout', { method: 'POST' }).catch(() => {});
  }
  session = null;
  changed();
}

let refreshing = null;
async function refresh() {
  if (!session?.refresh) throw new ApiError(401, { title: 'Signed out' });
  refreshing ??= token({ grant_type: 'refresh_token', refresh_token: session.refresh })
    .then(remember)
    .finally(() => { refreshing = null; });
  return refreshing;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Calls the API; resolves {status, data, headers}; rejects with ApiError for >= 400 unless accept lists it. */
export async function api(path, { method = 'GET', body, accept = [], headers = {} } = {}) {
  if (!session) throw new ApiError(401, { title: 'Signed out' });
  if (Date.now() > session.expiresAt) await refresh().catch(() => {});
  const send = () => fetch(path, {
    method,
    headers: {
      Accept: ACCEPT,
      Authorization: `Bearer ${session.access}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    credentials: 'omit',
    cache: 'no-store',
  });
  let res = await send();
  if (res.status === 401 && session?.refresh) {
    try {
      await refresh();
      res = await send();
    } catch {
      session = null;
      changed();
      throw new ApiError(401, { title: 'Your session ended; sign in again.' });
    }
  }
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (res.status >= 400 && !accept.includes(res.status)) throw new ApiError(res.status, data);
  return { status: res.status, data, headers: res.headers };
}

/** Downloads a protected file (the link needs the token, so a plain <a href> cannot fetch it). */
export async function download(path, filename) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${session.access}` }, credentials: 'omit' });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// The same grant matching as security/Permissions.java, for showing or hiding buttons. The API decides.
const ADMIN_ONLY = new Set(['users', 'api-keys', 'audit', 'crypto', 'credentials']);
function matches(grant, permission) {
  if (grant === '*' || grant === permission) return true;
  const [gr, ga] = grant.split(':');
  const [pr, pa] = permission.split(':');
  if (ga === undefined || pa === undefined) return false;
  if (gr === '*' && ADMIN_ONLY.has(pr)) return false;
  return (gr === '*' || gr === pr) && (ga === '*' || ga === pa);
}

export function can(permission) {
  const grants = session?.me?.permissions || [];
  return grants.some((g) => matches(g, permission));
}
