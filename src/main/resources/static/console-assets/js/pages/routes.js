// Routes: every Camel route with its source, status, traffic and times; a YAML route's file, read-only.
import { h, fmt, pill, table, section, notice, clear } from '../dom.js';
import { api, ApiError } from '../api.js';

export async function render(root, params) {
  root.append(h('header', { class: 'page-head' }, h('h1', null, 'Routes'),
    h('p', { class: 'lede' }, 'Every Camel route of this instance — YAML files from routes/, or Java.')));
  let reply;
  try {
    reply = await api('/api/v1/ops/routes');
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) {
      root.append(notice('Routes are shown to operators and administrators.', 'muted'));
      return null;
    }
    throw err;
  }
  const routes = reply.data.items;
  const failing = routes.filter((r) => r.failures > 0).length;
  root.append(h('div', { class: 'stats' },
    stat('Routes', routes.length), stat('Started', routes.filter((r) => r.status === 'started').length),
    stat('YAML', routes.filter((r) => r.source.kind === 'yaml').length), stat('With failures', failing)));

  const detail = h('div', { id: 'route-source' });
  const filter = h('input', { type: 'search', placeholder: 'Filter by id or file…', class: 'filter', id: 'route-filter' });
  const sort = h('select', { class: 'filter-sort', id: 'route-sort', 'aria-label': 'Sort routes' },
    [['id', 'Sort by id'], ['failures', 'Most failures'], ['exchanges', 'Most exchanges'], ['p99_ms', 'Slowest p99']]
      .map(([value, label]) => h('option', { value }, label)));
  const order = {
    id: (a, b) => a.id.localeCompare(b.id),
    failures: (a, b) => b.failures - a.failures || b.exchanges - a.exchanges,
    exchanges: (a, b) => b.exchanges - a.exchanges,
    p99_ms: (a, b) => (b.p99_ms ?? -1) - (a.p99_ms ?? -1),
  };
  const holder = h('div');
  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = routes.filter((r) => !q || r.id.toLowerCase().includes(q) || (r.source.file || '').toLowerCase().includes(q))
      .sort(order[sort.value]);
    clear(holder).append(table([
      { label: 'Route', cell: (r) => h('span', { class: 'mono strong' }, r.id) },
      { label: 'Source', cell: (r) => r.source.kind === 'yaml' ? h('span', { class: 'mono', title: r.source.file }, r.source.file.replace(/^routes\//, '')) : h('span', { class: 'muted' }, 'Java') },
      { label: 'Status', cell: (r) => pill(r.status) },
      { label: 'Exchanges', class: 'num', cell: (r) => fmt.int(r.exchanges) },
      { label: 'Failures', class: 'num', cell: (r) => r.failures > 0 ? h('span', { class: 'bad' }, fmt.int(r.failures)) : '0' },
      { label: 'Mean', class: 'num', cell: (r) => fmt.ms(r.mean_ms) },
      { label: 'p99', class: 'num', cell: (r) => fmt.ms(r.p99_ms) },
      { label: 'Last failure', cell: (r) => r.last_failure
        ? h('span', { class: 'bad small', title: r.last_failure.error }, `${fmt.ago(r.last_failure.at)} — ${r.last_failure.error}`) : '—' },
    ], shown, {
      rowAttrs: (r) => ({ 'data-route': r.id }),
      onRow: (r) => { location.hash = `#/routes/${encodeURIComponent(r.id)}`; },
    }));
  };
  filter.addEventListener('input', draw);
  sort.addEventListener('change', draw);
  draw();
  root.append(detail, section('All routes', h('div', { class: 'toolbar' }, filter, sort), holder));
  if (params[0]) await showSource(detail, params[0], routes.find((r) => r.id === params[0]));
  return null;
}

function stat(label, value) {
  return h('div', { class: 'stat' }, h('span', { class: 'stat-value' }, fmt.int(value)), h('span', { class: 'stat-label' }, label));
}

async function showSource(holder, routeId, route) {
  if (!route || route.source.kind !== 'yaml') {
    holder.append(section(routeId, notice(route ? `Defined in Java${route.source.location ? ` (${route.source.location})` : ''}; no YAML to show.` : 'No such route.', 'muted')));
    return;
  }
  const { data } = await api(`/api/v1/ops/routes/${encodeURIComponent(routeId)}/source`);
  holder.append(section(`${routeId}`,
    h('dl', { class: 'meta' },
      h('dt', null, 'File'), h('dd', { class: 'mono' }, data.file),
      h('dt', null, 'Reloaded at'), h('dd', { id: 'reloaded-at' }, `${fmt.time(data.reloaded_at)} (${fmt.ago(data.reloaded_at)})`),
      h('dt', null, 'File modified'), h('dd', null, fmt.time(data.modified_at)),
      h('dt', null, 'Live reload'), h('dd', null, data.live_reload ? 'on' : 'off (restart to apply edits)'),
      data.reload_rejected ? [h('dt', null, 'Last edit rejected'), h('dd', { class: 'bad' }, data.reload_rejected.error)] : null),
    h('pre', { class: 'code yaml', id: 'route-yaml', 'aria-readonly': 'true' }, data.yaml)));
  holder.scrollIntoView({ block: 'start' });
}
