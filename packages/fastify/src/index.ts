// @healthz/fastify: the probes for Fastify 4.19.2+ and 5, as a plugin. Two ways in, one mechanism
// (@healthz/http): ahead of Fastify at the server's `request` event (the default: fastest, and
// out of reach of every hook), or as Fastify routes. What is left here is Fastify's glue: the
// plugin, the routes, and the shutdown ordered around `fastify.close()`.
export { healthz } from './plugin.js'
export type { FastifyHealthOptions, ServeMode } from './options.js'
export type { ProbeRouteConfig } from './routes.js'
