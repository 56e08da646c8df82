// The 3am outage, scaled down: a service answers Kubernetes probes with a Postgres readiness
// check reached through a TCP proxy; the proxy stalls (stops forwarding without closing) for a
// while, then resumes. A prober polls /livez and /readyz the way the kubelet does (a new
// connection per probe, a timeout, failure thresholds) and the scenario records what the
// kubelet would conclude, the pool's state and the queries in flight, every few milliseconds.
//
// Shared by packages/checks/test/outage.test.ts (sources) and bench/outage (built packages):
// the caller passes the libraries in. Plain JavaScript so that the benchmark runs it unbuilt.
import { createServer, get } from 'node:http'
import { performance } from 'node:perf_hooks'
import { TcpProxy } from '../../../../test-utils/tcp-proxy.mjs'

/** Kubernetes probe settings (DESIGN §6, docs/probes.md): liveness 15 s × 3, readiness 5 s × 2, timeout 1 s. */
export const KUBERNETES = { livenessPeriod: 15_000, livenessFailureThreshold: 3, readinessPeriod: 5_000, readinessFailureThreshold: 2, probeTimeout: 1_000 }

/**
 * The services the scenario can run:
 * - `healthz`: `postgresCheck({ client: pool })` from @healthz/checks/pg in `createHealth`, served by `createHealthListener`;
 * - `naive-check`: `defineCheck({ run: () => pool.query('SELECT 1') })` in the same health object
 *   (core's deadline and single flight, but a query that is never cancelled);
 * - `naive-handler`: a plain `/readyz` handler running `await pool.query('SELECT 1')` on every
 *   probe, with no deadline (the common hand-written endpoint).
 */
export const VARIANTS = ['healthz', 'naive-check', 'naive-handler']

/**
 * @param {object} options
 * @param {{ pg: any, createHealth: any, defineCheck: any, createHealthListener: any, postgresCheck: any }} options.libs
 * @param {string} [options.variant] one of VARIANTS (default 'healthz')
 * @param {number} [options.scale] time scale against the Kubernetes settings (default 0.2: 5 s becomes 1 s)
 * @param {number} [options.checkTimeout] ms (default 500 × scale)
 * @param {number} [options.checkCache] ms (default 1000 × scale)
 * @param {number} [options.before] ms of normal service before the stall (default 3.3 readiness periods: the stall starts
 *   between two probes, not on one)
 * @param {number} [options.stall] ms the proxy stalls (default 60 s × scale + 0.45 readiness period: it ends between probes too)
 * @param {number} [options.after] ms observed after the stall (default 4 readiness periods)
 * @param {number} [options.poolMax] the pool's max connections (default 5)
 * @param {number} [options.sampleEvery] ms between samples (default 10)
 * @param {{ host?: string, port?: number, user?: string, database?: string }} [options.postgres]
 */
