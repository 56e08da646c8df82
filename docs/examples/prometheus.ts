// A service with its probes and a /metrics endpoint for Prometheus, on one node:http server.
import { createServer } from 'node:http'
import { createHealth, defineCheck } from '@healthz/core'
import { registerHealthMetrics } from '@healthz/prometheus'
import { collectDefaultMetrics, Registry } from 'prom-client'

const registry = new Registry()
collectDefaultMetrics({ register: registry }) // prom-client's own process metrics, if you want them

const health = createHealth({
  service: { name: 'orders' },
  readiness: [defineCheck({ name: 'postgres', run: ({ signal }) => db.ping({ signal }) })],
})

// Status gauges are read from the last results at scrape time: a scrape never runs a check.
const unregister = registerHealthMetrics(health, { registry })

createServer(async (request, response) => {
  if (request.url === '/metrics') {
    response.setHeader('content-type', registry.contentType)
    response.end(await registry.metrics())
    return
  }
  const answer = await health.handle({ method: request.method, path: request.url ?? '/' })
  if (answer === undefined) response.writeHead(404).end()
  else response.writeHead(answer.status, answer.headers).end(answer.body)
}).listen(8080)
health.markStarted()

health.onShutdown(unregister)
