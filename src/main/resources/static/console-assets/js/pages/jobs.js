// Jobs: 3D generation and try-on jobs with progress bars and links to their results, and GDPR export jobs when the
// hub has that API (the section hides itself while GET /api/v1/gdpr/exports answers 404 or 501).
import { h, fmt, pill, table, section, progressBar, button, notice, clear } from '../dom.js';
import { api, download } from '../api.js';

const FINISHED = new Set(['succeeded', 'failed', 'expired']);

export async function render(root) {
  root.append(h('header', { class: 'page-head' }, h('h1', null, 'Jobs'),
    h('p', { class: 'lede' }, '3D models (Tripo3D), virtual try-on (FASHN) and data exports, as they progress.')));
  const toolHolder = h('div', { id: 'tool-jobs' });
  const exportHolder = h('div', { id: 'gdpr-exports' });
  root.append(toolHolder, exportHolder);

  let active = true;
  const load = async () => {
    const [tools, exports] = await Promise.all([api('/api/v1/jobs?limit=50'), loadExports()]);
    clear(toolHolder).append(section(`3D and try-on (${fmt.int(tools.data.total)})`, table([
      { label: 'Kind', cell: (j) => (j.kind === '3d' ? '3D model' : 'Try-on') },
      { label: 'Vendor', cell: (j) => j.vendor },
      { label: 'Status', cell: (j) => pill(j.status) },
      { label: 'Progress', cell: (j) => progressBar(j.status === 'succeeded' ? 100 : j.progress ?? 0) },
      { label: 'Started', cell: (j) => fmt.time(j.created_at) },
      { label: 'Finished', cell: (j) => fmt.time(j.finished_at) },
      { label: 'Results', cell: (j) => resultLinks(j) },
    ], tools.data.items, { empty: 'No jobs yet.', rowAttrs: (j) => ({ 'data-job': j.id, 'data-status': j.status }) })));
    clear(exportHolder);
    if (exports) {
      exportHolder.append(section(`Data exports (${fmt.int(exports.items.length)})`, table([
        { label: 'Subject', cell: (x) => x.subject ?? '—' },
        { label: 'Requested by', cell: (x) => x.requested_by ?? '—' },
        { label: 'Status', cell: (x) => pill(x.status) },
        { label: 'Progress', cell: (x) => progressBar(x.progress ?? 0) },
        { label: 'Requested', cell: (x) => fmt.time(x.created_at) },
        { label: 'Expires', cell: (x) => fmt.time(x.expires_at) },
        { label: 'Download', cell: (x) => x.status === 'succeeded' && x.links
          ? h('span', { class: 'links' }, Object.entries(x.links).filter(([, href]) => href).map(([kind, href]) =>
            button(kind.toUpperCase(), () => download(href, `export-${x.id}.${kind}`), { class: 'btn btn-small' })))
          : '—' },
      ], exports.items, { empty: 'No exports.', rowAttrs: (x) => ({ 'data-export': x.id, 'data-status': x.status }) })));
    }
    return [...tools.data.items, ...(exports?.items || [])].some((j) => !FINISHED.has(j.status));
  };

  let running = await load();
  const tick = async () => {
    if (!active) return;
    // always reload (a job started elsewhere must appear), faster while one is under way
    if (!document.hidden) running = await load().catch(() => running);
    timer = setTimeout(tick, running ? 1500 : 5000);
  };
  let timer = setTimeout(tick, 1500);
  return () => { active = false; clearTimeout(timer); };
}

/** GDPR exports, or null while the hub does not offer the list (404/501) or the caller may not read it (403). */
async function loadExports() {
  const reply = await api('/api/v1/gdpr/exports', { accept: [403, 404, 405, 501] });
  return reply.status === 200 && Array.isArray(reply.data?.items) ? reply.data : null;
}

function resultLinks(job) {
  const result = job.result || {};
  const links = [];
  for (const key of ['model', 'pbr_model', 'base_model', 'rendered_image']) {
    if (typeof result[key] === 'string') links.push([key.replace(/_/g, ' '), result[key]]);
  }
  for (const [i, url] of (Array.isArray(result.output) ? result.output : []).entries()) {
    if (typeof url === 'string') links.push([`image ${i + 1}`, url]);
  }
  if (job.error) return h('span', { class: 'bad small' }, job.error.message || job.error.code || JSON.stringify(job.error));
  if (links.length === 0) return '—';
  return h('span', { class: 'links' }, links.map(([label, url]) =>
    h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, label)));
}
