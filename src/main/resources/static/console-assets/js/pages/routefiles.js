// Route files editor: the files every instance runs (revisions in PostgreSQL), edited through the route files API.
// File tree, the YAML in an editor with line numbers, validate (errors at their lines), a diff against the current
// revision, apply with a message, history with restore, and each instance's applied revision.
import { h, clear, section, notice, table, pill, fmt, button } from '../dom.js';
import { api, ApiError, can, download } from '../api.js';

export async function render(root, params) {
  root.append(h('header', { class: 'page-head' }, h('h1', null, 'Route files'),
    h('p', { class: 'lede' }, 'The YAML routes every instance runs. A change is validated, stored as a revision and applied on every instance.')));
  let list;
  try {
    list = (await api('/api/v1/route-files')).data;
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) {
      root.append(notice('Route files are shown to integrators, operators and administrators.', 'muted'));
      return null;
    }
    throw err;
  }
  const selected = params.length ? params.join('/') : null;
  const tree = fileTree(list.items, selected);
  const editorHolder = h('div', { class: 'rf-editor', id: 'rf-editor' });
  const exportBtn = button('Export ZIP', () => download('/api/v1/route-files/export', 'routes.zip').catch(() => {}),
    { id: 'rf-export' });
  const newPath = h('input', { type: 'text', class: 'filter', id: 'rf-new-path', placeholder: 'new: tools/acme.camel.yaml', 'aria-label': 'Path of a new file' });
  const create = h('form', { class: 'rf-new', id: 'rf-new' }, newPath, h('button', { type: 'submit', class: 'btn' }, 'Open'));
  create.addEventListener('submit', (e) => {
    e.preventDefault();
    const path = newPath.value.trim().replace(/^routes\//, '');
    if (path) location.hash = `#/route-files/${path.split('/').map(encodeURIComponent).join('/')}`;
  });
  root.append(h('div', { class: 'rf-layout' },
    h('div', { class: 'rf-tree panel', id: 'rf-tree' }, h('h2', null, 'Files'), exportBtn, tree,
      can('routes:write') ? create : null),
    editorHolder));
  if (selected) {
    const item = list.items.find((i) => i.path === selected);
    await openFile(editorHolder, selected, item);
  } else {
    editorHolder.append(notice('Choose a file on the left.', 'muted'));
  }
  return null;
}

function fileTree(items, selected) {
  const folders = new Map();
  for (const item of items) {
    const slash = item.path.lastIndexOf('/');
    const folder = slash < 0 ? '' : item.path.slice(0, slash);
    if (!folders.has(folder)) folders.set(folder, []);
    folders.get(folder).push(item);
  }
  const ul = h('ul', { class: 'rf-folders' });
  for (const [folder, files] of [...folders.entries()].sort()) {
    ul.append(h('li', null, h('span', { class: 'rf-folder' }, `${folder || '.'}/`),
      h('ul', { class: 'rf-files' }, files.map((f) => h('li', null,
        h('a', {
          href: `#/route-files/${f.path.split('/').map(encodeURIComponent).join('/')}`,
          class: `rf-file${f.path === selected ? ' active' : ''}${f.exists ? '' : ' deleted'}`,
          'data-path': f.path,
        }, f.path.slice(folder ? folder.length + 1 : 0)),
        f.origin === 'revision' ? h('span', { class: 'rf-badge' }, `r${f.revision}`) : null,
        f.superseded_revision ? h('span', { class: 'rf-badge rf-superseded', title: 'superseded by the shipped file' }, `r${f.superseded_revision} superseded`) : null,
        f.instances.some((i) => i.status === 'failed') ? h('span', { class: 'rf-badge rf-failed' }, 'failed') : null)))));
  }
  return ul;
}

