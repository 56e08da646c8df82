import { createFetchHandler, drainOnShutdown, withConnectionClose } from '@healthz/fetch'
import { health } from './health.js'

const probes = createFetchHandler(health)

async function app(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url)
  return pathname === '/orders' ? Response.json({ orders: [] }) : new Response('not found', { status: 404 })
}

// `deno run --allow-all main.ts`: this process owns the server, and healthz owns SIGTERM.
const server = Deno.serve({ port: 8080 }, withConnectionClose(health, async (request) => (await probes(request)) ?? app(request)))
drainOnShutdown(health, server)
health.markStarted()
