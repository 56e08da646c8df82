// The plugin's options, checked when the plugin is registered (Fastify's construction time):
// an unknown key, a wrong type or a missing health object rejects `fastify.register()`.
import type { Health } from '@healthz/core'
import { assertKnownOptions, choiceOption, describeValue, functionOption, HealthzError, optionKeys } from '@healthz/core'

/** Where the plugin answers the probes. */
export type ServeMode = 'server' | 'route'

/** Options of the {@link healthz} plugin (`fastify.register(healthz, options)`). */
export interface FastifyHealthOptions {
  /** The health object whose probes are served and whose shutdown closes Fastify: what `createHealth()` returns. */
  health: Health
  /**
   * Where the probes are answered.
   * - `'server'`: at the node:http server's `request` event, before Fastify routes the request:
   *   no hook (`onRequest` authentication, a rate limiter, `@fastify/helmet`), no request logger
   *   and no `return503OnClosing` ever sees a probe, and it is the fastest path. The probe paths
   *   are the health object's (`createHealth({ prefix })`), outside Fastify's routing. The
   *   probes are also registered as routes, which only `fastify.inject()` reaches.
   * - `'route'`: as Fastify routes (`GET`/`HEAD`, and the other methods for the 405), inside
   *   Fastify: its global hooks run first, as they do for every route, and Fastify's routing
   *   options (`ignoreTrailingSlash`, `caseSensitive`, an enclosing plugin's `prefix`) apply. The probe
   *   routes log nothing (`logLevel: 'silent'`) and carry `config: { healthz: true }` for your hooks to skip.
   * @default 'server'
   */
  serve?: ServeMode
  /**
   * Drain on `health.shutdown()` (or the signal that starts it): readiness fails, the drain
   * delay passes with every route answering, then the server drains (in-flight requests finish
   * with `Connection: close`, idle keep-alive connections close) and `fastify.close()` runs.
   * A `fastify.close()` you call yourself starts and joins the same shutdown. `false` leaves
   * closing Fastify to you.
   * @default true
   */
  drain?: boolean
  /** Called when answering a probe failed unexpectedly (the request gets a 500). @default console.error */
  onError?: (error: Error) => void
}

/** The options, checked. */
export interface Settings {
  health: Health
  serve: ServeMode
  drain: boolean
  onError: ((error: Error) => void) | undefined
}

const KEYS = optionKeys<FastifyHealthOptions>({ health: true, serve: true, drain: true, onError: true })
const WHERE = '@healthz/fastify'

/** Checks the options `fastify.register(healthz, options)` passed on to the plugin. */
export function readOptions(options: unknown): Settings {
  if (typeof options !== 'object' || options === null) {
    throw new HealthzError(`${WHERE}: register the plugin with its options, fastify.register(healthz, { health }), got ${describeValue(options)}.`, { code: 'INVALID_OPTION' })
  }
  const given = options as Partial<FastifyHealthOptions> & { prefix?: unknown }
  if (given.prefix !== undefined) {
    // fastify-plugin plugins are not encapsulated, and Fastify ignores `prefix` for them.
    throw new HealthzError(
      `${WHERE}: the register option prefix does not apply to this plugin (it is not encapsulated, so Fastify ignores it). ` +
        `Set the prefix on the health object instead: createHealth({ prefix: ${JSON.stringify(given.prefix)} }).`,
      { code: 'INVALID_OPTION' },
    )
  }
  assertKnownOptions(given, KEYS, WHERE)
  const health = given.health
  if (typeof health !== 'object' || health === null || typeof health.handle !== 'function' || typeof health.onClosing !== 'function') {
    throw new HealthzError(
      `${WHERE}: options.health must be the object createHealth() returns, as in fastify.register(healthz, { health: createHealth({ readiness: [db] }) }); got ${describeValue(health)}.`,
      { code: 'INVALID_OPTION' },
    )
  }
  const serve = given.serve === undefined ? 'server' : choiceOption(given.serve, ['server', 'route'] as const, `${WHERE}: serve`)
  if (given.drain !== undefined && typeof given.drain !== 'boolean') {
    throw new HealthzError(`${WHERE}: drain must be true or false, got ${describeValue(given.drain)}.`, { code: 'INVALID_OPTION' })
  }
  const onError = functionOption(given.onError, `${WHERE}: onError`, '(error) => void')
  return { health, serve, drain: given.drain ?? true, onError }
}
