import { createClient } from 'redis'
import { createHealth } from '@healthz/core'
import { redisCheck } from '@healthz/checks/redis'

const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
await redis.connect()

export const health = createHealth({
  readiness: [redisCheck({ client: redis })],
})
