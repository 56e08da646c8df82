// The in-Fastify path: the probes as Fastify routes whose handler takes the response over
// (`reply.hijack()`) and answers through @healthz/http, exactly as at the server's `request` event.
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Health } from '@healthz/core'
import type { ProbeResponder } from '@healthz/http'

/**
 * Every method routes to the probes so that `@healthz/http` answers the ones it does not serve
 * with 405 and `Allow`. One route per path with a list of methods, not `'*'`/`ALL`: Fastify
 * refuses a GET route and an all-methods route on the same path.
 */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']

/** What a probe route's `config` carries, so that your own hooks can tell the probes apart. */
export interface ProbeRouteConfig {
  /** True on the routes this plugin registers. */
  healthz: true
}

/**
 * Registers `path` and `path/*` (per-check paths, `/readyz/db`) for each probe. The handler
 * hands `@healthz/http` the path as the health object knows it: the route's own path (so a
 * request Fastify routed here despite a trailing slash, case or an enclosing prefix is still
 * this probe) with the request's query string.
 */
export function addProbeRoutes(fastify: FastifyInstance, health: Health, respond: ProbeResponder): void {
  for (const path of new Set(Object.values(health.paths))) {
    const config: FastifyContextConfig & ProbeRouteConfig = { healthz: true }
    fastify.route({
      method: METHODS,
      url: path,
      logLevel: 'silent',
      config,
      handler: function healthzProbe(request: FastifyRequest, reply: FastifyReply) {
        reply.hijack()
        respond(request.raw, reply.raw, withQuery(path, request.raw.url))
      },
    })
    fastify.route({
      method: METHODS,
      url: `${path}/*`,
      logLevel: 'silent',
      config,
      handler: function healthzCheckProbe(request: FastifyRequest, reply: FastifyReply) {
        const rest = (request.params as { '*'?: string })['*'] ?? ''
        const probe = withQuery(`${path}/${rest.endsWith('/') ? rest.slice(0, -1) : rest}`, request.raw.url)
        // Not a path the health object answers (`/livez/a/b`): Fastify's not-found handler, as without the plugin.
        if (!health.matches(probe)) {
          reply.callNotFound()
          return
        }
        reply.hijack()
        respond(request.raw, reply.raw, probe)
      },
    })
  }
}

/** `path` with the query string of `url`, if it has one. */
function withQuery(path: string, url: string | undefined): string {
  const query = url === undefined ? -1 : url.indexOf('?')
  return query === -1 ? path : path + (url as string).slice(query)
}
