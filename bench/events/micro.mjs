// Micro-benchmark of issue 16, in one process (no load generator, so the shared machine's noise
// is smaller than in bench/probes.mjs):
// - the probe fast path, `health.handleCached()` for /livez and /readyz (5 cached checks), in ns
//   per call: with nobody subscribed to healthz's diagnostics channels, and with
//   @healthz/prometheus's collectors registered (they subscribe);
// - one Prometheus scrape, `registry.metrics()`, of a health object with 100 checks.
//
//   node bench/events/micro.mjs [--core path/to/core/dist/index.js] [--rounds 15]
//
// --core points at another build of @healthz/core (e.g. one made from the commit before the
// channels) to compare the fast path; the Prometheus rows need the channels and are skipped
// when the core given has no HEALTHZ_CHANNELS. Each figure is the median over rounds.
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'

const { values } = parseArgs({ options: { core: { type: 'string' }, rounds: { type: 'string' } } })
const coreUrl = values.core === undefined ? new URL('../../packages/core/dist/index.js', import.meta.url).href : pathToFileURL(resolve(values.core)).href
const rounds = Number(values.rounds ?? 15)
const core = await import(coreUrl)
const { createHealth, defineCheck } = core

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]

function benchHealth(checks = 5) {
  const readiness = Array.from({ length: checks }, (_, i) => defineCheck({ name: `dep-${i}`, kind: 'dependency', cache: 3_600_000, run: async () => {} }))
  const health = createHealth({ service: { name: 'bench' }, readiness, shutdown: { signals: false }, runtime: false })
  health.markStarted()
  return health
}

/** ns per handleCached() call, median over rounds of `calls` calls. */
function fastPath(health, path, calls = 200_000) {
  const request = { method: 'GET', path }
  const samples = []
  for (let round = 0; round < rounds; round += 1) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < calls; i += 1) if (health.handleCached(request) === undefined) throw new Error(`${path}: not on the fast path`)
    samples.push(Number(process.hrtime.bigint() - start) / calls)
  }
  return median(samples)
}

const rows = []
const health = benchHealth()
await health.handle({ path: '/livez' })
await health.handle({ path: '/readyz' })
rows.push(['handleCached /livez, no subscriber', `${fastPath(health, '/livez').toFixed(1)} ns`])
rows.push(['handleCached /readyz (5 checks), no subscriber', `${fastPath(health, '/readyz').toFixed(1)} ns`])

if (core.HEALTHZ_CHANNELS !== undefined) {
  const { registerHealthMetrics } = await import('../../packages/prometheus/dist/index.js')
  const { Registry } = await import('../../packages/prometheus/node_modules/prom-client/index.js')
  const unregister = registerHealthMetrics(health, { registry: new Registry() })
  rows.push(['handleCached /livez, Prometheus registered', `${fastPath(health, '/livez').toFixed(1)} ns`])
  rows.push(['handleCached /readyz (5 checks), Prometheus registered', `${fastPath(health, '/readyz').toFixed(1)} ns`])
  unregister()

  const big = benchHealth(100)
  await big.handle({ path: '/readyz' })
  const registry = new Registry()
  registerHealthMetrics(big, { registry })
  let runs = 0
  for (const check of big.snapshot().checks) runs += check.result === undefined ? 0 : 1
  const scrapes = []
  for (let i = 0; i < 20; i += 1) await registry.metrics() // warm-up
  for (let round = 0; round < Math.max(rounds, 50); round += 1) {
    const start = process.hrtime.bigint()
    await registry.metrics()
    scrapes.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  const text = await registry.metrics()
  rows.push([`one scrape, 100 checks (${runs} with results, ${text.split('\n').filter((l) => l && !l.startsWith('#')).length} samples)`, `${median(scrapes).toFixed(3)} ms (max ${Math.max(...scrapes).toFixed(3)} ms)`])
}

console.log(`core: ${coreUrl}`)
for (const [what, figure] of rows) console.log(`${what.padEnd(62)} ${figure}`)
process.exit(0)
