// The fleet page on node:http: `GET <path>` answers the HTML page (a static snapshot that the
// script makes live), `GET <path>/events` a Server-Sent Events stream (a snapshot first, then
// diffs coalesced per `batchInterval`, `: ping` comments), every other path goes to `next`.
// The model (fleet-view.ts) and the markup (fleet-html.ts) live next door.
import { randomBytes } from 'node:crypto'
import { constants, createGzip, gzipSync } from 'node:zlib'
import type { Gzip } from 'node:zlib'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Clock, Health } from '@healthz/core'
import { assertKnownOptions, countOption, describeValue, durationOption, functionOption, HealthzError, optionKeys, systemClock } from '@healthz/core'
import type { HeartbeatHandler } from './http.js'
import type { HeartbeatMonitor } from './monitor.js'
import type { FleetDiff, FleetSource } from './fleet-view.js'
import { FleetView, STATE_ORDER } from './fleet-view.js'
import { renderFleetPage } from './fleet-html.js'
import { safeAuthorize } from './authorize.js'

/** Options of {@link createFleetPage}. */
export interface FleetPageOptions {
  /** Where the page is served; its stream is `<path>/events`. @default '/fleet' */
  path?: string
  /** The page's title and heading. @default 'Fleet' */
  title?: string
  /**
   * Decides whether a request may see the page and its stream (node ids and metadata are
   * internals: e.g. check a token or an internal network); refused ones get 401.
   * @default every request may
   */
  authorize?: (req: IncomingMessage) => boolean
  /**
   * How long changes are collected before they go out as one diff, in ms: a fleet where
   * thousands of members change at once costs a stream one event per batch, not one per member.
   * @default 250
   */
  batchInterval?: number
  /**
   * How often the page looks at every member's suspicion (without building snapshots), in ms:
   * a member whose φ (shown to a tenth, "< 1" below 1) changed, or that the monitor forgot,
   * goes into the next diff.
   * @default 1000
   */
  refreshInterval?: number
  /** How often an idle stream gets a `: ping` comment, so proxies keep it open, in ms. @default 15000 */
  pingInterval?: number
  /**
   * Rows of each state in the static snapshot (the page without JavaScript), by node id; the
   * live table lists every member.
   * @default 100
   */
  staticRows?: number
  /** Transitions kept for the "Recent transitions" list (memory: about 100 bytes each). @default 100 */
  history?: number
  /**
   * A health object: when its shutdown starts, the page ends its streams, so that open pages
   * do not hold the server's drain.
   */
  health?: Health
  /** The monitor's clock, when you gave it one: the page's times are read on it. @default systemClock */
  clock?: Clock
}

const FLEET_PAGE_OPTIONS = optionKeys<FleetPageOptions>({
  path: true,
  title: true,
  authorize: true,
  batchInterval: true,
  refreshInterval: true,
  pingInterval: true,
  staticRows: true,
  history: true,
  health: true,
  clock: true,
})

/** What a fleet page counts. */
export interface FleetPageStats {
  /** Open event streams. */
  subscribers: number
  /** Members the page shows. */
  members: number
  /** Rows serialised since the page was created: once per member, then once per change of a row. */
  rowsSerialised: number
  /** Diffs sent (one per batch with changes, to every stream). */
  diffs: number
}

/** A fleet page, as returned by {@link createFleetPage}. */
export interface FleetPage {
  /**
   * Answers `GET`/`HEAD <path>` with the page, `GET <path>/events` with the event stream,
   * other methods there with 405, and passes every other path to `next` (or answers 404).
   */
  readonly handler: HeartbeatHandler
  stats(): FleetPageStats
  /** Ends every stream (an `end` event, then the response ends) and stops listening to the monitor. Idempotent. */
  close(): void
}

/** Streams whose unsent bytes exceed this (beyond their snapshot) are ended; the browser reconnects and gets a fresh snapshot. */
const MAX_BUFFERED = 8 * 1024 * 1024

