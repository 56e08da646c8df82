import Koa from 'koa'
import { createHealthMiddleware, drainOnShutdown } from '@healthz/koa'
import { health } from './health.js'

const app = new Koa()
// First, ahead of everything that must not see the probes.
app.use(createHealthMiddleware(health))
app.use(async (ctx, next) => {
  if (ctx.get('authorization') === '') ctx.throw(401)
  await next()
})
app.use(async (ctx) => {
  if (ctx.path === '/orders') ctx.body = { orders: [] }
})

const server = app.listen(8080, () => health.markStarted())
// The drain glue: readiness fails first, then the server stops accepting and finishes in-flight requests.
drainOnShutdown(health, server)
