// Round table: stored results; one result side by side (every provider's answer, latency, tokens, cost, every
// score, its supported and contradicted claims, the judge's verdict, the winner); provider health at a glance.
import { h, fmt, pill, table, section, notice, json } from '../dom.js';
import { api } from '../api.js';

export async function render(root, params) {
  if (params[0]) return renderResult(root, params[0]);
  root.append(h('header', { class: 'page-head' }, h('h1', null, 'Round table'),
    h('p', { class: 'lede' }, 'Every provider answers; the scores and the judge pick the winner.')));
  const [providers, results] = await Promise.all([
    api('/api/v1/round-table/providers'), api('/api/v1/round-table/results?limit=50')]);
  root.append(section('Provider health', providerHealth(providers.data)));
  const totals = results.data.totals || {};
  root.append(section(`Results (${fmt.int(results.data.total)})`,
    h('p', { class: 'small muted' }, `Total cost ${fmt.usd(totals.cost_usd)} · tokens in ${fmt.int(totals.tokens?.input)} / out ${fmt.int(totals.tokens?.output)}`),
    table([
      { label: 'When', cell: (r) => fmt.time(r.created_at) },
      { label: 'Prompt', cell: (r) => h('span', { class: 'clip' }, r.prompt) },
      { label: 'Winner', cell: (r) => h('span', { class: 'strong' }, `${r.winner_provider ?? '—'}`, h('span', { class: 'muted small' }, r.winner_model ? ` · ${r.winner_model}` : '')) },
      { label: 'Method', cell: (r) => r.method },
      { label: 'Latency', class: 'num', cell: (r) => fmt.ms(r.total_latency_ms) },
      { label: 'Cost', class: 'num', cell: (r) => fmt.usd(r.cost_usd) },
      { label: '', cell: (r) => r.degraded ? pill('degraded') : '' },
    ], results.data.items, {
      empty: 'No round-table results yet.',
      rowAttrs: (r) => ({ 'data-result': r.id }),
      onRow: (r) => { location.hash = `#/round-table/${r.id}`; },
    })));
  return null;
}

function providerHealth(data) {
  return h('div', { class: 'cards cards-tight', id: 'provider-health' }, data.providers.map((p) => {
    const recent = p.recent || {};
    const state = p.enabled ? (p.circuit?.state || 'closed') : 'not_configured';
    return h('div', { class: `card health health-${state}`, 'data-provider': p.id },
      h('div', { class: 'card-head' }, h('h3', null, p.id), pill(state)),
      p.model ? h('p', { class: 'small muted mono' }, p.model) : h('p', { class: 'small muted clamp' }, p.description || ''),
      h('div', { class: 'card-stats' },
        kvs('Calls', fmt.int(recent.calls), `last ${recent.window_minutes ?? 15} min`),
        kvs('Errors', fmt.int(recent.errors), recent.timeouts ? `${recent.timeouts} timeouts` : ''),
        kvs('p50', fmt.ms(recent.latency_ms_p50)), kvs('p95', fmt.ms(recent.latency_ms_p95))),
      recent.last_error_at ? h('p', { class: 'small bad' }, `Last error ${fmt.ago(recent.last_error_at)}`) : null);
  }));
}

function kvs(label, value, hint) {
  return h('div', { class: 'kv' }, h('span', { class: 'kv-label' }, label), h('span', { class: 'kv-value' }, value),
    hint ? h('span', { class: 'kv-hint' }, hint) : null);
}

