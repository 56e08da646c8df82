// worker.ts: a worker that reports to its coordinator over Redis.
import { Redis } from 'ioredis'
import { createHealth } from '@healthz/core'
import { startHeartbeat } from '@healthz/heartbeat'
import { redisTransport } from '@healthz/heartbeat/redis'

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
const health = createHealth({ service: { name: 'image-worker', version: '3.1.0' } })

export const heartbeat = startHeartbeat({
  nodeId: process.env.HOSTNAME ?? `worker-${process.pid}`, // the pod name on Kubernetes
  transport: redisTransport({ publisher: redis, channel: 'images:workers' }),
  interval: 1000, // the coordinator's detector expects this (phiAccrual expectedInterval)
  health, // beats carry readiness; `leaving` goes out when the shutdown starts
  metadata: { version: '3.1.0', slots: 4 },
})

// Close Redis last: the leaving beat has been sent by then.
health.onShutdown(() => redis.quit(), { name: 'redis' })
health.markStarted()
