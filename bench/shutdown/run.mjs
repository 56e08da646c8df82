// Shutdown benchmark: does a rolling restart drop requests?
//
//   node bench/shutdown/run.mjs [--shutdowns 20] [--rounds 4] [--variants healthz,terminus,lightship,naive(,healthz-attach)]
//                               [--period 200] [--failure-threshold 2] [--drain-delay 600] [--grace-period 5000]
//                               [--concurrency 8] [--work-min 5] [--work-max 20] [--slow-ratio 0] [--slow-ms 2000] [--settle 300]
//                               [--timeout 900] [--json results.json] [--verbose]
//   pnpm bench:shutdown -- [same flags]
//
// Method (see bench/README.md, "Shutdown"):
// - a load balancer of our own (lb.mjs, a child process) proxies to two backends, follows their
//   readiness endpoints the way kube-proxy and ingress controllers do (poll every `period`, out
//   after `failureThreshold` consecutive failures, back in after one success), keeps keep-alive
//   connections to them, and answers 502 to the client, without retrying, when a proxied
//   request fails;
// - a constant closed-loop load (`concurrency` workers, each with its keep-alive connection to
//   the load balancer, one request after the other) counts requests sent and failed (non-2xx or
//   an error);
// - backends are child processes (backend.mjs <variant>), each variant set up as its README
//   recommends, all with the same delay between SIGTERM and closing the listener;
// - for each variant, repeatedly: SIGTERM one backend, wait for it to exit, start a fresh one
//   in its place, wait until the load balancer routes to it, continue with the other one. The
//   load balancer only learns of the shutdown through readiness polling, never from us.
// - variants are interleaved: each round runs every variant once, in a rotated order, for
//   shutdowns/rounds shutdowns each, so drift on the machine hits every variant alike.
//
// Traffic stays on 127.0.0.1. The run is bounded (--timeout) and kills its children on exit,
// on error and on Ctrl-C.
import { execFileSync, fork, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const HERE = fileURLToPath(new URL('.', import.meta.url))
const HOST = '127.0.0.1'
const VARIANTS = ['healthz', 'terminus', 'lightship', 'naive']
// Run only when named in --variants: healthz wired with attachHealth instead of createHealthListener + drainOnShutdown.
const OPTIONAL_VARIANTS = ['healthz-attach']

// ---------------------------------------------------------------------------------------------
// Options

const argv = process.argv.slice(2)
if (argv[0] === '--') argv.shift() // `pnpm bench:shutdown -- --flag` passes the `--` through
const { values: flags, positionals } = parseArgs({
  args: argv,
  allowPositionals: true,
  options: {
    shutdowns: { type: 'string' },
    rounds: { type: 'string' },
    variants: { type: 'string' },
    period: { type: 'string' },
    'failure-threshold': { type: 'string' },
    'drain-delay': { type: 'string' },
    'grace-period': { type: 'string' },
    concurrency: { type: 'string' },
    'work-min': { type: 'string' },
    'work-max': { type: 'string' },
    'slow-ratio': { type: 'string' },
    'slow-ms': { type: 'string' },
    settle: { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'string' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
})

if (positionals.length > 0) {
  console.error(`unexpected argument ${positionals[0]}: see --help`)
  process.exit(2)
}
if (flags.help) {
  console.log(
    'usage: node bench/shutdown/run.mjs [--shutdowns 20] [--rounds 4] [--variants healthz,terminus,lightship,naive]\n' +
      '         [--period 200] [--failure-threshold 2] [--drain-delay period*(failureThreshold+1)] [--grace-period 5000]\n' +
      '         [--concurrency 8] [--work-min 5] [--work-max 20] [--slow-ratio 0] [--slow-ms 2000] [--settle 300] [--timeout 900] [--json FILE] [--verbose]',
  )
  process.exit(0)
}

function number(name, fallback, { integer = true, min = 1 } = {}) {
  const raw = flags[name]
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    console.error(`--${name} must be a${integer ? ' whole' : ''} number from ${min}, got ${raw}`)
    process.exit(2)
  }
  return value
}

const SHUTDOWNS = number('shutdowns', 20)
const ROUNDS = Math.min(number('rounds', 4), SHUTDOWNS)
const PERIOD = number('period', 200)
const FAILURE_THRESHOLD = number('failure-threshold', 2)
// period × failureThreshold is the longest the load balancer can take to see the failure, plus
// one period of margin for the probe that was already under way when the signal arrived.
const DRAIN_DELAY = number('drain-delay', PERIOD * (FAILURE_THRESHOLD + 1), { min: 0 })
const GRACE_PERIOD = number('grace-period', 5000)
const CONCURRENCY = number('concurrency', 8)
const WORK_MIN = number('work-min', 5, { min: 0 })
const WORK_MAX = number('work-max', 20, { min: WORK_MIN })
// Off by default: a share of slow requests, so that some are in flight when the listener closes.
const SLOW_RATIO = number('slow-ratio', 0, { integer: false, min: 0 })
const SLOW_MS = number('slow-ms', 2000)
if (SLOW_RATIO > 1) {
  console.error(`--slow-ratio is a share from 0 to 1, got ${SLOW_RATIO}`)
  process.exit(2)
}
const SETTLE = number('settle', 300, { min: 0 })
const TIMEOUT = number('timeout', 900) * 1000
const VERBOSE = flags.verbose === true
const variants = (flags.variants ?? VARIANTS.join(',')).split(',').map((name) => name.trim()).filter(Boolean)
for (const name of variants) {
  if (!VARIANTS.includes(name) && !OPTIONAL_VARIANTS.includes(name)) {
    console.error(`unknown variant ${name}: use ${[...VARIANTS, ...OPTIONAL_VARIANTS].join(', ')}`)
    process.exit(2)
  }
}

const now = () => performance.timeOrigin + performance.now()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const started = now()
const log = (line) => console.log(`[${((now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`)
const debug = (line) => {
  if (VERBOSE) log(line)
}

// ---------------------------------------------------------------------------------------------
// Children: every one is tracked, and killed whatever way we leave.

const children = new Set()

function killAll() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL')
      } catch {}
    }
  }
}

