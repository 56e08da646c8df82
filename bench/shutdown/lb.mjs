// The load balancer of the shutdown benchmark: an HTTP reverse proxy on 127.0.0.1 that routes
// like kube-proxy or an ingress controller that follows readiness. run.mjs forks it and drives
// it over the IPC channel.
//
// - It polls each backend's readiness endpoint every `period` ms (one probe at a time, a new
//   connection each time, as the kubelet does; 2xx/3xx within `probeTimeout` is a success).
//   A backend is routed to after one success (successThreshold 1) and no longer after
//   `failureThreshold` consecutive failures. Nothing else removes a backend from the rotation:
//   not the signal, not the process exiting (run.mjs only forgets a backend once polling has
//   taken it out), just as endpoint removal on Kubernetes is not synchronous with SIGTERM.
// - It keeps keep-alive connections to the backends (an http.Agent with keepAlive per backend),
//   as real proxies do, and round-robins requests over the ready backends.
// - A proxied request that fails (connection refused or reset, socket hang up, a 5xx answer,
//   no ready backend, a 10 s timeout) gets a 502 (503 when no backend is ready) with an
//   `x-lb-error` header naming the cause, and is counted as failed. No retries: a retry would
//   hide exactly the drops this benchmark is here to count.
//
// IPC in:  { type: 'add', id, port, readyPort, readyPath } | { type: 'remove', id } | { type: 'stats', reset }
// IPC out: { type: 'listening', port } | { type: 'state', id, ready, t, reason } | { type: 'stats', ... }
import { Agent, createServer, request } from 'node:http'

const HOST = '127.0.0.1'
const PERIOD = Number(process.env.LB_PERIOD ?? 200)
const FAILURE_THRESHOLD = Number(process.env.LB_FAILURE_THRESHOLD ?? 2)
const PROBE_TIMEOUT = Number(process.env.LB_PROBE_TIMEOUT ?? 1000)
const UPSTREAM_TIMEOUT = 10_000
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'])

const now = () => performance.timeOrigin + performance.now()
const send = (message) => process.send?.(message)

/** id → backend */
const backends = new Map()
let cursor = 0
let stats = freshStats()

function freshStats() {
  return { proxied: 0, ok: 0, failed: 0, reasons: {}, failures: [], byBackend: {} }
}

function countFailure(reason, backend) {
  stats.failed += 1
  stats.reasons[reason] = (stats.reasons[reason] ?? 0) + 1
  if (stats.failures.length < 1000) stats.failures.push({ t: now(), reason, backend: backend?.id })
  if (backend !== undefined) byBackend(backend).failed += 1
}

function byBackend(backend) {
  stats.byBackend[backend.id] ??= { proxied: 0, ok: 0, failed: 0 }
  return stats.byBackend[backend.id]
}

// ------------------------------------------------------------------------------------------
// Readiness polling

function addBackend({ id, port, readyPort, readyPath }) {
  const backend = {
    id,
    port,
    readyPort,
    readyPath,
    ready: false,
    failures: 0,
    probing: false,
    agent: new Agent({ keepAlive: true }),
    timer: undefined,
  }
  backends.set(id, backend)
  probe(backend)
  backend.timer = setInterval(() => probe(backend), PERIOD)
}

function removeBackend(id) {
  const backend = backends.get(id)
  if (backend === undefined) return
  clearInterval(backend.timer)
  backends.delete(id)
  backend.agent.destroy()
}

