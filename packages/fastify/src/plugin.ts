// The plugin: options checked, the probes attached at the server (the default) and registered
// as routes, and the shutdown wired to Fastify's close. fastify-plugin keeps it unencapsulated,
// so its `preClose`/`onClose` hooks and routes belong to the instance it is registered on.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { fastifyPlugin } from 'fastify-plugin'
import { HealthzError } from '@healthz/core'
import { attachHealth, createProbeResponder } from '@healthz/http'
import { closeWithHealth } from './close.js'
import type { FastifyHealthOptions } from './options.js'
import { readOptions } from './options.js'
import { addProbeRoutes } from './routes.js'

async function healthzPlugin(fastify: FastifyInstance, options: FastifyHealthOptions): Promise<void> {
  const { health, serve, drain, onError } = readOptions(options)
  const responderOptions = onError === undefined ? {} : { onError }
  if (typeof fastify.server.closeIdleConnections !== 'function') {
    throw new HealthzError(
      '@healthz/fastify serves Fastify on node:http or node:https; Fastify({ http2: true }) is not supported. Serve the probes from a health server of their own (createHealthServer of @healthz/http) on another port.',
      { code: 'INVALID_OPTION' },
    )
  }
  if (serve === 'server') {
    if (fastify.prefix !== '') {
      throw new HealthzError(
        `@healthz/fastify: registered under the Fastify prefix '${fastify.prefix}', which serve: 'server' cannot follow (it answers before Fastify routes). ` +
          `Register the plugin outside the prefixed plugin and set createHealth({ prefix: '${fastify.prefix}' }), or use serve: 'route'.`,
        { code: 'INVALID_OPTION' },
      )
    }
    // The drain is closeWithHealth's: it must close Fastify after the server, not beside it.
    attachHealth(fastify.server, health, { ...responderOptions, drain: false })
  }
  // With serve: 'server' only fastify.inject() reaches these: the server answered every real request already.
  addProbeRoutes(fastify, health, createProbeResponder(health, responderOptions))
  if (drain) closeWithHealth(fastify, health)
}

/**
 * The healthz plugin for Fastify 4.19.2+ and 5: serves the liveness, readiness and startup probes
 * of a health object, and drains on shutdown with Fastify closed last.
 *
 * By default the probes are answered at the node:http server's `request` event, before Fastify
 * routes the request: no `onRequest` hook (authentication, rate limiting, `@fastify/helmet`),
 * no request log line and no `return503OnClosing` reaches them, wherever the plugin is
 * registered. `serve: 'route'` serves them as Fastify routes instead.
 *
 * On `health.shutdown()` (SIGTERM by default) readiness fails, every route keeps answering
 * through the drain delay, the server drains (in-flight requests finish with
 * `Connection: close`), and then `fastify.close()` runs its `preClose` and `onClose` hooks.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { createHealth } from '@healthz/core'
 * import { healthz } from '@healthz/fastify'
 *
 * const health = createHealth({ readiness: [db] })
 * const app = Fastify({ logger: true })
 * await app.register(healthz, { health })
 * app.addHook('onRequest', authenticate) // never sees /livez, /readyz, /startupz
 * await app.listen({ port: 8080, host: '0.0.0.0' })
 * health.markStarted()
 * ```
 */
export const healthz: FastifyPluginAsync<FastifyHealthOptions> = fastifyPlugin(healthzPlugin, {
  fastify: '>=4.19.2 <6',
  name: '@healthz/fastify',
})
