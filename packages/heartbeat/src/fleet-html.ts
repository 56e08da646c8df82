// The fleet page as one self-contained HTML document: a string template with its CSS and its
// script inline under the response's CSP nonce, no framework, no build step. The server renders
// a static snapshot (counts by state and the first rows of each state) that works without
// JavaScript; the script replaces it with a live, virtualised table fed by the page's
// Server-Sent Events. Every value is escaped here, and the script writes text, never HTML.
import type { MemberState } from './membership.js'
import type { FleetRow, FleetTransition } from './fleet-view.js'
import { STATE_ORDER } from './fleet-view.js'

/** What the static snapshot shows. @internal */
export interface FleetPageModel {
  title: string
  nonce: string
  /** The events URL relative to the page. */
  events: string
  /** The monitor's clock now, ms. */
  now: number
  total: number
  counts: Record<MemberState, number>
  groups: Array<{ state: MemberState; rows: FleetRow[]; total: number }>
  transitions: FleetTransition[]
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text for HTML content and quoted attribute values. @internal */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char)
}

/** A duration as the page shows it: `0.4 s`, `12 s`, `3 min`, `2 h`, `4 d`. @internal */
export function formatAge(ms: number): string {
  const s = Math.max(0, ms) / 1000
  if (s < 10) return `${s.toFixed(1)} s`
  if (s < 120) return `${Math.round(s)} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  if (s < 172_800) return `${Math.round(s / 3600)} h`
  return `${Math.round(s / 86_400)} d`
}

const NUMBER = new Intl.NumberFormat('en')

const STATE_LABEL: Record<MemberState, string> = { alive: 'Alive', suspect: 'Suspect', dead: 'Dead', left: 'Left' }

function icon(state: string): string {
  return `<span class="ico ico-${escapeHtml(state)}" aria-hidden="true"></span>`
}

function phiText(phi: number): string {
  if (phi === 0) return '< 1'
  return phi >= 100 ? '≥ 100' : phi.toFixed(1)
}

function lastBeat(row: FleetRow, now: number): string {
  return row[1] === 'alive' && row[7] === 0 ? 'on time' : `${formatAge(now - row[6])} ago`
}

function rowHtml(row: FleetRow, now: number): string {
  const [nodeId, state, status, reason, incarnation, since, , phi, meta] = row
  return (
    `<tr class="s-${state}"><th scope="row">${escapeHtml(nodeId)}</th><td class="state">${icon(state)}${state}</td><td>${escapeHtml(status)}</td>` +
    `<td>${lastBeat(row, now)}</td><td>${phiText(phi)}</td><td>${formatAge(now - since)}</td><td>${escapeHtml(reason || '—')}</td>` +
    `<td>${escapeHtml(incarnation)}</td><td class="meta">${escapeHtml(meta)}</td></tr>`
  )
}

const HEAD_CELLS = ['Node', 'State', 'Status', 'Last beat', 'φ', 'In state for', 'Last transition', 'Incarnation', 'Metadata']

function headRow(): string {
  return `<tr>${HEAD_CELLS.map((cell) => `<th scope="col">${cell}</th>`).join('')}</tr>`
}

function transitionsHtml(transitions: FleetTransition[], now: number): string {
  if (transitions.length === 0) return '<p class="muted">No transitions since the page started.</p>'
  const rows = transitions
    .slice(-20)
    .reverse()
    .map(
      ([at, nodeId, previous, current, reason]) =>
        `<tr><td>${formatAge(now - at)} ago</td><th scope="row">${escapeHtml(nodeId)}</th><td class="state">${escapeHtml(previous || 'new')} → ${icon(current)}${escapeHtml(current)}</td><td>${escapeHtml(reason)}</td></tr>`,
    )
    .join('')
  return `<table class="transitions"><thead><tr><th scope="col">When</th><th scope="col">Node</th><th scope="col">Change</th><th scope="col">Reason</th></tr></thead><tbody>${rows}</tbody></table>`
}

/** The whole page. @internal */
export function renderFleetPage(model: FleetPageModel): string {
  const { title, nonce, now, counts, total } = model
  const summary = STATE_ORDER.map((state) => `<li class="s-${state}">${icon(state)}<span class="n">${NUMBER.format(counts[state])}</span> ${state}</li>`).join('')
  const groups = model.groups
    .filter((group) => group.total > 0)
    .map(({ state, rows, total: inState }) => {
      const note =
        rows.length < inState
          ? `<p class="muted">The first ${NUMBER.format(rows.length)} of ${NUMBER.format(inState)} by node id; with JavaScript the live table lists and searches them all.</p>`
          : ''
      return `<h3 id="static-${state}">${icon(state)}${STATE_LABEL[state]}: ${NUMBER.format(inState)}</h3>${note}<div class="scroll"><table class="members"><thead>${headRow()}</thead><tbody>${rows.map((row) => rowHtml(row, now)).join('')}</tbody></table></div>`
    })
    .join('')
  const buttons = ['all', ...STATE_ORDER]
    .map((state) => `<button type="button" class="filter" data-state="${state}" aria-pressed="${state === 'all'}">${state === 'all' ? 'All' : `${icon(state)}${STATE_LABEL[state as MemberState]}`} <span class="n">0</span></button>`)
    .join('')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style nonce="${nonce}">${CSS}</style>
</head>
<body>
<main id="fleet" data-events="${escapeHtml(model.events)}">
<header><h1>${escapeHtml(title)}</h1><p class="muted"><span id="total">${NUMBER.format(total)}</span> members · <span id="conn" role="status">snapshot at page load</span></p></header>
<ul class="counts" id="counts" aria-label="Members by state">${summary}</ul>
<section id="live" hidden aria-labelledby="live-title">
<h2 id="live-title">Members</h2>
<div class="controls">
<label for="search">Search node id or metadata</label>
<input id="search" type="search" autocomplete="off" spellcheck="false">
<div role="group" aria-label="Filter by state" class="filters">${buttons}</div>
</div>
<p class="muted" id="shown" aria-live="polite"></p>
<div id="viewport" class="viewport" tabindex="0" role="region" aria-label="Members table, scrollable">
<table class="members" id="table" aria-rowcount="0"><thead>${headRow()}</thead><tbody id="rows"></tbody></table>
</div>
</section>
<section id="snapshot" aria-labelledby="snapshot-title">
<h2 id="snapshot-title">Members</h2>
${groups || '<p class="muted">No members yet.</p>'}
</section>
<section aria-labelledby="transitions-title">
<h2 id="transitions-title">Recent transitions</h2>
<div id="transitions">${transitionsHtml(model.transitions, now)}</div>
</section>
</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`
}

