// An "orders" service on Express 5 and Postgres, with healthz. The probes are answered by
// @healthz/express's listen() at the server's `request` event, before Express runs, so the
// auth middleware and the request log below never see them. The framework-free part (the pool,
// the readiness check, the health object, the boot) is in ../orders/orders.mjs.
//
//   pnpm example:express      (at the repository root; installs and builds first)
//
//   curl -i localhost:3000/readyz
//   curl -i -H 'authorization: Bearer dev-token' localhost:3000/orders
//   curl -i -H 'authorization: Bearer dev-token' -H 'content-type: application/json' \
//        -d '{"item":"coffee beans","quantity":2}' localhost:3000/orders
//
// Environment: PORT, HOST, API_TOKEN, DATABASE_URL or PG*, DRAIN_SECONDS (see ../orders/orders.mjs).
import express from 'express'
import { listen } from '@healthz/express'
import { boot, config, createOrder, createOrdersHealth, createPool, createTokenCheck, errorResponse, listOrders, log } from '@healthz/example-orders'

const pool = createPool('orders-express')
const health = createOrdersHealth('orders-express', pool)
const authorized = createTokenCheck()

const app = express()

// Request log. The probes never reach it (listen() answers them before Express runs), so the
// kubelet's probe every few seconds does not drown the log.
app.use(function requestLog(req, res, next) {
  const started = performance.now()
  res.on('finish', () => log(`${req.method} ${req.originalUrl} ${res.statusCode} ${(performance.now() - started).toFixed(1)} ms`))
  next()
})

// Authentication on every route. The probes are not routes of this app, so the kubelet, which
// sends no token, still reaches them.
app.use(function authenticate(req, res, next) {
  if (!authorized(req.get('authorization'))) {
    res.set('www-authenticate', 'Bearer').status(401).json({ error: 'unauthorized' })
    return
  }
  next()
})

// After auth: bodies of unauthenticated requests are never parsed.
app.use(express.json({ limit: '16kb' }))

app.get('/orders', async (_req, res) => {
  const { status, body } = await listOrders(pool)
  res.status(status).json(body)
})

app.post('/orders', async (req, res) => {
  const { status, body } = await createOrder(pool, req.body)
  res.status(status).json(body)
})

app.use((req, res) => {
  res.status(404).json({ error: `no route ${req.method} ${req.path}` })
})

// Express 5 passes rejected promises of async handlers here (and the body parser its 400s).
app.use((error, _req, res, _next) => {
  const { status, body } = errorResponse(error)
  res.status(status).json(body)
})

// Listening comes first, so the probes answer through the boot: /livez 200 at once, /startupz
// and /readyz 503 until boot() calls markStarted(). listen() also drains the server on shutdown.
const server = await listen(app, health, { port: config.port, host: config.host })
log(`listening on http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${server.address().port}`)
await boot(pool, health)
