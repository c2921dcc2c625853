// vetch console: a single page over the server's own HTTP API (etcd's JSON gateway under /v3/, and
// /ui/api/cluster and /ui/api/metrics). No framework, no build step, nothing fetched from elsewhere.
'use strict';

// ---- bytes: the gateway carries keys and values as base64

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });
const b64 = (s) => bytesToB64(enc.encode(s));
const bytesToB64 = (bytes) => btoa(Array.from(bytes, (c) => String.fromCharCode(c)).join(''));
const unb64 = (s) => Uint8Array.from(atob(s || ''), (c) => c.charCodeAt(0));
const text = (s) => dec.decode(unb64(s));
const hex = (bytes) => Array.from(bytes, (c) => c.toString(16).padStart(2, '0')).join(' ');
/** etcd's prefix range end: the prefix with its last byte incremented ("\0" = every key when the prefix is empty). */
function prefixEnd(prefix) {
  const b = enc.encode(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 0xff) { const e = b.slice(0, i + 1); e[i]++; return bytesToB64(e); }
  }
  return bytesToB64(new Uint8Array([0]));
}
/** A lease id (an int64, a JSON string on the gateway) in hex as etcdctl prints it (%016x); BigInt keeps 64 bits. */
const hexId = (id) => BigInt.asUintN(64, BigInt(id)).toString(16).padStart(16, '0');
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const fmtBytes = (n) => n >= 1 << 30 ? (n / (1 << 30)).toFixed(1) + ' GiB' : n >= 1 << 20 ? (n / (1 << 20)).toFixed(1) + ' MiB'
  : n >= 1024 ? (n / 1024).toFixed(1) + ' KiB' : n + ' B';

// ---- the API, with the etcd token when logged in

const session = { token: sessionStorage.getItem('vetch.token'), user: sessionStorage.getItem('vetch.user') };
class ApiError extends Error { constructor(msg, code) { super(msg); this.code = code; } }
const AUTH_ERRORS = ['etcdserver: user name is empty', 'etcdserver: invalid auth token', 'etcdserver: authentication failed, invalid user ID or password'];

function headers() {
  const h = { 'content-type': 'application/json' };
  if (session.token) h.authorization = session.token;
  return h;
}

async function call(path, body) {
  return answer(session.token, await fetch(path, { method: 'POST', headers: headers(), body: JSON.stringify(body || {}) }));
}

async function getJson(path) {
  return answer(session.token, await fetch(path, { headers: headers() }));
}

/** The JSON body, or an ApiError; asks for a login when the token the request went with (sent) was refused. */
async function answer(sent, r) {
  const j = await r.json().catch(() => ({}));
  if (!r.ok) {
    const e = new ApiError(j.message || j.error || r.statusText, j.code);
    // a request that left before a login completed is refused for the old token: not a reason to ask again
    if (AUTH_ERRORS.includes(e.message) && session.token === sent) needLogin();
    throw e;
  }
  return j;
}

function showError(e) {
  const box = document.getElementById('error');
  if (!e) { box.hidden = true; return; }
  box.textContent = e.message || String(e);
  box.hidden = false;
}

// ---- login

function needLogin() {
  const d = document.getElementById('login');
  if (!d.open) d.showModal();
}

document.getElementById('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const name = document.getElementById('login-user').value;
  const password = document.getElementById('login-password').value;
  try {
    session.token = null;
    const r = await call('/v3/auth/authenticate', { name, password });
    session.token = r.token; session.user = name;
    sessionStorage.setItem('vetch.token', r.token); sessionStorage.setItem('vetch.user', name);
    document.getElementById('login-error').textContent = '';
    document.getElementById('login').close();
    showUser(); route();
  } catch (e) {
    document.getElementById('login-error').textContent = e.message;
  }
});

document.getElementById('logout').addEventListener('click', () => {
  session.token = session.user = null;
  sessionStorage.removeItem('vetch.token'); sessionStorage.removeItem('vetch.user');
  showUser(); route();
});

function showUser() {
  document.getElementById('who').textContent = session.user ? 'user: ' + session.user : '';
  document.getElementById('logout').hidden = !session.user;
}

// ---- pages: each renders into #view and may return a stop function run when leaving

const view = document.getElementById('view');
let leave = null;

const pages = {
  cluster: clusterPage, keys: keysPage, watch: watchPage, leases: leasesPage, metrics: metricsPage,
};

