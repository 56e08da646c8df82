import Koa from 'koa'
import { listen } from '@healthz/koa'
import pg from 'pg'
import { createHealth } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })

// Readiness follows the database; liveness has no dependency (healthz refuses one there).
const health = createHealth({
  service: { name: 'orders', version: '1.0.0' },
  // Borrows a connection from the app's pool; fails at 500 ms, never holding a connection past it.
  readiness: [postgresCheck({ client: pool, timeout: 500 })],
})

const app = new Koa()
app.use(async (ctx) => {
  if (ctx.path === '/orders') ctx.body = { orders: [] }
})

// app.listen(8080), plus: the probes are answered at the server's `request` event, before Koa
// runs, and the server drains when the health object shuts down (SIGTERM). Register every
// middleware first: Koa builds its handler when listen() asks for app.callback().
const server = await listen(app, health, { port: 8080 })
console.log('listening on', server.address())
health.markStarted()
