// Beats over HTTP into a Koa app: the receiver runs ahead of the app's own middleware.
import Koa from 'koa'
import { createHealth } from '@healthz/core'
import { createHeartbeatMonitor } from '@healthz/heartbeat'
import { httpReceiver } from '@healthz/heartbeat/http'
import { createHealthMiddleware } from '@healthz/koa'

const receiver = httpReceiver({ path: '/heartbeat' })
const monitor = createHeartbeatMonitor({ transport: receiver })
const health = createHealth({ readiness: [monitor.check] })

const app = new Koa()
app.use(createHealthMiddleware(health))
app.use(async function heartbeats(ctx, next) {
  if (ctx.path !== '/heartbeat') return next()
  ctx.respond = false // the receiver writes the response itself
  receiver.handler(ctx.req, ctx.res)
})
app.listen(8080)
