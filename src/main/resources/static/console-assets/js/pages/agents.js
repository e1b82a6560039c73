// Agents and runs: the six SuperAgents with their stats, (with agents:approve) the runs awaiting approval from
// every caller, an agent's runs, a run's trace as a timeline, its actions and the approve button.
import { h, fmt, pill, table, section, notice, json, button } from '../dom.js';
import { api, can, me } from '../api.js';

export async function render(root, params) {
  if (params[0] === 'run' && params[1]) return renderRun(root, params[1]);
  root.append(h('header', { class: 'page-head' }, h('h1', null, 'Agents & runs'),
    h('p', { class: 'lede' }, 'The six SuperAgents, their chains and what they did.')));
  const { data } = await api('/api/v1/agents');
  const selected = params[0] || null;
  root.append(h('div', { class: 'cards' }, data.agents.map((a) => h('a', {
    class: `card agent-card${a.id === selected ? ' selected' : ''}`, href: `#/agents/${a.id}`, 'data-agent': a.id,
  },
  h('h3', null, a.name || a.id),
  h('p', { class: 'small muted' }, a.description || ''),
  h('div', { class: 'card-stats' },
    kv('Runs', fmt.int(a.stats?.runs)), kv('Success', fmt.pct(a.stats?.success_rate)),
    kv('p50', fmt.ms(a.stats?.p50_latency_ms)), kv('Cost', fmt.usd(a.stats?.cost_usd)))))));
  if (can('agents:approve')) {
    // the approvers' queue: runs from every caller that wait for approval, oldest first
    const pending = await api('/api/v1/approvals?limit=50');
    root.append(section(`Awaiting approval (${fmt.int(pending.data.total)})`, table([
      { label: 'Started', cell: (r) => fmt.time(r.created_at) },
      { label: 'Agent', cell: (r) => r.agent },
      { label: 'Task', cell: (r) => h('span', { class: 'clip' }, r.task) },
      { label: 'Waiting', cell: (r) => (r.actions || []).filter((a) => a.status === 'awaiting_approval').map((a) => a.tool).join(', ') },
    ], pending.data.items, {
      empty: 'Nothing waits for approval.',
      rowAttrs: (r) => ({ 'data-pending-run': r.id }),
      onRow: (r) => { location.hash = `#/agents/run/${r.id}`; },
    })));
  }
  if (selected) {
    const runs = await api(`/api/v1/agents/${encodeURIComponent(selected)}/runs?limit=25`);
    root.append(section(`Runs of ${selected}`, table([
      { label: 'Started', cell: (r) => fmt.time(r.created_at) },
      { label: 'Task', cell: (r) => h('span', { class: 'clip' }, r.task) },
      { label: 'Status', cell: (r) => pill(r.status) },
      { label: 'Duration', class: 'num', cell: (r) => fmt.ms(r.duration_ms) },
      { label: 'Cost', class: 'num', cell: (r) => fmt.usd(r.cost_usd) },
    ], runs.data.items, {
      empty: me()?.role === 'admin' ? 'No runs yet.' : 'None of your runs yet: runs are shown to whoever started them and to admins.',
      rowAttrs: (r) => ({ 'data-run': r.id, 'data-status': r.status }),
      onRow: (r) => { location.hash = `#/agents/run/${r.id}`; },
    })));
  } else {
    root.append(notice('Choose an agent to see its runs.', 'muted'));
  }
  return null;
}

function kv(label, value) {
  return h('div', { class: 'kv' }, h('span', { class: 'kv-label' }, label), h('span', { class: 'kv-value' }, value));
}

async function renderRun(root, runId) {
  const { data: run } = await api(`/api/v1/runs/${encodeURIComponent(runId)}`);
  const body = h('div', { id: 'run-detail', 'data-status': run.status });
  root.append(body);
  drawRun(body, run);
  return null;
}

