// Issue 15: with serve: 'controller', the probes stay at their own paths under Nest's global
// prefix and versioning unless asked (controller.globalPrefix, controller.version), and appear
// in the OpenAPI document of @nestjs/swagger (controller.openapi). Run once per NestJS major
// (nest12.test.ts, nest11.test.ts), on Express and Fastify: real apps on listen(0), real HTTP,
// and the document SwaggerModule.createDocument builds for the same app.
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { defineCheck } from '@healthz/core'
import { HEALTH_JSON_SCHEMA, HealthModule } from '@healthz/nestjs'
import type { HealthControllerOptions } from '@healthz/nestjs'
import { call } from '../../../test-utils/client.js'
import type { NestKit } from './suite.js'

/** @nestjs/swagger of the same major. */
export type Swagger = typeof import('@nestjs/swagger')

interface App {
  close(): Promise<void>
  getHttpServer(): import('node:http').Server
  listen(port: number, host: string): Promise<unknown>
  setGlobalPrefix(prefix: string, options?: { exclude?: string[] }): unknown
  enableVersioning(options: unknown): unknown
}

interface OpenApiOperation {
  tags?: string[]
  summary?: string
  parameters?: { name: string; in: string }[]
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>
}

const auth = { authorization: 'Bearer secret' }

