import Koa from 'koa'
import { createHealthMiddleware } from '@healthz/koa'
import { health } from './health.js'

const app = new Koa()

// A request logger registered ahead of the probes (say, by a platform library) can skip them:
// health.matches() is synchronous and knows every probe path, prefix and per-check path included.
app.use(async (ctx, next) => {
  if (health.matches(ctx.url)) return next()
  const started = performance.now()
  await next()
  console.log(ctx.method, ctx.originalUrl, ctx.status, performance.now() - started)
})
app.use(createHealthMiddleware(health))