process.on('exit', killAll)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping, killing ${children.size} children`)
    killAll()
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1))
  })
}
process.on('uncaughtException', (error) => {
  console.error(error)
  killAll()
  process.exit(1)
})
process.on('unhandledRejection', (error) => {
  console.error(error)
  killAll()
  process.exit(1)
})
setTimeout(() => {
  console.error(`run took longer than --timeout ${TIMEOUT / 1000} s: stopping`)
  killAll()
  process.exit(1)
}, TIMEOUT).unref()

function within(ms, promise, what) {
  let timer
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

// ---------------------------------------------------------------------------------------------
// The load balancer

let lb
const lbStates = new Map() // backend id → { ready, at }
const stateWaiters = new Set()
let statsWaiter

async function startLb() {
  const child = fork(join(HERE, 'lb.mjs'), [], {
    env: { ...process.env, LB_PERIOD: String(PERIOD), LB_FAILURE_THRESHOLD: String(FAILURE_THRESHOLD) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  children.add(child)
  child.on('exit', (code, signal) => {
    children.delete(child)
    if (!shuttingDown) {
      console.error(`the load balancer exited (${code ?? signal})`)
      killAll()
      process.exit(1)
    }
  })
  const listening = new Promise((resolve) => {
    child.on('message', (message) => {
      if (message.type === 'listening') resolve(message.port)
      else if (message.type === 'state') {
        lbStates.set(message.id, { ready: message.ready, at: message.t })
        debug(`lb: backend ${message.id} ${message.ready ? 'in' : 'out'} (${message.reason})`)
        for (const waiter of stateWaiters) waiter()
      } else if (message.type === 'stats') statsWaiter?.(message)
    })
  })
  const port = await within(10_000, listening, 'load balancer start')
  lb = { child, port }
  return lb
}

/** Resolves with the time the load balancer set the backend to `ready`. */
function lbState(id, ready, ms) {
  return within(
    ms,
    new Promise((resolve) => {
      const check = () => {
        const state = lbStates.get(id)
        if (state !== undefined && state.ready === ready) {
          stateWaiters.delete(check)
          resolve(state.at)
        }
      }
      stateWaiters.add(check)
      check()
    }),
    `load balancer marking backend ${id} ${ready ? 'ready' : 'not ready'}`,
  )
}

function lbStats(reset) {
  return within(
    5000,
    new Promise((resolve) => {
      statsWaiter = (message) => {
        statsWaiter = undefined
        resolve(message)
      }
      lb.child.send({ type: 'stats', reset })
    }),
    'load balancer stats',
  )
}

// ---------------------------------------------------------------------------------------------
// Backends

let nextId = 1

function startBackend(variant) {
  const id = nextId++
  const child = spawn(process.execPath, [join(HERE, 'backend.mjs'), variant], {
    env: {
      ...process.env,
      DRAIN_DELAY: String(DRAIN_DELAY),
      GRACE_PERIOD: String(GRACE_PERIOD),
      WORK_MIN: String(WORK_MIN),
      WORK_MAX: String(WORK_MAX),
      SLOW_RATIO: String(SLOW_RATIO),
      SLOW_MS: String(SLOW_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  const backend = { id, variant, child, info: undefined, report: undefined, exit: undefined }
  let buffered = ''
  let onListening
  const listening = new Promise((resolve) => {
    onListening = resolve
  })
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk) => {
    buffered += chunk
    let newline
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline)
      buffered = buffered.slice(newline + 1)
      let event
      try {
        event = JSON.parse(line)
      } catch {
        log(`backend ${id} (${variant}) stdout: ${line}`)
        continue
      }
      if (event.event === 'listening') {
        backend.info = event
        onListening(event)
      } else if (event.event === 'exit') backend.report = event
    }
  })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk) => {
    for (const line of chunk.split('\n')) if (line.trim() !== '') log(`backend ${id} (${variant}) stderr: ${line}`)
  })
  backend.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child)
      backend.exit = { code, signal, t: now() }
      resolve(backend.exit)
    })
  })
  backend.listening = within(
    15_000,
    Promise.race([listening, backend.exited.then((exit) => Promise.reject(new Error(`backend ${id} (${variant}) exited before listening: ${JSON.stringify(exit)}`)))]),
    `backend ${id} (${variant}) start`,
  )
  return backend
}

async function addToLb(backend) {
  const { port, readyPort, readyPath } = await backend.listening
  lb.child.send({ type: 'add', id: backend.id, port, readyPort, readyPath })
  return lbState(backend.id, true, 10_000)
}

function removeFromLb(backend) {
  lb.child.send({ type: 'remove', id: backend.id })
  lbStates.delete(backend.id)
}

// ---------------------------------------------------------------------------------------------
// The load: `concurrency` workers, each sending one request after the other over keep-alive.

function startLoad(port) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const counts = { sent: 0, ok: 0, failed: 0, reasons: {}, failures: [] }
  let running = true

  const fail = (reason) => {
    counts.failed += 1
    counts.reasons[reason] = (counts.reasons[reason] ?? 0) + 1
    if (counts.failures.length < 1000) counts.failures.push({ t: now(), reason })
  }

  const once = () =>
    new Promise((resolve) => {
      let settled = false
      const settle = (ok, reason) => {
        if (settled) return
        settled = true
        if (ok) counts.ok += 1
        else fail(reason)
        resolve(ok)
      }
      counts.sent += 1
      const req = request({ host: HOST, port, path: '/work', agent, timeout: 15_000 }, (res) => {
        res.resume()
        res.on('end', () => {
          const ok = res.statusCode >= 200 && res.statusCode < 300
          settle(ok, ok ? undefined : `${res.statusCode} ${res.headers['x-lb-error'] ?? ''}`.trim())
        })
        res.on('error', (error) => settle(false, `client ${error.code ?? error.message}`))
      })
      req.on('timeout', () => req.destroy(new Error('client timeout')))
      req.on('error', (error) => settle(false, `client ${error.code ?? error.message}`))
      req.end()
    })

  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (running) {
      const ok = await once()
      if (!ok) await sleep(1) // no tight loop if everything fails
    }
  })

  return {
    counts,
    async stop() {
      running = false
      await within(20_000, Promise.all(workers), 'load workers to finish')
      agent.destroy()
      return counts
    },
  }
}

// ---------------------------------------------------------------------------------------------
// The scenario

let shuttingDown = false
const results = Object.fromEntries(
  variants.map((variant) => [
    variant,
    { shutdowns: 0, sent: 0, ok: 0, failed: 0, reasons: {}, lbFailed: 0, backendLost: 0, forced: 0, exitCodes: {}, records: [], failures: [] },
  ]),
)

/** Runs `count` rolling shutdowns of `variant` under load, and adds to its results. */
async function segment(variant, count, firstSlot) {
  const result = results[variant]
  const slots = [startBackend(variant), startBackend(variant)]
  await Promise.all(slots.map(addToLb))
  await lbStats(true) // reset the load balancer's counters
  const load = startLoad(lb.port)
  await sleep(SETTLE)
  const records = []

  for (let k = 0; k < count; k += 1) {
    const slot = (firstSlot + k) % 2
    const victim = slots[slot]
    const record = { variant, backend: victim.id, signalAt: now() }
    records.push(record)
    const sentBefore = load.counts.sent
    const failedBefore = load.counts.failed
    victim.child.kill('SIGTERM')

    // The load balancer learns of it by polling only; we merely watch.
    const removed = lbState(victim.id, false, DRAIN_DELAY + GRACE_PERIOD + 30_000)
    removed.catch(() => undefined) // awaited below; this only keeps an early timeout from going unhandled
    const exitLimit = DRAIN_DELAY + GRACE_PERIOD + 10_000
    let exit = await Promise.race([victim.exited, sleep(exitLimit).then(() => undefined)])
    if (exit === undefined) {
      record.forced = true
      victim.child.kill('SIGKILL')
      exit = await victim.exited
    }
    record.exitAt = exit.t
    record.exitCode = exit.code ?? exit.signal

    // A fresh backend in its place, while the load balancer takes the old one out.
    const fresh = startBackend(variant)
    slots[slot] = fresh
    const [unreadyAt, readyAt] = await Promise.all([removed, addToLb(fresh)])
    removeFromLb(victim)
    record.unreadyAt = unreadyAt
    record.freshReadyAt = readyAt
    record.backendReport = victim.report
    await sleep(SETTLE)
    record.sent = load.counts.sent - sentBefore
    record.failed = load.counts.failed - failedBefore
    debug(
      `${variant}: backend ${victim.id} SIGTERM → out of lb ${(unreadyAt - record.signalAt).toFixed(0)} ms, exit ${(exit.t - record.signalAt).toFixed(0)} ms (code ${record.exitCode}), ` +
        `backend ${fresh.id} in at ${(readyAt - record.signalAt).toFixed(0)} ms; ${record.failed} failed of ${record.sent}`,
    )
  }

  const counts = await load.stop()
  const lbCounts = await lbStats(true)
  for (const backend of slots) {
    removeFromLb(backend)
    backend.child.kill('SIGKILL')
  }
  await Promise.all(slots.map((backend) => backend.exited))

  result.shutdowns += count
  result.sent += counts.sent
  result.ok += counts.ok
  result.failed += counts.failed
  result.lbFailed += lbCounts.failed
  for (const [reason, n] of Object.entries(counts.reasons)) result.reasons[reason] = (result.reasons[reason] ?? 0) + n
  for (const record of records) {
    result.records.push(record)
    if (record.forced) result.forced += 1
    result.exitCodes[record.exitCode] = (result.exitCodes[record.exitCode] ?? 0) + 1
    result.backendLost += (record.backendReport?.lost ?? 0) + (record.backendReport?.inFlight ?? 0)
  }
  // Each failure, relative to the SIGTERM before it, with the load balancer's view of it.
  for (const failure of counts.failures) {
    const record = records.findLast((r) => r.signalAt <= failure.t)
    const lbFailure = lbCounts.failures.find((f) => Math.abs(f.t - failure.t) < 50 && f.reason === failure.reason.split(' ').slice(1).join(' '))
    result.failures.push({
      reason: failure.reason,
      afterSignal: record === undefined ? undefined : Math.round(failure.t - record.signalAt),
      victim: record?.backend,
      upstream: lbFailure?.backend,
      victimExitAfterSignal: record === undefined ? undefined : Math.round(record.exitAt - record.signalAt),
      victimOutOfLbAfterSignal: record === undefined ? undefined : Math.round(record.unreadyAt - record.signalAt),
    })
  }
  log(
    `${variant.padEnd(14)} ${String(count).padStart(3)} shutdowns: ${String(counts.sent).padStart(6)} sent, ${String(counts.failed).padStart(4)} failed` +
      (counts.failed > 0 ? ` (${Object.entries(counts.reasons).map(([r, n]) => `${r}: ${n}`).join(', ')})` : '') +
      (lbCounts.failed !== counts.failed ? ` [lb counted ${lbCounts.failed}]` : ''),
  )
}

function percentile(values, p) {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

function summary() {
  const rows = []
  for (const variant of variants) {
    const r = results[variant]
    const outOfLb = r.records.map((x) => x.unreadyAt - x.signalAt).filter(Number.isFinite)
    const exits = r.records.map((x) => x.exitAt - x.signalAt).filter(Number.isFinite)
    const withDrops = r.records.filter((x) => x.failed > 0).length
    rows.push({
      variant,
      shutdowns: r.shutdowns,
      sent: r.sent,
      failed: r.failed,
      ratio: r.sent === 0 ? 0 : r.failed / r.sent,
      withDrops,
      outOfLbMax: Math.max(...outOfLb),
      exitMedian: percentile(exits, 50),
      exitMax: Math.max(...exits),
      exitCodes: Object.entries(r.exitCodes).map(([code, n]) => `${code}×${n}`).join(' '),
      reasons: Object.entries(r.reasons).map(([reason, n]) => `${reason}: ${n}`).join(', '),
      lbFailed: r.lbFailed,
      backendLost: r.backendLost,
      forced: r.forced,
    })
  }
  return rows
}

function printTable(rows) {
  const header = ['variant', 'shutdowns', 'requests', 'failed', 'failure ratio', 'shutdowns w/ drops', 'out of LB (max)', 'exit (median / max)', 'exit codes']
  const lines = rows.map((row) => [
    row.variant,
    String(row.shutdowns),
    String(row.sent),
    String(row.failed),
    row.ratio === 0 ? '0' : `${(row.ratio * 100).toFixed(3)} %`,
    String(row.withDrops),
    `${row.outOfLbMax.toFixed(0)} ms`,
    `${row.exitMedian.toFixed(0)} / ${row.exitMax.toFixed(0)} ms`,
    row.exitCodes,
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)))
  const format = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`
  console.log(format(header))
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  for (const line of lines) console.log(format(line))
}

