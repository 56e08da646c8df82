import express from 'express'
import { listen } from '@healthz/express'
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

const app = express()
app.get('/orders', (_req, res) => {
  res.json({ orders: [] })
})

// app.listen(8080), plus: probes answered ahead of Express, and a drain on SIGTERM.
await listen(app, health, { port: 8080 })
health.onShutdown(() => db.end(), { name: 'postgres' })
health.markStarted()
