// attachHealth: the probes answered on an existing server at its `request` event, ahead of
// whatever handles its requests, and the server drained on shutdown.
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { Health } from '@healthz/core'
import { assertHealth, assertKnownOptions, describeValue, functionOption, HealthzError, optionKeys, reportToConsole } from '@healthz/core'
import { drainOnShutdown } from './drain.js'
import { probeResponder } from './respond.js'

/** Options of {@link attachHealth}. */
export interface AttachHealthOptions {
  /** @default console.error */
  onError?: (error: Error) => void
  /**
   * Drain the server as part of `health.shutdown()` (see {@link drainOnShutdown}).
   * @default true
   */
  drain?: boolean
}

const ATTACH_KEYS = optionKeys<AttachHealthOptions>({ onError: true, drain: true })

/**
 * Answers the probes on an existing server at its `request` event, before the application's
 * handler (Express, Koa, Nest, anything) sees them: the fastest path, and one that no auth
 * middleware, rate limiter or request logger can reach. The server is also drained when the
 * health object shuts down (`drain: false` to leave that to you). Returns a function that detaches.
 *
 * @example
 * ```ts
 * const server = app.listen(8080)
 * attachHealth(server, health)
 * ```
 */
export function attachHealth(server: Server | HttpsServer, health: Health, options: AttachHealthOptions = {}): () => void {
  assertHealth(health, 'attachHealth')
  if (typeof server !== 'object' || server === null || typeof server.emit !== 'function') {
    throw new HealthzError('attachHealth expects a node:http or node:https Server as its first argument.', { code: 'INVALID_OPTION' })
  }
  assertKnownOptions(options, ATTACH_KEYS, 'attachHealth')
  if (options.drain !== undefined && typeof options.drain !== 'boolean') {
    throw new HealthzError(`drain must be true or false, got ${describeValue(options.drain)}.`, { code: 'INVALID_OPTION' })
  }
  // Answers outside the `request` event: `server` lets the server's drains see these responses.
  const respond = probeResponder(health, functionOption(options.onError, 'onError', '(error) => void') ?? reportToConsole, server)
  const originalEmit = server.emit
  // Intercepting `emit` (rather than reordering listeners) also covers request listeners the
  // application adds after attaching.
  const emit = function healthzEmit(this: Server, event: string | symbol, req?: unknown, res?: unknown): boolean {
    if (event === 'request' && respond(req as IncomingMessage, res as ServerResponse)) return true
    // `arguments`, not a rest parameter: no array is built for the events we pass through.
    return Reflect.apply(originalEmit, this, arguments) as boolean
  }
  server.emit = emit as typeof server.emit
  const undrain = options.drain === false ? undefined : drainOnShutdown(health, server)
  return function detachHealth() {
    if (server.emit === emit) server.emit = originalEmit
    undrain?.()
  }
}
