// Beats over HTTP: the coordinator mounts the receiver on the server it already has.
import { createServer } from 'node:http'
import { createHealth } from '@healthz/core'
import { createHeartbeatMonitor, startHeartbeat } from '@healthz/heartbeat'
import { httpReceiver, httpTransport } from '@healthz/heartbeat/http'
import { createHealthListener } from '@healthz/http'

// On the coordinator: POST /heartbeat feeds the monitor; probes and the app share the server.
const receiver = httpReceiver({
  path: '/heartbeat',
  authorize: (req) => req.headers.authorization === `Bearer ${process.env.HEARTBEAT_TOKEN}`,
})
const monitor = createHeartbeatMonitor({ transport: receiver })
const health = createHealth({ readiness: [monitor.check] })
createServer(createHealthListener(health, { next: (req, res) => receiver.handler(req, res, () => app(req, res)) })).listen(8080)

// On each worker:
startHeartbeat({
  nodeId: `worker-${process.pid}`,
  transport: httpTransport({
    url: 'http://coordinator:8080/heartbeat',
    headers: { authorization: `Bearer ${process.env.HEARTBEAT_TOKEN}` },
  }),
})
