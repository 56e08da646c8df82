// The types users write against: the plugin registers on Fastify 5 instances (plain, with a
// logger, with a type provider, over https), with its options checked. Fastify 4's types: test/fastify4/.
import type { Server as HttpsServer } from 'node:https'
import Fastify from 'fastify'
import type { FastifyPluginAsync, FastifyRequest, FastifyTypeProviderDefault } from 'fastify'
import type { Health } from '@healthz/core'
import { healthz } from '@healthz/fastify'
import type { FastifyHealthOptions, ProbeRouteConfig, ServeMode } from '@healthz/fastify'
import { describe, expectTypeOf, test } from 'vitest'

const accepts = <T>(value: T): T => value
declare const health: Health

describe('@healthz/fastify', () => {
  test('options: health required, the rest optional, the same names as the other adapters', () => {
    accepts<FastifyHealthOptions>({ health })
    accepts<FastifyHealthOptions>({ health, serve: 'route', drain: false, onError: (error) => console.error(error.message) })
    expectTypeOf<ServeMode>().toEqualTypeOf<'server' | 'route'>()
    // @ts-expect-error health is required
    accepts<FastifyHealthOptions>({ serve: 'server' })
    // @ts-expect-error a misspelt option
    accepts<FastifyHealthOptions>({ health, serv: 'route' })
    // @ts-expect-error not a way in
    accepts<FastifyHealthOptions>({ health, serve: 'router' })
  })

  test('a Fastify plugin: registers on Fastify 5, with options checked', async () => {
    expectTypeOf(healthz).toExtend<FastifyPluginAsync<FastifyHealthOptions>>()
    const app = Fastify({ logger: true })
    await app.register(healthz, { health })
    await app.register(healthz, { health, serve: 'route' })
    // @ts-expect-error health is required
    await app.register(healthz, {})
    // @ts-expect-error a misspelt option
    await app.register(healthz, { health, serv: 'route' })
    const typed = Fastify().withTypeProvider<FastifyTypeProviderDefault>()
    await typed.register(healthz, { health })
    const https = Fastify({ https: { key: '', cert: '' } })
    expectTypeOf(https.server).toEqualTypeOf<HttpsServer>()
    await https.register(healthz, { health })
  })

  test('the probe routes carry config.healthz', () => {
    expectTypeOf<ProbeRouteConfig>().toEqualTypeOf<{ healthz: true }>()
    const skip = (request: FastifyRequest): boolean => (request.routeOptions.config as Partial<ProbeRouteConfig>).healthz === true
    expectTypeOf(skip).returns.toEqualTypeOf<boolean>()
  })
})