function probe(backend) {
  if (backend.probing) return // the kubelet never overlaps two probes of one container
  backend.probing = true
  let settled = false
  const done = (success, reason) => {
    if (settled) return
    settled = true
    backend.probing = false
    if (!backends.has(backend.id)) return
    if (success) {
      backend.failures = 0
      if (!backend.ready) {
        backend.ready = true
        send({ type: 'state', id: backend.id, ready: true, t: now(), reason })
      }
    } else {
      backend.failures += 1
      if (backend.ready && backend.failures >= FAILURE_THRESHOLD) {
        backend.ready = false
        send({ type: 'state', id: backend.id, ready: false, t: now(), reason })
      }
    }
  }
  const req = request(
    { host: HOST, port: backend.readyPort, path: backend.readyPath, agent: false, headers: { connection: 'close' }, timeout: PROBE_TIMEOUT },
    (res) => {
      res.resume()
      res.on('end', () => done(res.statusCode >= 200 && res.statusCode < 400, `probe ${res.statusCode}`))
      res.on('error', (error) => done(false, `probe ${error.code ?? error.message}`))
    },
  )
  req.on('timeout', () => {
    req.destroy()
    done(false, 'probe timeout')
  })
  req.on('error', (error) => done(false, `probe ${error.code ?? error.message}`))
  req.end()
}

function pick() {
  const ready = [...backends.values()].filter((backend) => backend.ready)
  if (ready.length === 0) return undefined
  cursor = (cursor + 1) % ready.length
  return ready[cursor]
}

// ------------------------------------------------------------------------------------------
// Proxying

function copyHeaders(headers) {
  const out = {}
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value
  return out
}

function fail(res, status, reason, backend) {
  countFailure(reason, backend)
  if (res.headersSent) {
    res.destroy() // a response cut in the middle: the client sees the connection go
    return
  }
  res.writeHead(status, { 'content-type': 'text/plain', 'x-lb-error': reason, 'x-lb-backend': String(backend?.id ?? '') })
  res.end(`${reason}\n`)
}

const server = createServer((req, res) => {
  stats.proxied += 1
  const backend = pick()
  if (backend === undefined) {
    fail(res, 503, 'no-ready-backend', undefined)
    return
  }
  byBackend(backend).proxied += 1
  let finished = false
  const once = (action) => {
    if (finished) return
    finished = true
    action()
  }
  const upstream = request(
    {
      host: HOST,
      port: backend.port,
      method: req.method,
      path: req.url,
      headers: { ...copyHeaders(req.headers), 'x-forwarded-for': req.socket.remoteAddress },
      agent: backend.agent,
      timeout: UPSTREAM_TIMEOUT,
    },
    (upstreamRes) => {
      const status = upstreamRes.statusCode ?? 0
      if (status >= 500) {
        upstreamRes.resume()
        once(() => fail(res, 502, `upstream-${status}`, backend))
        return
      }
      res.writeHead(status, { ...copyHeaders(upstreamRes.headers), 'x-lb-backend': String(backend.id) })
      upstreamRes.pipe(res)
      upstreamRes.on('end', () =>
        once(() => {
          stats.ok += 1
          byBackend(backend).ok += 1
        }),
      )
      upstreamRes.on('aborted', () => once(() => fail(res, 502, 'upstream-aborted', backend)))
      upstreamRes.on('error', (error) => once(() => fail(res, 502, error.code ?? error.message, backend)))
    },
  )
  upstream.on('timeout', () => {
    upstream.destroy()
    once(() => fail(res, 504, 'upstream-timeout', backend))
  })
  upstream.on('error', (error) => once(() => fail(res, 502, error.code ?? error.message, backend)))
  req.pipe(upstream)
})

process.on('message', (message) => {
  switch (message.type) {
    case 'add':
      addBackend(message)
      break
    case 'remove':
      removeBackend(message.id)
      break
    case 'stats': {
      const backendsNow = [...backends.values()].map(({ id, ready, failures }) => ({ id, ready, failures }))
      send({ type: 'stats', ...stats, backends: backendsNow })
      if (message.reset) stats = freshStats()
      break
    }
    default:
      throw new Error(`unknown message ${JSON.stringify(message)}`)
  }
})
// run.mjs went away: so do we.
process.on('disconnect', () => process.exit(0))

server.listen(0, HOST, () => send({ type: 'listening', port: server.address().port, period: PERIOD, failureThreshold: FAILURE_THRESHOLD }))
