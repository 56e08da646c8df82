// `Connection: close` once the shutdown reaches `closing`: Bun's and Deno's servers close a
// connection after a response that says so, and do not say it themselves while stopping.
import type { Health } from '@healthz/core'
import { describeValue, HealthzError } from '@healthz/core'

/**
 * The response, with `Connection: close` once the health object's shutdown has reached
 * `closing` (the server stops accepting): the runtime closes the connection after it, and the
 * client knows not to send another request on it. Before that, through the drain delay, the
 * response is returned untouched. A response with immutable headers (a `fetch()` result passed
 * through) is copied first. For adapters over the Fetch API; applications use
 * {@link withConnectionClose}.
 *
 * @example
 * ```ts
 * app.use(async (c, next) => {
 *   await next()
 *   c.res = closeConnectionIfClosing(health, c.res)
 * })
 * ```
 */
export function closeConnectionIfClosing(health: Health, response: Response): Response {
  const phase = health.phase
  if (phase !== 'closing' && phase !== 'stopped') return response
  try {
    response.headers.set('connection', 'close')
    return response
  } catch {
    const copy = new Response(response.body, response)
    copy.headers.set('connection', 'close')
    return copy
  }
}

/**
 * Wraps a fetch handler so that every response it finishes once the shutdown has reached
 * `closing` says `Connection: close` ({@link closeConnectionIfClosing}). Bun's and Deno's
 * servers finish in-flight requests when stopped but do not add it themselves, so a keep-alive
 * client could send its next request on a connection that is about to close.
 *
 * @example
 * ```ts
 * const probes = createFetchHandler(health)
 * const server = Deno.serve({ port: 8080 }, withConnectionClose(health, async (request) => (await probes(request)) ?? app.fetch(request)))
 * drainOnShutdown(health, server)
 * ```
 */
export function withConnectionClose<TArgs extends unknown[]>(
  health: Health,
  fetch: (request: Request, ...rest: TArgs) => Response | Promise<Response>,
): (request: Request, ...rest: TArgs) => Promise<Response> {
  if (typeof health?.phase !== 'string' || typeof fetch !== 'function') {
    throw new HealthzError(
      `withConnectionClose expects the object createHealth() returns and the fetch handler to wrap, (request) => Response | Promise<Response>; got ${describeValue(health)} and ${describeValue(fetch)}.`,
      { code: 'INVALID_OPTION' },
    )
  }
  return async function healthzConnectionClose(request, ...rest) {
    return closeConnectionIfClosing(health, await fetch(request, ...rest))
  }
}
