import Koa from 'koa'
import { listen } from '@healthz/koa'
import pg from 'pg'
import { createHealth } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'

// The pool the app already queries with: the check borrows a connection per run.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
// A dependency: it backs readiness, never liveness. At 500 ms the probe answers `fail`, and a
// query still running then has its connection destroyed, not returned to the pool.
const postgres = postgresCheck({ client: pool, timeout: 500 })
const health = createHealth({ service: { name: 'orders', version: '1.0.0' }, readiness: [postgres] })

const app = new Koa()
app.use(async (ctx) => {
  if (ctx.path === '/orders') ctx.body = { orders: [] }
})

// app.listen(8080), plus: probes answered ahead of Koa, and a drain on SIGTERM.
// Register every middleware first: listen() asks Koa for its handler.
await listen(app, health, { port: 8080 })
health.onShutdown(() => pool.end(), { name: 'postgres' })
health.markStarted()
