// Issue 15: core's response formats through HealthModule. `format` given to forRoot, or returned
// by forRootAsync's useFactory, makes the probes answer the terminus or Spring Actuator body (or a
// function's) with its status codes and content type, ahead of Nest ('server') and through the
// probe controller ('controller'); and the OpenAPI document of @nestjs/swagger describes each probe
// in its format. Run once per NestJS major (nest12.test.ts, nest11.test.ts), on Express and
// Fastify: real apps on listen(0), real HTTP, and the document SwaggerModule.createDocument builds.
// Every body the probes answer is also validated against the schema the document gives it (ajv).
import type { AddressInfo } from 'node:net'
import { Ajv } from 'ajv'
import { map } from 'rxjs'
import { afterEach, describe, expect, it } from 'vitest'
import { defineCheck, isHealthzError, SPRING_CONTENT_TYPE } from '@healthz/core'
import type { FormatFunction, Health } from '@healthz/core'
import { HEALTH, HEALTH_JSON_SCHEMA, HealthModule, SPRING_SCHEMA, TERMINUS_SCHEMA } from '@healthz/nestjs'
import type { HealthModuleOptions, JsonSchema } from '@healthz/nestjs'
import { call } from '../../../test-utils/client.js'
import type { Swagger } from './routing.js'
import type { App, NestKit } from './suite.js'

interface OpenApiOperation {
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>
}

type HealthImport = ReturnType<typeof HealthModule.forRoot>

/** A critical dependency check whose outcome the test sets. */
function toggle(name: string) {
  const state = { fail: false }
  const check = defineCheck({
    name,
    cache: 0,
    run: () => {
      if (state.fail) throw new Error(`${name}: connect ECONNREFUSED`)
    },
  })
  return { check, state }
}

const json = (body: string): unknown => JSON.parse(body)

// OpenAPI 3.0 schemas: `nullable` and `example` are OpenAPI's words, not JSON Schema's (strict: false lets ajv pass `example`).
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
/** Why `body` does not match `schema` (ajv's errors), or [] when it does. */
function mismatches(schema: JsonSchema, body: string): unknown[] {
  const validate = ajv.compile(schema)
  return validate(JSON.parse(body)) ? [] : (validate.errors ?? ['invalid'])
}
const indicator = (status: 'up' | 'down', message?: string) => ({ ...(message === undefined ? {} : { message }), responseTime: expect.any(Number), status })

/** The shape of lightship's answers, as docs/formats.md writes it: plain text, 500 when not ready. */
const legacy: FormatFunction = (report) => ({ status: report.status === 'fail' ? 500 : 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: report.status === 'fail' ? 'SERVER_IS_NOT_READY' : 'SERVER_IS_READY' })

