// Draining for the Fetch-API runtimes' own servers (Bun.serve, Deno.serve, srvx): they stop
// accepting, close idle keep-alive connections and let in-flight requests finish by
// themselves (stop()/shutdown()/close()), but the responses of those requests do not say
// `Connection: close`; withConnectionClose adds it, so no client reuses a closing connection.
import type { Health } from '@healthz/core'
import { assertHealth, HealthzError } from '@healthz/core'

/** `Bun.serve()`'s server: `stop(true)` also closes the connections still busy. */
export interface BunLikeServer {
  stop(closeActiveConnections?: boolean): Promise<void> | void
}

/** `Deno.serve()`'s server: `shutdown()` stops accepting and resolves once in-flight requests finished. */
export interface DenoLikeServer {
  shutdown(): Promise<void>
}

/** srvx's server (`serve()` of `srvx` or `h3`): `close(true)` also closes the connections still busy. */
export interface SrvxLikeServer {
  close(closeActiveConnections?: boolean): Promise<void>
}

/** A server {@link drainOnShutdown} knows how to stop. */
export type StoppableServer = BunLikeServer | DenoLikeServer | SrvxLikeServer

/**
 * Drains the server as part of the health object's shutdown, for runtimes whose server has
 * `stop()` (Bun), `shutdown()` (Deno) or `close()` (srvx, h3). When shutdown reaches `closing`,
 * after `drainDelay` (readiness already answers 503, app routes still answer), the server stops
 * accepting, closes idle keep-alive connections and lets in-flight requests finish. At
 * `shutdown.gracePeriod` the requests still running are cut (`stop(true)`, `close(true)`; Deno's
 * server has no way to cut them, so they end when the process exits) and the shutdown reports
 * `SERVER_CLOSE_FAILED`. Returns a function that unregisters the server.
 *
 * Wrap the server's fetch handler in `withConnectionClose` too: those runtimes do not add
 * `Connection: close` to the responses they finish while stopping. For a node:http server
 * (`@hono/node-server`, srvx on Node with `server.node.server`), use `drainOnShutdown` of
 * `@healthz/http` instead: it sees every response and socket.
 *
 * @example
 * ```ts
 * const server = Bun.serve({ port: 8080, fetch: withConnectionClose(health, app.fetch) })
 * drainOnShutdown(health, server)
 * ```
 */
export function drainOnShutdown(health: Health, server: StoppableServer): () => void {
  assertHealth(health, 'drainOnShutdown')
  const stop = stopperOf(server)
  return health.onClosing(async ({ gracePeriod }) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const cut = new Promise<'cut'>((resolve) => {
      timer = setTimeout(() => resolve('cut'), gracePeriod)
    })
    try {
      const outcome = await Promise.race([stop.graceful().then(() => 'done' as const), cut])
      if (outcome === 'done') return
    } finally {
      clearTimeout(timer)
    }
    // Requests were cut (or, on Deno, will be at exit): the shutdown reports it and exits 1.
    await stop.force?.()
    throw new HealthzError(
      `the server still had requests in flight after gracePeriod ${gracePeriod} ms; ${stop.force === undefined ? 'they end when the process exits' : 'their connections were closed'}. Raise shutdown.gracePeriod if requests legitimately take longer`,
      { code: 'SERVER_CLOSE_FAILED' },
    )
  })
}

interface Stopper {
  graceful(): Promise<void>
  force?: () => Promise<void>
}

function stopperOf(server: StoppableServer): Stopper {
  const candidate = server as Partial<BunLikeServer & DenoLikeServer & SrvxLikeServer & { listen: unknown; closeAllConnections: unknown }>
  if (typeof candidate?.stop === 'function') {
    const stop = candidate.stop.bind(server)
    return { graceful: async () => stop(false), force: async () => stop(true) }
  }
  if (typeof candidate?.shutdown === 'function') {
    const shutdown = candidate.shutdown.bind(server)
    return { graceful: () => shutdown() }
  }
  if (typeof candidate?.listen === 'function' && typeof candidate.closeAllConnections === 'function') {
    throw new HealthzError(
      'drainOnShutdown of @healthz/fetch got a node:http server; use drainOnShutdown of @healthz/http for it (it sees every response and socket of a node:http server).',
      { code: 'INVALID_OPTION' },
    )
  }
  if (typeof candidate?.close === 'function') {
    const close = candidate.close.bind(server)
    return { graceful: () => close(false), force: () => close(true) }
  }
  throw new HealthzError(
    "drainOnShutdown expects the server Bun.serve(), Deno.serve() or srvx's serve() returns (an object with stop(), shutdown() or close()); when the platform owns the server, leave it out: readiness fails through the drain delay and the platform stops the server.",
    { code: 'INVALID_OPTION' },
  )
}
