// @healthz/hono: the probes as Hono middleware, on every runtime Hono runs on (Node through
// @hono/node-server, Bun, Deno, workers). The probe answers come from @healthz/fetch's handler;
// what is left here is Hono's glue: `c.req.raw` in, the answer returned or `await next()`.
import type { Health } from '@healthz/core'
import { assertKnownOptions, optionKeys } from '@healthz/core'
import { closeConnectionIfClosing, createFetchHandler } from '@healthz/fetch'
import type { FetchHandlerOptions } from '@healthz/fetch'

export { drainOnShutdown, withConnectionClose } from '@healthz/fetch'
export type { StoppableServer } from '@healthz/fetch'

/** Options of {@link createHealthMiddleware}: `onError`, called when answering a probe failed unexpectedly (the request gets a 500). */
export type HealthMiddlewareOptions = FetchHandlerOptions

const MIDDLEWARE_KEYS = optionKeys<HealthMiddlewareOptions>({ onError: true })

/**
 * What the middleware uses of Hono's context, typed structurally so that every Hono 4 release
 * (and a second copy of `hono` in node_modules) accepts it without a runtime import of `hono`.
 */
export interface HealthContext {
  readonly req: { readonly raw: Request }
  res: Response
}

/** Hono middleware (assignable to Hono's `MiddlewareHandler`). */
export type HealthMiddleware = (c: HealthContext, next: () => Promise<void>) => Promise<Response | undefined>

/**
 * Hono middleware that answers the probe paths and calls `await next()` for everything else.
 * Register it first (`app.use(createHealthMiddleware(health))`), ahead of authentication,
 * `hono/logger`, `hono/secure-headers` and rate limiting, so none of them sees a probe. Hono
 * does not take a mount path off the URL: serve the probes under a path with the `prefix` of
 * `createHealth`. Once the shutdown reaches `closing`, every response passing through it says
 * `Connection: close`, so keep-alive clients leave a server that is stopping.
 *
 * @example
 * ```ts
 * const app = new Hono()
 * app.use(createHealthMiddleware(health)) // first: ahead of auth and logging
 * app.use('/api/*', bearerAuth({ token }))
 * ```
 */
export function createHealthMiddleware(health: Health, options: HealthMiddlewareOptions = {}): HealthMiddleware {
  assertKnownOptions(options, MIDDLEWARE_KEYS, 'createHealthMiddleware')
  const probes = createFetchHandler(health, options)
  return async function healthzMiddleware(c, next) {
    const answer = await probes(c.req.raw)
    if (answer !== undefined) return answer
    await next()
    if (health.phase === 'closing' || health.phase === 'stopped') {
      // Set in place; a response with immutable headers comes back copied, and only then is
      // assigned (Hono's `res` setter merges the old headers into the new response).
      const response = c.res
      const closing = closeConnectionIfClosing(health, response)
      if (closing !== response) c.res = closing
    }
    return undefined
  }
}
