import { api, boot, el, fmt, canReview, lineChart, errorBox, state } from './app.js';

// POST /api/backtests answers with server-sent events (text/event-stream) read from the response
// body: progress, equity, trade, then completed (with the stored backtest and its metrics) or failed.
async function* events(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
      let type = 'message', data = '';
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
      }
      if (data) yield { type, data: JSON.parse(data) };
    }
  }
}

const metricRows = [['totalTrades', 'Trades', v => v], ['winRate', 'Win rate', fmt.pct], ['sharpe', 'Sharpe ratio', v => fmt.num(v)], ['maxDrawdown', 'Max drawdown', fmt.pct],
  ['totalPnl', 'Total PnL', v => fmt.num(v)], ['totalReturn', 'Total return', v => fmt.pct(v, 2)], ['profitFactor', 'Profit factor', v => fmt.num(v)]];

boot(async main => {
  const models = await api('/api/models');
  const error = errorBox('backtest-error');
  const model = el('select', { id: 'bt-model' }, models.map(m => el('option', { value: m.modelId }, `${m.modelId} (${m.status})`)));
  const period = el('select', { id: 'bt-period' }, ['validation', 'test', 'custom'].map(p => el('option', { value: p }, p)));
  const start = el('input', { type: 'date', id: 'bt-start', disabled: true });
  const end = el('input', { type: 'date', id: 'bt-end', disabled: true });
  period.addEventListener('change', () => { start.disabled = end.disabled = period.value !== 'custom'; });
  const progress = el('progress', { id: 'bt-progress', max: 1, value: 0 });
  const status = el('span', { id: 'bt-status', class: 'note' });
  const chartBox = el('div', { class: 'chart', id: 'bt-chart' });
  const trades = el('tbody', { id: 'bt-trades' });
  const metrics = el('div', { id: 'bt-metrics' });
  const past = el('tbody', { id: 'bt-past' });
  const run = el('button', { id: 'bt-run', disabled: !canReview() }, 'Run');
  main.replaceChildren(
    el('section', {}, el('h1', {}, 'Backtest'),
      el('div', { class: 'row' }, el('label', {}, 'Model', model), el('label', {}, 'Period', period), el('label', {}, 'From', start), el('label', {}, 'To', end), run, progress, status),
      canReview() ? null : el('p', { class: 'note' }, `Signed in as a ${state.me.role}: you can look at past backtests, not run one.`), error),
    el('section', {}, el('div', { class: 'grid2' },
      el('div', {}, el('h2', {}, 'Equity curve'), chartBox),
      el('div', {}, el('h2', {}, 'Metrics'), metrics, el('h2', {}, 'Trades'),
        el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {}, ['time', 'side', 'quantity', 'price', 'position', 'equity'].map(h => el('th', {}, h)))), trades))))),
    el('section', {}, el('h2', {}, 'Past backtests'), el('table', { id: 'bt-history' }, el('thead', {}, el('tr', {},
      ['run at', 'model', 'period', 'from', 'to', 'trades', 'win rate', 'Sharpe', 'max drawdown', 'return', ''].map(h => el('th', {}, h)))), past)));

  const chart = await lineChart(chartBox, 'equity');
  // What the page drew and when, for people debugging and for the browser tests: the curve's size
  // after each streamed point, and its size when the metrics arrived.
  const trace = window.copBacktest = { growth: [], pointsAtCompletion: null, trades: 0 };

  function showMetrics(m, backtestId, modelId) {
    metrics.replaceChildren(el('table', { id: 'bt-metrics-table' }, el('tbody', {}, metricRows.map(([k, name, f]) =>
      el('tr', { 'data-metric': k }, el('th', {}, name), el('td', {}, m[k] == null ? '–' : f(m[k])))))),
      backtestId ? el('p', {}, el('a', { id: 'bt-promote', href: `promotion.html?model=${encodeURIComponent(modelId)}&backtest=${backtestId}` }, 'Request promotion of this backtest →')) : null);
  }

  function addTrade(t) {
    trades.prepend(el('tr', {}, el('td', {}, fmt.time(t.time)), el('td', {}, t.side), el('td', {}, fmt.num(t.quantity, 2)), el('td', {}, fmt.num(t.price, 2)),
      el('td', {}, fmt.num(t.positionAfter, 2)), el('td', {}, fmt.num(t.equityAfter, 2))));
  }

  async function loadPast() {
    const runs = await api('/api/backtests');
    past.replaceChildren(...runs.map(b => el('tr', { class: 'clickable', 'data-backtest': b.backtestId, onclick: () => openPast(b.backtestId) },
      el('td', {}, fmt.time(b.runAt)), el('td', { class: 'mono' }, b.modelId), el('td', {}, b.periodType ?? ''), el('td', {}, fmt.date(b.start)), el('td', {}, fmt.date(b.end)),
      el('td', {}, b.totalTrades ?? '–'), el('td', {}, fmt.pct(b.winRate)), el('td', {}, fmt.num(b.sharpe)), el('td', {}, fmt.pct(b.maxDrawdown)), el('td', {}, fmt.pct(b.totalReturn, 2)),
      el('td', {}, el('a', { href: `promotion.html?model=${encodeURIComponent(b.modelId)}&backtest=${b.backtestId}` }, 'promote')))));
  }

  async function openPast(id) {
    const b = await api(`/api/backtests/${id}`);
    const curve = (b.equityCurve ?? []).map(p => [p.time ?? p.t ?? p[0], p.equity ?? p.e ?? p[1]]);
    chart.set(curve);
    trades.replaceChildren();
    for (const t of (b.trades ?? []).slice(-200)) addTrade(t);
    const s = b.summary;
    showMetrics({ totalTrades: s.totalTrades, winRate: s.winRate, sharpe: s.sharpe, maxDrawdown: s.maxDrawdown, totalPnl: s.totalPnl, totalReturn: s.totalReturn, profitFactor: s.profitFactor },
      s.backtestId, s.modelId);
  }

  run.addEventListener('click', async () => {
    error.textContent = ''; run.disabled = true; chart.set([]); trace.growth = []; trace.pointsAtCompletion = null; trace.trades = 0; trades.replaceChildren(); metrics.replaceChildren(); progress.value = 0; status.textContent = 'starting…';
    try {
      await api('/api/auth/me');   // a fresh 401 rather than a broken stream
      const response = await fetch('/api/backtests', { method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-TOKEN': state.csrf, Accept: 'text/event-stream' },
        body: JSON.stringify({ modelId: model.value, period: period.value, start: start.value || null, end: end.value || null }) });
      if (!response.ok) { let e; try { e = await response.json(); } catch { e = { error: `${response.status}` }; } throw new Error(e.error); }
      for await (const ev of events(response)) {
        if (ev.type === 'progress') { progress.max = ev.data.total || 1; progress.value = ev.data.done; status.textContent = `${ev.data.done} / ${ev.data.total} bars`; }
        else if (ev.type === 'equity') { chart.push(ev.data.time, ev.data.equity); trace.growth.push(chart.length); }
        else if (ev.type === 'trade') { addTrade(ev.data); trace.trades++; }
        else if (ev.type === 'completed') { trace.pointsAtCompletion = chart.length; status.textContent = `done: ${ev.data.bars} bars`; progress.value = progress.max; showMetrics(ev.data.metrics, ev.data.backtestId, model.value); await loadPast(); }
        else if (ev.type === 'failed') throw new Error(ev.data.error);
      }
    } catch (e) { error.textContent = e.message; status.textContent = ''; }
    finally { run.disabled = !canReview(); }
  });

  await loadPast();
});