export async function runOutage(options) {
  const { libs, variant = 'healthz', scale = 0.2 } = options
  if (!VARIANTS.includes(variant)) throw new Error(`unknown variant ${variant}; use one of ${VARIANTS.join(', ')}`)
  const k = {
    livenessPeriod: KUBERNETES.livenessPeriod * scale,
    livenessFailureThreshold: KUBERNETES.livenessFailureThreshold,
    readinessPeriod: KUBERNETES.readinessPeriod * scale,
    readinessFailureThreshold: KUBERNETES.readinessFailureThreshold,
    probeTimeout: KUBERNETES.probeTimeout * scale,
  }
  const checkTimeout = options.checkTimeout ?? 500 * scale
  const checkCache = options.checkCache ?? 1000 * scale
  const before = options.before ?? 3.3 * k.readinessPeriod
  const stall = options.stall ?? 60_000 * scale + 0.45 * k.readinessPeriod
  const after = options.after ?? 4 * k.readinessPeriod
  const poolMax = options.poolMax ?? 5
  const sampleEvery = options.sampleEvery ?? 10
  const pgTarget = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', ...options.postgres }

  const proxy = await TcpProxy.start({ host: pgTarget.host, port: pgTarget.port })
  const application = `hz-outage-${Math.random().toString(16).slice(2, 10)}`
  const pool = new libs.pg.Pool({ ...pgTarget, port: proxy.port, max: poolMax, application_name: application })
  pool.on('error', () => undefined)

  // Queries in flight from the pool's point of view: a connection is checked out for each.
  let checkedOut = 0
  const max = { checkedOut: 0, waiting: 0, total: 0, heldQueries: 0, holdMs: 0 }
  const since = new Map()
  pool.on('acquire', (client) => {
    checkedOut += 1
    max.checkedOut = Math.max(max.checkedOut, checkedOut)
    since.set(client, performance.now())
  })
  pool.on('release', (_error, client) => {
    checkedOut -= 1
    const at = since.get(client)
    since.delete(client)
    if (at !== undefined) max.holdMs = Math.max(max.holdMs, performance.now() - at)
  })

  const server = createServer()
  let health
  if (variant === 'naive-handler') {
    server.on('request', (req, res) => {
      if (req.url === '/livez') return void res.writeHead(200).end('ok')
      if (req.url === '/readyz') {
        pool.query('SELECT 1').then(
          () => res.writeHead(200).end('ok'),
          () => res.writeHead(503).end('down'),
        )
        return
      }
      res.writeHead(404).end()
    })
  } else {
    const check =
      variant === 'healthz'
        ? libs.postgresCheck({ client: pool, timeout: checkTimeout, cache: checkCache })
        : libs.defineCheck({ name: 'postgres', componentType: 'datastore', timeout: checkTimeout, cache: checkCache, run: async () => void (await pool.query('SELECT 1')) })
    health = libs.createHealth({ service: { name: 'outage' }, readiness: [check], shutdown: { signals: false } })
    health.markStarted()
    server.on('request', libs.createHealthListener(health))
  }
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = server.address().port

  const t0 = performance.now()
  const now = () => performance.now() - t0
  const samples = []
  const sampler = setInterval(() => {
    const heldQueries = heldPgQueries(proxy)
    max.waiting = Math.max(max.waiting, pool.waitingCount)
    max.total = Math.max(max.total, pool.totalCount)
    max.heldQueries = Math.max(max.heldQueries, heldQueries)
    samples.push({ t: now(), total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, checkedOut, heldQueries })
  }, sampleEvery)

  /** @type {Array<{ t: number, kind: 'liveness' | 'readiness', ok: boolean, status: number, ms: number }>} */
  const probes = []
  const probe = (kind) =>
    new Promise((resolve) => {
      const sent = now()
      const done = (ok, status) => {
        probes.push({ t: sent, kind, ok, status, ms: now() - sent })
        resolve()
      }
      // The kubelet opens a connection per probe and gives up after timeoutSeconds.
      const req = get({ host: '127.0.0.1', port, path: kind === 'liveness' ? '/livez' : '/readyz', agent: false, timeout: k.probeTimeout }, (res) => {
        res.resume()
        res.on('end', () => done(res.statusCode >= 200 && res.statusCode < 400, res.statusCode))
      })
      req.on('timeout', () => req.destroy(new Error('probe timeout')))
      req.on('error', () => done(false, 0))
    })
  const timers = []
  // Probes on a ticker, as the kubelet runs them: every period from the start, whatever the last one did.
  const every = (kind, period) => {
    let index = 0
    const tick = () => {
      void probe(kind)
      index += 1
      timers.push(setTimeout(tick, Math.max(0, index * period - now())))
    }
    tick()
  }
  every('readiness', k.readinessPeriod)
  every('liveness', k.livenessPeriod)

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
  await sleep(before)
  const stallStart = now()
  proxy.stall()
  await sleep(stall)
  const stallEnd = now()
  proxy.resume()
  await sleep(after)
  for (const timer of timers) clearTimeout(timer)
  // Let the last probes answer.
  await sleep(k.probeTimeout + 50)
  clearInterval(sampler)
  // A connection still checked out at the end has been held since it was taken.
  for (const at of since.values()) max.holdMs = Math.max(max.holdMs, performance.now() - at)

  const readiness = probes.filter((p) => p.kind === 'readiness').sort((a, b) => a.t - b.t)
  const liveness = probes.filter((p) => p.kind === 'liveness').sort((a, b) => a.t - b.t)
  const report = {
    variant,
    settings: { scale, ...k, checkTimeout, checkCache, before, stall, after, poolMax },
    stallStart,
    stallEnd,
    liveness: {
      probes: liveness.length,
      failed: liveness.filter((p) => !p.ok).length,
      restarts: kubelet(liveness, k.livenessFailureThreshold).transitions.filter((x) => !x.ready).length,
    },
    readiness: summarizeReadiness(readiness, k, stallStart, stallEnd),
    pool: { max: poolMax, maxTotal: max.total, maxWaiting: max.waiting, maxCheckedOut: max.checkedOut, longestCheckout: max.holdMs },
    queries: { maxInFlight: max.checkedOut, maxHeldOnWire: max.heldQueries },
    probes,
    samples,
  }

  health?.close()
  await new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
  await proxy.stop()
  await Promise.race([pool.end().catch(() => undefined), sleep(2000)])
  return report
}

