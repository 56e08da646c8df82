// @healthz/koa: the probes for Koa 2 and 3. Two ways in, one mechanism (@healthz/http): ahead
// of Koa at the server's `request` event (fastest, and out of reach of every middleware), or
// as Koa middleware inside the app's pipeline.
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { finished } from 'node:stream'
import { assertKnownOptions, countOption, describeValue, functionOption, HealthzError, optionKeys } from '@healthz/core'
import type { Health } from '@healthz/core'
import { attachHealth, createProbeResponder } from '@healthz/http'
import type { AttachHealthOptions } from '@healthz/http'

export { attachHealth, drainOnShutdown } from '@healthz/http'
export type { AttachHealthOptions } from '@healthz/http'

/** What the middleware uses of Koa's context; typed structurally for Koa 2 and 3. */
export interface HealthContext {
  readonly method: string
  readonly url: string
  readonly req: IncomingMessage
  readonly res: ServerResponse
  respond?: boolean
}

/** Options of {@link createHealthMiddleware}. */
export interface HealthMiddlewareOptions {
  /** Called when answering a probe failed unexpectedly (the request gets a 500). @default console.error */
  onError?: (error: Error) => void
}

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
  const onError = functionOption(options.onError, 'onError', '(error) => void')
  const respond = createProbeResponder(health, onError === undefined ? {} : { onError })
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
 * `app.listen()` with the probes answered at the server's `request` event, before Koa runs,
 * and the server drained on shutdown: the fast path. Resolves once listening.
 *
 * @example
 * ```ts
 * const server = await listen(app, health, { port: 8080 })
 * health.markStarted()
 * ```
 */
export function listen(app: CallbackApp, health: Health, options: ListenOptions = {}): Promise<Server> {
  checkListenOptions(options)
  const { port = 0, host, ...attachOptions } = options
  const server = createServer(app.callback() as (req: IncomingMessage, res: ServerResponse) => void)
  attachHealth(server, health, attachOptions)
  return new Promise<Server>((resolve, reject) => {
    server.once('error', reject)
    const onListening = (): void => {
      server.off('error', reject)
      resolve(server)
    }
    if (host === undefined) server.listen(port, onListening)
    else server.listen(port, host, onListening)
  })
}
