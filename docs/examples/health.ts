// health.ts: the checks and the health object of an "orders" service.
import { Redis } from 'ioredis'
import pg from 'pg'
import { createHealth, defineCheck } from '@healthz/core'
import { ioredisCheck } from '@healthz/checks/ioredis'
import { postgresCheck } from '@healthz/checks/pg'

// The app's own clients: the checks borrow them (@healthz/checks, one factory per client).
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
const redisClient = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')

/** A dependency: readiness only. At the 500 ms deadline a query still running loses its connection. */
export const postgres = postgresCheck({ client: pool, timeout: 500, cache: 1000 })

/** Non-critical: without the cache the service is slower, not down. Fails as `warn`, keeps 200. */
export const redis = ioredisCheck({ client: redisClient, critical: false })

/** In-process state only, so it may back liveness. */
export const heap = defineCheck({
  name: 'heap',
  kind: 'process',
  componentType: 'system',
  measurement: 'used',
  run: () => {
    const used = Math.round(process.memoryUsage().heapUsed / 2 ** 20)
    return { status: used < 1024 ? 'pass' : 'fail', observedValue: used, observedUnit: 'MiB' }
  },
})

/** A boot gate: the startup probe opens once this has passed, and never runs it again. */
export const migrations = defineCheck({
  name: 'migrations',
  run: async () => {
    const pending = await migrator.pending()
    if (pending > 0) throw new Error(`${pending} migrations pending`)
  },
})

export const health = createHealth({
  service: { name: 'orders', version: '2.14.0', releaseId: process.env.GIT_SHA },
  liveness: [heap],
  readiness: [postgres, redis, heap],
  startup: [migrations],
})
