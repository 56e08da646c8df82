import { createServer } from 'node:http'
import { createHealth } from '@healthz/core'
import { createHealthListener } from '@healthz/http'
import { heap, postgres, redis } from './health.js'

const health = createHealth({
  service: { name: 'orders', version: '2.14.0' },
  readiness: [postgres, redis],
  liveness: [heap],
  // The page at /statusz, its live stream at /statusz/events; the last 100 runs and transitions
  // of each check are kept in memory. `statusPage: true` is the same with these defaults.
  statusPage: { path: '/statusz', history: 100 },
})

// Every @healthz/http way in serves it: the listener, attachHealth, listen(), the adapters.
createServer(createHealthListener(health)).listen(8080)