function route() {
  if (leave) { leave(); leave = null; }
  showError(null);
  const [name, ...rest] = (location.hash.replace(/^#\/?/, '') || 'cluster').split('/');
  const page = pages[name] || clusterPage;
  document.querySelectorAll('header nav a').forEach((a) => a.classList.toggle('active', a.id === 'nav-' + name));
  leave = page(decodeURIComponent(rest.join('/'))) || null;
}

function every(ms, fn) {
  let stopped = false;
  let timer = null;
  const tick = async () => {
    try { await fn(); } catch (e) { if (!stopped) showError(e); }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  tick();
  return () => { stopped = true; clearTimeout(timer); };
}

// Cluster: every member's role, Raft term and indexes, db size against the quota, alarms and health; live.
function clusterPage() {
  view.innerHTML = '<h1>Cluster</h1><div id="cluster-summary" class="card">loading…</div><table id="members"></table><h2>Alarms</h2><div id="alarms" class="card"></div>';
  return every(2000, async () => {
    const c = await getJson('/ui/api/cluster');
    showError(null);
    const leader = c.members.find((m) => m.role === 'leader');
    document.getElementById('cluster-summary').innerHTML =
      `cluster <code>${esc(c.clusterId)}</code> · ${c.members.length} members · leader: ` +
      `<b id="leader-name">${leader ? esc(leader.name || leader.id) : '<span class="bad">none</span>'}</b> · ` +
      `quota ${fmtBytes(+c.quotaBackendBytes)} · revision ${esc(c.revision)}`;
    document.getElementById('members').innerHTML = '<tr><th>Name</th><th>ID</th><th>Role</th><th>Client URLs</th>' +
      '<th>Raft term</th><th>Raft index</th><th>Applied index</th><th>DB size / quota</th><th>Health</th></tr>' +
      c.members.map((m) => {
        const pct = m.dbSize ? Math.min(100, 100 * m.dbSize / c.quotaBackendBytes) : 0;
        return `<tr data-member="${esc(m.name)}"><td>${esc(m.name)}</td><td class="mono">${esc(m.id)}</td>` +
          `<td><span class="badge ${m.role}">${m.role}</span></td><td class="mono">${esc(m.clientURLs.join(', '))}</td>` +
          (m.error ? `<td colspan="4" class="bad">${esc(m.error)}</td>`
            : `<td>${m.raftTerm}</td><td>${m.raftIndex}</td><td>${m.raftAppliedIndex}</td>` +
              `<td><span class="bar"><span style="width:${pct.toFixed(1)}%"></span></span> ${fmtBytes(m.dbSize)}</td>`) +
          `<td class="${m.healthy ? 'good' : 'bad'}">${m.healthy ? 'healthy' : 'unhealthy'}</td></tr>`;
      }).join('');
    document.getElementById('alarms').innerHTML = c.alarms.length
      ? c.alarms.map((a) => `<div class="bad">${esc(a.alarm)} on member ${esc(a.memberID)}</div>`).join('')
      : '<span class="muted">no alarms</span>';
  });
}

// Keys: a tree by prefix ("/" separates levels), a key's value in three views, its history, and edits.
function keysPage(arg) {
  view.innerHTML = `<h1>Keys</h1><div class="cols"><div><div class="row"><input id="prefix" placeholder="prefix" size="22">
    <button id="browse">Browse</button></div><div id="crumbs" class="muted"></div><div id="tree" class="card tree"></div>
    <div class="card"><h2>Put</h2><div class="row"><input id="put-key" placeholder="key" size="28"></div>
    <div class="row"><textarea id="put-value" placeholder="value" rows="3" cols="30"></textarea></div>
    <div class="row"><button id="put">Put</button><span id="put-result" class="muted"></span></div></div></div>
    <div id="key-view"></div></div>`;
  const prefixInput = document.getElementById('prefix');
  let prefix = '';
  async function browse(p) {
    prefix = p;
    prefixInput.value = p;
    document.getElementById('crumbs').textContent = 'prefix: ' + (p === '' ? '(all keys)' : p);
    const r = await call('/v3/kv/range', { key: p === '' ? b64('\0') : b64(p), range_end: prefixEnd(p), keys_only: true, limit: 5000 });
    const dirs = new Set(); const leaves = [];
    for (const kv of r.kvs || []) {
      const k = text(kv.key); const rest = k.slice(p.length); const i = rest.indexOf('/');
      if (i >= 0 && i < rest.length - 1) dirs.add(p + rest.slice(0, i + 1)); else leaves.push(k);
    }
    const tree = document.getElementById('tree');
    tree.innerHTML = (p ? '<a class="dir" data-dir="' + esc(p.replace(/[^/]*\/?$/, '')) + '">..</a>' : '') +
      [...dirs].sort().map((d) => `<a class="dir" data-dir="${esc(d)}">${esc(d.slice(p.length))}</a>`).join('') +
      leaves.map((k) => `<a class="leaf" data-key="${esc(k)}">${esc(k.slice(p.length) || k)}</a>`).join('') +
      (r.more ? '<div class="muted">more keys not shown</div>' : '') + (!dirs.size && !leaves.length ? '<span class="muted">no keys</span>' : '');
  }
  document.getElementById('tree').addEventListener('click', (ev) => {
    const a = ev.target.closest('a'); if (!a) return;
    if (a.dataset.dir !== undefined) browse(a.dataset.dir).catch(showError); else showKey(a.dataset.key).catch(showError);
  });
  document.getElementById('browse').onclick = () => browse(prefixInput.value).catch(showError);
  document.getElementById('put').onclick = async () => {
    try {
      const key = document.getElementById('put-key').value;
      const r = await call('/v3/kv/put', { key: b64(key), value: b64(document.getElementById('put-value').value) });
      document.getElementById('put-result').textContent = 'ok, revision ' + r.header.revision;
      await browse(prefix); await showKey(key);
    } catch (e) { showError(e); }
  };
  browse(arg || '').then(() => arg && !arg.endsWith('/') ? showKey(arg) : null).catch(showError);
  return null;
}

async function showKey(key) {
  const box = document.getElementById('key-view');
  const r = await call('/v3/kv/range', { key: b64(key) });
  const kv = (r.kvs || [])[0];
  if (!kv) { box.innerHTML = `<div class="card">key <code>${esc(key)}</code> does not exist</div>`; return; }
  const bytes = unb64(kv.value); const t = dec.decode(bytes);
  let json = null; try { json = JSON.stringify(JSON.parse(t), null, 2); } catch (e) { /* not JSON */ }
  box.innerHTML = `<div class="card"><h2 class="mono" id="key-name">${esc(key)}</h2>
    <div class="row muted">create revision <b id="create-rev">${kv.create_revision}</b> · mod revision <b id="mod-rev">${kv.mod_revision}</b>
    · version <b id="version">${kv.version}</b> · lease <b id="lease">${kv.lease && kv.lease !== '0' ? hexId(kv.lease) : 'none'}</b></div>
    <div class="row"><select id="value-as"><option value="text">text</option><option value="json" ${json ? 'selected' : ''}>JSON</option><option value="hex">hex</option></select></div>
    <pre id="value"></pre>
    <h2>Edit</h2><div class="row"><textarea id="edit-value" rows="3" cols="50"></textarea></div>
    <div class="row"><button id="save">Put</button><button id="cas" class="secondary">Compare-and-set (if still version ${kv.version})</button>
    <button id="delete" class="danger">Delete</button><span id="edit-result" class="muted"></span></div>
    <h2>History</h2><table id="history"><tr><th>mod revision</th><th>version</th><th>value</th></tr></table></div>`;
  const show = () => {
    const as = document.getElementById('value-as').value;
    document.getElementById('value').textContent = as === 'hex' ? hex(bytes) : as === 'json' && json ? json : t;
  };
  document.getElementById('value-as').onchange = show; show();
  document.getElementById('edit-value').value = t;
  const result = (msg) => { document.getElementById('edit-result').textContent = msg; };
  const newValue = () => b64(document.getElementById('edit-value').value);
  document.getElementById('save').onclick = async () => {
    try { await call('/v3/kv/put', { key: b64(key), value: newValue() }); result('saved'); await showKey(key); } catch (e) { showError(e); }
  };
  document.getElementById('cas').onclick = async () => {
    try {
      const r = await call('/v3/kv/txn', {
        compare: [{ key: b64(key), target: 'MOD', result: 'EQUAL', mod_revision: kv.mod_revision }],
        success: [{ request_put: { key: b64(key), value: newValue() } }],
      });
      if (r.succeeded) { await showKey(key); result('compare-and-set succeeded'); } else result('compare failed: the key changed since it was read');
    } catch (e) { showError(e); }
  };
  document.getElementById('delete').onclick = async () => {
    try { await call('/v3/kv/deleterange', { key: b64(key) }); box.innerHTML = `<div class="card">deleted <code>${esc(key)}</code></div>`; } catch (e) { showError(e); }
  };
  // history: read the key just below each version's mod revision, back to its creation or the compaction point
  const rows = [];
  let cur = kv;
  for (let i = 0; i < 20 && cur; i++) {
    rows.push(`<tr><td>${cur.mod_revision}</td><td>${cur.version}</td><td class="mono">${esc(text(cur.value)).slice(0, 200)}</td></tr>`);
    if (+cur.version <= 1) break;
    try {
      const h = await call('/v3/kv/range', { key: b64(key), revision: String(+cur.mod_revision - 1) });
      cur = (h.kvs || [])[0];
    } catch (e) {
      rows.push(`<tr><td colspan="3" class="muted">${esc(e.message)}</td></tr>`);
      break;
    }
  }
  document.getElementById('history').insertAdjacentHTML('beforeend', rows.join(''));
}

// Watch: a prefix watched over the gateway's streaming /v3/watch; events appear as they come.
function watchPage() {
  view.innerHTML = `<h1>Watch</h1><div class="row"><input id="watch-prefix" placeholder="prefix (empty: every key)" size="30">
    <button id="watch-start">Watch</button><button id="watch-stop" class="secondary" disabled>Stop</button>
    <span id="watch-state" class="muted">not watching</span></div>
    <table id="events"><tr><th>type</th><th>key</th><th>value</th><th>mod revision</th><th>at</th></tr></table>`;
  let abort = null;
  const state = (s) => { document.getElementById('watch-state').textContent = s; };
  const stop = () => {
    if (abort) abort.abort(); abort = null;
    document.getElementById('watch-start').disabled = false; document.getElementById('watch-stop').disabled = true;
  };
  document.getElementById('watch-stop').onclick = () => { stop(); state('stopped'); };
  document.getElementById('watch-start').onclick = async () => {
    stop();
    const p = document.getElementById('watch-prefix').value;
    abort = new AbortController();
    document.getElementById('watch-start').disabled = true; document.getElementById('watch-stop').disabled = false;
    try {
      const r = await fetch('/v3/watch', {
        method: 'POST', headers: headers(), signal: abort.signal,
        body: JSON.stringify({ create_request: { key: p === '' ? b64('\0') : b64(p), range_end: prefixEnd(p) } }),
      });
      const reader = r.body.getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) { state('the server ended the watch'); break; }
        buf += dec.decode(value, { stream: true });
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
          if (line.trim()) onWatchLine(JSON.parse(line), p, state);
        }
      }
    } catch (e) {
      if (e.name !== 'AbortError') showError(e);
    }
  };
  return stop;
}

