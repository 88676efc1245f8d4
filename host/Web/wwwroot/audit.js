import { api, boot, el, fmt } from './app.js';

boot(async main => {
  const body = el('tbody', { id: 'audit-body' });
  main.replaceChildren(el('section', {}, el('h1', {}, 'Audit'),
    el('p', { class: 'note' }, 'Every promotion request, automatic and manual vote, stage change (deploys, retirements, cop models status) and kill-switch change: who and when.'),
    el('table', { id: 'audit' }, el('thead', {}, el('tr', {}, ['when (UTC)', 'who', 'action', 'model', 'request', 'detail'].map(h => el('th', {}, h)))), body)));
  async function load() {
    const rows = await api('/api/audit');
    body.replaceChildren(...rows.map(a => el('tr', { 'data-action': a.action },
      el('td', {}, fmt.time(a.at)), el('td', {}, a.actor), el('td', {}, fmt.badge(a.action)), el('td', { class: 'mono' }, a.modelId ?? ''),
      el('td', { class: 'mono' }, a.requestId ? a.requestId.slice(0, 8) : ''), el('td', {}, a.detail))));
  }
  await load();
  setInterval(load, 5000);
});
