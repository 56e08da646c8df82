// coordinator.ts: hands out work to the workers it hears, and takes it back from those that die.
import { createServer } from 'node:http'
import { Redis } from 'ioredis'
import { createHealth } from '@healthz/core'
import { createHeartbeatMonitor, phiAccrual } from '@healthz/heartbeat'
import { redisTransport } from '@healthz/heartbeat/redis'
import { createHealthListener } from '@healthz/http'

declare function assignWork(workerId: string, slots: number): void
declare function reassignWorkOf(workerId: string): void

const monitor = createHeartbeatMonitor({
  // Subscribing takes a connection of its own.
  transport: redisTransport({ subscriber: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'), channel: 'images:workers' }),
  detector: phiAccrual({ expectedInterval: 1000, acceptableHeartbeatPause: 3000, threshold: 8 }),
  deadAfter: 10_000, // suspected for 10 s: dead, its jobs go elsewhere
})

monitor.on('change', (event) => {
  switch (event.reason) {
    case 'joined':
    case 'restarted': // a new process: whatever the old one held is gone
      if (event.reason === 'restarted') reassignWorkOf(event.nodeId)
      assignWork(event.nodeId, Number(monitor.member(event.nodeId)?.metadata.slots ?? 1))
      break
    case 'suspected':
      console.warn(`${event.nodeId} went quiet (phi ${event.phi.toFixed(1)}): no new work for it`)
      break
    case 'convicted':
    case 'left':
      reassignWorkOf(event.nodeId)
      break
    default:
      break
  }
})

// The coordinator is ready only while it can hear its workers.
const health = createHealth({ service: { name: 'image-coordinator' }, readiness: [monitor.check] })
health.onShutdown(() => monitor.close(), { name: 'heartbeat-monitor' })

// A dashboard: every worker's state and phi.
createServer(
  createHealthListener(health, {
    next: (req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(monitor.members().map(({ nodeId, state, phi, status }) => ({ nodeId, state, phi, status }))))
    },
  }),
).listen(8080)

await monitor.ready()
health.markStarted()
