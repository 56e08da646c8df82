// The Nest-specific behaviour tests of @healthz/nestjs, run once per NestJS major (nest12.test.ts,
// nest11.test.ts) on Express and on Fastify: real Nest applications on listen(0), real HTTP.
// What every adapter does (HEAD, 405, per-check paths, ?exclude=, drains, the issue-13 drain)
// is the adapter contract's (test-utils/contract.ts, entries in contract.ts); this is the rest:
// the startup gate at bootstrap, global guards, interceptors and pipes, DI, Nest's lifecycle.
// Each file hands in the Nest packages of its major; the apps below are written with
// decorators, as users write them, and without decorator metadata (explicit tokens only).
import { Agent } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { map } from 'rxjs'
import { afterEach, describe, expect, it } from 'vitest'
import { defineCheck } from '@healthz/core'
import type { Health, HealthChangeEvent } from '@healthz/core'
import { HEALTH, HEALTHZ_PROBE, HealthModule } from '@healthz/nestjs'
import type { HealthModuleOptions } from '@healthz/nestjs'
import { call } from '../../../test-utils/client.js'

type Common = typeof import('@nestjs/common')
type Core = typeof import('@nestjs/core')

/** One NestJS major: its packages, loaded coherently (each resolves its peers to the same major). */
export interface NestKit {
  version: string
  common: Common
  core: Core
  platformExpress: typeof import('@nestjs/platform-express')
  platformFastify: typeof import('@nestjs/platform-fastify')
}

/** What the tests use of a Nest application (the suite, the contract and the format tests). */
export interface App {
  close(): Promise<void>
  get<T>(token: unknown): T
  getHttpServer(): import('node:http').Server
  listen(port: number, host: string): Promise<unknown>
  setGlobalPrefix(prefix: string): unknown
}

const auth = { authorization: 'Bearer secret' }

