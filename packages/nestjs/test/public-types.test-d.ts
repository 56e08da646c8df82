// Issue 14: the option types users write against (see packages/core/test/public-types.test-d.ts).
import { VERSION_NEUTRAL } from '@nestjs/common'
import type { DynamicModule } from '@nestjs/common'
import { defineCheck } from '@healthz/core'
import type { HealthOptions } from '@healthz/core'
import { HealthModule } from '@healthz/nestjs'
import { HEALTH_JSON_SCHEMA, SPRING_SCHEMA, TERMINUS_SCHEMA } from '@healthz/nestjs'
import type { HealthFactoryOptions, HealthModuleAsyncOptions, HealthModuleOptions, HealthOpenApiResponse, JsonSchema } from '@healthz/nestjs'
import { describe, expectTypeOf, test } from 'vitest'

const accepts = <T>(value: T): T => value
const db = defineCheck({ name: 'db', run: () => {} })

describe('@healthz/nestjs', () => {
  test('forRoot takes the health options and the module settings, all optional', () => {
    expectTypeOf<HealthModuleOptions>().toExtend<HealthOptions>()
    accepts<HealthModuleOptions>({})
    accepts<HealthModuleOptions>({ readiness: [db], paths: { readiness: '/ready' }, serve: 'controller', started: 'manual', global: false })
    // @ts-expect-error serve is 'server' or 'controller'
    accepts<HealthModuleOptions>({ serve: 'middleware' })
    expectTypeOf(HealthModule.forRoot()).toEqualTypeOf<DynamicModule>()
  })

  test('forRootAsync: paths and prefix stay outside the factory, health options come from it', () => {
    accepts<HealthModuleAsyncOptions>({ useFactory: () => ({ readiness: [db] }), paths: { liveness: '/live' }, serve: 'server' })
    accepts<HealthModuleAsyncOptions>({ inject: ['CONFIG'], useFactory: async () => ({}) })
    expectTypeOf<HealthFactoryOptions>().not.toHaveProperty('paths')
    expectTypeOf<HealthFactoryOptions>().not.toHaveProperty('prefix')
    expectTypeOf(HealthModule.forRootAsync({ useFactory: () => ({}) })).toEqualTypeOf<DynamicModule>()
  })

  test('issue 15: controller takes the global prefix, a version and the OpenAPI settings', () => {
    accepts<HealthModuleOptions>({ serve: 'controller', controller: { globalPrefix: true, version: [VERSION_NEUTRAL, '1'], openapi: { tags: ['ops'] } } })
    accepts<HealthModuleAsyncOptions>({ serve: 'controller', controller: { version: VERSION_NEUTRAL, openapi: false }, useFactory: () => ({}) })
    // @ts-expect-error a version is a string or VERSION_NEUTRAL
    accepts<HealthModuleOptions>({ serve: 'controller', controller: { version: 1 } })
    // @ts-expect-error openapi is a boolean or { tags }
    accepts<HealthModuleOptions>({ serve: 'controller', controller: { openapi: 'yes' } })
    expectTypeOf(HEALTH_JSON_SCHEMA).toEqualTypeOf<JsonSchema>()
  })

  test('issue 15: formats in forRoot and useFactory; openapi.response describes a format function, for all or per probe', () => {
    accepts<HealthModuleOptions>({ format: 'terminus' })
    accepts<HealthModuleOptions>({ format: { readiness: 'spring' } })
    accepts<HealthModuleAsyncOptions>({ useFactory: () => ({ format: 'spring' as const }) })
    const response: HealthOpenApiResponse = { schema: { type: 'string' }, contentType: 'text/plain', description: 'lightship' }
    accepts<HealthModuleOptions>({ serve: 'controller', format: () => ({ status: 200, body: 'ok' }), controller: { openapi: { response } } })
    accepts<HealthModuleOptions>({ serve: 'controller', controller: { openapi: { tags: ['ops'], response: { readiness: response } } } })
    // @ts-expect-error the schema is required
    accepts<HealthOpenApiResponse>({ contentType: 'text/plain' })
    // @ts-expect-error 'json' is no format
    accepts<HealthModuleOptions>({ format: 'json' })
    expectTypeOf(TERMINUS_SCHEMA).toEqualTypeOf<JsonSchema>()
    expectTypeOf(SPRING_SCHEMA).toEqualTypeOf<JsonSchema>()
  })
})