function drawRun(body, run) {
  body.replaceChildren();
  body.dataset.status = run.status;
  const awaiting = run.status === 'awaiting_approval';
  const head = h('header', { class: 'page-head' },
    h('p', { class: 'crumbs' }, h('a', { href: `#/agents/${run.agent}` }, `← ${run.agent}`)),
    h('h1', null, 'Run ', h('span', { class: 'mono small' }, run.id)),
    h('div', { class: 'head-row' }, h('span', { id: 'run-status' }, pill(run.status)),
      run.round_table_id ? h('a', { class: 'btn btn-ghost', href: `#/round-table/${run.round_table_id}` }, 'Round-table result →') : null));
  body.append(head);
  if (awaiting) {
    if (can('agents:approve')) {
      const note = h('input', { type: 'text', placeholder: 'Note for the audit log (optional)', id: 'approve-note', maxlength: 2000 });
      const approve = button('Approve waiting actions', async () => {
        approve.disabled = true;
        try {
          const reply = await api(`/api/v1/runs/${encodeURIComponent(run.id)}/approve`, {
            method: 'POST', body: note.value ? { note: note.value } : {},
          });
          drawRun(body, reply.data);
        } catch (err) {
          approve.disabled = false;
          body.prepend(notice(`Approval failed: ${err.message}`, 'error'));
        }
      }, { class: 'btn btn-primary', id: 'approve-run' });
      body.append(h('div', { class: 'approval' }, h('p', null, 'This run waits for approval of its high-severity actions.'), note, approve));
    } else {
      body.append(notice('This run waits for approval by an operator or administrator.', 'muted'));
    }
  }
  body.append(section('Task', h('p', { class: 'prose' }, run.task)));
  if (run.answer) body.append(section('Answer', h('p', { class: 'prose', id: 'run-answer' }, run.answer)));
  if (run.error) body.append(section('Error', h('p', { class: 'bad' }, run.error),
    run.trace_id ? h('p', { class: 'small' }, 'Trace id ', h('span', { class: 'mono', id: 'run-trace-id' }, run.trace_id)) : null));
  if (run.escalation) body.append(section('Escalated to a person', json(run.escalation)));
  body.append(section('Trace', timeline(run.trace || [])));
  body.append(section('Actions', table([
    { label: '#', cell: (a) => a.index ?? '' },
    { label: 'Tool', cell: (a) => h('span', { class: 'mono' }, a.tool) },
    { label: 'Severity', cell: (a) => a.severity || '—' },
    { label: 'Status', cell: (a) => pill(a.status) },
    { label: 'Arguments', cell: (a) => json(a.arguments ?? {}) },
    { label: 'Result / reason', cell: (a) => a.reason ? h('span', { class: 'small' }, a.reason) : (a.result !== undefined ? json(a.result) : (a.error ? h('span', { class: 'bad small' }, typeof a.error === 'string' ? a.error : JSON.stringify(a.error)) : '—')) },
  ], run.actions || [], { empty: 'No actions.', rowAttrs: (a) => ({ 'data-action-status': a.status }) })));
}

/** The trace as a timeline: one bar per step, placed at its start and as long as it took. */
function timeline(trace) {
  if (trace.length === 0) return notice('No trace recorded.', 'muted');
  const starts = trace.map((s) => new Date(s.started_at).getTime());
  const t0 = Math.min(...starts);
  const end = Math.max(...trace.map((s, i) => starts[i] + (s.duration_ms || 0)));
  const span = Math.max(1, end - t0);
  return h('div', { class: 'timeline', id: 'run-trace' }, trace.map((s, i) => {
    const bar = h('div', { class: `tl-bar tl-${String(s.outcome || 'ok').replace(/[^a-z_]/gi, '')}` });
    bar.style.marginLeft = `${((starts[i] - t0) / span) * 100}%`;
    bar.style.width = `${Math.max(0.6, ((s.duration_ms || 0) / span) * 100)}%`;
    return h('div', { class: 'tl-row', 'data-step': s.step },
      h('span', { class: 'tl-step' }, s.step.replace(/_/g, ' ')),
      h('div', { class: 'tl-track' }, bar),
      h('span', { class: 'tl-ms num' }, fmt.ms(s.duration_ms)),
      h('span', { class: 'tl-outcome small muted' }, s.outcome || ''));
  }), h('p', { class: 'small muted' }, `Total ${fmt.ms(span)} from the first step's start.`));
}
