// A small real load balancer on 127.0.0.1 that routes like kube-proxy or an ingress controller
// that follows readiness. Shared by the shutdown benchmark (bench/shutdown/lb.mjs runs it in a
// child process) and the rolling-restart test (tests/rolling-restart, in the test process).
//
// - It polls each backend's readiness endpoint every `period` ms, one probe at a time per
//   backend (2xx/3xx within `probeTimeout` is a success). By default each probe opens a new
//   connection, as the kubelet does; with `probeKeepAlive` the probes reuse one keep-alive
//   connection per backend, as an ingress controller's or cloud load balancer's active health
//   checks do. A backend is routed to after one success (successThreshold 1) and no longer after
//   `failureThreshold` consecutive failures. Nothing else removes a backend from the rotation:
//   not the signal, not the process exiting, just as endpoint removal on Kubernetes is not
//   synchronous with SIGTERM.
// - It keeps keep-alive connections to the backends (an http.Agent with keepAlive per backend)
//   and round-robins requests over the ready backends.
// - A proxied request that fails (connection refused or reset, socket hang up, a 5xx answer,
//   no ready backend, a 10 s timeout) gets a 502 (503 when no backend is ready, 504 on timeout)
//   with an `x-lb-error` header naming the cause, and is counted as failed.
// - Retries are off by default (the benchmark counts drops, and a retry would hide them). With
//   `retry: true`, a GET or HEAD that failed at the connection level before any answer came back
//   (connection refused, reset or broken) is sent once more, to another ready backend when there
//   is one, as nginx does by default (`proxy_next_upstream error`): a connection that hit a
//   closing listener's accept queue, or a keep-alive connection the backend closed as the request
//   went out (the race RFC 9112 §9.3.1 lets a client retry). Every retry is counted and listed,
//   so a test can tell "retried" from "never needed to", and whether the backend had accepted
//   such a request is for the backend to say (the rolling-restart backends count drops).
import { Agent, createServer, request } from 'node:http'

const HOST = '127.0.0.1'
const UPSTREAM_TIMEOUT = 10_000
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'])

const now = () => performance.timeOrigin + performance.now()

/**
 * Starts the load balancer on a free port of 127.0.0.1.
 *
 * @param {import('./lb.d.mts').LoadBalancerOptions} [options]
 * @returns {Promise<import('./lb.d.mts').LoadBalancer>}
 */
export async function startLoadBalancer(options = {}) {
  const { period = 200, failureThreshold = 2, probeTimeout = 1000, probeKeepAlive = false, retry = false, onState = () => undefined } = options

  /** id → backend */
  const backends = new Map()
  let cursor = 0
  let stats = freshStats()

  function freshStats() {
    return { proxied: 0, ok: 0, failed: 0, retried: 0, reasons: {}, failures: [], retries: [], byBackend: {} }
  }

  function byBackend(backend) {
    stats.byBackend[backend.id] ??= { proxied: 0, ok: 0, failed: 0, retried: 0 }
    return stats.byBackend[backend.id]
  }

  function countFailure(reason, backend) {
    stats.failed += 1
    stats.reasons[reason] = (stats.reasons[reason] ?? 0) + 1
    if (stats.failures.length < 1000) stats.failures.push({ t: now(), reason, backend: backend?.id })
    if (backend !== undefined) byBackend(backend).failed += 1
  }

  // ----------------------------------------------------------------------------------------
  // Readiness polling

  function addBackend({ id, port, readyPort = port, readyPath = '/readyz' }) {
    const backend = {
      id,
      port,
      readyPort,
      readyPath,
      ready: false,
      failures: 0,
      probing: false,
      agent: new Agent({ keepAlive: true }),
      probeAgent: probeKeepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false,
      timer: undefined,
    }
    backends.set(id, backend)
    probe(backend)
    backend.timer = setInterval(() => probe(backend), period)
  }

  function removeBackend(id) {
    const backend = backends.get(id)
    if (backend === undefined) return
    clearInterval(backend.timer)
    backends.delete(id)
    backend.agent.destroy()
    if (backend.probeAgent) backend.probeAgent.destroy()
  }

  function probe(backend) {
    if (backend.probing) return // never two probes of one backend at once, as the kubelet
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
          onState({ id: backend.id, ready: true, t: now(), reason })
        }
      } else {
        backend.failures += 1
        if (backend.ready && backend.failures >= failureThreshold) {
          backend.ready = false
          onState({ id: backend.id, ready: false, t: now(), reason })
        }
      }
    }
    const req = request(
      {
        host: HOST,
        port: backend.readyPort,
        path: backend.readyPath,
        agent: backend.probeAgent,
        headers: backend.probeAgent ? {} : { connection: 'close' },
        timeout: probeTimeout,
      },
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

  function pick(except) {
    const ready = [...backends.values()].filter((backend) => backend.ready)
    const others = ready.filter((backend) => backend !== except)
    const pool = others.length > 0 ? others : ready
    if (pool.length === 0) return undefined
    cursor = (cursor + 1) % pool.length
    return pool[cursor]
  }

  // ----------------------------------------------------------------------------------------
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

  /** A connection-level failure, the kind nginx's `proxy_next_upstream error` retries. */
  function connectionFailed(error) {
    return error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' || error.code === 'EPIPE'
  }

  function forward(req, res, backend, attempt) {
    byBackend(backend).proxied += 1
    let finished = false
    let answered = false
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
        answered = true
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
    upstream.on('error', (error) => {
      const reason = error.code ?? error.message
      const idempotent = req.method === 'GET' || req.method === 'HEAD'
      if (retry && attempt === 0 && idempotent && !answered && connectionFailed(error)) {
        const next = pick(backend)
        if (next !== undefined) {
          once(() => {
            stats.retried += 1
            byBackend(backend).retried += 1
            if (stats.retries.length < 1000) stats.retries.push({ t: now(), reason, backend: backend.id })
            forward(req, res, next, attempt + 1)
          })
          return
        }
      }
      once(() => fail(res, 502, reason, backend))
    })
    // Requests without a body (the only ones retried) need no piping, and piping an ended
    // request a second time would never end the upstream one.
    if (attempt === 0) req.pipe(upstream)
    else upstream.end()
  }

  const server = createServer((req, res) => {
    stats.proxied += 1
    const backend = pick(undefined)
    if (backend === undefined) {
      fail(res, 503, 'no-ready-backend', undefined)
      return
    }
    forward(req, res, backend, 0)
  })

  await new Promise((resolve) => server.listen(0, HOST, resolve))

  return {
    port: server.address().port,
    period,
    failureThreshold,
    addBackend,
    removeBackend,
    /** A copy of the counters; `reset` starts new ones. */
    stats({ reset = false } = {}) {
      const current = { ...stats, backends: [...backends.values()].map(({ id, ready, failures }) => ({ id, ready, failures })) }
      if (reset) stats = freshStats()
      return current
    },
    isReady(id) {
      return backends.get(id)?.ready === true
    },
    async close() {
      for (const id of [...backends.keys()]) removeBackend(id)
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
