// @healthz/express: the probes for Express 4 and 5. Two ways in, one mechanism
// (@healthz/http): ahead of Express at the server's `request` event (fastest, and out of
// reach of every middleware), or as Express middleware inside the app's pipeline. What is
// left here is Express's glue: the `next` call, and the app handed to node:http as a listener.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http'
import { assertKnownOptions, optionKeys } from '@healthz/core'
import type { Health } from '@healthz/core'
import { createProbeResponder, listen as listenWithHealth } from '@healthz/http'
import type { ListenOptions, ProbeResponderOptions } from '@healthz/http'

export { attachHealth, drainOnShutdown } from '@healthz/http'
export type { AttachHealthOptions, ListenOptions } from '@healthz/http'

/** Options of {@link createHealthMiddleware}: `onError`, called when answering a probe failed unexpectedly (the request gets a 500). */
export type HealthMiddlewareOptions = ProbeResponderOptions

const MIDDLEWARE_KEYS = optionKeys<HealthMiddlewareOptions>({ onError: true })

/** Express middleware, typed structurally so that Express 4 and 5 (and their types) both accept it. */
export type HealthMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void

/**
 * Express middleware that answers the probe paths and calls `next()` for everything else.
 * Register it before authentication, rate limiting and request logging, so those never see
 * the probes. Mounted under a path (`app.use('/health', …)`), the probe paths are relative to
 * it (Express takes the mount path off `req.url`).
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
  const respond = createProbeResponder(health, options)
  return function healthzMiddleware(req, res, next) {
    if (!respond(req, res)) next()
  }
}

/** What {@link listen} needs of an Express app: the app itself is a node:http request listener. */
export type ListenableApp = RequestListener

/**
 * `app.listen()` with the probes answered at the server's `request` event, before Express
 * runs, and the server drained on shutdown: the fast path. Resolves once listening.
 *
 * @example
 * ```ts
 * const server = await listen(app, health, { port: 8080 })
 * health.markStarted()
 * ```
 * @see listen of `@healthz/http`, which this is.
 */
export function listen(app: ListenableApp, health: Health, options: ListenOptions = {}): Promise<Server> {
  return listenWithHealth(app, health, options)
}
