// @healthz/http: the one place that speaks node:http. Translates `health.handle()` results to
// node:http responses; every framework adapter builds on these functions.
import { createServer } from 'node:http'
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Health } from '@healthz/core'
import { assertHealth, assertKnownOptions, countOption, functionOption, optionKeys, reportToConsole } from '@healthz/core'
import { hostOption, startListening } from './listen.js'
import { probeResponder } from './respond.js'

export { attachHealth } from './attach.js'
export type { AttachHealthOptions } from './attach.js'
export { drainOnShutdown, trackConnections } from './drain.js'
export type { AnyServer, DrainOptions, DrainResult, ServerDrainer } from './drain.js'
export { listen } from './listen.js'
export { startLivenessWorker } from './liveness.js'
export type { LivenessWorker, LivenessWorkerOptions } from './liveness.js'
export type { ListenOptions } from './listen.js'
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
  const respond = probeResponder(health, functionOption(options.onError, 'onError', '(error) => void') ?? reportToConsole, undefined)
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
  const host = hostOption(options.host, 'host')
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
    listen: () => startListening(server, port, host),
  }
}

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
  res.end('not found\n')
}