function onWatchLine(msg, prefix, state) {
  if (msg.error) { showError(new ApiError(msg.error.message, msg.error.grpc_code)); return; }
  const w = msg.result || {};
  if (w.created) state('watching ' + (prefix === '' ? 'every key' : 'prefix ' + prefix) + ' from revision ' + (+w.header.revision + 1));
  if (w.canceled) state('canceled: ' + (w.cancel_reason || ''));
  const table = document.getElementById('events');
  for (const e of w.events || []) {
    const tr = document.createElement('tr');
    tr.className = 'event';
    tr.innerHTML = `<td>${e.type || 'PUT'}</td><td class="mono">${esc(text(e.kv.key))}</td><td class="mono">${esc(text(e.kv.value)).slice(0, 200)}</td>` +
      `<td>${e.kv.mod_revision}</td><td>${new Date().toLocaleTimeString()}</td>`;
    table.rows[0].after(tr);
  }
}

// Leases: every lease with its TTL left and attached keys; revoke.
function leasesPage() {
  view.innerHTML = '<h1>Leases</h1><table id="leases"><tr><td class="muted">loading…</td></tr></table>';
  const table = document.getElementById('leases');
  table.addEventListener('click', async (ev) => {
    const id = ev.target.dataset.revoke; if (!id) return;
    try { await call('/v3/lease/revoke', { ID: id }); ev.target.closest('tr').remove(); } catch (e) { showError(e); }
  });
  return every(2000, async () => {
    const r = await call('/v3/lease/leases', {});
    const rows = await Promise.all((r.leases || []).map((l) => call('/v3/lease/timetolive', { ID: l.ID, keys: true })));
    table.innerHTML = '<tr><th>ID</th><th>TTL left</th><th>granted TTL</th><th>keys</th><th></th></tr>' +
      (rows.length ? rows.map((t) => `<tr data-lease="${esc(t.ID)}"><td class="mono">${hexId(t.ID)}</td><td>${t.TTL}s</td><td>${t.grantedTTL}s</td>` +
        `<td class="mono">${(t.keys || []).map((k) => esc(text(k))).join('<br>') || '<span class="muted">none</span>'}</td>` +
        `<td><button class="danger" data-revoke="${esc(t.ID)}">Revoke</button></td></tr>`).join('')
        : '<tr><td colspan="5" class="muted">no leases</td></tr>');
  });
}