async function renderResult(root, id) {
  const { data: r } = await api(`/api/v1/round-table/results/${encodeURIComponent(id)}`);
  const winner = r.winner || {};
  root.append(h('header', { class: 'page-head' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/round-table' }, '← All results')),
    h('h1', null, 'Result ', h('span', { class: 'mono small' }, r.id)),
    h('p', { class: 'lede' }, `${fmt.time(r.created_at)} · ${fmt.ms(r.total_latency_ms)} · ${fmt.usd(r.cost_usd)} · tokens ${fmt.int(r.tokens?.input)} in / ${fmt.int(r.tokens?.output)} out`,
      r.cached ? ' · from cache' : '', r.degraded ? ' · degraded' : '')));
  if (r.prompt) root.append(section('Prompt', h('p', { class: 'prose' }, r.prompt)));
  const scoreKeys = [...new Set(r.candidates.flatMap((c) => Object.keys(c.scores || {})))];
  root.append(h('div', { class: 'versus', id: 'candidates' }, r.candidates.map((c) => {
    const won = c.provider === winner.provider && (!winner.model || c.model === winner.model);
    return h('article', { class: `candidate${won ? ' winner' : ''}${c.error ? ' failed' : ''}`, 'data-provider': c.provider },
      h('header', { class: 'candidate-head' },
        h('h3', null, c.provider), won ? h('span', { class: 'crown', id: 'winner-badge' }, 'Winner') : null,
        h('span', { class: 'muted small mono' }, c.model || '')),
      c.error ? h('p', { class: 'bad' }, c.error) : h('div', { class: 'answer' }, c.text ?? ''),
      h('dl', { class: 'meta compact' },
        h('dt', null, 'Latency'), h('dd', null, fmt.ms(c.latency_ms)),
        h('dt', null, 'Tokens'), h('dd', null, `${fmt.int(c.tokens?.input)} in / ${fmt.int(c.tokens?.output)} out`),
        h('dt', null, 'Cost'), h('dd', null, fmt.usd(c.cost_usd)),
        c.finish_reason ? [h('dt', null, 'Finish'), h('dd', null, c.finish_reason)] : null),
      h('div', { class: 'scores' },
        scoreKeys.map((k) => scoreRow(k, c.scores?.[k])),
        h('div', { class: 'score-total' }, h('span', null, 'Score'), h('span', { class: 'num strong', 'data-score': c.score ?? '' }, fmt.score(c.score)))),
      c.claims ? claims(c.claims) : null);
  })));
  const sel = r.selection || {};
  root.append(section('Why the winner won',
    h('dl', { class: 'meta' },
      h('dt', null, 'Method'), h('dd', null, sel.method || '—'),
      h('dt', null, 'Rationale'), h('dd', { id: 'rationale' }, sel.rationale || '—'),
      h('dt', { title: 'mean word overlap between the answers; the judge runs in auto mode below its threshold' }, 'Agreement'), h('dd', null, fmt.score(sel.agreement)),
      h('dt', null, 'Weights'), h('dd', null, Object.entries(sel.weights || {}).map(([k, v]) => `${k} ${v}`).join(' · ') || '—')),
    judge(sel.judge)));
  return null;
}

// The answer's claims checked against the knowledge base: contradicted first (they decide), then supported.
function claims(c) {
  const supported = c.supported || [];
  const contradicted = c.contradicted || [];
  const item = (x, cls) => h('li', { class: cls, title: x.evidence || '' }, x.claim,
    h('span', { class: 'small muted' }, ` — ${x.evidence || ''}${x.source ? ` [${x.source}]` : ''}`));
  return h('div', { class: 'claims', 'data-supported': supported.length, 'data-contradicted': contradicted.length },
    h('p', { class: 'small strong' }, `Claims: ${supported.length} supported · ${contradicted.length} contradicted · ${c.not_covered ?? 0} not covered`),
    contradicted.length ? h('ul', { class: 'claims-contradicted' }, contradicted.map((x) => item(x, 'bad'))) : null,
    supported.length ? h('ul', { class: 'claims-supported' }, supported.map((x) => item(x, 'good'))) : null);
}

// what each score measures (shown on hover); relevance, agreement, grounding and voice are word overlap, not embeddings
const SCORE_HELP = {
  relevance: "share of the question's words the answer uses",
  agreement: 'word overlap with the other answers',
  grounding: 'word overlap with the best passage shown to the providers',
  facts: 'claims checked against the knowledge base: supported lifts, contradicted sinks',
  brand_fit: 'brand vocabulary and voice words, minus words to avoid',
  form: 'complete, not refused, not truncated',
  plan: 'fits the expected JSON plan and its tools',
  judge: "the LLM judge's verdict",
};

function scoreRow(name, value) {
  const bar = h('div', { class: 'score-bar' });
  const fill = h('div', { class: 'score-fill' });
  fill.style.width = `${Math.max(0, Math.min(1, Number(value) || 0)) * 100}%`;
  bar.append(fill);
  return h('div', { class: 'score-row', 'data-score-name': name },
    h('span', { class: 'score-name', title: SCORE_HELP[name] || null }, name.replace(/_/g, ' ')), bar, h('span', { class: 'num' }, fmt.score(value)));
}

function judge(j) {
  if (!j) return notice('No LLM judge was asked (the scores were decisive, or the judge is off).', 'muted');
  const verdicts = Array.isArray(j.verdicts) ? j.verdicts : (Array.isArray(j.orders) ? j.orders : null);
  return h('div', { class: 'judge', id: 'judge' },
    h('h3', null, 'The judge', j.provider ? h('span', { class: 'muted small' }, ` · ${j.provider}${j.model ? ' / ' + j.model : ''}`) : null),
    j.winner ? h('p', null, 'Verdict: ', h('span', { class: 'strong' }, String(j.winner))) : null,
    j.error ? h('p', { class: 'bad' }, j.error) : null,
    verdicts ? verdicts.map((v) => h('div', { class: 'verdict' }, h('p', { class: 'small strong' }, v.order ? `Order ${Array.isArray(v.order) ? v.order.join(' vs ') : v.order}` : 'Verdict'),
      h('p', { class: 'prose' }, v.reasoning || v.reason || JSON.stringify(v)))) : json(j));
}
