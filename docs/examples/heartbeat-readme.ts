import { Redis } from 'ioredis'
import { createHeartbeatMonitor, phiAccrual, startHeartbeat } from '@healthz/heartbeat'
import { redisTransport } from '@healthz/heartbeat/redis'

const redis = new Redis('redis://127.0.0.1:6379')

// On every worker: a beat every second, and a `leaving` beat on stop().
const heartbeat = startHeartbeat({
  nodeId: `worker-${process.pid}`,
  transport: redisTransport({ publisher: redis }),
  interval: 1000,
  metadata: { version: '1.0.0' },
})

// On the coordinator: the membership view, with Akka's defaults.
const monitor = createHeartbeatMonitor({
  transport: redisTransport({ subscriber: redis.duplicate() }),
  detector: phiAccrual({ expectedInterval: 1000, acceptableHeartbeatPause: 3000 }),
})
monitor.on('change', ({ nodeId, previous, current, reason }) => {
  console.log(`${nodeId}: ${previous ?? 'new'} → ${current} (${reason})`)
})
await monitor.ready()

process.once('SIGTERM', () => void heartbeat.stop())