async function openFile(holder, path, item) {
  const writable = can('routes:write');
  let current = { content: '', revision: 0, origin: 'new' };
  let etag = null;
  try {
    const reply = await api(`/api/v1/route-files/content?path=${encodeURIComponent(path)}`, { accept: [404] });
    if (reply.status === 200) {
      current = reply.data;
      etag = reply.headers.get('ETag');
    }
  } catch (err) {
    holder.append(notice(`Could not read ${path}: ${err.message}`, 'error'));
    return;
  }
  const gutter = h('pre', { class: 'rf-gutter', id: 'rf-gutter', 'aria-hidden': 'true' });
  const text = h('textarea', { class: 'rf-text', id: 'rf-text', spellcheck: 'false', wrap: 'off', 'aria-label': `YAML of ${path}` });
  text.value = current.content || '';
  if (!writable) text.readOnly = true;
  let errorLines = new Set();
  const drawGutter = () => {
    const count = text.value.split('\n').length;
    clear(gutter);
    for (let n = 1; n <= count; n++) {
      gutter.append(h('span', { class: errorLines.has(n) ? 'rf-line rf-error-line' : 'rf-line', 'data-line': n }, String(n)), '\n');
    }
    gutter.scrollTop = text.scrollTop;
  };
  text.addEventListener('input', () => { errorLines = new Set(); drawGutter(); });
  text.addEventListener('scroll', () => { gutter.scrollTop = text.scrollTop; });
  drawGutter();

  const status = h('div', { class: 'rf-status', id: 'rf-status', role: 'status' });
  const errors = h('ol', { class: 'rf-errors', id: 'rf-errors' });
  const diffView = h('div', { id: 'rf-diff' });
  const message = h('input', { type: 'text', class: 'filter', id: 'rf-message', placeholder: 'What this change does', maxlength: 2000 });
  const showErrors = (problem) => {
    clear(errors);
    const list = problem?.errors || [];
    errorLines = new Set(list.map((e) => e.line).filter((n) => n > 0));
    drawGutter();
    for (const e of list) {
      const li = h('li', { class: 'bad', 'data-line': e.line }, e.line > 0 ? `line ${e.line}, column ${e.column}: ${e.message}` : e.message);
      li.addEventListener('click', () => goToLine(text, e.line));
      errors.append(li);
    }
    status.textContent = problem?.detail || problem?.title || 'Invalid';
    status.className = 'rf-status bad';
  };
  const validate = async () => {
    clear(errors);
    const reply = await api('/api/v1/route-files/validate', { method: 'POST', body: { path, content: text.value }, accept: [422, 400] });
    if (reply.status === 200) {
      errorLines = new Set();
      drawGutter();
      status.textContent = `Valid — routes: ${reply.data.routes.join(', ') || 'none'}`;
      status.className = 'rf-status ok';
      return true;
    }
    showErrors(reply.data);
    return false;
  };
  const apply = async () => {
    clear(errors);
    const reply = await api(`/api/v1/route-files/content?path=${encodeURIComponent(path)}`, {
      method: 'PUT', body: { content: text.value, message: message.value || undefined },
      headers: etag ? { 'If-Match': etag } : {}, accept: [422, 412, 428, 400],
    });
    if (reply.status === 200) {
      status.textContent = `Applied as revision ${reply.data.revision}; every instance follows within seconds.`;
      status.className = 'rf-status ok';
      etag = reply.headers.get('ETag');
      setTimeout(() => { location.hash = `#/route-files/${path}`; window.dispatchEvent(new HashChangeEvent('hashchange')); }, 600);
      return;
    }
    if (reply.status === 412) {
      status.textContent = 'Someone changed this file since you opened it. Copy your edit, reload the file and apply it again.';
      status.className = 'rf-status bad';
      return;
    }
    showErrors(reply.data);
  };
  const diff = () => {
    clear(diffView).append(section('Diff against the current revision', diffTable(current.content || '', text.value)));
  };

  const meta = h('dl', { class: 'meta' },
    h('dt', null, 'File'), h('dd', { class: 'mono', id: 'rf-path' }, `routes/${path}`),
    h('dt', null, 'Runs'), h('dd', { id: 'rf-runs' }, current.origin === 'revision' ? `revision ${current.revision}`
      : current.origin === 'shipped' ? 'the shipped file' : 'nothing yet (new file)'),
    item?.superseded_revision ? [h('dt', null, 'Superseded'), h('dd', { class: 'bad' }, `revision ${item.superseded_revision} was made on an older shipped file; the shipped file runs`)] : null);
  const actions = h('div', { class: 'toolbar' },
    button('Validate', validate, { id: 'rf-validate' }),
    button('Diff', diff, { id: 'rf-diff-btn' }),
    writable ? [message, button('Apply', apply, { id: 'rf-apply', class: 'btn btn-primary' })] : null);
  holder.append(section(path, meta,
    h('div', { class: 'rf-code' }, gutter, text),
    writable ? actions : h('div', { class: 'toolbar' }, button('Diff', diff, { id: 'rf-diff-btn' })),
    status, errors, diffView));
  holder.append(section('Instances', table([
    { label: 'Instance', cell: (i) => h('span', { class: 'mono' }, i.instance) },
    { label: 'Revision', class: 'num', cell: (i) => (i.revision === 0 ? 'shipped' : `r${i.revision}`) },
    { label: 'Status', cell: (i) => pill(i.status === 'applied' ? 'succeeded' : i.status) },
    { label: 'Error', cell: (i) => (i.error ? h('span', { class: 'bad small' }, i.error) : '—') },
  ], item?.instances || [], { rowAttrs: (i) => ({ 'data-instance': i.instance }) })));
  await history(holder, path, writable);
}

