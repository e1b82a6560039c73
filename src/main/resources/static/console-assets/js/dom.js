// DOM helpers. Data is only ever written with textContent / attributes, never parsed as HTML,
// so anything stored (webhook bodies, model answers) shows as text.

export function h(tag, attrs, ...children) {
  const el = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'href') el.setAttribute('href', safeUrl(value));
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** Links from data: only http(s), same-origin paths and hash routes. */
export function safeUrl(url) {
  const text = String(url);
  if (text.startsWith('#') || (text.startsWith('/') && !text.startsWith('//'))) return text;
  try {
    const parsed = new URL(text);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : '#';
  } catch {
    return '#';
  }
}

export const fmt = {
  int: (n) => (n == null ? '—' : Number(n).toLocaleString('en-US')),
  ms: (n) => (n == null ? '—' : `${Number(n) >= 1000 ? (n / 1000).toFixed(2) + ' s' : Math.round(n * 10) / 10 + ' ms'}`),
  usd: (n) => (n == null ? '—' : `$${Number(n).toFixed(Number(n) < 0.01 && n > 0 ? 5 : 4)}`),
  pct: (n) => (n == null ? '—' : `${Math.round(n * 100)}%`),
  score: (n) => (n == null ? '—' : Number(n).toFixed(3)),
  time: (iso) => {
    if (!iso) return '—';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString('en-GB', { hour12: false });
  },
  ago: (iso) => {
    if (!iso) return '—';
    const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
    if (s < 60) return `${Math.max(s, 0)} s ago`;
    if (s < 3600) return `${Math.round(s / 60)} min ago`;
    if (s < 86400) return `${Math.round(s / 3600)} h ago`;
    return `${Math.round(s / 86400)} d ago`;
  },
};

export function pill(status) {
  const value = String(status ?? 'unknown');
  return h('span', { class: `pill pill-${value.replace(/[^a-z0-9_-]/gi, '')}` }, value.replace(/_/g, ' '));
}

export function json(value) {
  return h('pre', { class: 'code' }, JSON.stringify(value, null, 2) ?? 'null');
}

export function progressBar(percent, label) {
  const value = Math.max(0, Math.min(100, Number(percent) || 0));
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
    'aria-valuenow': value, 'data-progress': value });
  const fill = h('div', { class: 'progress-fill' });
  fill.style.width = `${value}%`; // CSSOM, allowed by the CSP (unlike inline style attributes)
  bar.append(fill);
  return h('div', { class: 'progress-wrap' }, bar, h('span', { class: 'progress-label' }, label ?? `${value}%`));
}

export function table(columns, rows, options = {}) {
  const head = h('thead', null, h('tr', null, columns.map((c) => h('th', { class: c.class }, c.label))));
  const body = h('tbody');
  if (rows.length === 0) {
    body.append(h('tr', null, h('td', { class: 'empty', colspan: columns.length }, options.empty ?? 'Nothing yet.')));
  }
  for (const row of rows) {
    const tr = h('tr', options.rowAttrs ? options.rowAttrs(row) : null,
      columns.map((c) => h('td', { class: c.class }, c.cell(row))));
    if (options.onRow) {
      tr.classList.add('clickable');
      tr.addEventListener('click', (e) => {
        if (!e.target.closest('button, a, input')) options.onRow(row);
      });
    }
    body.append(tr);
  }
  return h('table', { class: 'grid' }, head, body);
}

export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', null, title), ...children);
}

export function notice(text, kind = 'info') {
  return h('p', { class: `notice notice-${kind}` }, text);
}

export function button(label, onclick, attrs = {}) {
  return h('button', { type: 'button', class: 'btn', ...attrs, onclick }, label);
}
