// @healthz/http: the one place that speaks node:http. Translates `health.handle()` results to
// node:http responses; every framework adapter builds on these functions.
import { createServer } from 'node:http'
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Health } from '@healthz/core'
import { assertKnownOptions, countOption, describeValue, functionOption, HealthzError, optionKeys } from '@healthz/core'
import { drainOnShutdown } from './drain.js'
import { assertHealth, defaultOnError, probeResponder } from './respond.js'

export { drainOnShutdown, trackConnections } from './drain.js'
export type { AnyServer, DrainOptions, DrainResult, ServerDrainer } from './drain.js'
export { createProbeResponder, sendHealthResponse } from './respond.js'
export type { ProbeRequest, ProbeResponder, ProbeResponderOptions } from './respond.js'

/** Options of {@link createHealthListener}. */
export interface HealthListenerOptions {
  /**
   * Where requests that are not probes go: your application's handler. Without it (and
   * without a `next` argument at call time) they get a plain 404.
   */
  next?: RequestListener
  /** Called when answering a probe failed unexpectedly (the request gets a 500). @default console.error */
  onError?: (error: Error) => void
}

const LISTENER_KEYS = optionKeys<HealthListenerOptions>({ next: true, onError: true })

/**
 * A node:http request listener that answers the probes. Callable as `(req, res)` (a plain
 * listener) or `(req, res, next)` (connect/Express-style middleware).
 */
export type HealthListener = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void

/**
 * Creates a node:http request listener that answers the probe paths and passes every other
 * request on, to `options.next`, to the `next` argument it is called with, or to a 404.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { createHealthListener } from '@healthz/http'
 *
 * const server = createServer(createHealthListener(health, { next: app }))
 * server.listen(8080)
 * ```
 */
export function createHealthListener(health: Health, options: HealthListenerOptions = {}): HealthListener {
  assertHealth(health, 'createHealthListener')
  assertKnownOptions(options, LISTENER_KEYS, 'createHealthListener')
  const fallback = functionOption(options.next, 'next', '(req, res) => void') ?? notFound
  // Called at the server's `request` event (or inside a framework's): the drain sees it there.
  const respond = probeResponder(health, functionOption(options.onError, 'onError', '(error) => void') ?? defaultOnError, undefined)
  return function healthzListener(req, res, next) {
    if (respond(req, res)) return
    if (next !== undefined) next()
    else fallback(req, res)
  }
}

/** Options of {@link createHealthServer}. */
export interface HealthServerOptions {
  /** The port to listen on; 0 picks a free one. @default 9000 */
  port?: number
  /**
   * The address to listen on. The kubelet probes the pod IP, so the default listens on every
   * address, IPv6 and IPv4 alike (Node's own default).
   * @default undefined (all addresses)
   */
  host?: string
  /** @default console.error */
  onError?: (error: Error) => void
}

const SERVER_KEYS = optionKeys<HealthServerOptions>({ port: true, host: true, onError: true })

/** A standalone health server, as returned by {@link createHealthServer}. */
export interface HealthServer {
  /** The underlying node:http server. */
  readonly server: Server
  /** Starts listening; resolves with the bound address. */
  listen(): Promise<AddressInfo>
  /** Stops listening and closes open connections; resolves when the server has closed. */
  close(): Promise<void>
}

/**
 * Creates a health server on a port of its own, separate from the application's: the probes
 * stay reachable whatever the application's middleware does, and can be kept off the public
 * ingress. Every path that is not a probe answers 404. During shutdown it keeps answering
 * (readiness 503) until the very end: it closes once the shutdown has stopped.
 *
 * @example
 * ```ts
 * const probes = createHealthServer(health, { port: 9000 })
 * await probes.listen()
 * // livenessProbe: { httpGet: { path: /livez, port: 9000 } }
 * ```
 */
