import { Hono } from 'hono'
import { createHealthMiddleware, drainOnShutdown } from '@healthz/hono'
import { health } from './health.js'

const app = new Hono()
app.use(createHealthMiddleware(health)) // first, ahead of every other middleware
app.get('/orders', (c) => c.json({ orders: [] }))

// Run with `deno run --allow-all main.ts`, not `deno serve`: the latter closes its listener at
// SIGTERM, before the load balancer has seen readiness fail.
const server = Deno.serve({ port: 8080 }, app.fetch)
// On SIGTERM: readiness fails for drainDelay, then server.shutdown() (idle connections close at
// once, in-flight requests finish).
drainOnShutdown(health, server)
health.markStarted()
