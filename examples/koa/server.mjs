// An "orders" service on Koa 3 and Postgres, with healthz. The probes are answered by
// @healthz/koa's listen() at the server's `request` event, before Koa runs, so the auth
// middleware and the request log below never see them. The framework-free part (the pool, the
// readiness check, the health object, the boot) is in ../orders/orders.mjs.
//
//   pnpm example:koa      (at the repository root; installs and builds first)
//
//   curl -i localhost:3000/readyz
//   curl -i -H 'authorization: Bearer dev-token' localhost:3000/orders
//   curl -i -H 'authorization: Bearer dev-token' -H 'content-type: application/json' \
//        -d '{"item":"coffee beans","quantity":2}' localhost:3000/orders
//
// Environment: PORT, HOST, API_TOKEN, DATABASE_URL or PG*, DRAIN_SECONDS (see ../orders/orders.mjs).
import Koa from 'koa'
import { bodyParser } from '@koa/bodyparser'
import { listen } from '@healthz/koa'
import { boot, config, createOrder, createOrdersHealth, createPool, createTokenCheck, errorResponse, listOrders, log } from '@healthz/example-orders'

const pool = createPool('orders-koa')
const health = createOrdersHealth('orders-koa', pool)
const authorized = createTokenCheck()

const app = new Koa()

// Request log and error handler, outermost. The probes never reach it (listen() answers them
// before Koa runs), so the kubelet's probe every few seconds does not drown the log.
app.use(async function requestLog(ctx, next) {
  const started = performance.now()
  try {
    await next()
  } catch (error) {
    const { status, body } = errorResponse(error)
    ctx.status = status
    ctx.body = body
  }
  log(`${ctx.method} ${ctx.originalUrl} ${ctx.status} ${(performance.now() - started).toFixed(1)} ms`)
})

// Authentication on every route. The probes are not routes of this app, so the kubelet, which
// sends no token, still reaches them.
app.use(async function authenticate(ctx, next) {
  if (!authorized(ctx.get('authorization'))) {
    ctx.set('www-authenticate', 'Bearer')
    ctx.status = 401
    ctx.body = { error: 'unauthorized' }
    return
  }
  await next()
})

// After auth: bodies of unauthenticated requests are never parsed.
app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '16kb' }))

const routes = {
  'GET /orders': () => listOrders(pool),
  'POST /orders': (ctx) => createOrder(pool, ctx.request.body),
}

app.use(async function router(ctx) {
  const route = routes[`${ctx.method} ${ctx.path}`]
  const { status, body } = route === undefined ? { status: 404, body: { error: `no route ${ctx.method} ${ctx.path}` } } : await route(ctx)
  ctx.status = status
  ctx.body = body
})

// Listening comes first, so the probes answer through the boot: /livez 200 at once, /startupz
// and /readyz 503 until boot() calls markStarted(). listen() also drains the server on shutdown.
// Koa builds its handler from the middleware registered so far: register every middleware first.
const server = await listen(app, health, { port: config.port, host: config.host })
log(`listening on http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${server.address().port}`)
await boot(pool, health)
