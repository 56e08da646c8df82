// Beats over NATS: one connection serves both sides.
import { connect } from 'nats'
import { createHeartbeatMonitor, startHeartbeat } from '@healthz/heartbeat'
import { natsTransport } from '@healthz/heartbeat/nats'

const transport = natsTransport({ connection: await connect({ servers: '127.0.0.1:4222' }), subject: 'fleet.heartbeats' })
startHeartbeat({ nodeId: `replica-${process.pid}`, transport })
const peers = createHeartbeatMonitor({ transport })
peers.on('change', (event) => console.log(`${event.nodeId}: ${event.previous ?? 'new'} → ${event.current} (${event.reason})`))
