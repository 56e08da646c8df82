import express from 'express'
import type { NextFunction, Request, Response } from 'express'
import { createHealthMiddleware, drainOnShutdown } from '@healthz/express'
import { health } from './health.js'

const app = express()
// First, ahead of everything that must not see the probes.
app.use(createHealthMiddleware(health))
app.use(function authenticate(req: Request, res: Response, next: NextFunction) {
  if (req.get('authorization') === undefined) {
    res.status(401).end()
    return
  }
  next()
})
app.get('/orders', (_req, res) => {
  res.json({ orders: [] })
})

const server = app.listen(8080, () => health.markStarted())
// The drain glue: readiness fails first, then the server stops accepting and finishes in-flight requests.
drainOnShutdown(health, server)
