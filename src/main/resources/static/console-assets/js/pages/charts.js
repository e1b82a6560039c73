// Charts: requests, failures and latency per route and per LLM provider over the last hour, from the hub's own
// meters (GET /api/v1/ops/metrics/series, sampled in process).
import { h, section, notice, clear, fmt } from '../dom.js';
import { api, ApiError } from '../api.js';
import { lineChart } from '../charts.js';

const TOP = 6;

export async function render(root) {
  root.append(h('header', { class: 'page-head' }, h('h1', null, 'Charts'),
    h('p', { class: 'lede' }, 'The last hour of this instance, per sampling interval.')));
  const holder = h('div', { id: 'charts' });
  root.append(holder);
  const draw = async () => {
    let data;
    try {
      ({ data } = await api('/api/v1/ops/metrics/series'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        clear(holder).append(notice('Charts need the metrics:read permission.', 'muted'));
        return;
      }
      throw err;
    }
    clear(holder);
    if (data.timestamps.length === 0) {
      holder.append(notice(`Collecting the first samples (every ${data.step_seconds} s)…`, 'muted'));
      return;
    }
    const t = data.timestamps;
    holder.append(h('p', { class: 'small muted' }, `One point every ${data.step_seconds} s · ${t.length} intervals · ${fmt.time(t[0])} → ${fmt.time(t[t.length - 1])}`));
    holder.append(section('HTTP', h('div', { class: 'chart-row' },
      lineChart({ id: 'chart-http-requests', title: 'Requests and 5xx per interval', timestamps: t,
        series: [{ name: 'requests', values: data.http.requests }, { name: '5xx', values: data.http.failures }] }),
      lineChart({ id: 'chart-http-latency', title: 'Mean latency', unit: ' ms', timestamps: t,
        series: [{ name: 'mean', values: data.http.mean_ms }] }))));
    const routes = [...data.routes].sort((a, b) => b.total_requests - a.total_requests).slice(0, TOP);
    holder.append(section(`Routes (busiest ${routes.length} of ${data.routes.length})`, h('div', { class: 'chart-row' },
      lineChart({ id: 'chart-route-requests', title: 'Exchanges per interval', timestamps: t,
        series: routes.map((r) => ({ name: r.id, values: r.requests })) }),
      lineChart({ id: 'chart-route-failures', title: 'Failures per interval', timestamps: t,
        series: routes.map((r) => ({ name: r.id, values: r.failures })) }),
      lineChart({ id: 'chart-route-latency', title: 'Mean time', unit: ' ms', timestamps: t,
        series: routes.map((r) => ({ name: r.id, values: r.mean_ms })) }))));
    holder.append(section('LLM providers', data.providers.length === 0
      ? notice('No provider calls in the last hour.', 'muted')
      : h('div', { class: 'chart-row' },
        lineChart({ id: 'chart-provider-requests', title: 'Calls and failures per interval', timestamps: t,
          series: data.providers.flatMap((p) => [{ name: `${p.id} calls`, values: p.requests }, { name: `${p.id} failed`, values: p.failures }]) }),
        lineChart({ id: 'chart-provider-latency', title: 'Mean latency', unit: ' ms', timestamps: t,
          series: data.providers.map((p) => ({ name: p.id, values: p.mean_ms })) }))));
  };
  await draw();
  const timer = setInterval(() => { if (!document.hidden) draw().catch(() => {}); }, 15000);
  return () => clearInterval(timer);
}
