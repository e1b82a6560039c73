// Webhooks: the inbox filtered by status, topic and source; one event's payload (personal data masked by the API
// for everyone but administrators); dead letters with their last error; replay one, the selected or all.
import { h, fmt, pill, table, section, notice, json, button, clear } from '../dom.js';
import { api, can } from '../api.js';

const STATUSES = ['', 'pending', 'processed', 'duplicate', 'dead', 'rejected'];

export async function render(root, params) {
  if (params[0] === 'event' && params[1]) return renderEvent(root, params[1]);
  const query = new URLSearchParams(params[0] || '');
  root.append(h('header', { class: 'page-head' }, h('h1', null, 'Webhooks'),
    h('p', { class: 'lede' }, 'WooCommerce and WordPress deliveries, their processing, and the dead letters.')));
  const mayReplay = can('webhooks:replay');
  const status = h('select', { id: 'filter-status' }, STATUSES.map((s) => h('option', { value: s }, s || 'any status')));
  const topic = h('input', { id: 'filter-topic', type: 'text', placeholder: 'topic, e.g. order.created' });
  const source = h('input', { id: 'filter-source', type: 'text', placeholder: 'source, e.g. default' });
  status.value = query.get('status') || '';
  topic.value = query.get('topic') || '';
  source.value = query.get('source') || '';
  const apply = () => {
    const q = new URLSearchParams();
    if (status.value) q.set('status', status.value);
    if (topic.value.trim()) q.set('topic', topic.value.trim());
    if (source.value.trim()) q.set('source', source.value.trim());
    location.hash = `#/webhooks/${q.toString()}`;
  };
  const form = h('form', { class: 'filters', id: 'webhook-filters' }, status, topic, source,
    h('button', { type: 'submit', class: 'btn' }, 'Filter'));
  form.addEventListener('submit', (e) => { e.preventDefault(); apply(); });
  root.append(form);

  const message = h('div', { id: 'webhook-message' });
  const holder = h('div');
  root.append(message, holder);
  const selected = new Set();
  let last = { items: [] };

  const load = async () => {
    const q = new URLSearchParams({ limit: '100' });
    for (const k of ['status', 'topic', 'source']) if (query.get(k)) q.set(k, query.get(k));
    const { data } = await api(`/api/v1/webhooks/events?${q}`);
    const replayOne = async (e) => {
      try {
        await api(`/api/v1/webhooks/events/${e.id}/replay`, { method: 'POST' });
        clear(message).append(notice(`Event ${e.id} queued again.`, 'ok'));
      } catch (err) {
        clear(message).append(notice(`Replay of ${e.id} failed: ${err.message}`, 'error'));
      }
      await load();
    };
    const columns = [
      mayReplay ? { label: '', cell: (e) => e.status === 'dead' ? checkbox(e, selected) : '' } : null,
      { label: 'Id', class: 'num', cell: (e) => h('span', { class: 'mono' }, String(e.id)) },
      { label: 'Received', cell: (e) => fmt.time(e.receivedAt) },
      { label: 'Source', cell: (e) => `${e.provider} / ${e.source}` },
      { label: 'Topic', cell: (e) => h('span', { class: 'mono' }, e.topic) },
      { label: 'Resource', cell: (e) => e.resourceId ? `${e.resource ?? ''} ${e.resourceId}` : '—' },
      { label: 'Status', cell: (e) => pill(e.status) },
      { label: 'Attempts', class: 'num', cell: (e) => fmt.int(e.attempts) },
      { label: 'Last error', cell: (e) => e.lastError ? h('span', { class: 'bad small clip', title: e.lastError }, e.lastError) : '—' },
      { label: 'Trace', cell: (e) => e.traceId ? h('span', { class: 'mono small', title: e.traceId, 'data-trace': e.traceId }, e.traceId.slice(0, 8)) : '—' },
      mayReplay ? { label: '', cell: (e) => (e.status === 'dead' || e.status === 'processed')
        ? button('Replay', () => replayOne(e), { class: 'btn btn-small', 'data-replay': e.id }) : '' } : null,
    ].filter(Boolean);
    selected.clear();
    clear(holder).append(
      section(`Events (${fmt.int(data.total)})`, mayReplay ? bulkBar(selected, query, message, load) : null,
        table(columns, data.items, {
          empty: 'No events match.',
          rowAttrs: (e) => ({ 'data-event': e.id, 'data-status': e.status }),
          onRow: (e) => { location.hash = `#/webhooks/event/${e.id}`; },
        })));
    last = data;
    return data;
  };
  last = await load();
  // follow replays and retries while any shown event is still pending (a refresh would drop the selection)
  const timer = setInterval(async () => {
    if (document.hidden || !last.items.some((e) => e.status === 'pending')) return;
    last = await load().catch(() => last);
  }, 2000);
  return () => clearInterval(timer);
}