/**
 * A fleet page for a heartbeat monitor's members: node id, state, status, last beat, φ,
 * time in state, last transition, incarnation and metadata, live over Server-Sent Events, and
 * a static snapshot without JavaScript. One self-contained HTML page with a per-response CSP
 * nonce; built for fleets of tens of thousands (a virtualised table, diffs batched per
 * `batchInterval`, each row serialised once per change).
 *
 * @example
 * ```ts
 * const monitor = createHeartbeatMonitor({ transport })
 * const health = createHealth({ readiness: [monitor.check] })
 * // Only through `kubectl port-forward`: node ids and metadata are internals.
 * const fleet = createFleetPage(monitor, { path: '/fleet', health, authorize: (req) => req.socket.remoteAddress === '127.0.0.1' })
 * createServer(createHealthListener(health, { next: (req, res) => fleet.handler(req, res, () => app(req, res)) })).listen(8080)
 * ```
 */
export function createFleetPage(monitor: HeartbeatMonitor, options: FleetPageOptions = {}): FleetPage {
  assertKnownOptions(options, FLEET_PAGE_OPTIONS, 'createFleetPage')
  if (typeof monitor !== 'object' || monitor === null || typeof monitor.members !== 'function' || typeof monitor.on !== 'function') {
    invalid(`createFleetPage needs the monitor createHeartbeatMonitor() returns, got ${describeValue(monitor)}.`)
  }
  const path = options.path ?? '/fleet'
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('?') || path.includes('#')) {
    invalid(`createFleetPage path must start with '/' and hold no query, got ${describeValue(path)}.`)
  }
  const title = options.title ?? 'Fleet'
  if (typeof title !== 'string' || title.length === 0 || title.length > 200) invalid(`createFleetPage title must be a string of 1 to 200 characters, got ${describeValue(title)}.`)
  const authorize = functionOption(options.authorize, 'createFleetPage authorize', '(req) => boolean')
  const batchInterval = durationOption(options.batchInterval, 250, 'createFleetPage batchInterval')
  const refreshInterval = durationOption(options.refreshInterval, 1000, 'createFleetPage refreshInterval')
  const pingInterval = durationOption(options.pingInterval, 15_000, 'createFleetPage pingInterval')
  const staticRows = countOption(options.staticRows, 100, 'createFleetPage staticRows', { min: 0, max: 10_000 })
  const history = countOption(options.history, 100, 'createFleetPage history', { max: 10_000 })
  const health = options.health
  if (health !== undefined && (typeof health !== 'object' || health === null || typeof health.on !== 'function')) invalid('createFleetPage health must be the object createHealth() returns.')
  const clock = options.clock ?? systemClock
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function' || typeof clock.schedule !== 'function') {
    invalid(`createFleetPage clock must be a Clock (now() and schedule()), got ${describeValue(clock)}.`)
  }
  return new Page(monitor, { path, title, authorize, batchInterval, refreshInterval, pingInterval, staticRows, history, health, clock })
}

interface PageSettings {
  path: string
  title: string
  authorize: ((req: IncomingMessage) => boolean) | undefined
  batchInterval: number
  refreshInterval: number
  pingInterval: number
  staticRows: number
  history: number
  health: Health | undefined
  clock: Clock
}

class Page implements FleetPage {
  readonly handler: HeartbeatHandler
  private readonly view: FleetView
  private readonly streams = new Set<EventStream>()
  private readonly eventsPath: string
  private readonly eventsUrl: string
  private cancelFlush: (() => void) | undefined
  private cancelRefresh: (() => void) | undefined
  private cancelPing: (() => void) | undefined
  private readonly unwatch: (() => void) | undefined
  private diffs = 0
  private closed = false

