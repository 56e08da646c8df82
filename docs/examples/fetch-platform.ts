import { createFetchHandler, withConnectionClose } from '@healthz/fetch'
import { health } from './health.js'

const probes = createFetchHandler(health)

async function app(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url)
  return pathname === '/orders' ? Response.json({ orders: [] }) : new Response('not found', { status: 404 })
}

// The platform serves this module (Bun runs a default export with `fetch` itself) and owns the
// server: there is nothing to stop. On SIGTERM, readiness answers 503 through drainDelay while
// the app keeps answering, the onShutdown hooks run, and the process exits; the server ends with it.
export default {
  fetch: withConnectionClose(health, async (request: Request) => (await probes(request)) ?? app(request)),
}
