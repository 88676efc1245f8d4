import { api, boot, el, fmt, canReview, lineChart, errorBox } from './app.js';

boot(async main => {
  const error = errorBox('models-error');
  const body = el('tbody', { id: 'models-body' });
  const detail = el('section', { id: 'model-detail', hidden: true });
  main.replaceChildren(
    el('section', {}, el('h1', {}, 'Models'),
      el('p', { class: 'note' }, 'The registry. Deployed models decide every new bar in the running service; the kill switch makes a model hold without trading.'),
      el('table', { id: 'models' }, el('thead', {}, el('tr', {}, ['model', 'version', 'status', 'experiment', 'training', 'hashes (file, features, norm)',
        'kill switch', 'last error', 'decisions', 'last decision', 'paper equity'].map(h => el('th', {}, h)))), body), error),
    detail);
  let selected = null;

  async function load() {
    const models = await api('/api/models');
    body.replaceChildren(...models.map(m => {
      const kill = canReview()
        ? el('button', { class: m.killSwitch ? 'danger' : 'secondary', 'data-kill': m.modelId, onclick: async ev => {
            ev.stopPropagation(); error.textContent = '';
            try { await api(`/api/models/${encodeURIComponent(m.modelId)}/kill-switch`, { method: 'POST', body: { on: !m.killSwitch } }); await load(); }
            catch (e) { error.textContent = e.message; }
          } }, m.killSwitch ? 'ON (turn off)' : 'off (turn on)')
        : (m.killSwitch ? 'ON' : 'off');
      return el('tr', { class: `clickable${selected === m.modelId ? ' selected' : ''}`, 'data-model': m.modelId, onclick: () => show(m.modelId) },
        el('td', { class: 'mono' }, m.modelId), el('td', {}, m.version), el('td', { class: 'status' }, fmt.badge(m.status)), el('td', {}, m.experiment ?? '–'),
        el('td', {}, `${fmt.date(m.trainingStart)} → ${fmt.date(m.trainingEnd)}`),
        el('td', { class: 'mono', title: `${m.fileSha256}\n${m.featureOrderHash}\n${m.normStatsHash}` },
          `${m.fileSha256.slice(0, 10)} · ${m.featureOrderHash.slice(0, 10)} · ${m.normStatsHash.slice(0, 10)}`),
        el('td', {}, kill), el('td', { class: 'fail' }, m.lastError ?? ''), el('td', { class: 'decisions' }, m.decisions),
        el('td', {}, m.lastBar ? `${fmt.time(m.lastBar)} ${m.lastAction} (${m.lastVerdict})` : '–'), el('td', {}, fmt.num(m.equity, 2)));
    }));
  }

  async function show(id) {
    selected = id;
    const [decisions, equity] = await Promise.all([api(`/api/models/${encodeURIComponent(id)}/decisions?limit=30`), api(`/api/models/${encodeURIComponent(id)}/equity`)]);
    const chart = el('div', { class: 'chart', id: 'equity-chart' });
    detail.hidden = false;
    detail.replaceChildren(el('h2', {}, `${id}: live decisions and paper equity`), el('div', { class: 'grid2' },
      el('div', { class: 'scroll' }, el('table', { id: 'decisions' }, el('thead', {}, el('tr', {}, ['bar', 'action', 'confidence', 'verdict', 'latency ms'].map(h => el('th', {}, h)))),
        el('tbody', {}, decisions.map(d => el('tr', {}, el('td', {}, fmt.time(d.barTime)), el('td', {}, d.action), el('td', {}, fmt.num(d.confidence, 3)),
          el('td', {}, d.verdict), el('td', {}, fmt.num(d.latencyMs, 1))))))),
      el('div', {}, equity.length ? chart : el('p', { class: 'note' }, 'No paper trades yet.'))));
    if (equity.length) (await lineChart(chart, 'paper equity', 600)).set(equity.map(p => [p.barTime, p.equity]));
    await load();
  }

  await load();
  setInterval(() => load().catch(e => { error.textContent = e.message; }), 5000);
});
