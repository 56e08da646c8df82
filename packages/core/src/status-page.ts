// The opt-in status page (`createHealth({ statusPage })`): the `statusPage` option, the page
// (one self-contained HTML document with a per-response CSP nonce) and its Server-Sent Events
// stream at `<path>/events`, both answered through `health.handle()`. It reads what the health
// object already has (the snapshot, the bounded history); a page load or an open stream never
// runs a check. Streams end when the shutdown reaches `closing`, so no server drain waits on them.
import { randomBytes } from 'node:crypto'
import { posix } from 'node:path'
import type { Clock } from './clock.js'
import { HealthzError, toError } from './errors.js'
import type { DetailsPolicy, HealthRequest, HealthResponse, StatusSink } from './handler.js'
import { disclosure } from './handler.js'
import type { HealthChangeEvent } from './health.js'
import { assertKnownOptions, countOption, describeValue, optionKeys } from './options.js'
import type { ProbeKind } from './report.js'
import type { CheckResult } from './run.js'
import type { ProbePaths } from './routes.js'
import type { ShutdownPhase } from './shutdown.js'
import type { HealthSnapshot } from './snapshot.js'
import { StatusHistory } from './status-history.js'
import { escapeHtml, htmlH, renderStatus } from './status-render.js'
import type { StatusView } from './status-view.js'
import { buildStatusView } from './status-view.js'

/** Options of the status page (`createHealth({ statusPage })`). */
export interface StatusPageOptions {
  /**
   * Where the page is served (after `prefix`); its event stream is `<path>/events`.
   * @default '/statusz'
   */
  path?: string
  /**
   * How many recent runs (for the sparkline) and transitions the page keeps per check, and
   * transitions per probe and for the service: the bound of its memory. 1 to 10000.
   * @default 100
   */
  history?: number
}

/** The status page as a health object serves it (`health.statusPage`). */
export interface StatusPageInfo {
  /** The page's full path, `prefix` included. */
  readonly path: string
  /** The full path of its Server-Sent Events stream: `<path>/events`. */
  readonly events: string
  /** How many samples and transitions are kept per check. */
  readonly history: number
  /** How many event streams are open now. */
  readonly subscribers: number
}

/** @internal The keys of {@link StatusPageOptions}. */
export const STATUS_PAGE_KEYS = optionKeys<StatusPageOptions>({ path: true, history: true })

/** How often an open stream gets a comment line, in ms, so proxies and browsers keep it open. */
export const STATUS_PING_INTERVAL = 15_000

const DEFAULT_PATH = '/statusz'
const DEFAULT_HISTORY = 100
const MAX_HISTORY = 10_000

/** @internal The `statusPage` option resolved: undefined when off. */
export function statusPageOption(value: unknown, prefix: string | undefined, probes: Readonly<Required<ProbePaths>>): { path: string; history: number } | undefined {
  if (value === undefined || value === false) return undefined
  const given = value === true ? {} : value
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new HealthzError(`statusPage must be true, false or an object like { path: '/statusz', history: 100 }, got ${describeValue(value)}.`, { code: 'INVALID_OPTION' })
  }
  const options = assertKnownOptions(given, STATUS_PAGE_KEYS, 'statusPage')
  const path = options['path'] ?? DEFAULT_PATH
  if (typeof path !== 'string' || !/^\/[^?#\s]*$/.test(path) || path === '/') {
    throw new HealthzError(`statusPage.path must be a path like '/statusz', got ${describeValue(path)}.`, { code: 'INVALID_OPTION' })
  }
  const base = prefix === undefined || prefix === '' ? '' : prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
  const full = base + (path.endsWith('/') ? path.slice(0, -1) : path)
  for (const [probe, probePath] of Object.entries(probes)) {
    for (const own of [full, `${full}/events`]) {
      if (own === probePath || own.startsWith(`${probePath}/`)) {
        throw new HealthzError(`statusPage.path ${full} collides with the ${probe} probe at ${probePath} (its per-check paths are ${probePath}/<check>); choose another path, like '/statusz'.`, {
          code: 'INVALID_OPTION',
        })
      }
    }
  }
  return { path: full, history: countOption(options['history'], DEFAULT_HISTORY, 'statusPage.history', { max: MAX_HISTORY }) }
}

