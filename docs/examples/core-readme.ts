import { createServer } from 'node:http'
import { createHealth, defineCheck } from '@healthz/core'

// A dependency (the default kind): it may back readiness, never liveness.
const payments = defineCheck({
  name: 'payments-api',
  timeout: 500, // the signal aborts at 500 ms and the check reports fail then
  run: async ({ signal }) => {
    const response = await fetch(process.env.PAYMENTS_URL ?? 'http://127.0.0.1:8081/livez', { signal })
    if (!response.ok) throw new Error(`payments-api answered ${response.status}`)
  },
})

// In-process state only: it may back liveness too.
const heap = defineCheck({
  name: 'heap',
  kind: 'process',
  componentType: 'system',
  measurement: 'used',
  run: () => {
    const used = Math.round(process.memoryUsage().heapUsed / 2 ** 20)
    return { status: used < 512 ? 'pass' : 'fail', observedValue: used, observedUnit: 'MiB' }
  },
})

const health = createHealth({
  service: { name: 'orders', version: '2.14.0' },
  liveness: [heap],
  readiness: [payments, heap],
})

// Works with any server: handle() answers the probe paths and returns undefined for the rest.
const server = createServer(async (req, res) => {
  const response = await health.handle({ method: req.method, path: req.url ?? '/', headers: req.headers })
  if (response !== undefined) {
    res.writeHead(response.status, response.headers).end(response.body)
    return
  }
  res.writeHead(200, { 'content-type': 'text/plain' }).end('hello\n')
})

server.listen(8080, () => {
  // Until this call /startupz and /readyz answer 503; /livez answers 200 all along.
  health.markStarted()
})