export function defineRoutingSuite(nest: NestKit, swagger: Swagger): void {
  const { Controller, Get, Module, ForbiddenException, VersioningType } = nest.common
  const { APP_GUARD, NestFactory } = nest.core

  const apps: App[] = []
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close().catch(() => undefined)
  })

  /** Every URL the global guard saw: never a probe's. */
  const guarded: string[] = []

  function appModule(controller?: HealthControllerOptions) {
    @Controller('orders')
    class OrdersController {
      @Get()
      list(): unknown {
        return { orders: [1, 2] }
      }
    }
    const guard = {
      canActivate(context: import('@nestjs/common').ExecutionContext): boolean {
        const request = context.switchToHttp().getRequest<{ url: string; headers: Record<string, string> }>()
        guarded.push(request.url)
        if (request.headers.authorization !== auth.authorization) throw new ForbiddenException('no token')
        return true
      },
    }
    const health = HealthModule.forRoot({ serve: 'controller', readiness: [defineCheck({ name: 'db', run: () => undefined })], ...(controller === undefined ? {} : { controller }) })
    @Module({ imports: [health], controllers: [OrdersController], providers: [{ provide: APP_GUARD, useValue: guard }] })
    class AppModule {}
    return AppModule
  }

  describe.each(['express', 'fastify'])(`NestJS ${nest.version} on %s: issue 15`, (platform) => {
    async function create(controller: HealthControllerOptions | undefined, setup: (app: App) => void): Promise<App> {
      const adapter = platform === 'express' ? new nest.platformExpress.ExpressAdapter() : new nest.platformFastify.FastifyAdapter()
      const app = (await NestFactory.create(appModule(controller) as never, adapter as never, { logger: false })) as unknown as App
      apps.push(app)
      setup(app)
      return app
    }

    async function start(controller: HealthControllerOptions | undefined, setup: (app: App) => void): Promise<number> {
      const app = await create(controller, setup)
      await app.listen(0, '127.0.0.1')
      return (app.getHttpServer().address() as AddressInfo).port
    }

    /** The status of each path, GET without credentials unless headers are given. */
    async function statuses(port: number, paths: string[], headers: Record<string, string> = {}): Promise<Record<string, number>> {
      const result: Record<string, number> = {}
      for (const path of paths) result[path] = (await call(port, path, { headers })).status
      return result
    }

    it('stays at its own paths under app.setGlobalPrefix() by default, exclude list and all, out of the guard\'s reach', async () => {
      guarded.length = 0
      const port = await start(undefined, (app) => app.setGlobalPrefix('api', { exclude: ['orders'] }))
      expect(await statuses(port, ['/livez', '/readyz', '/startupz', '/readyz/db', '/api/livez', '/api/readyz'])).toEqual({
        '/livez': 200,
        '/readyz': 200,
        '/startupz': 200,
        '/readyz/db': 200,
        '/api/livez': 404,
        '/api/readyz': 404,
      })
      expect((await call(port, '/livez', { method: 'POST' })).status).toBe(405) // the middleware, not the guard
      expect((await call(port, '/livez', { method: 'HEAD' })).status).toBe(200)
      expect(guarded).toEqual([])
      // The user's own exclusion still applies: /orders is outside the prefix, and guarded.
      expect(await statuses(port, ['/orders', '/api/orders'])).toEqual({ '/orders': 403, '/api/orders': 404 })
      expect(guarded).toEqual(['/orders'])
    })

    it('takes the global prefix with controller.globalPrefix, and the prefix\'s exclude list applies to a probe', async () => {
      guarded.length = 0
      const port = await start({ globalPrefix: true }, (app) => app.setGlobalPrefix('api', { exclude: ['readyz'] }))
      expect(await statuses(port, ['/api/livez', '/api/startupz', '/livez', '/readyz', '/readyz/db', '/api/readyz'])).toEqual({
        '/api/livez': 200,
        '/api/startupz': 200,
        '/livez': 404,
        '/readyz': 200,
        '/readyz/db': 404, // the exclusion names /readyz only: the per-check route keeps the prefix
        '/api/readyz': 404,
      })
      expect((await call(port, '/api/readyz/db')).status).toBe(200)
      expect(guarded).toEqual([])
    })

    it('is version-neutral under URI versioning by default, and takes a given version where Nest puts it', async () => {
      guarded.length = 0
      const uri = { type: VersioningType.URI, defaultVersion: '1' }
      const neutral = await start(undefined, (app) => {
        app.setGlobalPrefix('api')
        app.enableVersioning(uri)
      })
      expect(await statuses(neutral, ['/livez', '/v1/livez', '/api/v1/livez'])).toEqual({ '/livez': 200, '/v1/livez': 404, '/api/v1/livez': 404 })
      expect((await call(neutral, '/api/v1/orders', { headers: auth })).status).toBe(200) // the app's routes are versioned
      const versioned = await start({ version: '2' }, (app) => app.enableVersioning(uri))
      expect(await statuses(versioned, ['/v2/livez', '/v2/readyz/db', '/livez', '/v1/livez'])).toEqual({ '/v2/livez': 200, '/v2/readyz/db': 200, '/livez': 404, '/v1/livez': 404 })
      const both = await start({ globalPrefix: true, version: [nest.common.VERSION_NEUTRAL, '1'] }, (app) => {
        app.setGlobalPrefix('api')
        app.enableVersioning(uri)
      })
      expect(await statuses(both, ['/api/livez', '/api/v1/livez', '/api/v2/livez'])).toEqual({ '/api/livez': 200, '/api/v1/livez': 200, '/api/v2/livez': 404 })
      expect(guarded).toEqual(['/api/v1/orders']) // the app's route only
    })

    it('answers any version under header versioning by default, and only its own with a given version (header and media type)', async () => {
      guarded.length = 0
      const header = { type: VersioningType.HEADER, header: 'X-API-Version' }
      const neutral = await start(undefined, (app) => app.enableVersioning(header))
      expect((await call(neutral, '/livez')).status).toBe(200)
      expect((await call(neutral, '/livez', { headers: { 'x-api-version': '7' } })).status).toBe(200)
      const versioned = await start({ version: '2' }, (app) => app.enableVersioning(header))
      expect((await call(versioned, '/readyz', { headers: { 'x-api-version': '2' } })).status).toBe(200)
      expect((await call(versioned, '/readyz', { headers: { 'x-api-version': '1' } })).status).toBe(404)
      expect((await call(versioned, '/readyz')).status).toBe(404)
      const media = await start({ version: '2' }, (app) => app.enableVersioning({ type: VersioningType.MEDIA_TYPE, key: 'v=' }))
      expect((await call(media, '/livez', { headers: { accept: 'application/json;v=2' } })).status).toBe(200)
      expect((await call(media, '/livez', { headers: { accept: 'application/json;v=1' } })).status).toBe(404)
      expect(guarded).toEqual([])
    })

    it('appears in the OpenAPI document with tags, summaries, the check parameter and the health+json schema for 200 and 503', async () => {
      const app = await create(undefined, (created) => created.setGlobalPrefix('api'))
      const document = swagger.SwaggerModule.createDocument(app as never, new swagger.DocumentBuilder().setTitle('orders').build())
      const paths = document.paths as Record<string, Record<string, OpenApiOperation>>
      expect(Object.keys(paths).sort()).toEqual(['/api/orders', '/livez', '/livez/{check}', '/readyz', '/readyz/{check}', '/startupz', '/startupz/{check}'])
      for (const path of ['/livez', '/readyz', '/startupz', '/readyz/{check}']) {
        expect(Object.keys(paths[path] ?? {}), path).toEqual(['get']) // 405 for the rest: not documented
        const operation = paths[path]?.get as OpenApiOperation
        expect(operation.tags).toEqual(['health'])
        expect(operation.summary).toEqual(expect.stringMatching(/^(Liveness|Readiness|Startup) probe/))
        for (const status of ['200', '503']) {
          expect(operation.responses[status]?.content?.['application/health+json']?.schema, `${path} ${status}`).toEqual(HEALTH_JSON_SCHEMA)
        }
      }
      expect(paths['/readyz/{check}']?.get?.parameters).toEqual([expect.objectContaining({ name: 'check', in: 'path' })])
      expect(paths['/readyz']?.get?.parameters).toEqual([expect.objectContaining({ name: 'exclude', in: 'query' })])
      await app.listen(0, '127.0.0.1') // the document is what the app serves
      const port = (app.getHttpServer().address() as AddressInfo).port
      expect((await call(port, '/readyz/db')).status).toBe(200)
    })

    it('follows the prefix and version in the document, takes its own tags, and leaves it with openapi: false', async () => {
      const uri = { type: VersioningType.URI }
      const prefixed = await create({ globalPrefix: true, version: '1', openapi: { tags: ['ops'] } }, (app) => {
        app.setGlobalPrefix('api')
        app.enableVersioning(uri)
      })
      const document = swagger.SwaggerModule.createDocument(prefixed as never, new swagger.DocumentBuilder().build())
      const paths = document.paths as Record<string, Record<string, OpenApiOperation>>
      expect(Object.keys(paths)).toContain('/api/v1/livez')
      expect(Object.keys(paths)).not.toContain('/livez')
      expect(paths['/api/v1/livez']?.get?.tags).toEqual(['ops'])
      const hidden = await create({ openapi: false }, () => undefined)
      const without = swagger.SwaggerModule.createDocument(hidden as never, new swagger.DocumentBuilder().build())
      expect(Object.keys(without.paths)).toEqual(['/orders'])
    })
  })
}
