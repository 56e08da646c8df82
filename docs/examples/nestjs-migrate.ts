import { statfs } from 'node:fs/promises'
import { Module } from '@nestjs/common'
import { defineCheck } from '@healthz/core'
import { HealthModule } from '@healthz/nestjs'

// The application's own clients, provided by its modules (stand-ins here): the checks borrow them.
const DB = Symbol('DB')
const REDIS = Symbol('REDIS')

@Module({
  providers: [
    { provide: DB, useValue: db },
    { provide: REDIS, useValue: redisClient },
  ],
  exports: [DB, REDIS],
})
class ClientsModule {}

@Module({
  imports: [
    ClientsModule,
    HealthModule.forRootAsync({
      imports: [ClientsModule],
      inject: [DB, REDIS],
      useFactory: (database: typeof db, redis: typeof redisClient) => ({
        service: { name: 'orders' },
        readiness: [
          // TypeOrmHealthIndicator.pingCheck('database') / PrismaHealthIndicator.pingCheck(…)
          defineCheck({
            name: 'database',
            componentType: 'datastore',
            run: async ({ signal }) => {
              await database.ping({ signal })
            },
          }),
          // MicroserviceHealthIndicator.pingCheck('redis', { transport: Transport.REDIS, … })
          defineCheck({
            name: 'redis',
            componentType: 'datastore',
            run: async () => {
              await redis.ping()
            },
          }),
          // HttpHealthIndicator.pingCheck('billing', url): the deadline aborts the request.
          defineCheck({
            name: 'billing-api',
            componentType: 'component',
            critical: false, // a failure reports warn and keeps readiness at 200
            run: async ({ signal }) => {
              const response = await fetch('https://billing.internal/healthz', { signal })
              if (!response.ok) throw new Error(`billing answered ${response.status}`)
            },
          }),
          // DiskHealthIndicator.checkStorage('disk', { path: '/', thresholdPercent: 0.9 })
          defineCheck({
            name: 'disk',
            kind: 'process',
            componentType: 'system',
            measurement: 'utilization',
            cache: 10_000,
            run: async () => {
              const disk = await statfs('/')
              const used = 1 - disk.bavail / disk.blocks
              return { status: used < 0.9 ? 'pass' : 'fail', observedValue: Math.round(used * 100), observedUnit: 'percent' }
            },
          }),
        ],
        liveness: [
          // MemoryHealthIndicator.checkHeap('heap', 300 * 1024 * 1024): a process check, allowed in liveness.
          defineCheck({
            name: 'heap',
            kind: 'process',
            componentType: 'system',
            measurement: 'utilization',
            run: () => {
              const used = process.memoryUsage().heapUsed
              return { status: used < 300 * 1024 * 1024 ? 'pass' : 'fail', observedValue: used, observedUnit: 'bytes' }
            },
          }),
        ],
        // TerminusModule.forRoot({ gracefulShutdownTimeoutMs: 10_000 }): here readiness also fails meanwhile.
        shutdown: { drainDelay: 10_000 },
      }),
    }),
  ],
})
export class AppModule {}
