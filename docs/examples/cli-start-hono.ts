import { serve } from '@hono/node-server'
import type { Server } from 'node:http'
import { Hono } from 'hono'
import pg from 'pg'
import { createHealth } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'
import { drainOnShutdown } from '@healthz/http'
import { createHealthMiddleware } from '@healthz/hono'

// The pool the app already queries with: the check borrows a connection per run.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
// A dependency: it backs readiness, never liveness. At 500 ms the probe answers `fail`, and a
// query still running then has its connection destroyed, not returned to the pool.
const postgres = postgresCheck({ client: pool, timeout: 500 })
const health = createHealth({ service: { name: 'orders', version: '1.0.0' }, readiness: [postgres] })

const app = new Hono()
app.use(createHealthMiddleware(health)) // first, ahead of every other middleware
app.get('/orders', (c) => c.json({ orders: [] }))

// On Node, Hono runs on a node:http server: drained on SIGTERM by @healthz/http.
const server = serve({ fetch: app.fetch, port: 8080 }) as Server
drainOnShutdown(health, server)
health.onShutdown(() => pool.end(), { name: 'postgres' })
health.markStarted()