export function createHealthServer(health: Health, options: HealthServerOptions = {}): HealthServer {
  assertHealth(health, 'createHealthServer')
  assertKnownOptions(options, SERVER_KEYS, 'createHealthServer')
  const port = countOption(options.port, 9000, 'port', { min: 0, max: 65_535 })
  const host = hostOption(options.host)
  const listenerOptions: HealthListenerOptions = {}
  if (options.onError !== undefined) listenerOptions.onError = options.onError
  const server = createServer(createHealthListener(health, listenerOptions))
  const close = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (!server.listening) return resolve()
      server.close((error) => (error === undefined ? resolve() : reject(error)))
      server.closeAllConnections()
    })
  // The probes stay up through the whole shutdown, hooks included, and close once it has stopped.
  health.on('change', (event) => {
    if (event.type === 'phase' && event.current === 'stopped') void close().catch(() => undefined)
  })
  return {
    server,
    close,
    listen: () =>
      new Promise<AddressInfo>((resolve, reject) => {
        server.once('error', reject)
        const onListening = (): void => {
          server.off('error', reject)
          resolve(server.address() as AddressInfo)
        }
        if (host === undefined) server.listen(port, onListening)
        else server.listen(port, host, onListening)
      }),
  }
}

/** Options of {@link attachHealth}. */
export interface AttachHealthOptions {
  /** @default console.error */
  onError?: (error: Error) => void
  /**
   * Drain the server as part of `health.shutdown()` (see {@link drainOnShutdown}).
   * @default true
   */
  drain?: boolean
}

const ATTACH_KEYS = optionKeys<AttachHealthOptions>({ onError: true, drain: true })

/**
 * Answers the probes on an existing server at its `request` event, before the application's
 * handler (Express, Koa, Nest, anything) sees them: the fastest path, and one that no auth
 * middleware, rate limiter or request logger can reach. The server is also drained when the
 * health object shuts down (`drain: false` to leave that to you). Returns a function that detaches.
 *
 * @example
 * ```ts
 * const server = app.listen(8080)
 * attachHealth(server, health)
 * ```
 */
export function attachHealth(server: Server | HttpsServer, health: Health, options: AttachHealthOptions = {}): () => void {
  assertHealth(health, 'attachHealth')
  if (typeof server !== 'object' || server === null || typeof server.emit !== 'function') {
    throw new HealthzError('attachHealth expects a node:http or node:https Server as its first argument.', { code: 'INVALID_OPTION' })
  }
  assertKnownOptions(options, ATTACH_KEYS, 'attachHealth')
  if (options.drain !== undefined && typeof options.drain !== 'boolean') {
    throw new HealthzError(`drain must be true or false, got ${describeValue(options.drain)}.`, { code: 'INVALID_OPTION' })
  }
  // Answers outside the `request` event: `server` lets the server's drains see these responses.
  const respond = probeResponder(health, functionOption(options.onError, 'onError', '(error) => void') ?? defaultOnError, server)
  const originalEmit = server.emit
  // Intercepting `emit` (rather than reordering listeners) also covers request listeners the
  // application adds after attaching.
  const emit = function healthzEmit(this: Server, event: string | symbol, req?: unknown, res?: unknown): boolean {
    if (event === 'request' && respond(req as IncomingMessage, res as ServerResponse)) return true
    // `arguments`, not a rest parameter: no array is built for the events we pass through.
    return Reflect.apply(originalEmit, this, arguments) as boolean
  }
  server.emit = emit as typeof server.emit
  const undrain = options.drain === false ? undefined : drainOnShutdown(health, server)
  return function detachHealth() {
    if (server.emit === emit) server.emit = originalEmit
    undrain?.()
  }
}

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
  res.end('not found\n')
}
/** The `host` option: a host name or address, or undefined for every address. */
function hostOption(host: unknown): string | undefined {
  if (host === undefined || (typeof host === 'string' && host !== '')) return host
  throw new HealthzError(`host must be a host name or address, got ${describeValue(host)}.`, { code: 'INVALID_OPTION' })
}
