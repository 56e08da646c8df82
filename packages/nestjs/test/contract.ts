// The NestJS entries of the adapter contract (test-utils/contract.ts): one Nest major on Express
// or Fastify, serving the probes ahead of Nest ('server') or through the probe controller
// ('controller', under a global prefix: controller.globalPrefix). nest12.test.ts and nest11.test.ts list theirs.
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { HEALTH, HealthModule } from '@healthz/nestjs'
import { auth, SLOW_MS } from '../../../test-utils/contract.js'
import type { AdapterUnderTest, ContractHealth, ContractOptions, Running } from '../../../test-utils/contract.js'
import type { App, NestKit } from './suite.js'

/** An entry of the table: `nest`'s major on `platform`, serving the probes the `serve` way. */
export function nestAdapter(nest: NestKit, platform: 'express' | 'fastify', serve: 'server' | 'controller'): AdapterUnderTest {
  const { Controller, Get, Module, UnauthorizedException } = nest.common
  const { APP_GUARD, NestFactory } = nest.core
  const base = serve === 'controller' ? '/api' : ''

  /** The contract app: a global authentication guard, /orders, /orders/slow; the health module when given. */
  function appModule(seenByAuth: string[], health?: ReturnType<typeof HealthModule.forRoot>): unknown {
    @Controller('orders')
    class OrdersController {
      @Get()
      list(): unknown {
        return { orders: [1, 2] }
      }

      @Get('slow')
      async slow(): Promise<string> {
        await sleep(SLOW_MS)
        return 'slow ok'
      }
    }
    const guard = {
      canActivate(context: import('@nestjs/common').ExecutionContext): boolean {
        const request = context.switchToHttp().getRequest<{ url: string; headers: Record<string, string> }>()
        seenByAuth.push(request.url)
        if (request.headers.authorization !== auth.authorization) throw new UnauthorizedException('no token')
        return true
      },
    }
    @Module({ imports: health === undefined ? [] : [health], controllers: [OrdersController], providers: [{ provide: APP_GUARD, useValue: guard }] })
    class AppModule {}
    return AppModule
  }

  async function start(module: unknown, seenByAuth: string[]): Promise<Running & { app: App }> {
    const adapter = platform === 'express' ? new nest.platformExpress.ExpressAdapter() : new nest.platformFastify.FastifyAdapter()
    const app = (await NestFactory.create(module as never, adapter as never, { logger: false })) as unknown as App
    if (serve === 'controller') app.setGlobalPrefix('api')
    await app.listen(0, '127.0.0.1')
    const port = (app.getHttpServer().address() as AddressInfo).port
    return { app, port, base, seenByAuth, close: () => app.close() }
  }

  return {
    name: `NestJS ${nest.version.split('.')[0]} ${platform} serve: '${serve}'`,
    async start(options: ContractOptions) {
      const seenByAuth: string[] = []
      const { app, ...running } = await start(appModule(seenByAuth, HealthModule.forRoot({ ...options, serve, ...(serve === 'controller' ? { controller: { globalPrefix: true } } : {}) })), seenByAuth)
      return { ...running, health: app.get<ContractHealth>(HEALTH), shutdown: () => app.close() }
    },
    async startPlain() {
      const seenByAuth: string[] = []
      const { app: _app, ...running } = await start(appModule(seenByAuth), seenByAuth)
      return running
    },
  }
}
