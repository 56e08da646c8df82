import { Hono } from 'hono'
import { createHealthMiddleware, drainOnShutdown } from '@healthz/hono'
import { health } from './health.js'

const app = new Hono()
// First. It also sees every response, and once the server is stopping adds Connection: close,
// which Bun does not add itself.
app.use(createHealthMiddleware(health))
app.get('/orders', (c) => c.json({ orders: [] }))

const server = Bun.serve({ port: 8080, fetch: app.fetch })
// On SIGTERM: readiness fails for drainDelay, then server.stop() (idle connections close at
// once, in-flight requests finish), then server.stop(true) at the grace period.
drainOnShutdown(health, server)
health.markStarted()
