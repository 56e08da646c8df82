import type { Server } from 'node:http'
import { serve } from 'srvx'
import { createFetchHandler } from '@healthz/fetch'
import { drainOnShutdown } from '@healthz/http'
import { health } from './health.js'

const probes = createFetchHandler(health)

async function app(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url)
  return pathname === '/orders' ? Response.json({ orders: [] }) : new Response('not found', { status: 404 })
}

// srvx's fetch takes the handler as it is; gracefulShutdown: false leaves SIGTERM to healthz.
const server = serve({ port: 8080, gracefulShutdown: false, fetch: async (request) => (await probes(request)) ?? app(request) })
drainOnShutdown(health, server.node?.server as Server)
health.markStarted()
