// @healthz/koa: the probes for Koa 2 and 3. Two ways in, one mechanism (@healthz/http): ahead
// of Koa at the server's `request` event (fastest, and out of reach of every middleware), or
// as Koa middleware inside the app's pipeline. What is left here is Koa's glue: the context,
// `ctx.respond = false`, and `app.callback()` handed to node:http as a listener.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http'
import { finished } from 'node:stream'
import { assertKnownOptions, optionKeys } from '@healthz/core'
import type { Health } from '@healthz/core'
import { createProbeResponder, listen as listenWithHealth } from '@healthz/http'
import type { ListenOptions, ProbeResponderOptions } from '@healthz/http'

export { attachHealth, drainOnShutdown } from '@healthz/http'
export type { AttachHealthOptions, ListenOptions } from '@healthz/http'

/** What the middleware uses of Koa's context; typed structurally for Koa 2 and 3. */
export interface HealthContext {
  readonly method: string
  readonly url: string
  readonly req: IncomingMessage
  readonly res: ServerResponse
  respond?: boolean
}

/** Options of {@link createHealthMiddleware}: `onError`, called when answering a probe failed unexpectedly (the request gets a 500). */
export type HealthMiddlewareOptions = ProbeResponderOptions

const MIDDLEWARE_KEYS = optionKeys<HealthMiddlewareOptions>({ onError: true })

/** Koa middleware. */
export type HealthMiddleware = (ctx: HealthContext, next: () => Promise<unknown>) => Promise<unknown>

/**
 * Koa middleware that answers the probe paths and calls `next()` for everything else. Use it
 * first, before authentication, rate limiting and request logging, so those never see the
 * probes. The response is written straight to node:http (`ctx.respond = false`), exactly as
 * `@healthz/http` writes it.
 *
 * @example
 * ```ts
 * const app = new Koa()
 * app.use(createHealthMiddleware(health)) // first: ahead of auth and logging
 * app.use(authenticate)
 * ```
 */
export function createHealthMiddleware(health: Health, options: HealthMiddlewareOptions = {}): HealthMiddleware {
  assertKnownOptions(options, MIDDLEWARE_KEYS, 'createHealthMiddleware')
  const respond = createProbeResponder(health, options)
  return async function healthzMiddleware(ctx, next) {
    if (!respond(ctx.req, ctx.res, ctx.url)) return next()
    ctx.respond = false
    // Settle once the answer is written, as Koa's own responses do for the middleware around this one.
    if (!ctx.res.writableEnded) await new Promise<void>((resolve) => finished(ctx.res, () => resolve()))
    return undefined
  }
}

/** What {@link listen} needs of a Koa app: its request handler. */
export interface CallbackApp {
  callback(): (req: IncomingMessage, res: ServerResponse) => unknown
}

/**
 * `app.listen()` with the probes answered at the server's `request` event, before Koa runs,
 * and the server drained on shutdown: the fast path. Resolves once listening.
 *
 * @example
 * ```ts
 * const server = await listen(app, health, { port: 8080 })
 * health.markStarted()
 * ```
 * @see listen of `@healthz/http`, which this is, given `app.callback()`.
 */
export function listen(app: CallbackApp, health: Health, options: ListenOptions = {}): Promise<Server> {
  return listenWithHealth(app.callback() as RequestListener, health, options)
}
