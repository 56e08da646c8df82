import express from 'express'
import type { NextFunction, Request, Response } from 'express'
import { createHealthMiddleware } from '@healthz/express'
import { health } from './health.js'

const app = express()

// A request logger registered ahead of the probes (say, by a platform library) can skip them:
// health.matches() is synchronous and knows every probe path, prefix and per-check path included.
app.use(function requestLog(req: Request, res: Response, next: NextFunction) {
  if (health.matches(req.url)) return next()
  const started = performance.now()
  res.on('finish', () => console.log(req.method, req.originalUrl, res.statusCode, performance.now() - started))
  next()
})
app.use(createHealthMiddleware(health))
