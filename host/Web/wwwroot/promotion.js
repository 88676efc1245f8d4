import { api, boot, el, fmt, canReview, errorBox, state } from './app.js';

const checkNames = { sharpe: 'Sharpe', win_rate: 'Win rate', max_drawdown: 'Max drawdown', min_trades: 'Trades', staging_days: 'Days in staging' };
const show = (name, v) => v == null ? '–' : name === 'win_rate' || name === 'max_drawdown' ? fmt.pct(v) : name === 'min_trades' ? String(v) : fmt.num(v, 2);

boot(async main => {
  const q = new URLSearchParams(location.search);
  const models = await api('/api/models');
  const error = errorBox('request-error');
  const model = el('select', { id: 'req-model' }, models.map(m => el('option', { value: m.modelId }, `${m.modelId} (${m.status})`)));
  const backtest = el('select', { id: 'req-backtest' });
  const stage = el('select', { id: 'req-stage' }, el('option', { value: 'staging' }, 'staging'), el('option', { value: 'production' }, 'production'));
  const retire = el('input', { type: 'checkbox', id: 'req-retire' });
  const list = el('tbody', { id: 'requests-body' });
  const detail = el('section', { id: 'request-detail', hidden: true });
  if (q.get('model')) model.value = q.get('model');

  async function loadBacktests() {
    const runs = await api(`/api/backtests?modelId=${encodeURIComponent(model.value)}`);
    backtest.replaceChildren(...runs.map(b => el('option', { value: b.backtestId },
      `${fmt.date(b.start)} → ${fmt.date(b.end)} ${b.periodType ?? ''} · Sharpe ${fmt.num(b.sharpe)} · ${b.totalTrades ?? 0} trades · ${fmt.time(b.runAt)}`)));
    if (q.get('backtest')) backtest.value = q.get('backtest');
  }
  model.addEventListener('change', loadBacktests);

  const request = el('button', { id: 'request', disabled: !canReview(), onclick: async () => {
    error.textContent = '';
    try {
      const r = await api('/api/promotions', { method: 'POST', body: { modelId: model.value, backtestId: backtest.value, targetStage: stage.value, retirePrevious: retire.checked } });
      await loadList(); await open(r.requestId);
    } catch (e) { error.textContent = e.message; }
  } }, 'Request promotion');

  main.replaceChildren(
    el('section', {}, el('h1', {}, 'Promotion'),
      el('p', { class: 'note' }, 'A request is voted twice: automatically on the backtest\'s metrics (at once), and by a reviewer other than the requester with the checklist. ',
        'promoted and override_promoted deploy at once; the running service picks the model up without a restart.'),
      el('div', { class: 'row' }, el('label', {}, 'Model', model), el('label', {}, 'Backtest', backtest), el('label', {}, 'Target stage', stage),
        el('label', { class: 'check' }, retire, 'retire the experiment\'s production model'), request),
      canReview() ? null : el('p', { class: 'note' }, `Signed in as a ${state.me.role}: you can look, not request or vote.`), error),
    el('section', {}, el('h2', {}, 'Requests'), el('table', { id: 'requests' }, el('thead', {}, el('tr', {},
      ['created', 'model', 'stage', 'automatic', 'manual', 'final decision', 'requested by', 'voted by'].map(h => el('th', {}, h)))), list)),
    detail);

  async function loadList() {
    const rows = await api('/api/promotions');
    list.replaceChildren(...rows.map(r => el('tr', { class: 'clickable', 'data-request': r.requestId, onclick: () => open(r.requestId) },
      el('td', {}, fmt.time(r.createdAt)), el('td', { class: 'mono' }, r.modelId), el('td', {}, r.targetStage), el('td', {}, fmt.badge(r.autoVoteStatus)),
      el('td', {}, fmt.badge(r.manualVoteStatus)), el('td', {}, fmt.badge(r.finalDecision)), el('td', {}, r.requestedBy ?? ''), el('td', {}, r.manualVoteBy ?? ''))));
  }

  async function open(id) {
    const r = await api(`/api/promotions/${id}`);
    const checks = r.autoVote?.checks ?? [];
    const voteError = errorBox('vote-error');
    const boxes = [['equityCurveReviewed', 'I have reviewed the backtest equity curve'], ['tradeDistributionReviewed', 'I have reviewed the trade distribution'],
      ['teamNotified', 'I have notified the team']].map(([k, text]) => [k, el('input', { type: 'checkbox', id: `check-${k}`, checked: r[k] }), text]);
    const comment = el('textarea', { id: 'vote-comment', rows: 2, cols: 60 }, r.manualVoteComment ?? '');
    const pending = r.manualVoteStatus === 'pending';
    const own = state.me && r.requestedBy === state.me.email;
    const vote = decision => async () => {
      voteError.textContent = '';
      try {
        const body = { decision, comment: comment.value };
        for (const [k, box] of boxes) body[k] = box.checked;
        const res = await api(`/api/promotions/${id}/vote`, { method: 'POST', body });
        await loadList(); await open(id);
        if (res.deploy) document.getElementById('deploy-result').textContent =
          `Deployed: ${res.deploy.fromStatus} → ${res.deploy.toStatus}, ${res.deploy.featureRowsMarked} feature rows marked${res.deploy.retired.length ? `, retired ${res.deploy.retired.join(', ')}` : ''}.`;
      } catch (e) { voteError.textContent = e.message; }
    };
    detail.hidden = false;
    detail.replaceChildren(
      el('h2', {}, `Request ${r.requestId.slice(0, 8)}: ${r.modelId} → ${r.targetStage}`),
      el('p', {}, 'Final decision: ', el('span', { id: 'final-decision' }, fmt.badge(r.finalDecision)),
        r.promotedAt ? ` · deployed ${fmt.time(r.promotedAt)} ` : ' ', el('span', { id: 'deploy-result', class: 'note' })),
      el('div', { class: 'grid2' },
        el('div', {}, el('h2', {}, 'Automatic vote: ', el('span', { id: 'auto-status' }, fmt.badge(r.autoVoteStatus))),
          el('table', { id: 'checks' }, el('thead', {}, el('tr', {}, ['check', 'value', 'threshold', ''].map(h => el('th', {}, h)))),
            el('tbody', {}, checks.map(c => el('tr', { 'data-check': c.name },
              el('td', {}, checkNames[c.name] ?? c.name), el('td', { class: 'value' }, show(c.name, c.value)), el('td', {}, `≥ ${show(c.name, c.threshold)}`),
              el('td', { class: c.passed ? 'pass' : 'fail' }, c.passed ? '✓ pass' : '✗ fail'))))),
          el('p', { class: 'note' }, `Backtest ${r.backtestId ?? '–'} (${r.backtestPeriod ?? 'custom'}); requested by ${r.requestedBy} at ${fmt.time(r.createdAt)}.`)),
        el('div', {}, el('h2', {}, 'Manual vote: ', el('span', { id: 'manual-status' }, fmt.badge(r.manualVoteStatus)),
            r.manualVoteBy ? ` by ${r.manualVoteBy} at ${fmt.time(r.manualVoteAt)}` : ''),
          boxes.map(([, box, text]) => el('label', { class: 'check' }, box, text)),
          el('label', {}, 'Comment', comment),
          el('div', { class: 'row' },
            el('button', { id: 'approve', disabled: !pending || !canReview(), onclick: vote('approve') }, '✓ Approve'),
            el('button', { id: 'reject', class: 'danger', disabled: !pending || !canReview(), onclick: vote('reject') }, 'Reject')),
          own && pending ? el('p', { class: 'note' }, 'You requested this promotion: another reviewer must vote (four eyes).') : null,
          voteError)));
  }

  await loadBacktests();
  await loadList();
  if (q.get('request')) await open(q.get('request'));
});
