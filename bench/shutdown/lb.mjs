// The load balancer of the shutdown benchmark, in a child process that run.mjs forks and drives
// over the IPC channel. The load balancer itself (readiness polling with a new connection per
// probe, as the kubelet does; keep-alive upstream connections; no retries, so that every drop is
// counted) is test-utils/lb.mjs, shared with the rolling-restart test.
//
// IPC in:  { type: 'add', id, port, readyPort, readyPath } | { type: 'remove', id } | { type: 'stats', reset }
// IPC out: { type: 'listening', port } | { type: 'state', id, ready, t, reason } | { type: 'stats', ... }
import { startLoadBalancer } from '../../test-utils/lb.mjs'

const send = (message) => process.send?.(message)

const lb = await startLoadBalancer({
  period: Number(process.env.LB_PERIOD ?? 200),
  failureThreshold: Number(process.env.LB_FAILURE_THRESHOLD ?? 2),
  probeTimeout: Number(process.env.LB_PROBE_TIMEOUT ?? 1000),
  onState: (state) => send({ type: 'state', ...state }),
})

process.on('message', (message) => {
  switch (message.type) {
    case 'add':
      lb.addBackend(message)
      break
    case 'remove':
      lb.removeBackend(message.id)
      break
    case 'stats':
      send({ type: 'stats', ...lb.stats({ reset: message.reset }) })
      break
    default:
      throw new Error(`unknown message ${JSON.stringify(message)}`)
  }
})
// run.mjs went away: so do we.
process.on('disconnect', () => process.exit(0))

send({ type: 'listening', port: lb.port, period: lb.period, failureThreshold: lb.failureThreshold })