/** @internal What the page reads of its health object. */
export interface StatusHost {
  readonly clock: Clock
  readonly details: DetailsPolicy
  readonly paths: Readonly<Required<ProbePaths>>
  snapshot(): HealthSnapshot
  phase(): ShutdownPhase
  onError(error: Error): void
}

interface Subscriber {
  readonly sink: StatusSink
  readonly disclose: boolean
}

const PAGE_METHODS = 'GET, HEAD'
const ENDED = new Set<ShutdownPhase>(['closing', 'stopped'])

/** @internal The status page of one health object. */
export class StatusPage {
  readonly history: StatusHistory
  readonly info: StatusPageInfo
  private readonly subscribers = new Set<Subscriber>()
  private readonly hrefs: Readonly<Record<ProbeKind, string>>
  private readonly eventsHref: string
  private cancelPing: (() => void) | undefined
  private flushQueued = false

  constructor(
    readonly path: string,
    capacity: number,
    private readonly host: StatusHost,
  ) {
    this.history = new StatusHistory(capacity, () => host.clock.now())
    const events = `${path}/events`
    const subscribers = this.subscribers
    this.info = Object.freeze({
      path,
      events,
      history: capacity,
      get subscribers() {
        return subscribers.size
      },
    })
    // Links relative to the page, so they hold under any mount path a framework adds.
    const from = posix.dirname(path)
    const relative = (to: string): string => posix.relative(from, to)
    this.hrefs = { liveness: relative(host.paths.liveness), readiness: relative(host.paths.readiness), startup: relative(host.paths.startup) }
    this.eventsHref = relative(events)
  }

  matches(target: string): boolean {
    const path = pathOf(target)
    return path === this.path || path === `${this.path}/` || path === `${this.path}/events`
  }

  /** A check recorded a result: into the history, and to the open streams. */
  record(result: CheckResult): void {
    this.history.record(result)
    this.queueFlush()
  }

  /** A `change` event: into the history, and to the open streams; `closing` ends the streams. */
  change(event: HealthChangeEvent): void {
    this.history.change(event)
    if (event.type === 'phase' && ENDED.has(event.current)) this.endAll(event.current)
    else this.queueFlush()
  }

  /** The checks that exist now: the history of any other is dropped. */
  keep(names: ReadonlySet<string>): void {
    this.history.keep(names)
  }

  async handle(request: HealthRequest): Promise<HealthResponse | undefined> {
    const path = pathOf(request.path)
    const method = request.method ?? 'GET'
    if (path !== this.path && path !== `${this.path}/` && path !== `${this.path}/events`) return undefined
    if (method !== 'GET' && method !== 'HEAD') {
      const body = `method ${method} not allowed; the status page answers GET and HEAD\n`
      return text(405, body, { allow: PAGE_METHODS })
    }
    if (path === `${this.path}/`) {
      // Relative links on the page assume no trailing slash.
      const query = request.path.indexOf('?')
      return { status: 308, headers: { location: `../${posix.basename(this.path)}${query === -1 ? '' : request.path.slice(query)}`, 'cache-control': 'no-store', 'content-length': '0' }, body: '' }
    }
    const disclose = await disclosure(this.host.details, request, this.host.onError)
    if (path === this.path) return this.page(method, disclose)
    return this.events(method, disclose)
  }

