// Shared by every page: the API helper (cookie + anti-forgery header), the header with the
// navigation and the signed-in user, the sign-in form, and small formatting helpers.
export const state = { me: null, csrf: null };

async function refreshCsrf() {
  const r = await fetch('/api/auth/antiforgery', { credentials: 'same-origin' });
  state.csrf = (await r.json()).token;
}

export async function api(path, opts = {}) {
  const o = { credentials: 'same-origin', ...opts, headers: { ...(opts.headers || {}) } };
  if (o.body !== undefined && typeof o.body !== 'string') { o.body = JSON.stringify(o.body); o.headers['Content-Type'] = 'application/json'; }
  if (o.method && o.method !== 'GET') { if (!state.csrf) await refreshCsrf(); o.headers['X-CSRF-TOKEN'] = state.csrf; }
  const r = await fetch(path, o);
  if (!r.ok) {
    let e; try { e = await r.json(); } catch { e = { error: `${r.status} ${r.statusText}` }; }
    const err = new Error(e.error || `${r.status}`); err.status = r.status; err.field = e.field; throw err;
  }
  return r.status === 204 ? null : r.json();
}

export const el = (tag, attrs = {}, ...children) => {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
    else if (v === true) n.setAttribute(k, '');
    else if (v !== false && v != null) n.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c != null) n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return n;
};

export const fmt = {
  num: (v, d = 2) => v == null ? '–' : Number(v).toFixed(d),
  pct: (v, d = 1) => v == null ? '–' : `${(Number(v) * 100).toFixed(d)} %`,
  time: v => v ? new Date(v).toISOString().replace('T', ' ').slice(0, 19) : '–',
  date: v => v ? String(v).slice(0, 10) : '–',
  badge: v => el('span', { class: `badge ${v}` }, v),
};

export const canReview = () => state.me && (state.me.role === 'reviewer' || state.me.role === 'admin');

const pages = [['models.html', 'Models'], ['backtest.html', 'Backtest'], ['promotion.html', 'Promotion'], ['audit.html', 'Audit']];

export async function boot(render) {
  const here = location.pathname.split('/').pop() || 'models.html';
  const user = el('div', { class: 'user', id: 'user' });
  document.body.prepend(el('header', {}, el('span', { class: 'brand' }, 'Cop'),
    el('nav', {}, pages.map(([href, name]) => el('a', { href, class: href === here ? 'active' : '' }, name))), user));
  const main = document.querySelector('main');
  try { state.me = await api('/api/auth/me'); } catch (e) { if (e.status !== 401 && e.status !== 403) throw e; state.me = null; }
  if (!state.me) { signIn(main, render); return; }
  await refreshCsrf();   // bound to the signed-in user
  user.append(el('span', { id: 'me' }, `${state.me.email} (${state.me.role})`),
    el('button', { class: 'secondary', id: 'sign-out', onclick: async () => { await api('/api/auth/logout', { method: 'POST' }); state.csrf = null; location.reload(); } }, 'Sign out'));
  await render(main);
}

function signIn(main) {
  const error = el('div', { class: 'error', id: 'login-error' });
  const email = el('input', { id: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = el('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = el('form', { class: 'row', id: 'login', onsubmit: async ev => {
    ev.preventDefault(); error.textContent = '';
    try { await refreshCsrf(); await api('/api/auth/login', { method: 'POST', body: { email: email.value, password: password.value } }); location.reload(); }
    catch (e) { error.textContent = e.message; }
  } }, el('label', {}, 'Email', email), el('label', {}, 'Password', password), el('button', { type: 'submit', id: 'sign-in' }, 'Sign in'));
  main.replaceChildren(el('section', {}, el('h1', {}, 'Sign in'), form, error,
    el('p', { class: 'note' }, 'Users are added with: cop users add <email> --role viewer|reviewer|admin')));
}

export function errorBox(id) { return el('div', { class: 'error', id }); }

// uPlot line chart of (time, value) points that can grow; times are ISO strings.
export async function lineChart(container, label, width) {
  const { default: uPlot } = await import('./lib/uplot/uPlot.esm.js');
  const data = [[], []];
  const plot = new uPlot({
    width: width || Math.max(600, container.clientWidth - 20), height: 300,
    series: [{}, { label, stroke: '#1a56db', width: 1.5 }],
    scales: { x: { time: true } },
    axes: [{}, { size: 80 }],
  }, data, container);
  return {
    plot,
    push(t, v) { data[0].push(new Date(t).getTime() / 1000); data[1].push(v); plot.setData(data); },
    set(points) { data[0] = points.map(p => new Date(p[0]).getTime() / 1000); data[1] = points.map(p => p[1]); plot.setData(data); },
    get length() { return data[0].length; },
  };
}