  constructor(
    monitor: FleetSource,
    private readonly settings: PageSettings,
  ) {
    const { path, health } = settings
    this.eventsPath = path === '/' ? '/events' : `${path}/events`
    // Relative to the page, so the page also works behind a proxy that adds a prefix.
    this.eventsUrl = path === '/' ? 'events' : `${path.slice(path.lastIndexOf('/') + 1)}/events`
    this.view = new FleetView(monitor, settings.history, () => this.scheduleFlush())
    this.unwatch = health?.on('change', (event) => {
      if (event.type === 'phase' && event.previous === 'running') this.close()
    })
    this.handler = (req, res, next) => this.handle(req, res, next)
  }

  stats(): FleetPageStats {
    return { subscribers: this.streams.size, members: this.view.size, rowsSerialised: this.view.serialised, diffs: this.diffs }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.unwatch?.()
    this.cancelFlush?.()
    this.cancelRefresh?.()
    this.cancelPing?.()
    this.view.close()
    for (const stream of this.streams) stream.end('event: end\ndata: {}\n\n')
    this.streams.clear()
  }

  private handle(req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void {
    const url = req.url ?? '/'
    const query = url.indexOf('?')
    const pathname = query === -1 ? url : url.slice(0, query)
    const page = pathname === this.settings.path
    const events = pathname === this.eventsPath
    if (!page && !events) {
      if (next !== undefined) next()
      else plain(res, 404, 'not found')
      return
    }
    if (req.method !== 'GET' && !(page && req.method === 'HEAD')) {
      res.setHeader('allow', page ? 'GET, HEAD' : 'GET')
      plain(res, 405, `method not allowed: ${page ? 'GET or HEAD' : 'GET'}`)
      return
    }
    if (this.settings.authorize !== undefined && !safeAuthorize(this.settings.authorize, req)) {
      plain(res, 401, 'unauthorized')
      return
    }
    if (page) this.page(req, res)
    else this.stream(req, res)
  }

  private page(req: IncomingMessage, res: ServerResponse): void {
    this.refresh()
    const nonce = randomBytes(16).toString('base64')
    const { staticRows, title } = this.settings
    const html = renderFleetPage({
      title,
      nonce,
      events: this.eventsUrl,
      now: this.settings.clock.now(),
      total: this.view.size,
      counts: this.view.stateCounts(),
      groups: STATE_ORDER.map((state) => ({ state, ...this.view.rowsIn(state, staticRows) })),
      transitions: this.view.transitions(),
    })
    const gzip = acceptsGzip(req)
    const body = gzip ? gzipSync(html) : Buffer.from(html, 'utf8')
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      vary: 'accept-encoding',
      'content-type': 'text/html; charset=utf-8',
      'content-length': body.length,
      'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  private stream(req: IncomingMessage, res: ServerResponse): void {
    if (this.closed) {
      res.writeHead(204, SECURITY_HEADERS)
      res.end()
      return
    }
    this.refresh()
    const gzip = acceptsGzip(req)
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      vary: 'accept-encoding',
      'content-type': 'text/event-stream; charset=utf-8',
      'x-accel-buffering': 'no',
    })
    res.flushHeaders()
    const stream = new EventStream(res, gzip)
    const counts = JSON.stringify(this.view.stateCounts())
    const transitions = JSON.stringify(this.view.transitions())
    const snapshot = `retry: 2000\nevent: snapshot\ndata: {"now":${this.settings.clock.now()},"counts":${counts},"transitions":${transitions},"rows":${this.view.rowsJson()}}\n\n`
    // A large fleet's snapshot may take a while to drain: it does not count against the limit.
    stream.allowance = MAX_BUFFERED + snapshot.length
    stream.write(snapshot)
    this.streams.add(stream)
    const gone = (): void => {
      if (!this.streams.delete(stream)) return
      stream.destroy()
      if (this.streams.size === 0) this.idle()
    }
    req.on('close', gone)
    res.on('close', gone)
    res.on('error', gone)
    if (this.streams.size === 1) this.active()
  }

  /** The first stream opened: follow suspicion and keep the streams open. */
  private active(): void {
    const { clock, refreshInterval, pingInterval } = this.settings
    const refresh = (): void => {
      this.view.sweep()
      this.scheduleFlush()
      this.cancelRefresh = clock.schedule(refresh, refreshInterval)
    }
    this.cancelRefresh = clock.schedule(refresh, refreshInterval)
    const ping = (): void => {
      this.broadcast(': ping\n\n')
      this.cancelPing = clock.schedule(ping, pingInterval)
    }
    this.cancelPing = clock.schedule(ping, pingInterval)
    this.scheduleFlush()
  }

  /** The last stream closed: no timer runs while nobody watches (changes still update the rows). */
  private idle(): void {
    this.cancelRefresh?.()
    this.cancelPing?.()
    this.cancelFlush?.()
    this.cancelRefresh = this.cancelPing = this.cancelFlush = undefined
  }

  /** Brings the rows up to date now (for a page or a new stream), and sends what changed to the open streams. */
  private refresh(): void {
    this.view.sweep()
    this.flush()
  }

  private scheduleFlush(): void {
    if (this.cancelFlush !== undefined || this.streams.size === 0 || this.closed) return
    this.cancelFlush = this.settings.clock.schedule(() => {
      this.cancelFlush = undefined
      this.flush()
    }, this.settings.batchInterval)
  }

  private flush(): void {
    const diff = this.view.flush()
    if (diff === undefined || this.streams.size === 0) return
    this.diffs += 1
    this.broadcast(`event: diff\ndata: ${diffJson(diff, this.settings.clock.now(), JSON.stringify(this.view.stateCounts()))}\n\n`)
  }

  private broadcast(text: string): void {
    for (const stream of this.streams) {
      if (stream.buffered > stream.allowance) {
        // A client that does not read: end it rather than buffer the fleet for it.
        this.streams.delete(stream)
        stream.destroy()
        continue
      }
      stream.write(text)
    }
    if (this.streams.size === 0) this.idle()
  }
}

