// The fleet page: the coordinator shows its workers' states live at /fleet, next to the
// probes and the heartbeat receiver on the server it already has.
import { createServer } from 'node:http'
import { createHealth } from '@healthz/core'
import { createHeartbeatMonitor } from '@healthz/heartbeat'
import { createFleetPage, httpReceiver } from '@healthz/heartbeat/http'
import { createHealthListener } from '@healthz/http'

const receiver = httpReceiver({ path: '/heartbeat' })
const monitor = createHeartbeatMonitor({ transport: receiver })
const health = createHealth({ readiness: [monitor.check] })

// GET /fleet: the page; GET /fleet/events: its live stream (Server-Sent Events).
const fleet = createFleetPage(monitor, {
  path: '/fleet',
  title: 'Image workers',
  // Node ids and metadata are internals: here only through `kubectl port-forward` (loopback).
  authorize: (req) => req.socket.remoteAddress === '127.0.0.1' || req.socket.remoteAddress === '::1',
  health, // its shutdown ends the page's streams, so open tabs never hold the drain
})

createServer(
  createHealthListener(health, {
    next: (req, res) => fleet.handler(req, res, () => receiver.handler(req, res, () => app(req, res))),
  }),
).listen(8080)
