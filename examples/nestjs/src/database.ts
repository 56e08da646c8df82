// The application's Postgres pool, as a provider: the routes and the readiness check share it.
import { userInfo } from 'node:os'
import { Inject, Injectable, Module } from '@nestjs/common'
import type { OnApplicationShutdown } from '@nestjs/common'
import pg from 'pg'

export const PG_POOL = Symbol('PG_POOL')

export function createPool(): pg.Pool {
  const pool = new pg.Pool({
    ...(process.env.DATABASE_URL
      ? { connectionString: process.env.DATABASE_URL }
      : {
          host: process.env.PGHOST || '127.0.0.1',
          port: Number(process.env.PGPORT || 5432),
          database: process.env.PGDATABASE || 'test',
          user: process.env.PGUSER || userInfo().username,
        }),
    application_name: 'orders-nestjs',
    max: 10,
    connectionTimeoutMillis: 2000,
  })
  // A broken idle connection is replaced on the next checkout; without a listener it would crash the process.
  pool.on('error', (error) => console.error(`postgres: idle connection failed: ${error.message}`))
  return pool
}

@Injectable()
class PoolCloser implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  // After the drain: requests still in flight during the drain had their pool.
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end()
  }
}

@Module({
  providers: [{ provide: PG_POOL, useFactory: createPool }, PoolCloser],
  exports: [PG_POOL],
})
export class DatabaseModule {}
