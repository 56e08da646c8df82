// @healthz/heartbeat/http: emitters POST beats; the monitor's side is a node:http handler of
// the (req, res, next) shape, mountable through @healthz/http, Express or a plain server. The
// monitor's fleet page (fleet-page.ts) is served the same way.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { assertKnownOptions, describeValue, HealthzError, optionKeys } from '@healthz/core'
import { encodeHeartbeat, MAX_BEAT_BYTES } from './codec.js'
import { safeAuthorize } from './authorize.js'
import type { HeartbeatReceiver, HeartbeatTransport } from './types.js'

export { createFleetPage } from './fleet-page.js'
export type { FleetPage, FleetPageOptions, FleetPageStats } from './fleet-page.js'

/** Options of {@link httpTransport}. */
export interface HttpTransportOptions {
  /** Where the monitor's {@link HeartbeatReceiverTransport.handler} is mounted, e.g. `http://coordinator:8080/heartbeat`. */
  url: string | URL
  /** Extra request headers, e.g. an `authorization` token the receiver's `authorize` checks. @default {} */
  headers?: Record<string, string>
}

const HTTP_TRANSPORT_OPTIONS = optionKeys<HttpTransportOptions>({ url: true, headers: true })

/**
 * The sending side of the HTTP transport: each beat is one `POST` of JSON to `url` (with
 * keep-alive, through the global `fetch`). A non-2xx answer counts as a failed send.
 *
 * @example
 * ```ts
 * const heartbeat = startHeartbeat({
 *   nodeId: 'worker-1',
 *   transport: httpTransport({ url: 'http://coordinator:8080/heartbeat' }),
 * })
 * ```
 */
export function httpTransport(options: HttpTransportOptions): HeartbeatTransport {
  assertKnownOptions(options, HTTP_TRANSPORT_OPTIONS, 'httpTransport')
  let url: URL
  try {
    url = new URL(options.url)
  } catch {
    invalid(`httpTransport url must be an absolute http(s) URL such as http://coordinator:8080/heartbeat, got ${describeValue(typeof options.url === 'string' ? options.url : String(options.url))}.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') invalid(`httpTransport url must use http: or https:, got ${describeValue(url.protocol)}.`)
  if (options.headers !== undefined && (typeof options.headers !== 'object' || options.headers === null || Array.isArray(options.headers))) {
    invalid(`httpTransport headers must be an object of header names to values, got ${describeValue(options.headers)}.`)
  }
  const headers = { 'content-type': 'application/json', ...options.headers }
  const target = url.href
  return {
    name: 'http',
    async send(beat, { signal, message }) {
      const response = await fetch(target, { method: 'POST', headers, body: message ?? encodeHeartbeat(beat), signal })
      // Drain the body so the keep-alive connection can be reused.
      await response.arrayBuffer().catch(() => undefined)
      if (!response.ok) throw new HealthzError(`heartbeat receiver ${target} answered ${response.status}`, { code: 'CHECK_FAILED' })
    },
  }
}

/** Options of {@link httpReceiver}. */
export interface HttpReceiverOptions {
  /** The path beats are posted to; other paths go to `next` (or get a 404). @default '/heartbeat' */
  path?: string
  /** Decides whether a request may post beats (e.g. checks a bearer token); refused ones get 401. @default every request may */
  authorize?: (req: IncomingMessage) => boolean
}

const HTTP_RECEIVER_OPTIONS = optionKeys<HttpReceiverOptions>({ path: true, authorize: true })

/** A node:http handler; `next` passes a request that is not a beat on. */
export type HeartbeatHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void

/** The receiving side of the HTTP transport: give it to the monitor, mount its `handler`. */
export interface HeartbeatReceiverTransport extends HeartbeatTransport {
  /**
   * Answers `POST <path>` with 204 once the beat is handed to the monitor (413 for a body over
   * 64 KB, 405 for other methods, 401 when `authorize` refuses, 503 while no
   * monitor listens), and passes every other path to `next`, or answers 404 without one.
   * Shaped like `createHealthListener`: a plain listener, or `(req, res, next)` middleware.
   */
  readonly handler: HeartbeatHandler
}

/**
 * The receiving side of the HTTP transport. The monitor listens through it; its `handler`
 * is mounted wherever the application serves HTTP: as the `next` of `@healthz/http`'s
 * `createHealthListener`, as Express middleware (`app.use(receiver.handler)`), or as a
 * server's listener. The monitor hears it as always connected: when its server is down, it
 * is the emitters that cannot send.
 *
 * @example
 * ```ts
 * const receiver = httpReceiver({ path: '/heartbeat' })
 * const monitor = createHeartbeatMonitor({ transport: receiver })
 * createServer(createHealthListener(health, { next: receiver.handler })).listen(8080)
 * ```
 */
export function httpReceiver(options: HttpReceiverOptions = {}): HeartbeatReceiverTransport {
  assertKnownOptions(options, HTTP_RECEIVER_OPTIONS, 'httpReceiver')
  const { path = '/heartbeat', authorize } = options
  if (typeof path !== 'string' || !path.startsWith('/')) invalid(`httpReceiver path must start with '/', got ${describeValue(path)}.`)
  if (authorize !== undefined && typeof authorize !== 'function') invalid('httpReceiver authorize must be a function of the request that returns a boolean.')
  const receivers = new Set<HeartbeatReceiver>()
  const handler: HeartbeatHandler = function heartbeatReceiver(req, res, next) {
    const url = req.url ?? '/'
    const query = url.indexOf('?')
    if ((query === -1 ? url : url.slice(0, query)) !== path) {
      if (next !== undefined) next()
      else answer(res, 404, 'not found')
      return
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST')
      answer(res, 405, 'method not allowed: POST beats here')
      return
    }
    if (authorize !== undefined && !safeAuthorize(authorize, req)) {
      req.resume()
      answer(res, 401, 'unauthorized')
      return
    }
    if (receivers.size === 0) {
      req.resume()
      answer(res, 503, 'no heartbeat monitor is listening')
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BEAT_BYTES) tooLarge = true
      else chunks.push(chunk)
    })
    req.on('error', () => undefined)
    req.on('end', () => {
      if (tooLarge) {
        answer(res, 413, `a beat is at most ${MAX_BEAT_BYTES} bytes`)
        return
      }
      const body = Buffer.concat(chunks).toString('utf8')
      for (const receiver of receivers) receiver.deliver(body)
      res.writeHead(204, { 'cache-control': 'no-store' })
      res.end()
    })
  }
  return {
    name: 'http',
    handler,
    listen(receiver) {
      receivers.add(receiver)
      return Promise.resolve({
        close: () => {
          receivers.delete(receiver)
          return Promise.resolve()
        },
      })
    },
  }
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
  res.end(`${text}\n`)
}

function invalid(message: string): never {
  throw new HealthzError(message, { code: 'INVALID_OPTION' })
}
