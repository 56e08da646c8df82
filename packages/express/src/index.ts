// @healthz/express: the probes for Express 4 and 5. Two ways in, one mechanism
// (@healthz/http): ahead of Express at the server's `request` event (fastest, and out of
// reach of every middleware), or as Express middleware inside the app's pipeline.
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { assertKnownOptions, countOption, describeValue, functionOption, HealthzError, optionKeys } from '@healthz/core'
import type { Health } from '@healthz/core'
import { attachHealth, createHealthListener } from '@healthz/http'
import type { AttachHealthOptions, HealthListenerOptions } from '@healthz/http'

export { attachHealth, drainOnShutdown } from '@healthz/http'
export type { AttachHealthOptions } from '@healthz/http'

/** Options of {@link createHealthMiddleware}. */
export interface HealthMiddlewareOptions {
  /** Called when answering a probe failed unexpectedly (the request gets a 500). @default console.error */
  onError?: HealthListenerOptions['onError']
}

const MIDDLEWARE_KEYS = optionKeys<HealthMiddlewareOptions>({ onError: true })

/** Express middleware, typed structurally so that Express 4 and 5 (and their types) both accept it. */
export type HealthMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void

/**
 * Express middleware that answers the probe paths and calls `next()` for everything else.
 * Register it before authentication, rate limiting and request logging, so those never see
 * the probes. Mounted under a path (`app.use('/health', …)`), the probe paths are relative to it.
 *
 * @example
 * ```ts
 * const app = express()
 * app.use(createHealthMiddleware(health)) // first: ahead of auth and logging
 * app.use(authenticate)
 * ```
 */
export function createHealthMiddleware(health: Health, options: HealthMiddlewareOptions = {}): HealthMiddleware {
  assertKnownOptions(options, MIDDLEWARE_KEYS, 'createHealthMiddleware')
  const listenerOptions: HealthListenerOptions = {}
  if (options.onError !== undefined) listenerOptions.onError = options.onError
  const listener = createHealthListener(health, listenerOptions)
  return function healthzMiddleware(req, res, next) {
    listener(req, res, next)
  }
}

/** What {@link listen} needs of an Express app: its `listen` method. */
export interface ListenableApp {
  listen(...args: never[]): Server
}

/** Options of {@link listen}. */
export interface ListenOptions extends AttachHealthOptions {
  /** The port. @default 0 (a free port) */
  port?: number
  /** The address. @default undefined (all addresses) */
  host?: string
}

const LISTEN_KEYS = optionKeys<ListenOptions>({ port: true, host: true, onError: true, drain: true })

/** Checks listen()'s options before anything listens. */
function checkListenOptions(options: ListenOptions): void {
  assertKnownOptions(options, LISTEN_KEYS, 'listen')
  countOption(options.port, 0, 'listen port', { min: 0, max: 65_535 })
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === '')) {
    throw new HealthzError(`listen host must be a host name or address, got ${describeValue(options.host)}.`, { code: 'INVALID_OPTION' })
  }
  functionOption(options.onError, 'listen onError', '(error) => void')
  if (options.drain !== undefined && typeof options.drain !== 'boolean') {
    throw new HealthzError(`listen drain must be true or false, got ${describeValue(options.drain)}.`, { code: 'INVALID_OPTION' })
  }
}

/**
 * `app.listen()` with the probes answered at the server's `request` event, before Express
 * runs, and the server drained on shutdown: the fast path. Resolves once listening.
 *
 * @example
 * ```ts
 * const server = await listen(app, health, { port: 8080 })
 * health.markStarted()
 * ```
 */
export function listen(app: ListenableApp, health: Health, options: ListenOptions = {}): Promise<Server> {
  checkListenOptions(options)
  const { port = 0, host, ...attachOptions } = options
  return new Promise<Server>((resolve, reject) => {
    // Express 5 also calls the listen callback with the error when listening fails.
    const onListening = (error?: unknown): void => {
      server.off('error', reject)
      if (error instanceof Error) reject(error)
      else resolve(server)
    }
    const listenWith = app.listen as (...args: unknown[]) => Server
    const server = host === undefined ? listenWith.call(app, port, onListening) : listenWith.call(app, port, host, onListening)
    server.once('error', reject)
    // Attached in the same tick as listen(): no request can arrive before it.
    attachHealth(server, health, attachOptions)
  })
}
