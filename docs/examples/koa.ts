import Koa from 'koa'
import { listen } from '@healthz/koa'
import { createHealth, defineCheck } from '@healthz/core'

// Readiness follows the database; liveness has no dependency (healthz refuses one there).
const health = createHealth({
  service: { name: 'orders', version: '1.0.0' },
  readiness: [
    defineCheck({
      name: 'postgres',
      kind: 'dependency',
      componentType: 'datastore',
      timeout: 500,
      run: async ({ signal }) => {
        await db.ping({ signal }) // db: your database client; pass the deadline down
      },
    }),
  ],
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
