import { createFetchHandler, drainOnShutdown, withConnectionClose } from '@healthz/fetch'
import { health } from './health.js'

const probes = createFetchHandler(health)

async function app(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url)
  return pathname === '/orders' ? Response.json({ orders: [] }) : new Response('not found', { status: 404 })
}

const server = Bun.serve({
  port: 8080,
  // The probes first (undefined: not a probe); withConnectionClose adds Connection: close to
  // the responses finished while the server stops, which Bun does not add itself.
  fetch: withConnectionClose(health, async (request) => (await probes(request)) ?? app(request)),
})
drainOnShutdown(health, server)
health.markStarted()