/** What is being measured: the commit, and a hash of the built files the healthz backends load. */
function provenance() {
  let commit = 'unknown'
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: HERE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {}
  const hash = createHash('sha256')
  for (const file of ['../../packages/core/dist/index.js', '../../packages/http/dist/index.js']) {
    try {
      hash.update(readFileSync(join(HERE, file)))
    } catch {
      console.error(`${file} is missing: run \`pnpm build\` first`)
      process.exit(2)
    }
  }
  return { commit, dist: hash.digest('hex').slice(0, 12) }
}

async function main() {
  const before = provenance()
  console.log(`commit ${before.commit}, packages/{core,http}/dist sha256 ${before.dist}`)
  console.log(
    `shutdown benchmark: node ${process.version}, ${cpus().length} cores; variants ${variants.join(', ')}; ${SHUTDOWNS} shutdowns each in ${ROUNDS} rounds\n` +
      `load balancer: readiness every ${PERIOD} ms, out after ${FAILURE_THRESHOLD} failures, in after 1 success; ` +
      `drain delay ${DRAIN_DELAY} ms, grace period ${GRACE_PERIOD} ms; load: ${CONCURRENCY} keep-alive workers, /work takes ${WORK_MIN}–${WORK_MAX} ms` +
      (SLOW_RATIO > 0 ? ` (${SLOW_RATIO * 100} % of them ${SLOW_MS} ms)` : ''),
  )
  await startLb()
  // Spread SHUTDOWNS over ROUNDS visits per variant: 20 in 4 rounds is 5 + 5 + 5 + 5.
  const perRound = Array.from({ length: ROUNDS }, (_, round) => Math.floor(SHUTDOWNS / ROUNDS) + (round < SHUTDOWNS % ROUNDS ? 1 : 0))
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length])
    log(`round ${round + 1}/${ROUNDS}: ${order.join(', ')}`)
    for (const variant of order) await segment(variant, perRound[round], round % 2)
  }

  shuttingDown = true
  lb.child.disconnect()
  const after = provenance()
  if (after.dist !== before.dist) console.log(`\nWARNING: packages/*/dist changed during the run (sha256 ${before.dist} → ${after.dist}): someone rebuilt; run again`)
  const rows = summary()
  console.log('')
  for (const row of rows) {
    console.log(
      `${row.variant}: ${row.shutdowns} shutdowns, ${row.sent} requests sent, ${row.failed} failed (ratio ${row.ratio.toFixed(6)})` +
        (row.failed > 0 ? `; ${row.reasons}` : '') +
        `; requests accepted by a backend but not answered: ${row.backendLost}; exits forced by us: ${row.forced}`,
    )
    if (row.lbFailed !== row.failed) console.log(`  note: the load balancer counted ${row.lbFailed} failed`)
  }
  console.log('')
  printTable(rows)
  for (const variant of variants) {
    const failures = results[variant].failures
    if (failures.length === 0) continue
    console.log(`\n${variant}: first failures (ms after the SIGTERM of backend 'victim'; victim out of LB / exited at ms):`)
    for (const f of failures.slice(0, 10)) {
      console.log(`  ${f.reason.padEnd(28)} at +${f.afterSignal} ms  victim ${f.victim} (out of LB +${f.victimOutOfLbAfterSignal}, exit +${f.victimExitAfterSignal}), upstream ${f.upstream ?? '?'}`)
    }
  }
  if (flags.json !== undefined) {
    writeFileSync(
      flags.json,
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: cpus().length, commit: before.commit, dist: before.dist, distAfter: after.dist, settings: { SHUTDOWNS, ROUNDS, PERIOD, FAILURE_THRESHOLD, DRAIN_DELAY, GRACE_PERIOD, CONCURRENCY, WORK_MIN, WORK_MAX, SLOW_RATIO, SLOW_MS, SETTLE }, rows, results }, null, 2)}\n`,
    )
    console.log(`\nraw results: ${flags.json}`)
  }
  const healthz = rows.find((row) => row.variant === 'healthz')
  if (healthz !== undefined && healthz.failed > 0) process.exitCode = 1
}

await main()
killAll()