// Colours: every state colour and the muted text keep at least 4.5:1 (WCAG AA) against the
// background in both schemes (checked in the browser test); the state also has a shape and a word.
const CSS = `
:root{--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--head:#f6f8fa;--alive:#116329;--suspect:#7d4e00;--dead:#a40e26;--left:#57606a;--focus:#0550ae;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--head:#161b22;--alive:#3fb950;--suspect:#d29922;--dead:#ff7b72;--left:#9198a1;--focus:#79c0ff}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1280px;margin:0 auto;padding:1rem 1.25rem 2rem}
h1{font-size:1.5rem;margin:.25rem 0}h2{font-size:1.15rem;margin:1.25rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .25rem}
.muted{color:var(--muted);margin:.25rem 0}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.counts{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;list-style:none;padding:0;margin:.75rem 0}
.counts li{font-size:1.05rem}.counts .n{font-weight:700;font-variant-numeric:tabular-nums}
.ico{display:inline-block;width:.75em;height:.75em;margin-right:.4em;vertical-align:-.05em;background:currentColor}
.ico-alive{border-radius:50%}
.ico-suspect{clip-path:polygon(50% 0,100% 100%,0 100%)}
.ico-dead{clip-path:polygon(20% 0,50% 30%,80% 0,100% 20%,70% 50%,100% 80%,80% 100%,50% 70%,20% 100%,0 80%,30% 50%,0 20%)}
.ico-left{border-radius:50%;background:transparent;border:2px solid currentColor}
.s-alive .state,.counts .s-alive,.s-alive.ico,h3 .ico-alive,.filter .ico-alive{color:var(--alive)}
.s-suspect .state,.counts .s-suspect,h3 .ico-suspect,.filter .ico-suspect{color:var(--suspect)}
.s-dead .state,.counts .s-dead,h3 .ico-dead,.filter .ico-dead{color:var(--dead)}
.s-left .state,.counts .s-left,h3 .ico-left,.filter .ico-left{color:var(--left)}
.transitions .ico-alive{color:var(--alive)}.transitions .ico-suspect{color:var(--suspect)}.transitions .ico-dead{color:var(--dead)}.transitions .ico-left{color:var(--left)}
.state{font-weight:600}
.controls{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;margin:.5rem 0}
.controls label{font-weight:600}
input[type=search]{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--muted);border-radius:6px;padding:.35rem .6rem;min-width:16rem}
.filters{display:flex;flex-wrap:wrap;gap:.4rem}
.filter{font:inherit;color:var(--fg);background:var(--head);border:1px solid var(--line);border-radius:6px;padding:.3rem .7rem;cursor:pointer}
.filter[aria-pressed=true]{border-color:var(--fg);font-weight:700}
.filter .n{font-variant-numeric:tabular-nums}
.viewport{height:min(70vh,640px);overflow:auto;border:1px solid var(--line);border-radius:6px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
.members{table-layout:fixed;min-width:960px}
.members th:nth-child(1){width:12%}
th,td{text-align:left;padding:0 .5rem;height:32px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;border-bottom:1px solid var(--line)}
thead th{position:sticky;top:0;background:var(--head);z-index:1;font-weight:600}
tbody th{font-weight:600;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.92em}
td.meta{color:var(--muted)}
.members th:nth-child(2){width:8%}.members th:nth-child(3){width:6%}.members th:nth-child(4){width:8%}.members th:nth-child(5){width:5%}.members th:nth-child(6){width:9%}.members th:nth-child(7){width:11%}.members th:nth-child(8){width:12%}
.transitions{max-width:900px}
tr.pad td{padding:0;border:0}
`