async function history(holder, path, writable) {
  const reply = await api(`/api/v1/route-files/revisions?path=${encodeURIComponent(path)}`, { accept: [404] });
  if (reply.status !== 200) return;
  const etag = reply.data.etag;
  const restore = async (revision) => {
    const r = await api(`/api/v1/route-files/restore?path=${encodeURIComponent(path)}&revision=${revision}`, {
      method: 'POST', headers: { 'If-Match': etag }, accept: [412, 422, 404, 409],
    });
    const out = holder.querySelector('#rf-status');
    if (r.status === 200) {
      out.textContent = `Restored revision ${revision} as revision ${r.data.revision}.`;
      out.className = 'rf-status ok';
      setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')), 600);
    } else {
      out.textContent = r.data?.detail || `Restore failed (${r.status}).`;
      out.className = 'rf-status bad';
    }
  };
  const rows = [...reply.data.items];
  if (reply.data.shipped != null) rows.push({ revision: 0, message: 'shipped with this release', shipped: true });
  holder.append(section('History', table([
    { label: 'Revision', cell: (r) => (r.revision === 0 ? 'shipped' : `r${r.revision}`) },
    { label: 'When', cell: (r) => (r.created_at ? fmt.time(r.created_at) : '—') },
    { label: 'Author', cell: (r) => h('span', { class: 'mono small' }, r.author || '—') },
    { label: 'Message', cell: (r) => [r.message || '', r.deleted ? ' (deleted the file)' : '', r.superseded ? ' (superseded)' : ''].join('') },
    { label: '', cell: (r) => (r.current ? h('span', { class: 'pill' }, 'current')
      : writable ? button('Restore', () => restore(r.revision), { 'data-restore': r.revision }) : '') },
  ], rows, { rowAttrs: (r) => ({ 'data-revision': r.revision }) })));
}

function goToLine(textarea, line) {
  if (!(line > 0)) return;
  const lines = textarea.value.split('\n');
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  textarea.focus();
  textarea.setSelectionRange(offset, offset + (lines[line - 1] || '').length);
}

/** A line diff (longest common subsequence) of two texts, as a table of kept, removed and added lines. */
export function lineDiff(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { out.push({ op: ' ', text: a[i], old: i + 1, new: j + 1 }); i++; j++; }
    else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) { out.push({ op: '+', text: b[j], new: j + 1 }); j++; }
    else { out.push({ op: '-', text: a[i], old: i + 1 }); i++; }
  }
  return out;
}

function diffTable(before, after) {
  const lines = lineDiff(before, after);
  if (lines.every((l) => l.op === ' ')) return notice('No changes.', 'muted');
  const pre = h('pre', { class: 'code rf-diff', id: 'rf-diff-lines' });
  for (const l of lines) {
    pre.append(h('span', { class: l.op === '+' ? 'rf-add' : l.op === '-' ? 'rf-del' : 'rf-same' }, `${l.op} ${l.text}`), '\n');
  }
  return pre;
}
