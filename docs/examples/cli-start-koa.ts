import Koa from 'koa'
import { listen } from '@healthz/koa'
import { createHealth, defineCheck } from '@healthz/core'

// A dependency (the default kind): it backs readiness, never liveness.
const postgres = defineCheck({
  name: 'postgres',
  componentType: 'datastore',
  timeout: 500, // the probe answers `fail` at 500 ms even if the database hangs
  run: async ({ signal }) => {
    await db.ping({ signal }) // db: your database client; pass the deadline down
  },
})
const health = createHealth({ service: { name: 'orders', version: '1.0.0' }, readiness: [postgres] })

const app = new Koa()
app.use(async (ctx) => {
  if (ctx.path === '/orders') ctx.body = { orders: [] }
})

// app.listen(8080), plus: probes answered ahead of Koa, and a drain on SIGTERM.
// Register every middleware first: listen() asks Koa for its handler.
await listen(app, health, { port: 8080 })
health.onShutdown(() => db.end(), { name: 'postgres' })
health.markStarted()
