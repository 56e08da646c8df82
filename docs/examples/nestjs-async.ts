import { Inject, Injectable, Module } from '@nestjs/common'
import type { OnApplicationShutdown } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import pg from 'pg'
import { postgresCheck } from '@healthz/checks/pg'
import { HealthModule } from '@healthz/nestjs'

export const PG_POOL = Symbol('PG_POOL')

@Injectable()
class PoolCloser implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  // onApplicationShutdown runs after the drain: requests still in flight had their pool.
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end()
  }
}

@Module({
  providers: [{ provide: PG_POOL, useFactory: () => new pg.Pool({ connectionString: process.env.DATABASE_URL }) }, PoolCloser],
  exports: [PG_POOL],
})
class DatabaseModule {}

@Module({
  imports: [
    DatabaseModule,
    HealthModule.forRootAsync({
      imports: [DatabaseModule],
      inject: [PG_POOL], // explicit tokens: no reliance on emitDecoratorMetadata
      useFactory: (pool: pg.Pool) => ({
        service: { name: 'orders' },
        // The app's own pool: a probe borrows a connection like any request, never opens one.
        // At the deadline (500 ms) a query still running has its connection destroyed.
        readiness: [postgresCheck({ client: pool })],
        shutdown: { drainDelay: 10_000, gracePeriod: 10_000 },
      }),
    }),
  ],
})
class AppModule {}

const app = await NestFactory.create(AppModule)
app.enableShutdownHooks()
await app.listen(3000)