/** What the kubelet concludes from a series of probe results, with a failure threshold and successThreshold 1. */
function kubelet(results, failureThreshold) {
  let ready = true
  let failures = 0
  const transitions = []
  for (const result of results) {
    if (result.ok) {
      failures = 0
      if (!ready) {
        ready = true
        transitions.push({ t: result.t + result.ms, ready })
      }
    } else {
      failures += 1
      if (ready && failures >= failureThreshold) {
        ready = false
        transitions.push({ t: result.t + result.ms, ready })
      }
    }
  }
  return { transitions }
}

function summarizeReadiness(readiness, k, stallStart, stallEnd) {
  const answered = (p) => p.t + p.ms
  const firstFail = readiness.find((p) => !p.ok && answered(p) >= stallStart)
  const firstPassAfter = readiness.find((p) => p.ok && answered(p) >= stallEnd)
  const lastFail = [...readiness].reverse().find((p) => !p.ok)
  const { transitions } = kubelet(readiness, k.readinessFailureThreshold)
  const unready = transitions.find((x) => !x.ready)
  const readyAgain = transitions.find((x) => x.ready && x.t >= stallEnd)
  return {
    probes: readiness.length,
    failedBeforeStall: readiness.filter((p) => !p.ok && answered(p) < stallStart).length,
    passedDuringStall: readiness.filter((p) => p.ok && p.t >= stallStart + k.readinessPeriod && answered(p) <= stallEnd).length,
    failedAfterRecovery: firstPassAfter === undefined ? undefined : readiness.filter((p) => !p.ok && answered(p) > answered(firstPassAfter)).length,
    /** From the stall's start to the first readiness probe answered with a failure. */
    firstFailAfterStallStart: firstFail === undefined ? undefined : answered(firstFail) - stallStart,
    /** From the stall's end to the first passing readiness answer after it. */
    firstPassAfterStallEnd: firstPassAfter === undefined ? undefined : answered(firstPassAfter) - stallEnd,
    /** Slowest readiness answer, ms (a timed-out probe counts as the timeout). */
    slowestAnswer: Math.max(...readiness.map((p) => p.ms)),
    lastFailAt: lastFail === undefined ? undefined : answered(lastFail),
    unreadyAfterStallStart: unready === undefined ? undefined : unready.t - stallStart,
    readyAfterStallEnd: readyAgain === undefined ? undefined : readyAgain.t - stallEnd,
  }
}

/** PostgreSQL simple-query messages ('Q') held back by the stalled proxy on their way to the server. */
export function heldPgQueries(proxy) {
  let count = 0
  for (const pair of proxy.pairs) {
    const chunks = pair.held.filter(([to]) => to === pair.upstream).map(([, chunk]) => chunk)
    if (chunks.length === 0) continue
    const data = Buffer.concat(chunks)
    let at = 0
    // A connection opened during the stall starts with the startup message, which has no type byte.
    if (data.length >= 8 && data.readInt32BE(4) === 196_608) at = data.readInt32BE(0)
    while (at + 5 <= data.length) {
      const length = data.readInt32BE(at + 1)
      if (length < 4) break
      if (data[at] === 0x51) count += 1
      at += 1 + length
    }
  }
  return count
}
