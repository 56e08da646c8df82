import { serve } from '@hono/node-server'
import type { Server } from 'node:http'
import { Hono } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { logger } from 'hono/logger'
import { secureHeaders } from 'hono/secure-headers'
import pg from 'pg'
import { createHealth } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'
import { drainOnShutdown } from '@healthz/http'
import { createHealthMiddleware } from '@healthz/hono'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })

// Readiness follows the database; liveness has no dependency (healthz refuses one there).
const health = createHealth({
  service: { name: 'orders', version: '1.0.0' },
  // Borrows a connection from the app's pool; fails at 500 ms, never holding a connection past it.
  readiness: [postgresCheck({ client: pool, timeout: 500 })],
})

const app = new Hono()
// First: the probes are answered here, and never reach the logger, the headers or the auth.
app.use(createHealthMiddleware(health))
app.use(logger())
app.use(secureHeaders())
app.use('/api/*', bearerAuth({ token: process.env.API_TOKEN ?? '' }))
app.get('/api/orders', (c) => c.json({ orders: [] }))

// @hono/node-server serves through a node:http server: @healthz/http drains it on SIGTERM
// (readiness fails first, then idle connections close and in-flight requests finish).
const server = serve({ fetch: app.fetch, port: 8080 }) as Server
drainOnShutdown(health, server)
health.onShutdown(() => pool.end(), { name: 'postgres' })
health.markStarted()