export function defineFormatsSuite(nest: NestKit, swagger: Swagger): void {
  const { Module } = nest.common
  const { APP_INTERCEPTOR, NestFactory } = nest.core

  const apps: App[] = []
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close().catch(() => undefined)
  })

  /** The app: a global interceptor that wraps every answer in { data } (it must not reach a probe), and the health module. */
  function appModule(health: HealthImport): unknown {
    const wrap = { intercept: (_context: unknown, next: { handle(): import('rxjs').Observable<unknown> }) => next.handle().pipe(map((data) => ({ data }))) }
    @Module({ imports: [health], providers: [{ provide: APP_INTERCEPTOR, useValue: wrap }] })
    class AppModule {}
    return AppModule
  }

  async function create(platform: string, health: HealthImport, prefix?: string): Promise<App> {
    const adapter = platform === 'express' ? new nest.platformExpress.ExpressAdapter() : new nest.platformFastify.FastifyAdapter()
    const app = (await NestFactory.create(appModule(health) as never, adapter as never, { logger: false, abortOnError: false })) as unknown as App
    apps.push(app)
    if (prefix !== undefined) app.setGlobalPrefix(prefix)
    return app
  }

  async function start(platform: string, health: HealthImport, prefix?: string): Promise<{ port: number; app: App }> {
    const app = await create(platform, health, prefix)
    await app.listen(0, '127.0.0.1')
    return { port: (app.getHttpServer().address() as AddressInfo).port, app }
  }

  describe.each(['express', 'fastify'])(`NestJS ${nest.version} on %s: issue 15 formats`, (platform) => {
    describe.each([
      ['server', ''],
      ['controller', '/api'],
    ] as const)('serve: %s', (serve, base) => {
      // The controller's probes under the global prefix (controller.globalPrefix), as the contract runs them.
      const routing = serve === 'controller' ? { controller: { globalPrefix: true } } : {}
      const forRoot = (options: HealthModuleOptions) => HealthModule.forRoot({ serve, runtime: false, ...routing, ...options })
      const run = (health: HealthImport) => start(platform, health, serve === 'controller' ? 'api' : undefined)

      it("format: 'terminus' answers the @nestjs/terminus body: 200 ok, 503 error with the check under error, application/json", async () => {
        const db = toggle('db')
        const { port } = await run(forRoot({ readiness: [db.check], format: 'terminus' }))
        const ok = await call(port, `${base}/readyz`)
        expect(ok.status).toBe(200)
        expect(ok.headers['content-type']).toBe('application/json')
        expect(ok.headers['cache-control']).toBe('no-store')
        expect(json(ok.body)).toEqual({ status: 'ok', info: { db: indicator('up') }, error: {}, details: { db: indicator('up') } })
        db.state.fail = true
        const failed = await call(port, `${base}/readyz`)
        expect(failed.status).toBe(503)
        expect(failed.headers['content-type']).toBe('application/json')
        expect(json(failed.body)).toEqual({ status: 'error', info: {}, error: { db: indicator('down', 'reason withheld') }, details: { db: indicator('down', 'reason withheld') } })
        expect(failed.body).not.toContain('ECONNREFUSED')
        const one = await call(port, `${base}/readyz/db`)
        expect(one.status).toBe(503)
        for (const reply of [ok, failed, one]) expect(mismatches(TERMINUS_SCHEMA, reply.body)).toEqual([])
        const head = await call(port, `${base}/readyz`, { method: 'HEAD' })
        expect([head.status, head.headers['content-type'], head.body]).toEqual([503, 'application/json', ''])
        const live = await call(port, `${base}/livez`)
        expect([live.status, live.headers['content-type'], json(live.body)]).toEqual([200, 'application/json', { status: 'ok', info: {}, error: {}, details: {} }])
      })

      it("format: 'spring' answers Actuator's body in its content type: OUT_OF_SERVICE while starting, then UP, DOWN, one component per check path", async () => {
        const db = toggle('db')
        const { port, app } = await run(forRoot({ readiness: [db.check], format: 'spring', started: 'manual' }))
        for (const path of ['/readyz', '/startupz']) {
          const starting = await call(port, `${base}${path}`)
          expect([starting.status, starting.headers['content-type'], json(starting.body)], path).toEqual([503, SPRING_CONTENT_TYPE, { status: 'OUT_OF_SERVICE' }])
        }
        app.get<Health>(HEALTH).markStarted()
        const up = await call(port, `${base}/readyz`)
        expect([up.status, up.headers['content-type'], json(up.body)]).toEqual([200, SPRING_CONTENT_TYPE, { status: 'UP', components: { db: { status: 'UP' } } }])
        db.state.fail = true
        const down = await call(port, `${base}/readyz`)
        expect([down.status, json(down.body)]).toEqual([503, { status: 'DOWN', components: { db: { status: 'DOWN' } } }])
        const one = await call(port, `${base}/readyz/db`)
        expect([one.status, one.headers['content-type'], json(one.body)]).toEqual([503, SPRING_CONTENT_TYPE, { status: 'DOWN' }])
        const live = await call(port, `${base}/livez`)
        expect([live.status, json(live.body)]).toEqual([200, { status: 'UP' }])
        for (const reply of [up, down, one, live]) expect(mismatches(SPRING_SCHEMA, reply.body)).toEqual([])
      })

      it("answers bodies with every field the schemas describe (details: 'always', a measured check, ?verbose), each matching its schema", async () => {
        const db = toggle('db')
        db.state.fail = true
        const queue = defineCheck({ name: 'queue', measurement: 'depth', cache: 0, run: () => ({ observedValue: 3, observedUnit: 'jobs' }) })
        const formats = { liveness: 'terminus', readiness: 'spring', startup: 'health+json' } as const
        // started: 'manual' with a startup check: the first /startupz runs it, and its passing opens the gate.
        const { port } = await run(forRoot({ readiness: [db.check, queue], startup: [queue], details: 'always', runtime: {}, started: 'manual', format: formats }))
        const startup = await call(port, `${base}/startupz`)
        expect(json(startup.body)).toEqual(expect.objectContaining({ status: 'pass', checks: { 'queue:depth': [expect.objectContaining({ observedValue: 3, observedUnit: 'jobs' })] } }))
        expect(mismatches(HEALTH_JSON_SCHEMA, startup.body)).toEqual([])
        const ready = await call(port, `${base}/readyz`)
        expect(json(ready.body)).toEqual({
          status: 'DOWN',
          components: {
            db: { status: 'DOWN', details: { responseTime: expect.any(Number), error: 'db: connect ECONNREFUSED' } },
            queue: { status: 'UP', details: { observedValue: 3, observedUnit: 'jobs', responseTime: expect.any(Number) } },
          },
        })
        expect(mismatches(SPRING_SCHEMA, ready.body)).toEqual([])
        expect(mismatches(SPRING_SCHEMA, (await call(port, `${base}/readyz/queue`)).body)).toEqual([])
        const live = await call(port, `${base}/livez?verbose`)
        expect(json(live.body)).toEqual(expect.objectContaining({ info: { runtime: expect.objectContaining({ eventLoopDelayP99: expect.any(Number), status: 'up' }) } }))
        expect(mismatches(TERMINUS_SCHEMA, live.body)).toEqual([])
      })

      it("format: { readiness: 'spring' } answers Actuator's body on readiness alone; liveness and startup keep health+json", async () => {
        const { port } = await run(forRoot({ readiness: [toggle('db').check], format: { readiness: 'spring' } }))
        const ready = await call(port, `${base}/readyz`)
        expect([ready.status, ready.headers['content-type'], json(ready.body)]).toEqual([200, SPRING_CONTENT_TYPE, { status: 'UP', components: { db: { status: 'UP' } } }])
        for (const path of ['/livez', '/startupz']) {
          const reply = await call(port, `${base}${path}`)
          expect([reply.status, reply.headers['content-type'], json(reply.body)], path).toEqual([200, 'application/health+json', expect.objectContaining({ status: 'pass' })])
          expect(mismatches(HEALTH_JSON_SCHEMA, reply.body)).toEqual([])
        }
        expect(mismatches(SPRING_SCHEMA, ready.body)).toEqual([])
      })

      it('takes the format from forRootAsync useFactory, chosen from an injected provider', async () => {
        const db = toggle('db')
        const FORMAT = 'HEALTH_FORMAT'
        @Module({ providers: [{ provide: FORMAT, useValue: 'terminus' }], exports: [FORMAT] })
        class ConfigModule {}
        const health = HealthModule.forRootAsync({
          serve,
          ...routing,
          imports: [ConfigModule],
          inject: [FORMAT],
          useFactory: (format: 'terminus') => ({ readiness: [db.check], runtime: false, format }),
        })
        const { port } = await run(health)
        const ok = await call(port, `${base}/readyz`)
        expect([ok.status, ok.headers['content-type'], json(ok.body)]).toEqual([200, 'application/json', { status: 'ok', info: { db: indicator('up') }, error: {}, details: { db: indicator('up') } }])
        db.state.fail = true
        expect(json((await call(port, `${base}/readyz`)).body)).toEqual(expect.objectContaining({ status: 'error', error: { db: indicator('down', 'reason withheld') } }))
      })

      it("answers a format function's status, content type and body", async () => {
        const db = toggle('db')
        const { port } = await run(forRoot({ readiness: [db.check], format: { readiness: legacy } }))
        const ready = await call(port, `${base}/readyz`)
        expect([ready.status, ready.headers['content-type'], ready.body]).toEqual([200, 'text/plain; charset=utf-8', 'SERVER_IS_READY'])
        db.state.fail = true
        const failed = await call(port, `${base}/readyz`)
        expect([failed.status, failed.body]).toEqual([500, 'SERVER_IS_NOT_READY'])
      })
    })

    describe("serve: 'controller' OpenAPI", () => {
      /** The document of an app with the probe controller at its own paths. */
      async function documentOf(health: HealthImport): Promise<Record<string, { get: OpenApiOperation }>> {
        const app = await create(platform, health)
        return swagger.SwaggerModule.createDocument(app as never, new swagger.DocumentBuilder().build()).paths as unknown as Record<string, { get: OpenApiOperation }>
      }
      const ROUTES = { liveness: ['/livez', '/livez/{check}'], readiness: ['/readyz', '/readyz/{check}'], startup: ['/startupz', '/startupz/{check}'] }

      /** Each route of `probe` documents 200 and 503 with `schema` under `type`, and nothing else. */
      function expectBuiltIn(paths: Record<string, { get: OpenApiOperation }>, probe: keyof typeof ROUTES, type: string, schema: unknown): void {
        for (const path of ROUTES[probe]) {
          const { responses } = paths[path]?.get ?? { responses: {} }
          expect(Object.keys(responses).sort(), path).toEqual(['200', '503'])
          for (const status of ['200', '503']) expect(responses[status]?.content, `${path} ${status}`).toEqual({ [type]: { schema } })
        }
      }

      it("describes 'terminus' with its schema as application/json, and 'spring' with Actuator's schema and content type", async () => {
        const terminus = await documentOf(HealthModule.forRoot({ serve: 'controller', format: 'terminus' }))
        for (const probe of ['liveness', 'readiness', 'startup'] as const) expectBuiltIn(terminus, probe, 'application/json', TERMINUS_SCHEMA)
        expect(terminus['/readyz']?.get.responses['503']?.description).toBe('error or shutting_down')
        const spring = await documentOf(HealthModule.forRoot({ serve: 'controller', format: 'spring' }))
        for (const probe of ['liveness', 'readiness', 'startup'] as const) expectBuiltIn(spring, probe, SPRING_CONTENT_TYPE, SPRING_SCHEMA)
        expect(spring['/readyz']?.get.responses['503']?.description).toBe('DOWN or OUT_OF_SERVICE')
      })

      it('describes each probe in its own format, and a format chosen by forRootAsync useFactory', async () => {
        const mixed = await documentOf(HealthModule.forRoot({ serve: 'controller', format: { liveness: 'terminus', readiness: 'spring' } }))
        expectBuiltIn(mixed, 'liveness', 'application/json', TERMINUS_SCHEMA)
        expectBuiltIn(mixed, 'readiness', SPRING_CONTENT_TYPE, SPRING_SCHEMA)
        expectBuiltIn(mixed, 'startup', 'application/health+json', HEALTH_JSON_SCHEMA)
        const late = await documentOf(HealthModule.forRootAsync({ serve: 'controller', useFactory: async () => ({ format: { readiness: 'spring' as const } }) }))
        expectBuiltIn(late, 'readiness', SPRING_CONTENT_TYPE, SPRING_SCHEMA)
        expectBuiltIn(late, 'liveness', 'application/health+json', HEALTH_JSON_SCHEMA)
      })

      it("describes a format function's answer as the application's (a default response, no schema), or with the schema given in openapi.response", async () => {
        const plain = await documentOf(HealthModule.forRoot({ serve: 'controller', format: { readiness: legacy } }))
        for (const path of ROUTES.readiness) {
          expect(plain[path]?.get.responses, path).toEqual({ default: { description: expect.stringMatching(/format function: its status code, content type and body are the application's/) } })
        }
        expectBuiltIn(plain, 'liveness', 'application/health+json', HEALTH_JSON_SCHEMA)
        const text = { type: 'string' as const, enum: ['SERVER_IS_READY', 'SERVER_IS_NOT_READY'] }
        const described = await documentOf(
          HealthModule.forRoot({ serve: 'controller', format: { readiness: legacy }, controller: { openapi: { response: { readiness: { schema: text, contentType: 'text/plain' } } } } }),
        )
        for (const path of ROUTES.readiness) {
          expect(described[path]?.get.responses, path).toEqual({ default: { description: 'The answer of the format function.', content: { 'text/plain': { schema: text } } } })
        }
        const every = await documentOf(HealthModule.forRoot({ serve: 'controller', format: legacy, controller: { openapi: { response: { schema: text, description: 'lightship' } } } }))
        for (const path of [...ROUTES.liveness, ...ROUTES.readiness, ...ROUTES.startup]) {
          expect(every[path]?.get.responses, path).toEqual({ default: { description: 'lightship', content: { 'application/json': { schema: text } } } })
        }
      })

      it('refuses openapi.response for a probe whose format is built in, when Nest creates the application', async () => {
        const schema = { type: 'object' as const }
        const failures = [
          [HealthModule.forRoot({ serve: 'controller', format: 'spring', controller: { openapi: { response: { schema } } } }), /no probe has one/],
          [HealthModule.forRoot({ serve: 'controller', format: { readiness: legacy }, controller: { openapi: { response: { liveness: { schema } } } } }), /liveness answers 'health\+json', whose body the document describes already/],
          [HealthModule.forRootAsync({ serve: 'controller', controller: { openapi: { response: { readiness: { schema } } } }, useFactory: () => ({ format: 'terminus' as const }) }), /readiness answers 'terminus'/],
        ] as const
        for (const [health, message] of failures) {
          const error: unknown = await create(platform, health).then(() => undefined, (caught: unknown) => caught)
          expect(isHealthzError(error)).toBe(true)
          expect(error).toEqual(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(message) }))
        }
      })
    })
  })
}
