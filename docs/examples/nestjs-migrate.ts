import { Module } from '@nestjs/common'
import { Redis } from 'ioredis'
import pg from 'pg'
import { diskSpaceCheck, heapCheck, httpCheck } from '@healthz/checks'
import { ioredisCheck } from '@healthz/checks/ioredis'
import { postgresCheck } from '@healthz/checks/pg'
import { HealthModule } from '@healthz/nestjs'

// The application's own clients, provided by its modules: the checks borrow them and never open
// connections of their own.
export const PG_POOL = Symbol('PG_POOL')
export const REDIS = Symbol('REDIS')

@Module({
  providers: [
    { provide: PG_POOL, useFactory: () => new pg.Pool({ connectionString: process.env.DATABASE_URL }) },
    { provide: REDIS, useFactory: () => new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') },
  ],
  exports: [PG_POOL, REDIS],
})
class ClientsModule {}

@Module({
  imports: [
    ClientsModule,
    HealthModule.forRootAsync({
      imports: [ClientsModule],
      inject: [PG_POOL, REDIS],
      useFactory: (pool: pg.Pool, redis: Redis) => ({
        service: { name: 'orders' },
        readiness: [
          // TypeOrmHealthIndicator.pingCheck('database') over Postgres: a query still running at the
          // deadline has its connection destroyed, not returned to the pool.
          postgresCheck({ client: pool, name: 'database' }),
          // MicroserviceHealthIndicator.pingCheck('redis', { transport: Transport.REDIS, … })
          ioredisCheck({ client: redis }),
          // HttpHealthIndicator.pingCheck('billing', url): the deadline aborts the request.
          httpCheck({ name: 'billing-api', url: 'https://billing.internal/healthz', critical: false }), // warn, 200
          // DiskHealthIndicator.checkStorage('disk', { path: '/', thresholdPercent: 0.9 })
          diskSpaceCheck({ path: '/', failBelowRatio: 0.1 }),
        ],
        liveness: [
          // MemoryHealthIndicator.checkHeap('heap', 300 * 1024 * 1024): a process check, allowed in liveness.
          heapCheck({ failAboveBytes: 300 * 1024 * 1024 }),
        ],
        // TerminusModule.forRoot({ gracefulShutdownTimeoutMs: 10_000 }): here readiness also fails meanwhile.
        shutdown: { drainDelay: 10_000 },
      }),
    }),
  ],
})
export class AppModule {}
