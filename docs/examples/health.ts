// health.ts: the checks and the health object of an "orders" service.
import { createHealth, defineCheck } from '@healthz/core'

/** A dependency: readiness only. The signal aborts at the deadline; pass it down. */
export const postgres = defineCheck({
  name: 'postgres',
  kind: 'dependency',
  componentType: 'datastore',
  timeout: 500,
  cache: 1000,
  run: async ({ signal }) => {
    await db.ping({ signal })
  },
})

/** Non-critical: without the cache the service is slower, not down. Fails as `warn`, keeps 200. */
export const redis = defineCheck({
  name: 'redis',
  componentType: 'datastore',
  critical: false,
  run: async () => {
    await redisClient.ping()
  },
})

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
