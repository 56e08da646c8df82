// Issue 14: the option and return types users write against (see packages/core/test/public-types.test-d.ts).
import type { Server } from 'node:http'
import Koa from 'koa'
import type { Health } from '@healthz/core'
import { createHealthMiddleware, listen } from '@healthz/koa'
import type { AttachHealthOptions, HealthMiddlewareOptions, ListenOptions } from '@healthz/koa'
import { describe, expectTypeOf, test } from 'vitest'

const accepts = <T>(value: T): T => value
declare const health: Health

describe('@healthz/koa', () => {
  test('options: all optional, the same names as the other adapters', () => {
    accepts<HealthMiddlewareOptions>({})
    accepts<HealthMiddlewareOptions>({ onError: (error) => console.error(error.message) })
    accepts<ListenOptions>({})
    accepts<ListenOptions>({ port: 3000, host: '127.0.0.1', drain: false, onError: () => {} })
    expectTypeOf<ListenOptions>().toExtend<AttachHealthOptions>()
    // @ts-expect-error a misspelt option
    accepts<ListenOptions>({ prot: 3000 })
  })

  test('the middleware mounts on a Koa app; listen resolves with the server', () => {
    const app = new Koa()
    app.use(createHealthMiddleware(health))
    expectTypeOf(listen(app, health)).toEqualTypeOf<Promise<Server>>()
  })
})
