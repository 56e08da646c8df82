// The orders service: one route behind a global bearer-token guard, and healthz.
import { createHash, timingSafeEqual } from 'node:crypto'
import { Controller, Get, Inject, Injectable, Module, UnauthorizedException } from '@nestjs/common'
import type { CanActivate, ExecutionContext } from '@nestjs/common'
import { APP_GUARD } from '@nestjs/core'
import type pg from 'pg'
import { postgresCheck } from '@healthz/checks/pg'
import { HealthModule } from '@healthz/nestjs'
import { DatabaseModule, PG_POOL } from './database.js'

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

/** Every route needs `Authorization: Bearer $API_TOKEN`. The probes never reach it. */
@Injectable()
class BearerGuard implements CanActivate {
  private readonly expected = digest(`Bearer ${process.env.API_TOKEN || 'dev-token'}`)

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization
    if (header === undefined || !timingSafeEqual(digest(header), this.expected)) throw new UnauthorizedException()
    return true
  }
}

@Controller('orders')
class OrdersController {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  @Get()
  async list(): Promise<{ orders: unknown[]; at: string }> {
    const { rows } = await this.pool.query<{ now: Date }>('SELECT now() AS now')
    return { orders: [], at: (rows[0]?.now ?? new Date()).toISOString() }
  }
}

@Module({
  imports: [
    DatabaseModule,
    HealthModule.forRootAsync({
      imports: [DatabaseModule],
      inject: [PG_POOL],
      useFactory: (pool: pg.Pool) => ({
        service: { name: 'orders', version: '1.0.0' },
        readiness: [
          // The app's pool: a probe borrows a connection like a request, never opens one of its own;
          // at the 500 ms deadline the probe fails and a query still running loses its connection.
          postgresCheck({ client: pool, timeout: 500 }),
        ],
        // On Kubernetes: readiness periodSeconds × failureThreshold (see docs/probes.md).
        shutdown: { drainDelay: Number(process.env.DRAIN_MS ?? 2000), gracePeriod: 10_000 },
      }),
    }),
  ],
  controllers: [OrdersController],
  providers: [{ provide: APP_GUARD, useClass: BearerGuard }],
})
export class AppModule {}