export function defineSuite(nest: NestKit): void {
  const { Controller, Get, Inject, Injectable, Module, Query, ForbiddenException, BadRequestException } = nest.common
  const { APP_GUARD, APP_INTERCEPTOR, APP_PIPE, NestFactory, Reflector } = nest.core

  const apps: App[] = []
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close().catch(() => undefined)
  })

  /** What the global guard, interceptor and pipe saw: none of it may be a probe. */
  const seen = { guard: [] as string[], interceptor: [] as string[], pipe: 0, probeMetadata: [] as unknown[] }

  const TOKEN = 'ORDERS_REPOSITORY'

  @Injectable()
  class OrdersRepository {
    list(): number[] {
      return [1, 2]
    }
  }

  @Controller('orders')
  class OrdersController {
    constructor(@Inject(TOKEN) private readonly orders: OrdersRepository) {}

    @Get()
    list(@Query('page') page?: string): unknown {
      return { orders: this.orders.list(), page }
    }

    @Get('slow')
    async slow(): Promise<string> {
      await sleep(400)
      return 'slow ok'
    }
  }

  /** A global authentication guard, as most services register one: everything needs a token. */
  @Injectable()
  class AuthGuard {
    constructor(@Inject(Reflector) private readonly reflector: InstanceType<Core['Reflector']>) {}

    canActivate(context: import('@nestjs/common').ExecutionContext): boolean {
      const request = context.switchToHttp().getRequest<{ url: string; headers: Record<string, string> }>()
      seen.guard.push(request.url)
      seen.probeMetadata.push(this.reflector.get(HEALTHZ_PROBE, context.getClass()))
      if (request.headers.authorization !== auth.authorization) throw new ForbiddenException('no token')
      return true
    }
  }

  const globals = [
    { provide: APP_GUARD, useClass: AuthGuard },
    {
      provide: APP_INTERCEPTOR,
      useValue: {
        // Wraps every answer in { data }: it must not touch the probes' health+json.
        intercept(context: import('@nestjs/common').ExecutionContext, next: import('@nestjs/common').CallHandler) {
          seen.interceptor.push(context.switchToHttp().getRequest<{ url: string }>().url)
          return next.handle().pipe(map((data: unknown) => ({ data })))
        },
      },
    },
    {
      provide: APP_PIPE,
      useValue: {
        transform(value: unknown) {
          seen.pipe += 1
          if (value === 'bad') throw new BadRequestException('the pipe refused it')
          return value
        },
      },
    },
  ]

  function appModule(health: ReturnType<typeof HealthModule.forRoot>, extra: { imports?: unknown[]; providers?: unknown[] } = {}) {
    @Module({
      imports: [health, ...((extra.imports ?? []) as [])],
      controllers: [OrdersController],
      providers: [{ provide: TOKEN, useClass: OrdersRepository }, ...globals, ...((extra.providers ?? []) as [])],
    })
    class AppModule {}
    return AppModule
  }

  function adapterFor(platform: string) {
    return platform === 'express' ? new nest.platformExpress.ExpressAdapter() : new nest.platformFastify.FastifyAdapter()
  }

  async function start(platform: string, module: unknown, setup?: (app: App) => void): Promise<{ app: App; port: number; health: Health }> {
    const app = (await NestFactory.create(module as never, adapterFor(platform) as never, { logger: false })) as unknown as App
    apps.push(app)
    setup?.(app)
    await app.listen(0, '127.0.0.1')
    const port = (app.getHttpServer().address() as AddressInfo).port
    return { app, port, health: app.get<Health>(HEALTH) }
  }

  const db = () => defineCheck({ name: 'db', run: () => undefined })

  describe.each(['express', 'fastify'])(`NestJS ${nest.version} on %s`, (platform) => {
    describe.each([
      ['server', ''],
      ['controller', '/api'],
    ] as const)('serve: %s', (serve, base) => {
      // With serve: 'controller' and controller.globalPrefix the probes live under Nest's global
      // prefix, like the app's routes (issue-15-routing.test.ts covers the default: at the root).
      const routing = serve === 'controller' ? { controller: { globalPrefix: true } } : {}
      const forRoot = (options: HealthModuleOptions = {}) => HealthModule.forRoot({ readiness: [db()], serve, ...routing, ...options })
      const setup = (app: App): void => {
        if (serve === 'controller') app.setGlobalPrefix('api')
      }

      it('serves the three probes with their semantics once the application has bootstrapped', async () => {
        const flaky = { fail: false }
        const { port, health } = await start(
          platform,
          appModule(
            forRoot({
              service: { name: 'orders' },
              readiness: [
                db(),
                defineCheck({ name: 'cache', critical: false, cache: 0, run: () => { throw new Error('cache down') } }),
                defineCheck({ name: 'flaky', cache: 0, run: () => { if (flaky.fail) throw new Error('flaky down') } }),
              ],
            }),
          ),
          setup,
        )
        expect(health.started).toBe(true) // the gate opened when the server started listening
        const startup = await call(port, `${base}/startupz`)
        expect(startup.status).toBe(200)
        const live = await call(port, `${base}/livez`)
        expect(live.status).toBe(200)
        expect(live.headers['content-type']).toBe('application/health+json')
        expect(live.headers['cache-control']).toBe('no-store')
        const ready = await call(port, `${base}/readyz`)
        expect(ready.status).toBe(200)
        expect(JSON.parse(ready.body)).toMatchObject({
          status: 'warn',
          serviceId: 'orders',
          checks: { 'db:responseTime': [{ status: 'pass' }], 'cache:responseTime': [{ status: 'warn', output: 'reason withheld' }] },
        })
        flaky.fail = true
        expect((await call(port, `${base}/readyz`)).status).toBe(503) // a failing critical check fails the probe
        expect((await call(port, `${base}/livez`)).status).toBe(200) // liveness never follows a dependency
        expect(seen.guard.filter((url) => /z(\/|\?|$)/.test(url))).toEqual([])
      })

      it("keeps the startup gate closed until markStarted() with started: 'manual'", async () => {
        const { port, app } = await start(platform, appModule(forRoot({ started: 'manual' })), setup)
        expect((await call(port, `${base}/startupz`)).status).toBe(503)
        expect((await call(port, `${base}/readyz`)).status).toBe(503)
        expect((await call(port, `${base}/livez`)).status).toBe(200) // a booting process is alive
        app.get<Health>(HEALTH).markStarted()
        expect((await call(port, `${base}/startupz`)).status).toBe(200)
        expect((await call(port, `${base}/readyz`)).status).toBe(200)
      })

      it('answers the probes without credentials under a global auth guard, interceptor and pipe', async () => {
        seen.guard.length = 0
        seen.interceptor.length = 0
        seen.pipe = 0
        seen.probeMetadata.length = 0
        const { port } = await start(platform, appModule(forRoot()), setup)
        for (const path of ['/livez', '/readyz', '/startupz', '/readyz/db', '/livez?verbose']) {
          const reply = await call(port, `${base}${path}`)
          expect(reply.status, path).toBe(200)
          expect(JSON.parse(reply.body), path).not.toHaveProperty('data') // the interceptor never wrapped it
        }
        expect(seen).toMatchObject({ guard: [], interceptor: [], pipe: 0 })
        // The rest of the application is as guarded as before.
        expect((await call(port, `${base}/orders`)).status).toBe(403)
        expect((await call(port, `${base}/livezz`)).status).toBe(404) // not a probe, and no route: Nest's 404
        const orders = await call(port, `${base}/orders?page=2`, { headers: auth })
        expect(orders.status).toBe(200)
        expect(JSON.parse(orders.body)).toEqual({ data: { orders: [1, 2], page: '2' } })
        expect((await call(port, `${base}/orders?page=bad`, { headers: auth })).status).toBe(400)
        expect(seen.guard.length).toBeGreaterThanOrEqual(3)
        expect(seen.pipe).toBeGreaterThanOrEqual(2)
        expect(seen.probeMetadata.every((value) => value === undefined)).toBe(true) // only app routes reached the guard
      })

      it('builds a check from a provider with forRootAsync (a real Postgres pool from DI)', async () => {
        const PG_POOL = Symbol('PG_POOL')
        const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, database: 'test', user: process.env.PGUSER ?? 'postgres', max: 2 })
        @Module({ providers: [{ provide: PG_POOL, useValue: pool }], exports: [PG_POOL] })
        class DatabaseModule {}
        let factoryCalls = 0
        const health = HealthModule.forRootAsync({
          serve,
          ...routing,
          imports: [DatabaseModule],
          inject: [PG_POOL],
          useFactory: async (given: pg.Pool) => {
            factoryCalls += 1
            return {
              service: { name: 'orders' },
              details: 'always' as const,
              readiness: [
                defineCheck({
                  name: 'postgres',
                  componentType: 'datastore',
                  cache: 0,
                  run: async () => {
                    await given.query('SELECT 1')
                  },
                }),
              ],
            }
          },
        })
        const { port } = await start(platform, appModule(health), setup)
        expect(factoryCalls).toBe(1)
        const ready = await call(port, `${base}/readyz`)
        expect(ready.status).toBe(200)
        expect(JSON.parse(ready.body)).toMatchObject({ checks: { 'postgres:responseTime': [{ status: 'pass', componentType: 'datastore' }] } })
        await pool.end() // the dependency goes away: readiness follows it, liveness does not
        const down = await call(port, `${base}/readyz`)
        expect(down.status).toBe(503)
        expect(JSON.parse(down.body).checks['postgres:responseTime'][0].output).toMatch(/pool/i)
        expect((await call(port, `${base}/livez`)).status).toBe(200)
      })

      it('drains on app.close(): readiness fails for the drain delay, in-flight and keep-alive requests are answered, then Nest closes', async () => {
        const events: string[] = []
        const record = (what: string) => events.push(`${what} ${health.phase}`)
        @Injectable()
        class Resources {
          constructor(@Inject(HEALTH) private readonly h: Health) {}
          onModuleDestroy() {
            record('onModuleDestroy')
          }
          beforeApplicationShutdown() {
            record('beforeApplicationShutdown(app)')
          }
          onApplicationShutdown() {
            record('onApplicationShutdown')
            events.push(`slow answered before pools close: ${String(slowAnswered)}`)
            void this.h
          }
        }
        let slowAnswered = false
        const { app, port, health } = await start(
          platform,
          appModule(forRoot({ shutdown: { drainDelay: 400, gracePeriod: 5000 } }), { providers: [Resources] }),
          setup,
        )
        const phases: string[] = []
        health.on('change', (event: HealthChangeEvent) => {
          if (event.type === 'phase') phases.push(event.current)
        })
        const agent = new Agent({ keepAlive: true, maxSockets: 4 })
        expect((await call(port, `${base}/orders`, { headers: auth, agent })).status).toBe(200) // an idle keep-alive connection
        const closing = app.close()
        await sleep(50)
        const during = await Promise.all([
          call(port, `${base}/readyz`, { agent }),
          call(port, `${base}/livez`, { agent }),
          call(port, `${base}/orders`, { headers: auth, agent }),
        ])
        expect(during.map((reply) => reply.status)).toEqual([503, 200, 200])
        expect(JSON.parse(during[0]?.body ?? '{}')).toMatchObject({ status: 'fail', notes: ['draining'] })
        const slow = call(port, `${base}/orders/slow`, { headers: auth, agent }).then((reply) => {
          slowAnswered = true
          return reply
        })
        await closing
        const answered = await slow
        expect(answered.status).toBe(200)
        expect(answered.body).toContain('slow ok')
        expect(answered.headers.connection).toBe('close')
        expect(phases).toEqual(['draining', 'closing', 'stopped'])
        expect(events).toEqual([
          'onModuleDestroy running',
          'beforeApplicationShutdown(app) draining',
          'onApplicationShutdown stopped',
          'slow answered before pools close: true',
        ])
        await expect(call(port, `${base}/livez`)).rejects.toThrow(/ECONNREFUSED/)
        agent.destroy()
      })

      it('with enableShutdownHooks(), app.close() leaves no signal listener behind (the module\'s gate included)', async () => {
        const before = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') }
        const { app } = await start(platform, appModule(forRoot()), (created) => {
          setup(created)
          ;(created as unknown as { enableShutdownHooks(): unknown }).enableShutdownHooks()
        })
        // One listener per signal (the module's gate; Nest's waits behind it for the drain).
        for (const signal of ['SIGTERM', 'SIGINT'] as const) {
          const added = process.listeners(signal).filter((listener) => !before[signal].includes(listener))
          expect(added).toHaveLength(1)
        }
        await app.close()
        expect(process.listeners('SIGTERM')).toEqual(before.SIGTERM)
        expect(process.listeners('SIGINT')).toEqual(before.SIGINT)
      })
    })
  })
}
