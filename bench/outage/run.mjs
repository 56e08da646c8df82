// Outage benchmark: the 3am outage (issue 6). A service answers Kubernetes probes with a Postgres
// readiness check reached through a TCP proxy that stalls (stops forwarding without closing)
// for a while; a prober polls /livez and /readyz on the Kubernetes settings, scaled in time.
//
//   node bench/outage/run.mjs [--scale 0.2] [--stall MS] [--variants healthz,naive-check,naive-handler] [--json FILE]
//   pnpm build first: the service loads packages/{core,http,checks}/dist.
//
// The scenario is packages/checks/test/support/outage.mjs (the same one the test runs). Each
// variant runs in turn against the real PostgreSQL on 127.0.0.1:5432; everything stays on
// 127.0.0.1. Exit code 1 when the healthz variant misses a point of the issue's acceptance
// list, 2 for bad options, 0 otherwise (the naive variants are expected to miss some).
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus } from 'node:os'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const load = (path) => import(pathToFileURL(`${ROOT}${path}`).href)

const argv = process.argv.slice(2)
if (argv[0] === '--') argv.shift()
let flags
try {
  ;({ values: flags } = parseArgs({
    args: argv,
    options: { scale: { type: 'string' }, stall: { type: 'string' }, variants: { type: 'string' }, json: { type: 'string' } },
  }))
} catch (error) {
  console.error(error.message)
  process.exit(2)
}
const scale = Number(flags.scale ?? 0.2)
const stall = flags.stall === undefined ? undefined : Number(flags.stall)
const { runOutage, VARIANTS } = await load('packages/checks/test/support/outage.mjs')
const variants = (flags.variants ?? VARIANTS.join(',')).split(',')
if (!(scale > 0 && scale <= 1) || (stall !== undefined && !(stall > 0)) || variants.some((v) => !VARIANTS.includes(v))) {
  console.error(`bad options: --scale is a fraction in (0, 1], --stall a number of ms, --variants from ${VARIANTS.join(',')}`)
  process.exit(2)
}

const pg = createRequire(`${ROOT}packages/checks/package.json`)('pg')
const { createHealth, defineCheck } = await load('packages/core/dist/index.js')
const { createHealthListener } = await load('packages/http/dist/index.js')
const { postgresCheck } = await load('packages/checks/dist/pg.js')
const libs = { pg, createHealth, defineCheck, createHealthListener, postgresCheck }

console.log(`outage benchmark: Node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, scale ${scale}`)
const reports = []
for (const variant of variants) {
  const started = Date.now()
  const report = await runOutage({ libs, variant, scale, ...(stall === undefined ? {} : { stall }) })
  reports.push(report)
  console.log(`  ${variant}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

const s = reports[0].settings
console.log(
  `\nsettings: readiness every ${s.readinessPeriod} ms × ${s.readinessFailureThreshold}, liveness every ${s.livenessPeriod} ms × ${s.livenessFailureThreshold}, probe timeout ${s.probeTimeout} ms; ` +
    `check deadline ${s.checkTimeout} ms, cache ${s.checkCache} ms; stall ${s.stall} ms after ${s.before} ms, observed ${s.after} ms after; pool max ${s.poolMax}\n`,
)
const ms = (value) => (value === undefined ? '—' : `${Math.round(value)} ms`)
const rows = [
  ['liveness probes failed (of)', (r) => `${r.liveness.failed} (of ${r.liveness.probes})`],
  ['liveness restarts (kubelet, ×3)', (r) => String(r.liveness.restarts)],
  ['readiness: first fail after stall start', (r) => ms(r.readiness.firstFailAfterStallStart)],
  ['readiness: first pass after stall end', (r) => ms(r.readiness.firstPassAfterStallEnd)],
  ['kubelet: unready after stall start', (r) => ms(r.readiness.unreadyAfterStallStart)],
  ['kubelet: ready again after stall end', (r) => ms(r.readiness.readyAfterStallEnd)],
  ['readiness probes passed during stall', (r) => String(r.readiness.passedDuringStall)],
  ['readiness probes failed after recovery', (r) => String(r.readiness.failedAfterRecovery ?? '—')],
  ['slowest readiness answer', (r) => ms(r.readiness.slowestAnswer)],
  ['max queries in flight (checked out)', (r) => String(r.queries.maxInFlight)],
  ['max queries held on the wire', (r) => String(r.queries.maxHeldOnWire)],
  ['longest a probe held a pool connection', (r) => ms(r.pool.longestCheckout)],
  ['max pool connections (of max)', (r) => `${r.pool.maxTotal} (of ${r.pool.max})`],
  ['max pool waiters', (r) => String(r.pool.maxWaiting)],
]
const header = ['', ...reports.map((r) => r.variant)]
const table = [header, ...rows.map(([label, cell]) => [label, ...reports.map(cell)])]
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)))
const line = (row) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`
console.log(line(header))
console.log(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`)
for (const row of table.slice(1)) console.log(line(row))

let verdict = 0
const healthz = reports.find((r) => r.variant === 'healthz')
if (healthz !== undefined) {
  const { settings: k, readiness: r, liveness: l, queries: q, pool: p } = healthz
  const slack = 150
  const points = [
    ['liveness never fails', l.failed === 0 && l.restarts === 0],
    [`readiness fails within one period + deadline (${k.readinessPeriod + k.checkTimeout} ms) of the stall starting`, r.firstFailAfterStallStart !== undefined && r.firstFailAfterStallStart <= k.readinessPeriod + k.checkTimeout + slack && r.passedDuringStall === 0],
    [`readiness recovers within one period (${k.readinessPeriod} ms) of the stall ending`, r.firstPassAfterStallEnd !== undefined && r.firstPassAfterStallEnd <= k.readinessPeriod + slack],
    ['at most one Postgres query from probes in flight', q.maxInFlight <= 1 && q.maxHeldOnWire <= 1],
    ['the pool is not exhausted by probes', p.maxWaiting === 0 && p.maxTotal < p.max],
    [`no probe holds a pool connection past the check deadline (${k.checkTimeout} ms)`, p.longestCheckout <= k.checkTimeout + slack],
  ]
  console.log('\nhealthz against the acceptance list:')
  for (const [label, ok] of points) {
    console.log(`  ${ok ? 'met    ' : 'NOT MET'}  ${label}`)
    if (!ok) verdict = 1
  }
}
if (flags.json !== undefined) writeFileSync(flags.json, JSON.stringify(reports, null, 2))
process.exit(verdict)
