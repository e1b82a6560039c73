// Usage: the signed-in caller's LLM spend this month through the OpenAI-compatible API (/v1) and MCP agent tools,
// the tokens of the current minute, and the budget (GET /api/v1/usage).
import { h, fmt, table, section, clear } from '../dom.js';
import { api } from '../api.js';

export async function render(root) {
  root.append(h('header', { class: 'page-head' }, h('h1', null, 'Usage'),
    h('p', { class: 'lede' }, 'Your LLM spend this month through the OpenAI-compatible API and MCP, and your budget.')));
  const holder = h('div', { id: 'usage' });
  root.append(holder);
  const reply = await api('/api/v1/usage');
  const u = reply.data;
  const budget = u.budget || {};
  clear(holder).append(
    section(`Month ${u.month}`, h('dl', { class: 'facts' },
      h('dt', null, 'Spent'), h('dd', { id: 'usage-cost' }, fmt.usd(u.cost_usd)),
      h('dt', null, 'Monthly budget'), h('dd', { id: 'usage-budget' }, budget.monthly_usd == null ? 'none' : fmt.usd(budget.monthly_usd)),
      h('dt', null, 'Requests'), h('dd', { id: 'usage-requests' }, fmt.int(u.requests)),
      h('dt', null, 'Tokens (in / out)'), h('dd', null, `${fmt.int(u.input_tokens)} / ${fmt.int(u.output_tokens)}`),
      h('dt', null, 'Tokens this minute'), h('dd', { id: 'usage-tpm' },
        `${fmt.int(u.tokens_this_minute)}${budget.tokens_per_minute == null ? '' : ` of ${fmt.int(budget.tokens_per_minute)}`}`))),
    section('Per model', table([
      { label: 'Model', cell: (m) => m.model },
      { label: 'Requests', cell: (m) => fmt.int(m.requests) },
      { label: 'Input tokens', cell: (m) => fmt.int(m.input_tokens) },
      { label: 'Output tokens', cell: (m) => fmt.int(m.output_tokens) },
      { label: 'Cost', cell: (m) => fmt.usd(m.cost_usd) },
    ], u.by_model || [], { empty: 'No usage this month.', rowAttrs: (m) => ({ 'data-model': m.model }) })));
}