// The live page: plain ES2020, written as text (no bundler touches it). It reads the events
// URL from the page, keeps the members in a Map, and renders only the rows in view.
const SCRIPT = `
(function () {
  'use strict';
  var ORDER = { suspect: 0, dead: 1, alive: 2, left: 3 };
  var STATES = ['suspect', 'dead', 'alive', 'left'];
  var doc = document;
  var $ = function (id) { return doc.getElementById(id); };
  var root = $('fleet');
  var started = performance.now();
  var rows = new Map();
  var list = [];
  var counts = { alive: 0, suspect: 0, dead: 0, left: 0 };
  var transitions = [];
  var offset = 0;
  var filter = 'all';
  var query = '';
  var rowHeight = 32;
  var rendered = false;
  var frame = 0;
  var viewport = $('viewport');
  var body = $('rows');
  var table = $('table');
  var search = $('search');
  var buttons = Array.prototype.slice.call(doc.querySelectorAll('button.filter'));
  var fmt = new Intl.NumberFormat('en');
  $('snapshot').hidden = true;
  $('live').hidden = false;

  function age(ms) {
    var s = Math.max(0, ms) / 1000;
    if (s < 10) return s.toFixed(1) + ' s';
    if (s < 120) return Math.round(s) + ' s';
    if (s < 7200) return Math.round(s / 60) + ' min';
    if (s < 172800) return Math.round(s / 3600) + ' h';
    return Math.round(s / 86400) + ' d';
  }
  function monitorNow() { return Date.now() - offset; }
  function phiText(p) { return p === 0 ? '< 1' : p >= 100 ? '\\u2265 100' : p.toFixed(1); }
  function matches(r) {
    if (filter !== 'all' && r[1] !== filter) return false;
    if (query === '') return true;
    return r[0].toLowerCase().indexOf(query) !== -1 || r[8].toLowerCase().indexOf(query) !== -1;
  }
  function compare(a, b) {
    var d = ORDER[a[1]] - ORDER[b[1]];
    if (d !== 0) return d;
    return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
  }
  function rebuild() {
    list = [];
    rows.forEach(function (r) { if (matches(r)) list.push(r); });
    list.sort(compare);
  }
  function icon(state) {
    var span = doc.createElement('span');
    span.className = 'ico ico-' + state;
    span.setAttribute('aria-hidden', 'true');
    return span;
  }
  function cell(tr, tag, text, cls) {
    var c = doc.createElement(tag);
    if (cls) c.className = cls;
    if (text !== null) c.textContent = text;
    tr.appendChild(c);
    return c;
  }
  function pad(height) {
    var tr = doc.createElement('tr');
    tr.className = 'pad';
    tr.setAttribute('aria-hidden', 'true');
    var td = cell(tr, 'td', null);
    td.colSpan = 9;
    td.style.height = height + 'px';
    return tr;
  }
  function memberRow(r, index, now) {
    var tr = doc.createElement('tr');
    tr.className = 's-' + r[1];
    tr.setAttribute('aria-rowindex', String(index + 2));
    var th = cell(tr, 'th', r[0]);
    th.scope = 'row';
    th.title = r[0];
    var st = cell(tr, 'td', null, 'state');
    st.appendChild(icon(r[1]));
    st.appendChild(doc.createTextNode(r[1]));
    cell(tr, 'td', r[2]);
    cell(tr, 'td', r[1] === 'alive' && r[7] === 0 ? 'on time' : age(now - r[6]) + ' ago');
    cell(tr, 'td', phiText(r[7]));
    cell(tr, 'td', age(now - r[5]));
    cell(tr, 'td', r[3] || '\\u2014');
    cell(tr, 'td', String(r[4]));
    var meta = cell(tr, 'td', r[8], 'meta');
    meta.title = r[8];
    return tr;
  }
  function renderRows() {
    var now = monitorNow();
    var top = viewport.scrollTop;
    var height = viewport.clientHeight || 600;
    var start = Math.max(0, Math.floor(top / rowHeight) - 10);
    var end = Math.min(list.length, Math.ceil((top + height) / rowHeight) + 10);
    var fragment = doc.createDocumentFragment();
    if (start > 0) fragment.appendChild(pad(start * rowHeight));
    for (var i = start; i < end; i++) fragment.appendChild(memberRow(list[i], i, now));
    if (end < list.length) fragment.appendChild(pad((list.length - end) * rowHeight));
    body.replaceChildren(fragment);
    table.setAttribute('aria-rowcount', String(list.length + 1));
    var first = body.querySelector('tr:not(.pad)');
    if (first) {
      var measured = first.getBoundingClientRect().height;
      if (measured > 0 && Math.abs(measured - rowHeight) > 0.5) { rowHeight = measured; renderRows(); }
    }
  }
  function renderCounts() {
    var total = 0;
    STATES.forEach(function (s) { total += counts[s]; });
    $('total').textContent = fmt.format(total);
    var items = $('counts').children;
    for (var i = 0; i < items.length; i++) {
      var n = items[i].querySelector('.n');
      var s = items[i].className.slice(2);
      if (n) n.textContent = fmt.format(counts[s] || 0);
    }
    buttons.forEach(function (b) {
      var s = b.getAttribute('data-state');
      b.querySelector('.n').textContent = fmt.format(s === 'all' ? total : counts[s] || 0);
    });
    $('shown').textContent = fmt.format(list.length) + ' shown' + (filter === 'all' ? '' : ', ' + filter) + (query ? ', matching \\u201c' + query + '\\u201d' : '');
  }
  function renderTransitions() {
    var box = $('transitions');
    if (transitions.length === 0) { var p = doc.createElement('p'); p.className = 'muted'; p.textContent = 'No transitions since the page started.'; box.replaceChildren(p); return; }
    var now = monitorNow();
    var t = doc.createElement('table');
    t.className = 'transitions';
    var head = t.createTHead().insertRow();
    ['When', 'Node', 'Change', 'Reason'].forEach(function (h) { var th = doc.createElement('th'); th.scope = 'col'; th.textContent = h; head.appendChild(th); });
    var tb = t.createTBody();
    for (var i = transitions.length - 1; i >= 0 && i >= transitions.length - 20; i--) {
      var x = transitions[i];
      var tr = tb.insertRow();
      cell(tr, 'td', age(now - x[0]) + ' ago');
      var th = cell(tr, 'th', x[1]);
      th.scope = 'row';
      var change = cell(tr, 'td', (x[2] || 'new') + ' \\u2192 ', 'state');
      change.appendChild(icon(x[3]));
      change.appendChild(doc.createTextNode(x[3]));
      cell(tr, 'td', x[4]);
    }
    box.replaceChildren(t);
  }
  function render() {
    frame = 0;
    renderRows();
    renderCounts();
    renderTransitions();
  }
  function schedule() { if (frame === 0) frame = requestAnimationFrame(render); }
  function firstRender() {
    var work = performance.now();
    rebuild();
    render();
    void body.offsetHeight;
    var done = performance.now();
    rendered = true;
    root.setAttribute('data-render-ms', done.toFixed(1));
    root.setAttribute('data-render-work-ms', (done - work).toFixed(1));
    root.setAttribute('data-script-ms', (done - started).toFixed(1));
    performance.mark('fleet-rendered');
  }
  function receive(event) {
    var data = JSON.parse(event.data);
    offset = Date.now() - data.now;
    counts = data.counts;
    return data;
  }
  var source = new EventSource(root.getAttribute('data-events'));
  var conn = $('conn');
  source.addEventListener('snapshot', function (event) {
    var data = receive(event);
    rows = new Map();
    for (var i = 0; i < data.rows.length; i++) rows.set(data.rows[i][0], data.rows[i]);
    transitions = data.transitions;
    conn.textContent = 'live';
    if (!rendered) firstRender(); else { rebuild(); schedule(); }
  });
  source.addEventListener('diff', function (event) {
    var data = receive(event);
    for (var i = 0; i < data.upsert.length; i++) rows.set(data.upsert[i][0], data.upsert[i]);
    for (var j = 0; j < data.remove.length; j++) rows.delete(data.remove[j]);
    transitions = transitions.concat(data.transitions).slice(-100);
    rebuild();
    schedule();
  });
  source.addEventListener('end', function () { source.close(); conn.textContent = 'stream ended: reload for a fresh view'; });
  source.onerror = function () { conn.textContent = source.readyState === 2 ? 'disconnected: reload' : 'reconnecting\\u2026'; };
  source.onopen = function () { conn.textContent = 'live'; };
  viewport.addEventListener('scroll', schedule);
  var typing = 0;
  search.addEventListener('input', function () {
    clearTimeout(typing);
    typing = setTimeout(function () { query = search.value.trim().toLowerCase(); rebuild(); viewport.scrollTop = 0; schedule(); }, 80);
  });
  buttons.forEach(function (b) {
    b.addEventListener('click', function () {
      filter = b.getAttribute('data-state');
      buttons.forEach(function (o) { o.setAttribute('aria-pressed', String(o === b)); });
      rebuild();
      viewport.scrollTop = 0;
      schedule();
    });
  });
  setInterval(function () { if (rendered) schedule(); }, 1000);
})();
`