function checkbox(e, selected) {
  const box = h('input', { type: 'checkbox', 'data-select': e.id, 'aria-label': `Select event ${e.id}` });
  box.addEventListener('change', () => (box.checked ? selected.add(e.id) : selected.delete(e.id)));
  return box;
}

function bulkBar(selected, query, message, reload) {
  const replaySelected = button('Replay selected', async () => {
    const ids = [...selected];
    if (ids.length === 0) {
      clear(message).append(notice('Select dead letters first.', 'muted'));
      return;
    }
    const results = await Promise.allSettled(ids.map((id) => api(`/api/v1/webhooks/events/${id}/replay`, { method: 'POST' })));
    const failed = results.filter((r) => r.status === 'rejected').length;
    clear(message).append(notice(`${ids.length - failed} queued again${failed ? `, ${failed} refused` : ''}.`, failed ? 'error' : 'ok'));
    await reload();
  }, { id: 'replay-selected' });
  const replayAll = button('Replay all dead letters' + (query.get('topic') || query.get('source') ? ' (filtered)' : ''), async () => {
    const body = {};
    if (query.get('topic')) body.topic = query.get('topic');
    if (query.get('source')) body.source = query.get('source');
    const { data } = await api('/api/v1/webhooks/dead-letters/replay', { method: 'POST', body });
    clear(message).append(notice(`${data.replayed} dead letters queued again.`, 'ok'));
    await reload();
  }, { id: 'replay-all-dead' });
  return h('div', { class: 'toolbar' }, replaySelected, replayAll);
}

async function renderEvent(root, id) {
  const { data: e } = await api(`/api/v1/webhooks/events/${encodeURIComponent(id)}`);
  root.append(h('header', { class: 'page-head' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/webhooks' }, '← Inbox')),
    h('h1', null, `Event ${e.id}`), h('div', { class: 'head-row' }, pill(e.status), h('span', { class: 'mono' }, e.topic),
      can('webhooks:replay') && (e.status === 'dead' || e.status === 'processed') && !e.payloadPurgedAt
        ? button('Replay', async () => {
          await api(`/api/v1/webhooks/events/${e.id}/replay`, { method: 'POST' });
          location.hash = `#/webhooks/topic=${encodeURIComponent(e.topic)}`;
        }, { class: 'btn btn-small', 'data-replay': e.id }) : null)));
  root.append(section('Delivery', h('dl', { class: 'meta' },
    ...[['Provider / source', `${e.provider} / ${e.source}`], ['Origin', e.origin], ['Resource', `${e.resource ?? ''} ${e.resourceId ?? ''}`],
      ['Received', fmt.time(e.receivedAt)], ['Processed', fmt.time(e.processedAt)], ['Attempts', fmt.int(e.attempts)],
      ['Outcome', e.outcome ?? '—'], ['Last error', e.lastError ?? '—'], ['Trace id', e.traceId ?? '—'], ['Payload SHA-256', e.payloadSha256 ?? '—']]
      .flatMap(([k, v]) => [h('dt', null, k), h('dd', k === 'Last error' && e.lastError ? { class: 'bad' } : null, v)]))));
  root.append(section('Payload',
    e.payloadMasked ? notice('Personal data is masked; administrators see it in full.', 'muted') : null,
    e.payloadPurgedAt ? notice(`Purged by the retention policy at ${fmt.time(e.payloadPurgedAt)}.`, 'muted') : null,
    h('div', { id: 'event-payload' }, json(e.payload))));
  root.append(section('Headers', json(e.headers)));
  return null;
}
