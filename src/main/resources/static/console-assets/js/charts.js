// Small SVG line charts (no library): a few series over shared timestamps, with axes, gridlines and a legend.
import { h } from './dom.js';

export const PALETTE = ['#b4536a', '#1c1b1a', '#c9a46a', '#6f7d8c', '#8e6c8a', '#5f8a75', '#d08c60', '#9a9590'];

export function lineChart({ title, timestamps, series, unit = '', height = 220, id }) {
  const width = 620;
  const pad = { left: 52, right: 12, top: 14, bottom: 26 };
  const w = width - pad.left - pad.right;
  const hgt = height - pad.top - pad.bottom;
  const values = series.flatMap((s) => s.values.filter((v) => v != null));
  const max = niceMax(Math.max(1, ...values));
  const n = Math.max(1, timestamps.length - 1);
  const x = (i) => pad.left + (timestamps.length <= 1 ? w : (i / n) * w);
  const y = (v) => pad.top + hgt - (v / max) * hgt;

  const svg = h('svg:svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title });
  for (let k = 0; k <= 4; k++) {
    const v = (max / 4) * k;
    svg.append(h('svg:line', { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), class: 'grid-line' }),
      h('svg:text', { x: pad.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis-label' }, short(v) + unit));
  }
  const ticks = Math.min(6, timestamps.length);
  const spanMs = timestamps.length > 1 ? new Date(timestamps[timestamps.length - 1]) - new Date(timestamps[0]) : 0;
  const seconds = spanMs < 10 * 60 * 1000; // a short window needs seconds on the axis
  for (let k = 0; k < ticks; k++) {
    const i = ticks === 1 ? 0 : Math.round((k / (ticks - 1)) * (timestamps.length - 1));
    const d = new Date(timestamps[i]);
    svg.append(h('svg:text', { x: x(i), y: height - 6, 'text-anchor': 'middle', class: 'axis-label' },
      [d.getHours(), d.getMinutes(), ...(seconds ? [d.getSeconds()] : [])].map((v) => String(v).padStart(2, '0')).join(':')));
  }
  series.forEach((s, idx) => {
    const color = PALETTE[idx % PALETTE.length];
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v == null) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = true;
    });
    if (d) svg.append(h('svg:path', { d, fill: 'none', stroke: color, 'stroke-width': 1.8, 'stroke-linejoin': 'round', class: 'series' }, h('svg:title', null, s.name)));
    if (s.values.filter((v) => v != null).length === 1) {
      const i = s.values.findIndex((v) => v != null);
      svg.append(h('svg:circle', { cx: x(i), cy: y(s.values[i]), r: 2.5, fill: color }));
    }
  });
  const legend = h('ul', { class: 'legend' }, series.map((s, idx) => {
    const swatch = h('span', { class: 'swatch' });
    swatch.style.background = PALETTE[idx % PALETTE.length];
    return h('li', null, swatch, s.name);
  }));
  return h('figure', { class: 'chart-box', id }, h('figcaption', null, title), svg, legend);
}

function niceMax(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function short(v) {
  if (v >= 1000) return `${Math.round(v / 100) / 10}k`;
  if (v >= 10) return String(Math.round(v));
  return String(Math.round(v * 100) / 100);
}
