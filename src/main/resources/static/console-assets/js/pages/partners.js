// Partners: usage per commerce partner over the last 24 h — partner API requests, deliveries, failed attempts,
// dead letters, queued deliveries and delivery lag (GET /api/v1/partner-usage, admins: partners:manage).
import { h, section, notice, clear, fmt, table } from '../dom.js';
import { api, ApiError } from '../api.js';

export async function render(root) {
  root.append(h('header', { class: 'page-head' }, h('h1', null, 'Partners'),
    h('p', { class: 'lede' }, 'Commerce partners: API requests and signed event deliveries over the last 24 hours.')));
  const holder = h('div', { id: 'partners' });
  root.append(holder);
  let active = true;
  const load = async () => {
    let data;
    try {
      ({ data } = await api('/api/v1/partner-usage'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        clear(holder).append(notice('Partner usage is for administrators (partners:manage).', 'muted'));
        active = false;
        return;
      }
      throw err;
    }
    clear(holder).append(section(`Usage, last ${data.window_hours} h (${fmt.int(data.items.length)} partners)`, table([
      { label: 'Partner', cell: (p) => h('span', null, p.name, h('span', { class: 'muted small' }, ` ${p.partner_id}`)) },
      { label: 'Requests', class: 'num', cell: (p) => (p.requests < 0 ? 'n/a' : fmt.int(p.requests)) },
      { label: 'Delivered', class: 'num', cell: (p) => fmt.int(p.deliveries) },
      { label: 'Failed attempts', class: 'num', cell: (p) => h('span', { class: p.failures > 0 ? 'bad' : null }, fmt.int(p.failures)) },
      { label: 'Dead letters', class: 'num', cell: (p) => h('span', { class: p.dead_letters > 0 ? 'bad' : null }, fmt.int(p.dead_letters)) },
      { label: 'Queued', class: 'num', cell: (p) => fmt.int(p.pending) },
      { label: 'Lag p50', class: 'num', cell: (p) => fmt.ms(p.lag_p50_ms) },
      { label: 'Lag p99', class: 'num', cell: (p) => fmt.ms(p.lag_p99_ms) },
      { label: 'Oldest queued', class: 'num', cell: (p) => (p.oldest_pending_seconds == null ? '—' : `${fmt.int(p.oldest_pending_seconds)} s`) },
    ], data.items, { empty: 'No partners yet (POST /api/v1/partners).', rowAttrs: (p) => ({ 'data-partner': p.partner_id }) })));
  };
  await load();
  let timer = null;
  const tick = async () => {
    if (!active) return;
    if (!document.hidden) await load().catch(() => {});
    timer = setTimeout(tick, 5000);
  };
  timer = setTimeout(tick, 5000);
  return () => { active = false; clearTimeout(timer); };
}