// Metrics: rates and latencies from the member's own metric history (/ui/api/metrics: a point every 5 s, kept
// for 10 minutes by the server), so the charts show the last minutes as soon as the page opens.
const SERIES = [
  { id: 'writes', title: 'Writes /s (put, delete, txn)', rate: 'writes' },
  { id: 'reads', title: 'Reads /s (range)', rate: 'reads' },
  { id: 'fsync', title: 'WAL fsync latency, ms (mean)', mean: ['fsync_seconds', 'fsyncs'] },
  { id: 'proposals', title: 'Proposals committed /s', rate: 'committed' },
  { id: 'pending', title: 'Proposals pending', gauge: 'pending' },
  { id: 'failed', title: 'Proposals failed /s', rate: 'failed' },
];

function seriesPoints(s, samples) {
  const pts = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1], b = samples[i], dt = (b.time_ms - a.time_ms) / 1000;
    let v;
    if (s.rate) v = (b[s.rate] - a[s.rate]) / dt;
    else if (s.mean) {
      const dc = b[s.mean[1]] - a[s.mean[1]];
      v = dc > 0 ? 1000 * (b[s.mean[0]] - a[s.mean[0]]) / dc : 0;
    } else v = b[s.gauge];
    pts.push({ t: b.time_ms, v: Math.max(0, v) });
  }
  return pts;
}

