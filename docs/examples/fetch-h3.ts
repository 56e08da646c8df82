import type { Server } from 'node:http'
import { H3, serve } from 'h3'
import { createFetchHandler } from '@healthz/fetch'
import { drainOnShutdown } from '@healthz/http'
import { health } from './health.js'

const probes = createFetchHandler(health)
const app = new H3()
// No glue: h3 2 passes the Request as event.req, and moves to the next middleware when one
// resolves undefined (not a probe). Registered first, ahead of the app's auth.
app.use((event) => probes(event.req))
app.use((event) => {
  if (event.req.headers.get('authorization') === null) return new Response('unauthorized', { status: 401 })
  return undefined
})
app.get('/orders', () => ({ orders: [] }))

// gracefulShutdown: false leaves SIGTERM to healthz (srvx's own handler would close the server
// at the signal, before readiness has failed). On Node, srvx serves through node:http:
// @healthz/http drains that server, with Connection: close on in-flight responses.
const server = serve(app, { port: 8080, gracefulShutdown: false })
drainOnShutdown(health, server.node?.server as Server)
health.markStarted()
