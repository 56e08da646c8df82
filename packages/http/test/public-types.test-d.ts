// Issue 14: the option and return types users write against (see packages/core/test/public-types.test-d.ts).
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { Health } from '@healthz/core'
import { attachHealth, createHealthListener, createHealthServer, drainOnShutdown } from '@healthz/http'
import type { AttachHealthOptions, HealthListenerOptions, HealthServer, HealthServerOptions } from '@healthz/http'
import { describe, expectTypeOf, test } from 'vitest'

const accepts = <T>(value: T): T => value
declare const health: Health

describe('@healthz/http', () => {
  test('every option is optional, named as in every adapter', () => {
    accepts<HealthListenerOptions>({})
    accepts<HealthListenerOptions>({ next: (_req, res) => res.end(), onError: (error) => console.error(error.message) })
    accepts<HealthServerOptions>({})
    accepts<HealthServerOptions>({ port: 9000, host: '0.0.0.0', onError: () => {} })
    accepts<AttachHealthOptions>({})
    accepts<AttachHealthOptions>({ drain: false, onError: () => {} })
    // @ts-expect-error drain is a boolean
    accepts<AttachHealthOptions>({ drain: 'yes' })
  })

  test('the listener is a node:http request listener; attach and drain return their undo', () => {
    createServer(createHealthListener(health))
    expectTypeOf(createHealthServer(health)).toEqualTypeOf<HealthServer>()
    expectTypeOf<HealthServer['server']>().toEqualTypeOf<Server>()
    expectTypeOf(attachHealth(createServer(), health)).toEqualTypeOf<() => void>()
    expectTypeOf(drainOnShutdown(health, [createServer(), createServer()])).toEqualTypeOf<() => void>()
  })
})