  private page(method: string, disclose: boolean): HealthResponse {
    const nonce = randomBytes(18).toString('base64')
    const view = this.view(disclose)
    const body = renderPage(view, nonce, this.eventsHref)
    return {
      status: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        ...SECURITY_HEADERS,
        'content-length': String(Buffer.byteLength(body)),
      },
      body: method === 'HEAD' ? '' : body,
    }
  }

  private events(method: string, disclose: boolean): HealthResponse {
    if (ENDED.has(this.host.phase())) {
      // A non-200 answer stops an EventSource from reconnecting to a server that is going away.
      return text(503, 'the service is shutting down; the status stream has ended\n', {})
    }
    const headers = { 'content-type': 'text/event-stream; charset=utf-8', ...SECURITY_HEADERS, 'x-accel-buffering': 'no' }
    if (method === 'HEAD') return { status: 200, headers, body: '' }
    return {
      status: 200,
      headers,
      body: '',
      stream: (sink) => this.subscribe(sink, disclose),
    }
  }

  private subscribe(sink: StatusSink, disclose: boolean): () => void {
    if (ENDED.has(this.host.phase())) {
      sink.end()
      return () => undefined
    }
    const subscriber: Subscriber = { sink, disclose }
    this.subscribers.add(subscriber)
    this.send(subscriber, `retry: 2000\nevent: snapshot\ndata: ${JSON.stringify(this.view(disclose))}\n\n`)
    this.armPing()
    return () => this.drop(subscriber)
  }

  private view(disclose: boolean): StatusView {
    return buildStatusView(this.host.snapshot(), this.history, disclose, this.hrefs)
  }

  private queueFlush(): void {
    if (this.flushQueued || this.subscribers.size === 0) return
    this.flushQueued = true
    // One event for what settles together: a probe's checks, then the probe's own transition.
    this.host.clock.schedule(() => {
      this.flushQueued = false
      this.flush()
    }, 0)
  }

  private flush(): void {
    if (this.subscribers.size === 0) return
    const events = new Map<boolean, string>()
    for (const subscriber of [...this.subscribers]) {
      let event = events.get(subscriber.disclose)
      if (event === undefined) {
        event = `event: change\ndata: ${JSON.stringify(this.view(subscriber.disclose))}\n\n`
        events.set(subscriber.disclose, event)
      }
      this.send(subscriber, event)
    }
  }

  private armPing(): void {
    if (this.cancelPing !== undefined || this.subscribers.size === 0) return
    this.cancelPing = this.host.clock.schedule(() => {
      this.cancelPing = undefined
      for (const subscriber of [...this.subscribers]) this.send(subscriber, ': ping\n\n')
      this.armPing()
    }, STATUS_PING_INTERVAL)
  }

  private send(subscriber: Subscriber, chunk: string): void {
    try {
      subscriber.sink.write(chunk)
    } catch (error) {
      this.drop(subscriber)
      this.host.onError(toError(error))
    }
  }

  private drop(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber)
    if (this.subscribers.size === 0) {
      this.cancelPing?.()
      this.cancelPing = undefined
    }
  }

  private endAll(phase: ShutdownPhase): void {
    const ending = `event: end\ndata: ${JSON.stringify({ phase })}\n\n`
    for (const subscriber of [...this.subscribers]) {
      this.send(subscriber, ending)
      this.drop(subscriber)
      try {
        subscriber.sink.end()
      } catch (error) {
        this.host.onError(toError(error))
      }
    }
  }
}

const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' } as const

function text(status: number, body: string, headers: Record<string, string>): HealthResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS, ...headers, 'content-length': String(Buffer.byteLength(body)) }, body }
}

function pathOf(target: string): string {
  const query = target.indexOf('?')
  return query === -1 ? target : target.slice(0, query)
}