function chart(s, samples) {
  const pts = seriesPoints(s, samples);
  const W = 520, H = 160, span = 10 * 60 * 1000;
  const now = samples.length ? samples[samples.length - 1].time_ms : 0; // the server's clock, not the browser's
  const max = Math.max(1e-9, ...pts.map((p) => p.v)) * 1.1;
  const xy = pts.filter((p) => p.t >= now - span)
    .map((p) => `${(W * (1 - (now - p.t) / span)).toFixed(1)},${(H - 16 - (H - 26) * p.v / max).toFixed(1)}`).join(' ');
  const last = pts.length ? pts[pts.length - 1].v : 0;
  const fmt = (x) => x < 10 ? x.toFixed(2) : String(Math.round(x));
  return `<div class="card chart" id="chart-${s.id}"><div class="muted">${esc(s.title)}</div><div class="now">${fmt(last)}</div>
    <svg viewBox="0 0 ${W} ${H}" preserveAspectRatio="none"><line x1="0" y1="${H - 16}" x2="${W}" y2="${H - 16}" stroke="#dde2ea"/>
    <text x="2" y="12" font-size="11" fill="#6a7385">max ${fmt(max / 1.1)}</text>
    <text x="2" y="${H - 2}" font-size="11" fill="#6a7385">-10 min</text><text x="${W - 30}" y="${H - 2}" font-size="11" fill="#6a7385">now</text>
    <polyline fill="none" stroke="#2456c9" stroke-width="2" points="${xy}"/></svg></div>`;
}

function metricsPage() {
  view.innerHTML = '<h1>Metrics</h1><p class="muted">This member\'s own metrics (also at <a href="/metrics">/metrics</a>): a point every 5 s over the last 10 minutes, refreshed live.</p><div class="charts" id="charts"></div>';
  return every(5000, async () => {
    const r = await getJson('/ui/api/metrics');
    const samples = r.samples.map((a) => Object.fromEntries(r.fields.map((f, i) => [f, a[i]])));
    document.getElementById('charts').innerHTML = SERIES.map((s) => chart(s, samples)).join('');
  });
}

// ---- start

window.addEventListener('hashchange', route);
showUser();
route();
