// The healthz quick-start demo: a tiny "orders" service on node:http whose probes are answered
// by @healthz/http ahead of the application handler.
//
//   node examples/demo/server.mjs                 (after `pnpm install && pnpm build`)
//
// Environment:
//   PORT          port to listen on (default 3000; 0 picks a free one)
//   HOST          address to listen on (default 127.0.0.1; use 0.0.0.0 in a container)
//   BOOT_SECONDS  length of the simulated slow boot (default 5)
//   DB_DOWN=1     start with the simulated database down
//   HEAP_LIMIT_MB the heap check's limit (default 512)
//   HEALTH_TOKEN  the token that unlocks check details in probe bodies (default "demo")
//   DRAIN_SECONDS how long readiness fails before the server closes on Ctrl-C/SIGTERM (default 2;
//                 on Kubernetes you would leave it to healthz: 10 s, readiness period × threshold)
import { createServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { createHealth, defineCheck, redact } from '@healthz/core'
import { createHealthListener, drainOnShutdown } from '@healthz/http'

const PORT = numberFromEnv('PORT', 3000)
const HOST = process.env.HOST || '127.0.0.1'
const BOOT_SECONDS = numberFromEnv('BOOT_SECONDS', 5)
const HEAP_LIMIT_MB = numberFromEnv('HEAP_LIMIT_MB', 512)
const HEALTH_TOKEN = process.env.HEALTH_TOKEN || 'demo'
const DRAIN_SECONDS = numberFromEnv('DRAIN_SECONDS', 2)
// A connection string with a password in it, as driver errors often carry: probe bodies never
// show the password, even to a caller who may see details.
const DATABASE_URL = 'postgres://orders:hunter2@127.0.0.1:5432/orders'

// --- Checks -----------------------------------------------------------------------------------

// The simulated database. `GET /toggle-db` flips it; DB_DOWN=1 starts it down.
let databaseUp = process.env.DB_DOWN !== '1'

/** Readiness only: a dependency may never back liveness (createHealth refuses it). */
const database = defineCheck({
  name: 'database',
  kind: 'dependency',
  componentType: 'datastore',
  timeout: 500, // the AbortSignal fires at 500 ms and the probe reports fail then
  cache: 1000, // a probe storm costs at most one "ping" per second
  run: async ({ signal }) => {
    await sleep(5, undefined, { signal }) // the round trip of a `SELECT 1`
    if (!databaseUp) throw new Error(`connect ECONNREFUSED ${DATABASE_URL}`)
  },
})

/** In-process state only, so it may back liveness as well as readiness. */
const heap = defineCheck({
  name: 'heap',
  kind: 'process',
  componentType: 'system',
  measurement: 'used',
  run: () => {
    const usedMiB = Math.round(process.memoryUsage().heapUsed / 1024 / 1024)
    return {
      status: usedMiB < HEAP_LIMIT_MB ? 'pass' : 'fail',
      observedValue: usedMiB,
      observedUnit: 'MiB',
      output: `heap used ${usedMiB} MiB of a ${HEAP_LIMIT_MB} MiB limit`,
    }
  },
})

// The simulated slow boot (warming caches, say) starts once the server listens, so the probes
// are answered all through it.
let booted = false
let bootTimer

/** A boot gate: once it has passed, the startup probe latches open and never runs it again. */
const boot = defineCheck({
  name: 'boot',
  kind: 'process',
  run: () => (booted ? undefined : { status: 'fail', output: 'still booting (warming caches)' }),
})

// --- Health -----------------------------------------------------------------------------------

const health = createHealth({
  service: { name: 'orders-demo', version: '1.0.0' },
  startup: [boot],
  liveness: [heap],
  readiness: [database, heap],
  // Error text is withheld from probe bodies unless the caller shows the token.
  details: (request) => request.headers?.['x-health-token'] === HEALTH_TOKEN,
  // On SIGTERM or Ctrl-C: readiness fails at once, the server keeps serving for drainDelay so
  // load balancers notice, then stops accepting and drains; a second Ctrl-C exits at once.
  shutdown: { drainDelay: DRAIN_SECONDS * 1000, gracePeriod: 5000 },
})

health.on('change', (event) => {
  if (event.type === 'phase') {
    log(`shutdown: ${event.previous} -> ${event.current}`)
  } else if (event.type === 'started') {
    log(`startup complete: the startup gate opened (${event.by})`)
  } else if (event.type === 'probe') {
    log(`${event.probe} probe: ${event.previous ?? '(first answer)'} -> ${event.current}`)
  } else {
    const why = event.result.output === undefined ? '' : ` (${redact(event.result.output)})`
    log(`check ${event.name}: ${event.previous ?? '(first result)'} -> ${event.current}${why}`)
  }
})

// --- The application ------------------------------------------------------------------------

const ORDERS = [
  { id: 'ord_1001', item: 'coffee beans', quantity: 2, status: 'shipped' },
  { id: 'ord_1002', item: 'grinder', quantity: 1, status: 'processing' },
  { id: 'ord_1003', item: 'filters', quantity: 100, status: 'pending' },
]

/** The application's own handler: it never sees the probe paths. */
function app(req, res) {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost')
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return json(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' })
  }
  switch (pathname) {
    case '/':
      return json(res, 200, { hello: 'world', service: 'orders-demo', probes: ['/livez', '/readyz', '/startupz'] })
    case '/orders':
      return json(res, 200, { orders: ORDERS })
    case '/toggle-db':
      databaseUp = !databaseUp
      log(`simulated database is now ${databaseUp ? 'UP' : 'DOWN'}`)
      return json(res, 200, {
        database: databaseUp ? 'up' : 'down',
        note: '/readyz follows within the check cache window (1 s); /livez is not affected',
      })
    default:
      return json(res, 404, { error: `no route ${pathname}` })
  }
}

// The probes are answered before `app` runs: no middleware of the app can reach them.
const server = createServer(createHealthListener(health, { next: app }))
drainOnShutdown(health, server)

server.listen(PORT, HOST, () => {
  const { port } = server.address()
  const base = `http://${HOST === '0.0.0.0' || HOST === '::' ? '127.0.0.1' : HOST}:${port}`
  log(`listening on ${base}`)
  log(`booting for ${BOOT_SECONDS} s: /startupz and /readyz answer 503 until then; /livez answers 200 from the start`)
  const tries = [
    [`curl -i ${base}/livez`, 'liveness: 200 from the start'],
    [`curl -i ${base}/startupz`, 'startup: 503 while booting, then 200 for good'],
    [`curl -i ${base}/readyz`, 'readiness: 503 while booting or while the database is down'],
    [`curl -i ${base}/readyz/database`, 'one check only'],
    [`curl -i '${base}/readyz?exclude=database'`, 'leave a check out'],
    [`curl -H 'x-health-token: ${HEALTH_TOKEN}' ${base}/readyz`, 'with error details (credentials redacted)'],
    [`curl ${base}/toggle-db`, 'take the simulated database down, or up again'],
    [`curl ${base}/orders`, 'the app itself'],
  ]
  const width = Math.max(...tries.map(([command]) => command.length))
  console.log(
    [
      '',
      'Try:',
      ...tries.map(([command, what]) => `  ${command.padEnd(width)}  # ${what}`),
      '',
      `Stop with Ctrl-C (SIGINT) or SIGTERM: readiness fails for ${DRAIN_SECONDS} s while the app keeps serving, then the server drains.`,
      '',
    ].join('\n'),
  )
  bootTimer = setTimeout(() => {
    booted = true
    log('boot work done: the next /startupz or /readyz probe opens the startup gate')
  }, BOOT_SECONDS * 1000)
})

// --- Shutdown -------------------------------------------------------------------------------

// healthz owns the signals: SIGTERM/SIGINT start the drain (running -> draining -> closing ->
// stopped), then the process exits 0. Hooks run last, in reverse order of registration.
health.onShutdown(() => {
  clearTimeout(bootTimer)
  log('shutdown hooks ran, bye')
}, { name: 'demo' })

// --- Helpers --------------------------------------------------------------------------------

function json(res, status, body, headers = {}) {
  const text = `${JSON.stringify(body, null, 2)}\n`
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(res.req.method === 'HEAD' ? undefined : text)
}

function log(message) {
  console.log(`[demo ${new Date().toISOString().slice(11, 23)}] ${message}`)
}

function numberFromEnv(name, fallback) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) {
    console.error(`${name} must be a number of at least 0, got ${JSON.stringify(raw)}`)
    process.exit(2)
  }
  return value
}