/**
 * One client's event stream: gzip-compressed when the client accepts it (the rows of a fleet
 * compress about 25 to 1), flushed event by event so that nothing waits in the compressor.
 */
class EventStream {
  private readonly gzip: Gzip | undefined
  /** How many unsent bytes are tolerated before the client counts as not reading. */
  allowance = MAX_BUFFERED

  constructor(
    private readonly res: ServerResponse,
    gzip: boolean,
  ) {
    if (!gzip) return
    this.gzip = createGzip()
    this.gzip.on('error', () => res.destroy())
    this.gzip.pipe(res)
  }

  /** Bytes written but not yet sent. */
  get buffered(): number {
    return this.res.writableLength + (this.gzip?.writableLength ?? 0)
  }

  write(text: string): void {
    if (this.gzip === undefined) {
      this.res.write(text)
      return
    }
    this.gzip.write(text)
    this.gzip.flush(constants.Z_SYNC_FLUSH)
  }

  end(text: string): void {
    if (this.gzip === undefined) this.res.end(text)
    else this.gzip.end(text)
  }

  destroy(): void {
    this.gzip?.destroy()
    this.res.destroy()
  }
}

/** Whether the request accepts gzip (and does not refuse it with q=0). */
function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding']
  if (typeof header !== 'string') return false
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';')
    return (coding.trim() === 'gzip' || coding.trim() === '*') && !params.some((param) => /^\s*q=0(\.0*)?\s*$/.test(param))
  })
}

function diffJson(diff: FleetDiff, now: number, counts: string): string {
  return `{"now":${now},"counts":${counts},"upsert":[${diff.upsert.join(',')}],"remove":${JSON.stringify(diff.remove)},"transitions":${JSON.stringify(diff.transitions)}}`
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' })
  res.end(`${text}\n`)
}

function invalid(message: string): never {
  throw new HealthzError(message, { code: 'INVALID_OPTION' })
}
