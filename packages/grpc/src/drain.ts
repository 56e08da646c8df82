// Draining a grpc-js server as part of the health object's shutdown: at `closing` (after
// drainDelay, while readiness has answered NOT_SERVING all along), tryShutdown() refuses new
// calls and lets in-flight ones finish; forceShutdown() cuts what is left at the grace period.
import type { Health } from '@healthz/core'
import { HealthzError } from '@healthz/core'

/**
 * What this package needs of a grpc-js `Server` (1.x): typed structurally, so a server from any
 * copy of `@grpc/grpc-js` (a framework's own, as in NestJS) is accepted.
 */
export interface GrpcServer {
  addService(service: unknown, implementation: unknown): void
  tryShutdown(callback: (error?: Error) => void): void
  forceShutdown(): void
}

/**
 * Drains a grpc-js server as part of the health object's shutdown: when it reaches `closing`
 * (after `drainDelay`), `server.tryShutdown()` stops new calls and waits for in-flight ones, and
 * `forceShutdown()` cancels what is left at `shutdown.gracePeriod` (the shutdown then reports
 * `SERVER_CLOSE_FAILED`). `addHealthService` calls it for you; call it yourself for a server
 * without the health service. Returns a function that unregisters it.
 *
 * @example
 * ```ts
 * drainOnShutdown(health, server)
 * ```
 */
export function drainOnShutdown(health: Health, server: GrpcServer): () => void {
  if (typeof health?.onClosing !== 'function') {
    throw new HealthzError('drainOnShutdown expects the object createHealth() returns as its first argument.', { code: 'INVALID_OPTION' })
  }
  if (typeof server?.tryShutdown !== 'function' || typeof server.forceShutdown !== 'function') {
    throw new HealthzError('drainOnShutdown expects a grpc-js Server (with tryShutdown and forceShutdown) as its second argument.', { code: 'INVALID_OPTION' })
  }
  return health.onClosing(
    ({ gracePeriod }) =>
      new Promise<void>((resolve, reject) => {
        let settled = false
        const timer = setTimeout(() => {
          if (settled) return
          settled = true
          server.forceShutdown()
          reject(new HealthzError(`gRPC calls still running after gracePeriod ${gracePeriod} ms were cancelled; raise shutdown.gracePeriod if calls legitimately take longer`, { code: 'SERVER_CLOSE_FAILED' }))
        }, gracePeriod)
        server.tryShutdown((error) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          if (error === undefined) resolve()
          else reject(new HealthzError(`gRPC server shutdown failed: ${error.message}`, { code: 'SERVER_CLOSE_FAILED', cause: error }))
        })
      }),
  )
}
