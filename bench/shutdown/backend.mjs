// One backend of the shutdown benchmark (bench/shutdown/run.mjs), run as a child process:
//
//   node bench/shutdown/backend.mjs <healthz|healthz-attach|terminus|lightship|naive>
//
// Settings come from the environment (run.mjs sets them): DRAIN_DELAY and GRACE_PERIOD (ms),
// WORK_MIN and WORK_MAX (ms: how long the one application route takes), SLOW_RATIO and SLOW_MS.
//
// Every variant serves the same application: GET /work answers `ok` after a random 5–20 ms, so
// that requests are in flight when the shutdown happens. Each variant is set up the way its own
// README recommends for Kubernetes, with the same delay between SIGTERM and closing the listener
// (drainDelay / beforeShutdown / shutdownDelay) so that they are compared on equal terms.
//
// It listens on 127.0.0.1 on a free port and prints one JSON line on stdout when it can take
// traffic: {"event":"listening","port":N,"readyPort":M,"readyPath":"/readyz"}. On exit it prints
// {"event":"exit",...} with how many application requests it accepted, answered, lost (connection
// gone before the answer) and still had in flight when the process ended.
import { createServer } from 'node:http'
import { Server as NetServer } from 'node:net'

const variant = process.argv[2]
const HOST = '127.0.0.1'
const DRAIN_DELAY = Number(process.env.DRAIN_DELAY ?? 600)
const GRACE_PERIOD = Number(process.env.GRACE_PERIOD ?? 5000)
const WORK_MIN = Number(process.env.WORK_MIN ?? 5)
const WORK_MAX = Number(process.env.WORK_MAX ?? 20)
// Optional (run.mjs --slow-ratio): this share of requests takes SLOW_MS instead, so that some are
// still in flight when the listener closes.
const SLOW_RATIO = Number(process.env.SLOW_RATIO ?? 0)
const SLOW_MS = Number(process.env.SLOW_MS ?? 2000)

const now = () => performance.timeOrigin + performance.now()
const print = (event) => process.stdout.write(`${JSON.stringify({ ...event, t: now() })}\n`)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// What the application saw: requests accepted, answered, and those whose connection went away
// before the answer was written (a drop on the backend's side).
const app = { accepted: 0, answered: 0, lost: 0 }

function work(req, res) {
  app.accepted += 1
  let answered = false
  res.once('close', () => {
    if (!answered) app.lost += 1
  })
  setTimeout(() => {
    if (res.destroyed) return
    answered = true
    app.answered += 1
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('ok')
  }, Math.random() < SLOW_RATIO ? SLOW_MS : WORK_MIN + Math.random() * (WORK_MAX - WORK_MIN))
}

function notFound(_req, res) {
  res.writeHead(404, { 'content-type': 'text/plain' })
  res.end('not found\n')
}

function application(req, res) {
  if (req.url === '/work' || req.url?.startsWith('/work?')) work(req, res)
  else notFound(req, res)
}

process.on('exit', (code) => {
  // inFlight: accepted, neither answered nor lost yet: the process is ending under them.
  print({ event: 'exit', code, accepted: app.accepted, answered: app.answered, lost: app.lost, inFlight: app.accepted - app.answered - app.lost })
})

// Go away if run.mjs dies without a chance to kill us (we are re-parented then). Unref'd, so it
// never keeps the process alive, and no stdin listener that would change how a variant exits.
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) process.exit(70)
}, 500).unref()

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, HOST, () => {
      server.off('error', reject)
      resolve(server.address().port)
    })
  })
}

