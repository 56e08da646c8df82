// The middleware type fits Hono's own, at both ends of the peer range.
import type { MiddlewareHandler } from 'hono'
import { Hono } from 'hono'
import type { MiddlewareHandler as MiddlewareHandler4v0 } from 'hono4'
import { Hono as Hono4v0 } from 'hono4'
import { createHealth } from '@healthz/core'
import { createHealthMiddleware } from '@healthz/hono'
import type { HealthMiddleware } from '@healthz/hono'
import { expectTypeOf, test } from 'vitest'

const health = createHealth()

test('createHealthMiddleware returns a MiddlewareHandler of Hono 4.13 and 4.0', () => {
  expectTypeOf<HealthMiddleware>().toExtend<MiddlewareHandler>()
  expectTypeOf<HealthMiddleware>().toExtend<MiddlewareHandler4v0>()
  new Hono().use(createHealthMiddleware(health))
  new Hono4v0().use(createHealthMiddleware(health))
  new Hono().use('/api/*', createHealthMiddleware(health))
})
