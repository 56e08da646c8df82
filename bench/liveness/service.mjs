// The service of issue 18's scenario, run as a child process: a main thread that alternates
// normal traffic with CPU bursts of 1–4 s (synchronous work, like a large JSON.parse or a sync
// crypto call), its probes on the main port, and (WORKER=1) liveness answered by a worker thread.
// It loads the built packages (run `pnpm build` first).
//
// Environment:
//   FRAMEWORK      http | express: what serves the main port (probes on it either way)   (http)
//   WORKER         1: start the liveness worker                                        (1)
//   OVERLOAD       1: runtime.overload on readiness                                    (1)
//   STALL_TOLERANCE, HEARTBEAT  the worker's stallTolerance and heartbeatInterval, ms   (15000, 1000)
//   OVERLOAD_WINDOW, OVERLOAD_HOLD  runtime.overload window and hold, ms               (3000, 5000)
//   PLAN           the run, as comma-separated steps: `quiet:<ms>` (normal traffic only),
//                  `burst:<ms>` (one synchronous burst), `gap:<ms>` (normal traffic between bursts),
//                  `forever` (while (true) {})                                           (see DEFAULT_PLAN)
//
// stdout, one JSON line each: {event:'listening', port, livenessPort, startupMs, rssBefore, rssAfter},
// {event:'step', step, at}, {event:'overload', current, at} (each transition of the overload check),
// {event:'saturated', elu} when the bursts are over (elu: event-loop utilization from the first
// burst to the last gap), {event:'done'} once the plan is over.
import { createServer } from 'node:http'
import { performance } from 'node:perf_hooks'
import express from 'express'
import { createHealth } from '../../packages/core/dist/index.js'
import { attachHealth, startLivenessWorker } from '../../packages/http/dist/index.js'
import { listen as expressListen } from '../../packages/express/dist/index.js'

const env = (name, fallback) => process.env[name] ?? fallback
const print = (event) => process.stdout.write(`${JSON.stringify(event)}\n`)

/** Bursts of 1–4 s with short gaps between them: about 90% event-loop utilization while it lasts. */
export const DEFAULT_PLAN = 'quiet:3000,burst:2000,gap:300,burst:4000,gap:300,burst:1000,gap:300,burst:3500,gap:300,burst:1500,gap:300,burst:4000,gap:300,burst:2500,gap:300,burst:1200,gap:300,burst:3000,gap:300,burst:4000,gap:300,burst:2000,gap:300,burst:3800,gap:300,burst:1500,gap:300,burst:2800,gap:300,burst:4000,gap:300,burst:1000,gap:300,burst:3200,gap:300,burst:2200,gap:300,burst:3600,gap:300,quiet:12000'

const health = createHealth({
  service: { name: 'scenario' },
  runtime: env('OVERLOAD', '1') === '1' ? { overload: { window: Number(env('OVERLOAD_WINDOW', 3000)), hold: Number(env('OVERLOAD_HOLD', 5000)) } } : {},
  shutdown: { signals: false },
})
health.on('change', (event) => {
  if (event.type === 'check' && event.name === 'overload') print({ event: 'overload', previous: event.previous, current: event.current, at: Date.now() })
})

// Normal traffic: a little JSON work per request.
const handle = (_req, res) => {
  const body = JSON.stringify({ items: Array.from({ length: 50 }, (_, index) => ({ index, at: Date.now() })) })
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(body)
}

let server
if (env('FRAMEWORK', 'http') === 'express') {
  const app = express()
  app.get('/work', handle)
  server = await expressListen(app, health, { port: 0, host: '127.0.0.1' })
} else {
  server = createServer(handle)
  attachHealth(server, health)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
}
const rssBefore = process.memoryUsage().rss
const startedAt = performance.now()
const liveness = env('WORKER', '1') === '1'
  ? await startLivenessWorker(health, { port: 0, host: '127.0.0.1', stallTolerance: Number(env('STALL_TOLERANCE', 15_000)), heartbeatInterval: Number(env('HEARTBEAT', 1000)) })
  : undefined
const startupMs = performance.now() - startedAt
// Measured a moment later: the worker's isolate has settled.
await new Promise((resolve) => setTimeout(resolve, 300))
const rssAfter = process.memoryUsage().rss
health.markStarted()
print({ event: 'listening', port: server.address().port, livenessPort: liveness?.port, startupMs, rssBefore, rssAfter })

// The traffic generator lives in this process (one request every 20 ms to itself) so that the
// scenario needs no second load process on a busy machine; it is served between bursts only.
const port = server.address().port
const traffic = setInterval(() => {
  fetch(`http://127.0.0.1:${port}/work`).then((res) => res.arrayBuffer()).catch(() => undefined)
}, 20)

const spin = (ms) => {
  const end = performance.now() + ms
  while (performance.now() < end);
}
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

let saturatedStart
let saturatedDone = false
for (const step of env('PLAN', DEFAULT_PLAN).split(',')) {
  const [kind, value] = step.split(':')
  print({ event: 'step', step, at: Date.now() })
  if (kind === 'burst') {
    saturatedStart ??= performance.eventLoopUtilization()
    spin(Number(value))
    await wait(0)
  } else if (kind === 'gap' || kind === 'quiet') {
    if (kind === 'quiet' && saturatedStart !== undefined && !saturatedDone) {
      saturatedDone = true
      print({ event: 'saturated', elu: performance.eventLoopUtilization(saturatedStart).utilization })
    }
    await wait(Number(value))
  } else if (kind === 'forever') {
    while (true);
  }
}
clearInterval(traffic)
print({ event: 'done' })
await liveness?.close()
server.close()
server.closeAllConnections()
health.close()
