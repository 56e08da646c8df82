// gRPC health benchmark: Check RPCs per second through @healthz/grpc (readiness with five cached
// checks, service "") against the official grpc-health-check 2.x serving a static map, in one
// interleaved run. The goal: @healthz/grpc at ≥ 0.9 of grpc-health-check.
//
//   node bench/grpc/run.mjs [--rounds N] [--duration S] [--warmup S] [--concurrency C] [--channels K]
//   (or BENCH_ROUNDS, BENCH_DURATION, BENCH_WARMUP, BENCH_CONCURRENCY, BENCH_CHANNELS)
//
// Method (bench/README.md, "gRPC"): every server is a fresh child process (bench/grpc/server.mjs),
// pinned to core 0 with taskset when there is one, and this process (the load: grpc-js clients
// keeping C Check calls in flight over K channels) to core 1; each round runs both targets once,
// in alternating order; the ratio is paired per round and the median of the ratios is reported.
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { cpus } from 'node:os'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const fromPackage = createRequire(new URL('../../packages/grpc/package.json', import.meta.url))
const grpc = await import(pathToFileURL(fromPackage.resolve('@grpc/grpc-js')).href)
const { HEALTH_SERVICE } = await import('../../packages/grpc/dist/index.js')
const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))

const { values } = parseArgs({
  options: {
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    concurrency: { type: 'string' },
    channels: { type: 'string' },
  },
})
const number = (flag, env, fallback) => {
  const value = Number(values[flag] ?? process.env[env] ?? fallback)
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${flag} must be a positive number`)
    process.exit(2)
  }
  return value
}
const ROUNDS = number('rounds', 'BENCH_ROUNDS', 12)
const DURATION = number('duration', 'BENCH_DURATION', 3)
const WARMUP = number('warmup', 'BENCH_WARMUP', 1)
const CONCURRENCY = number('concurrency', 'BENCH_CONCURRENCY', 64)
const CHANNELS = number('channels', 'BENCH_CHANNELS', 4)

const onPath = (command) => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const pin = onPath('taskset') && cpus().length >= 2
if (pin) execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' })

const TARGETS = [
  { name: 'official', label: 'grpc-health-check 2.1 (static map)' },
  { name: 'healthz', label: '@healthz/grpc (readiness, 5 cached checks)' },
]

async function startServer(kind) {
  const args = [SERVER, kind]
  const child = pin ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  const [chunk] = await once(child.stdout, 'data')
  const { port } = JSON.parse(String(chunk).split('\n')[0])
  return { child, port }
}

/** Keeps CONCURRENCY Check calls in flight for `seconds`; resolves with the calls completed. */
async function load(port, seconds) {
  const Health = grpc.makeGenericClientConstructor(HEALTH_SERVICE, 'grpc.health.v1.Health')
  const clients = Array.from({ length: CHANNELS }, (_, index) => new Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.channel_id': index }))
  let completed = 0
  let failed = 0
  let running = true
  const worker = (client) =>
    new Promise((resolve) => {
      const next = () => {
        if (!running) return resolve()
        client.Check({ service: '' }, (error, response) => {
          if (error || response.status !== 'SERVING') failed += 1
          else completed += 1
          next()
        })
      }
      next()
    })
  const workers = Array.from({ length: CONCURRENCY }, (_, index) => worker(clients[index % CHANNELS]))
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  running = false
  await Promise.all(workers)
  for (const client of clients) client.close()
  if (failed > 0) throw new Error(`${failed} Check calls failed or did not answer SERVING`)
  return completed
}

async function measure(target) {
  const { child, port } = await startServer(target.name)
  try {
    await load(port, WARMUP)
    const completed = await load(port, DURATION)
    return completed / DURATION
  } finally {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
const quantile = (list, q) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(q * list.length))]

console.log(`gRPC Check benchmark: ${ROUNDS} rounds × ${DURATION} s (+${WARMUP} s warm-up), ${CONCURRENCY} calls in flight over ${CHANNELS} channels; ${pin ? 'taskset: servers on core 0, load on core 1' : 'no pinning (taskset missing or 1 core)'}`)
const rates = { official: [], healthz: [] }
const ratios = []
for (let round = 0; round < ROUNDS; round += 1) {
  const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse()
  const seen = {}
  for (const target of order) seen[target.name] = await measure(target)
  rates.official.push(seen.official)
  rates.healthz.push(seen.healthz)
  ratios.push(seen.healthz / seen.official)
  console.log(`round ${round + 1}: official ${Math.round(seen.official)}/s, healthz ${Math.round(seen.healthz)}/s, ratio ${(seen.healthz / seen.official).toFixed(3)}`)
}
console.log('')
console.log('| target | median Check/s | min–max |')
console.log('| --- | --- | --- |')
for (const target of TARGETS) {
  const list = rates[target.name]
  console.log(`| ${target.label} | ${Math.round(median(list))} | ${Math.round(Math.min(...list))}–${Math.round(Math.max(...list))} |`)
}
const ratio = median(ratios)
const verdict = ROUNDS < 5 ? 'too few rounds to judge' : ratio >= 0.9 ? 'PASS' : 'FAIL'
console.log('')
console.log(`@healthz/grpc: ${(ratio * 100).toFixed(1)}% of grpc-health-check (target ≥ 90%): ${verdict} [mid 50% ${quantile(ratios, 0.25).toFixed(2)}–${quantile(ratios, 0.75).toFixed(2)}]`)
