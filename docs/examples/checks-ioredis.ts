import { Redis } from 'ioredis'
import { createHealth } from '@healthz/core'
import { ioredisCheck } from '@healthz/checks/ioredis'

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')

// A cache the service can live without: a failure reports warn and /readyz stays 200.
export const health = createHealth({
  readiness: [ioredisCheck({ client: redis, name: 'cache', critical: false })],
})
