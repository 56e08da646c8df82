// The shutdown wired to Fastify's lifecycle. Fastify answers 503 on every route from the moment
// `fastify.close()` begins (`return503OnClosing`, fastify#1714), so on `health.shutdown()`
// Fastify is closed last: readiness fails, the drain delay passes with every route answering,
// the server drains, and only then does `fastify.close()` run its `preClose` and `onClose` hooks.
// A `fastify.close()` called directly starts (or joins) the same shutdown from `preClose`.
import type { FastifyInstance } from 'fastify'
import type { Health } from '@healthz/core'
import { HealthzError } from '@healthz/core'
import { trackConnections } from '@healthz/http'

/** Who began closing Fastify: healthz after its drain, or the application (`fastify.close()`). */
type Closer = 'healthz' | 'fastify'

/**
 * Drains `fastify.server` when the health object reaches `closing` and closes Fastify after
 * it; makes a direct `fastify.close()` fail readiness, drain and wait for the whole shutdown.
 */
export function closeWithHealth(fastify: FastifyInstance, health: Health): void {
  // Tracked from registration, before the server listens: the drain knows every connection.
  const drainer = trackConnections(fastify.server)
  let closer: Closer | undefined
  let markDrained!: () => void
  const drained = new Promise<void>((resolve) => (markDrained = resolve))
  let markFastifyClosed!: () => void
  const fastifyClosed = new Promise<void>((resolve) => (markFastifyClosed = resolve))

  health.onClosing(async ({ gracePeriod }) => {
    // In-flight requests finish with `Connection: close`, idle keep-alive connections close at once.
    // A direct fastify.close() waits for this in preClose: it is released whatever happens.
    const { destroyed } = await drainer.close({ gracePeriod }).finally(markDrained)
    if (closer === undefined) {
      closer = 'healthz'
      // The server has closed already: Fastify (4.19.2 and later) runs its hooks and resolves.
      await fastify.close()
    } else {
      // A direct fastify.close(): its onClose hooks (those registered after this plugin) run
      // before the healthz onShutdown hooks, as when healthz closes Fastify.
      await fastifyClosed
    }
    if (destroyed > 0) {
      throw new HealthzError(
        `${destroyed} connection(s) still busy after gracePeriod ${gracePeriod} ms were destroyed; raise shutdown.gracePeriod if requests legitimately take longer`,
        { code: 'SERVER_CLOSE_FAILED' },
      )
    }
  })

  // Runs when `fastify.close()` begins, before Fastify closes its server.
  fastify.addHook('preClose', async function healthzPreClose() {
    if (closer !== undefined) return // healthz called close() after its drain
    closer = 'fastify'
    if (health.phase === 'stopped') return
    void health.shutdown() // readiness fails now (a no-op if a signal started it already)
    await drained
  })

  // Runs once the server has closed, after the onClose hooks registered later (Fastify runs them
  // last-registered first): the healthz onShutdown hooks run now, and `fastify.close()` resolves after them.
  fastify.addHook('onClose', async function healthzOnClose() {
    if (closer !== 'fastify') return
    markFastifyClosed()
    await health.shutdown()
  })
}
