import express from 'express'
import { createHealth } from '@healthz/core'
import { listen } from '@healthz/express'
import { startLivenessWorker } from '@healthz/http'
import { heap, postgres } from './health.js'

const health = createHealth({
  readiness: [postgres],
  liveness: [heap],
  // Readiness sheds load while the event loop is saturated; liveness never does.
  runtime: { overload: true },
})

const app = express()
// Up to 50 MB of JSON per request: parsing one blocks the event loop for seconds.
app.post('/imports', express.json({ limit: '50mb' }), (req, res) => res.json({ bytes: JSON.stringify(req.body).length }))

// The application, readiness and startup on 8080 (any framework: the worker does not care).
await listen(app, health, { port: 8080 })
// Liveness on 9001, answered by a worker thread: 200 while the main thread's event loop makes
// progress (however busy), 503 once it has made none for 15 s, or a liveness check fails.
await startLivenessWorker(health, { port: 9001, stallTolerance: 15_000 })
health.markStarted()
