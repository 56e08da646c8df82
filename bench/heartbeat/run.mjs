// Heartbeat benchmark: one monitor ingesting beats of N simulated nodes at 1 Hz, in memory
// (the ceiling) and over Redis pub/sub (the generator in a child process). Prints the monitor's
// CPU per second of beats, memory per node, and the detection delay of killed nodes against
// the theoretical delay for the threshold; counts false convictions of live nodes.
//
//   pnpm --filter @healthz/core --filter @healthz/heartbeat build
//   node --expose-gc bench/heartbeat/run.mjs [--mode memory|redis|both] [--nodes 10000]
//        [--warmup 20] [--measure 40] [--kills 200]
//
// Exit code 0 whatever the figures (a measurement, not a gate); 1 when something broke.
import { fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const heartbeatDir = here('../../packages/heartbeat/')
const { createHeartbeatMonitor, createMemoryTransport, phiAccrual, phiDelay } = await import(`${heartbeatDir}dist/index.js`)
const requireFromHeartbeat = createRequire(`${heartbeatDir}package.json`)

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: process.env.BENCH_MODE ?? 'both' },
    nodes: { type: 'string', default: process.env.BENCH_NODES ?? '10000' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP ?? '20' },
    measure: { type: 'string', default: process.env.BENCH_MEASURE ?? '40' },
    kills: { type: 'string', default: process.env.BENCH_KILLS ?? '200' },
    child: { type: 'boolean', default: false },
  },
})

const NODES = Number(args.nodes)
const WARMUP = Number(args.warmup) * 1000
const MEASURE = Number(args.measure) * 1000
const KILLS = Number(args.kills)
const INTERVAL = 1000
const JITTER = 0.1
const CHECK_INTERVAL = 100

if (args.child) await runGeneratorChild()
else await main()

// ---------------------------------------------------------------------------------------------
// The generator: N nodes, each beating every INTERVAL ± JITTER from a random phase, in a timer
// wheel of 10 ms slots. `kill(k)` silences k random nodes at random times within a window.

function createGenerator(send) {
  const SLOT = 10
  const slots = Array.from({ length: Math.ceil((INTERVAL * (1 + JITTER)) / SLOT) + 2 }, () => [])
  const seq = new Int32Array(NODES)
  const dead = new Uint8Array(NODES)
  const incarnation = Date.now()
  const started = Date.now()
  let cursor = 0
  let sent = 0
  for (let node = 0; node < NODES; node += 1) slots[Math.floor((Math.random() * INTERVAL) / SLOT) % slots.length].push(node)
  let last = started
  const timer = setInterval(() => {
    const now = Date.now()
    const due = Math.floor((now - last) / SLOT)
    for (let step = 0; step < due; step += 1) {
      const slot = slots[cursor]
      slots[cursor] = []
      for (const node of slot) {
        if (dead[node] === 1) continue
        send({ nodeId: `node-${node}`, incarnation, seq: seq[node]++, sentAt: now, status: 'pass', metadata: {} })
        sent += 1
        const next = Math.round((INTERVAL * (1 + JITTER * (2 * Math.random() - 1))) / SLOT)
        slots[(cursor + next) % slots.length].push(node)
      }
      cursor = (cursor + 1) % slots.length
    }
    last += due * SLOT
  }, SLOT)
  return {
    get sent() {
      return sent
    },
    /** Silences `count` random nodes at random moments over `window` ms; calls onKill(nodeId). */
    kill(count, window, onKill) {
      const victims = new Set()
      while (victims.size < Math.min(count, NODES)) victims.add(Math.floor(Math.random() * NODES))
      for (const node of victims) {
        setTimeout(() => {
          dead[node] = 1
          onKill(`node-${node}`)
        }, Math.random() * window)
      }
    },
    stop() {
      clearInterval(timer)
    },
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (typeof globalThis.gc !== 'function') {
    console.error('run with node --expose-gc (memory per node needs it)')
    process.exit(2)
  }
  const modes = args.mode === 'both' ? ['memory', 'redis'] : [args.mode]
  console.log(`heartbeat bench: ${NODES} nodes at 1 Hz (±${JITTER * 100}%), warm-up ${WARMUP / 1000} s, measured ${MEASURE / 1000} s, ${KILLS} nodes killed during the measurement`)
  console.log(`detector: phi accrual, Akka defaults (threshold 8, acceptable pause 3000 ms, min std-dev 100 ms); checkInterval ${CHECK_INTERVAL} ms`)
  const generatorCost = await measureGeneratorAlone()
  console.log(`generator alone (memory mode's in-process load, no monitor): ${pct(generatorCost)} of one core`)
  const results = []
  for (const mode of modes) results.push(await runMode(mode, generatorCost))
  console.log('')
  console.log('| mode | monitor CPU (% of one core) | CPU per 1,000 beats | memory per node | detection delay p50 / p90 / p99 / max | theoretical | false convictions | missed kills |')
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const r of results) {
    console.log(
      `| ${r.mode} | ${pct(r.cpu)} | ${r.cpuPerThousand.toFixed(2)} ms | ${Math.round(r.bytesPerNode)} B | ${r.delays.p50} / ${r.delays.p90} / ${r.delays.p99} / ${r.delays.max} ms | ${Math.round(r.theoretical)} ms (+ ≤ ${CHECK_INTERVAL} ms) | ${r.falseConvictions} | ${r.missed} |`,
    )
  }
  const memory = results.find((r) => r.mode === 'memory')
  if (memory) console.log(`target: < 20% of one core for ${NODES} nodes in memory: ${memory.cpu < 0.2 ? 'PASS' : 'FAIL'}; zero false convictions: ${results.every((r) => r.falseConvictions === 0) ? 'PASS' : 'FAIL'}`)
}