const variants = {
  // @healthz/core + @healthz/http, as docs/shutdown.md §2 and packages/http/README.md set it up.
  async healthz() {
    // The built packages, by path (bench/ is not a workspace package), as bench/server.mjs does.
    const { createHealth } = await import('../../packages/core/dist/index.js')
    const { createHealthListener, drainOnShutdown } = await import('../../packages/http/dist/index.js')
    const health = createHealth({
      service: { name: 'bench-shutdown' },
      shutdown: { drainDelay: DRAIN_DELAY, gracePeriod: GRACE_PERIOD },
      onError: (error) => process.stderr.write(`[healthz backend] ${error.code ?? ''} ${error.message}\n`),
    })
    const server = createServer(createHealthListener(health, { next: application }))
    drainOnShutdown(health, server)
    const port = await listen(server)
    health.markStarted()
    return { port, readyPort: port, readyPath: '/readyz' }
  },

  // The same, with attachHealth on a server created without healthz (what a framework's
  // app.listen() returns): probes answered ahead of the application, the server drained.
  async 'healthz-attach'() {
    const { createHealth } = await import('../../packages/core/dist/index.js')
    const { attachHealth } = await import('../../packages/http/dist/index.js')
    const health = createHealth({
      service: { name: 'bench-shutdown' },
      shutdown: { drainDelay: DRAIN_DELAY, gracePeriod: GRACE_PERIOD },
      onError: (error) => process.stderr.write(`[healthz backend] ${error.code ?? ''} ${error.message}\n`),
    })
    const server = createServer(application)
    attachHealth(server, health)
    const port = await listen(server)
    health.markStarted()
    return { port, readyPort: port, readyPath: '/readyz' }
  },

  // @godaddy/terminus, as its README's "How to set Terminus up with Kubernetes?" recommends:
  // a beforeShutdown delay (the readiness probe's timing) and useExit0.
  async terminus() {
    const { default: terminus } = await import('@godaddy/terminus')
    const server = createServer(application)
    terminus.createTerminus(server, {
      healthChecks: { '/readyz': async () => undefined },
      signals: ['SIGTERM'],
      beforeShutdown: () => sleep(DRAIN_DELAY),
      onSignal: async () => undefined, // cleanup (pools, ...) would go here
      timeout: GRACE_PERIOD,
      useExit0: true,
    })
    const port = await listen(server)
    return { port, readyPort: port, readyPath: '/readyz' }
  },

  // lightship, as its README sets it up: its own probe server (/ready on its own port),
  // signalReady() once the application listens, registerShutdownHandler(() => server.close()),
  // and shutdownDelay (README: "should match readinessProbe.periodSeconds"; here the same delay
  // as the other variants: period × failureThreshold + margin).
  async lightship() {
    // lightship 9.0.3's probe server always listens on 0.0.0.0 (fastify, no host option). Keep
    // the benchmark on 127.0.0.1: rewrite that one bind address, nothing else.
    const originalListen = NetServer.prototype.listen
    NetServer.prototype.listen = function listenOnLoopback(...args) {
      if (typeof args[0] === 'object' && args[0] !== null && args[0].host === '0.0.0.0') args[0] = { ...args[0], host: HOST }
      return Reflect.apply(originalListen, this, args)
    }
    const { createLightship } = await import('lightship')
    const lightship = await createLightship({
      detectKubernetes: false, // behave as in a pod (where the benchmark's load balancer polls it)
      port: 0,
      shutdownDelay: DRAIN_DELAY,
      signals: ['SIGTERM'],
    })
    NetServer.prototype.listen = originalListen
    const server = createServer(application)
    lightship.registerShutdownHandler(() => {
      server.close()
    })
    const port = await listen(server)
    lightship.signalReady()
    return { port, readyPort: lightship.server.address().port, readyPath: '/ready' }
  },

  // What many services do: close the listener on SIGTERM and exit when it has closed. The
  // readiness path answers 200 until then (nothing tells the load balancer to go away).
  async naive() {
    const server = createServer((req, res) => {
      if (req.url === '/readyz') {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end('ok')
      } else application(req, res)
    })
    process.on('SIGTERM', () => server.close(() => process.exit(0)))
    const port = await listen(server)
    return { port, readyPort: port, readyPath: '/readyz' }
  },
}

if (!(variant in variants)) {
  process.stderr.write(`usage: node bench/shutdown/backend.mjs <${Object.keys(variants).join('|')}>\n`)
  process.exit(2)
}
const address = await variants[variant]()
print({ event: 'listening', variant, pid: process.pid, ...address })