/** @internal The whole page: the shell, the rows rendered by {@link renderStatus}, and the script that keeps them live. */
export function renderPage(view: StatusView, nonce: string, eventsHref: string): string {
  const name = view.service.name ?? 'service'
  const version = view.service.version === undefined ? '' : ` <span class="muted">${escapeHtml(view.service.version)}</span>`
  const release = view.service.releaseId === undefined ? '' : ` <span class="muted">(${escapeHtml(view.service.releaseId)})</span>`
  const description = view.service.description === undefined ? '' : `<p>${escapeHtml(view.service.description)}</p>`
  const withheld = view.disclosed ? '' : '<p class="muted">Error text is withheld from this request by the details policy.</p>'
  const n = escapeHtml(nonce)
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="color-scheme" content="light dark"><meta name="referrer" content="no-referrer"><link rel="icon" href="data:,"><title>${escapeHtml(name)} status</title><style nonce="${n}">${CSS}</style></head>` +
    `<body><main id="status" data-events="${escapeHtml(eventsHref)}"><header><h1>${escapeHtml(name)}${version}${release}</h1>${description}` +
    `<p id="live" role="status">Snapshot: reload for a newer one (live updates need JavaScript).</p>` +
    `<button id="pause" type="button" aria-pressed="false" hidden>Pause live updates</button>${withheld}</header>` +
    `${renderStatus(view, htmlH).html}</main><script nonce="${n}">${script()}</script></body></html>`
  )
}

let clientScript: string | undefined
/** The page's script, built once: the renderer's own source and a DOM `h`. */
function script(): string {
  clientScript ??= `(()=>{"use strict";const renderStatus=(${renderStatus.toString()});${CLIENT}})()`
  return clientScript
}

// The live half of the page. No eval, no innerHTML: text goes in through text nodes.
const CLIENT = `
const root=document.getElementById("status"),live=document.getElementById("live"),pause=document.getElementById("pause");
const url=root&&root.getAttribute("data-events");
if(!url||typeof EventSource!=="function")return;
const SVG=new Set(["svg","polyline","circle"]);
const h=(tag,attrs,children)=>{const el=SVG.has(tag)?document.createElementNS("http://www.w3.org/2000/svg",tag):document.createElement(tag);
if(attrs)for(const [name,value] of Object.entries(attrs))if(value!==undefined)el.setAttribute(name,value);
for(const child of children||[])el.append(child);return el};
let paused=false,pending,count=0;
const say=(message)=>{live.textContent=message};
const apply=(view)=>{const start=performance.now();const focused=document.activeElement&&document.activeElement.id;
const part=document.getElementById("live-part");if(part)part.replaceWith(renderStatus(view,h));
if(focused){const again=document.getElementById(focused);if(again&&again!==document.activeElement)again.focus()}
performance.measure("healthz:render",{start});count+=1;root.setAttribute("data-updates",String(count))};
const receive=(event)=>{const view=JSON.parse(event.data);if(paused){pending=view;return}apply(view)};
const source=new EventSource(url);
source.addEventListener("snapshot",receive);source.addEventListener("change",receive);
source.addEventListener("open",()=>say("Live: rows update as results change."));
source.addEventListener("end",()=>{source.close();root.setAttribute("data-ended","true");say("The service is shutting down: live updates have ended. Reload to see it again.")});
source.addEventListener("error",()=>say(source.readyState===EventSource.CLOSED?"Disconnected: reload to reconnect.":"Reconnecting…"));
pause.hidden=false;
pause.addEventListener("click",()=>{paused=!paused;pause.setAttribute("aria-pressed",String(paused));pause.textContent=paused?"Resume live updates":"Pause live updates";
if(!paused&&pending!==undefined){apply(pending);pending=undefined}});
`

// Colours: GitHub Primer's, which meet WCAG AA (4.5:1) for text on their backgrounds in both schemes; a test measures them.
const CSS = `
:root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--pass:#1a7f37;--warn:#9a6700;--fail:#d1242f;--link:#0969da;--focus:#0969da;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#f0f6fc;--muted:#9198a1;--line:#3d444d;--pass:#3fb950;--warn:#d29922;--fail:#f85149;--link:#4493f8;--focus:#4493f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:72rem;margin:0 auto;padding:1rem 1.25rem 2rem}
h1{font-size:1.5rem;margin:.25rem 0}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
a{color:var(--link)}
a:focus-visible,button:focus-visible{outline:3px solid var(--focus);outline-offset:2px;border-radius:3px}
button{font:inherit;color:var(--fg);background:transparent;border:1px solid var(--line);border-radius:6px;padding:.25rem .75rem;cursor:pointer}
.muted{color:var(--muted)}
.summary{font-size:1.05rem}
table{border-collapse:collapse;width:100%}
caption{text-align:left;color:var(--muted);padding-bottom:.25rem}
th,td{text-align:left;vertical-align:top;padding:.4rem .6rem;border-bottom:1px solid var(--line)}
thead th{font-weight:600;border-bottom-width:2px}
tbody th{font-weight:600}
.tags{display:block;font-weight:400;font-size:.85rem}
.state{font-weight:600;white-space:nowrap}
.state-pass{color:var(--pass)}.state-warn{color:var(--warn)}.state-fail{color:var(--fail)}.state-pending,.state-other{color:var(--muted)}
.icon{display:inline-block;width:1.1em;text-align:center}
tr[data-state=fail]>th{box-shadow:inset 4px 0 var(--fail)}tr[data-state=warn]>th{box-shadow:inset 4px 0 var(--warn)}
.spark{display:block;overflow:visible}.spark-line{stroke:var(--link);stroke-width:1.5}.spark-fail{fill:var(--fail)}
.output{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;word-break:break-word}
#timeline{list-style:none;padding:0;margin:0}#timeline li{padding:.3rem 0;border-bottom:1px solid var(--line)}
.subject{font-weight:600}
`.replace(/\n/g, '')