async function measureGeneratorAlone() {
  // The beats go nowhere: this measures the generator's own cost.
  const generator = createGenerator(() => {})
  await sleep(3000)
  const cpu = process.cpuUsage()
  const started = Date.now()
  await sleep(7000)
  const used = process.cpuUsage(cpu)
  generator.stop()
  return (used.user + used.system) / 1000 / (Date.now() - started)
}

async function runMode(mode, generatorCost) {
  console.log(`\n[${mode}] starting`)
  globalThis.gc()
  const heapBefore = process.memoryUsage().heapUsed
  let transport
  let child
  let subscriber
  let redisInfo
  const channel = `healthz:bench:${process.pid}:${Math.random().toString(36).slice(2, 8)}`
  if (mode === 'memory') {
    transport = createMemoryTransport()
  } else {
    const { Redis } = requireFromHeartbeat('ioredis')
    subscriber = new Redis({ host: '127.0.0.1', port: 6379 })
    redisInfo = new Redis({ host: '127.0.0.1', port: 6379 })
    const { redisTransport } = await import(`${heartbeatDir}dist/redis.js`)
    transport = redisTransport({ subscriber, channel })
  }
  const monitor = createHeartbeatMonitor({ transport, detector: phiAccrual(), checkInterval: CHECK_INTERVAL, deadAfter: 10_000 })
  await monitor.ready()
  const killed = new Map() // nodeId -> { suspectAfter, lastBeatAt }
  const delays = []
  let falseConvictions = 0
  monitor.on('change', (event) => {
    if (event.reason !== 'suspected') return
    const kill = killed.get(event.nodeId)
    if (kill === undefined) {
      falseConvictions += 1
      console.log(`  false suspicion: ${event.nodeId} (phi ${event.phi.toFixed(1)})`)
      return
    }
    delays.push({ actual: event.at - kill.lastBeatAt, theoretical: kill.suspectAfter })
  })
  const onKill = (nodeId) => {
    const member = monitor.member(nodeId)
    if (member) killed.set(nodeId, { suspectAfter: member.suspectAfter, lastBeatAt: member.lastBeatAt })
  }
  let generator
  if (mode === 'memory') {
    generator = createGenerator((beat) => void transport.send(beat, { signal: undefined }))
  } else {
    child = fork(fileURLToPath(import.meta.url), ['--child', '--nodes', String(NODES)], { env: { ...process.env, BENCH_CHANNEL: channel } })
    await new Promise((resolve) => child.once('message', resolve)) // ready
    child.on('message', (message) => {
      if (message.kill) {
        // A killed node's last beat may still be in flight: take its last arrival once the
        // socket has had a moment, from the monitor's own view.
        setTimeout(() => onKill(message.kill), 50)
      }
    })
  }
  await sleep(WARMUP)
  const received0 = monitor.stats().received
  const cpu0 = process.cpuUsage()
  const redisCpu0 = redisInfo ? await redisCpu(redisInfo) : 0
  const started = Date.now()
  const killWindow = Math.max(1000, MEASURE - 12_000)
  if (mode === 'memory') generator.kill(KILLS, killWindow, (nodeId) => onKill(nodeId))
  else child.send({ kill: KILLS, window: killWindow })
  await sleep(MEASURE)
  const used = process.cpuUsage(cpu0)
  const elapsed = Date.now() - started
  const redisUsed = redisInfo ? (await redisCpu(redisInfo)) - redisCpu0 : 0
  const received = monitor.stats().received - received0
  let cpu = (used.user + used.system) / 1000 / elapsed
  if (mode === 'memory') cpu -= generatorCost
  if (generator) generator.stop()
  if (child) {
    child.send({ stop: true })
    await new Promise((resolve) => child.once('exit', resolve))
  }
  globalThis.gc()
  const members = monitor.members().length
  const bytesPerNode = (process.memoryUsage().heapUsed - heapBefore) / members
  const stats = monitor.stats()
  await monitor.close()
  subscriber?.disconnect()
  redisInfo?.disconnect()
  const actual = delays.map((d) => d.actual).sort((a, b) => a - b)
  const q = (p) => (actual.length === 0 ? 'n/a' : Math.round(actual[Math.min(actual.length - 1, Math.ceil((p / 100) * actual.length) - 1)]))
  const theoretical = delays.length === 0 ? phiDelay(8, 4000, 100) : delays.reduce((a, d) => a + d.theoretical, 0) / delays.length
  const offBy = delays.map((d) => d.actual - d.theoretical)
  const result = {
    mode,
    cpu,
    cpuPerThousand: ((used.user + used.system) / 1000 - (mode === 'memory' ? generatorCost * elapsed : 0)) / (received / 1000),
    bytesPerNode,
    delays: { p50: q(50), p90: q(90), p99: q(99), max: q(100) },
    theoretical,
    falseConvictions,
    missed: killed.size - delays.length,
  }
  console.log(`  beats ingested: ${received} in ${(elapsed / 1000).toFixed(1)} s (${Math.round(received / (elapsed / 1000))}/s); members ${members} (${JSON.stringify(stats.members)}); malformed ${stats.malformed}, stale ${stats.stale}, local pauses ${stats.localPauses}`)
  console.log(`  monitor CPU: ${pct(cpu)} of one core${mode === 'memory' ? ` (process ${pct(cpu + generatorCost)} minus the generator's ${pct(generatorCost)})` : ''}; ${result.cpuPerThousand.toFixed(2)} ms per 1,000 beats`)
  if (redisInfo) console.log(`  redis-server CPU meanwhile: ${pct(redisUsed / elapsed)} of one core`)
  console.log(`  heap per node: ${Math.round(bytesPerNode)} B with about ${Math.round((WARMUP + MEASURE) / INTERVAL)} interval samples each (4 B a sample: a full 1000-sample history is 4,000 B more)`)
  console.log(`  detection delay of ${delays.length} killed nodes (from their last beat to suspicion): p50 ${result.delays.p50}, p90 ${result.delays.p90}, p99 ${result.delays.p99}, max ${result.delays.max} ms; theoretical ${Math.round(theoretical)} ms; actual − theoretical: min ${Math.round(Math.min(...offBy))}, max ${Math.round(Math.max(...offBy))} ms`)
  console.log(`  false convictions of live nodes: ${falseConvictions}; killed but not suspected: ${result.missed}`)
  return result
}

async function runGeneratorChild() {
  const { Redis } = requireFromHeartbeat('ioredis')
  const { redisTransport } = await import(`${heartbeatDir}dist/redis.js`)
  const publisher = new Redis({ host: '127.0.0.1', port: 6379, enableAutoPipelining: true })
  const transport = redisTransport({ publisher, channel: process.env.BENCH_CHANNEL })
  const controller = new AbortController()
  let failures = 0
  const generator = createGenerator((beat) => {
    transport.send(beat, { signal: controller.signal }).catch(() => {
      failures += 1
    })
  })
  process.on('message', async (message) => {
    if (message.kill) generator.kill(message.kill, message.window, (nodeId) => process.send({ kill: nodeId }))
    if (message.stop) {
      generator.stop()
      await publisher.quit()
      if (failures > 0) console.error(`generator: ${failures} publish failures`)
      process.exit(0)
    }
  })
  process.send({ ready: true })
}

async function redisCpu(client) {
  const info = await client.info('cpu')
  const value = (name) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0)
  return (value('used_cpu_sys') + value('used_cpu_user')) * 1000
}

function pct(fraction) {
  return `${(fraction * 100).toFixed(1)}%`
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
