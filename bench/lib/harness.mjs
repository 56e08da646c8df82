// The engine of the throughput benchmarks (bench/probes.mjs, bench/nest/run.mjs): options,
// child-process servers, wrk or autocannon, interleaved rounds, paired ratios, the report.
// Each benchmark gives its server script and its targets; the method is in bench/README.md.
//
// A target: { name, server (the kind its server script starts), path, label, expect?(body),
// goals?: [{ of: <target name>, at?: <minimum ratio; none = a comparison to print> }] }.
// The server script takes the kind as its argument and prints {"port":N} on its first line.
import { execFileSync, spawn } from 'node:child_process'
import { accessSync, constants, mkdirSync } from 'node:fs'
import { constants as os, cpus } from 'node:os'
import { delimiter, dirname, join, relative } from 'node:path'
import { parseArgs } from 'node:util'

const HOST = '127.0.0.1'

/**
 * Runs a benchmark from the command line (flags and BENCH_* env vars) and exits with 1 when a
 * server or load run fails, 2 on bad options.
 *
 * @param {{ title: string, script: string, server: string, targets: object[], startTimeout?: number }} benchmark
 *   `script`: the entry's path (for usage), `server`: the server script's path.
 */
export function runBenchmark({ title, script, server: SERVER, targets: TARGETS, startTimeout = 10_000 }) {
  const HERE = dirname(SERVER)

  const { values: flags } = parseArgs({
    options: {
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      loadgen: { type: 'string' },
      profile: { type: 'boolean' },
      targets: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })

  if (flags.help) {
    console.log(
      `usage: node ${relative(process.cwd(), script)} [--rounds 12] [--duration 2] [--warmup 2] [--connections 50] [--loadgen wrk|autocannon] [--profile] [--targets a,b,…]\n` +
        `targets: ${TARGETS.map((target) => target.name).join(', ')} (default: all; baselines are added)`,
    )
    process.exit(0)
  }

  function positive(name, fallback, { integer = false } = {}) {
    const raw = flags[name] ?? process.env[`BENCH_${name.toUpperCase()}`]
    if (raw === undefined || raw === '') return fallback
    const value = Number(raw)
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      console.error(`--${name} must be a positive ${integer ? 'whole ' : ''}number, got ${JSON.stringify(raw)}`)
      process.exit(2)
    }
    return value
  }

  // Defaults: 12 rounds × 2 s per target, each on a fresh server after 1 s warm-up. Many short rounds rather than a few
  // long ones: adjacent runs see the same machine, so the paired ratios are tighter.
  const options = {
    rounds: positive('rounds', 12, { integer: true }),
    duration: positive('duration', 2, { integer: true }), // wrk takes whole seconds
    warmup: positive('warmup', 1, { integer: true }), // per run: every run starts a fresh server
    connections: positive('connections', 50, { integer: true }),
    profile: flags.profile ?? process.env.BENCH_PROFILE === '1',
    targets: (flags.targets ?? process.env.BENCH_TARGETS ?? TARGETS.map((target) => target.name).join(',')).split(',').filter(Boolean),
  }

  const unknown = options.targets.filter((name) => !TARGETS.some((target) => target.name === name))
  if (unknown.length > 0) {
    console.error(`--targets: unknown ${unknown.join(', ')}; known: ${TARGETS.map((target) => target.name).join(', ')}`)
    process.exit(2)
  }

  function onPath(command) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      try {
        accessSync(join(dir, command), constants.X_OK)
        return true
      } catch {}
    }
    return false
  }

  const requested = flags.loadgen ?? process.env.BENCH_LOADGEN
  if (requested !== undefined && requested !== 'wrk' && requested !== 'autocannon') {
    console.error(`--loadgen must be wrk or autocannon, got ${JSON.stringify(requested)}`)
    process.exit(2)
  }
  const hasWrk = onPath('wrk')
  if (requested === 'wrk' && !hasWrk) {
    console.error('--loadgen wrk: wrk is not on PATH (Debian: apt-get install -y wrk)')
    process.exit(2)
  }
  const loadgen = requested ?? (hasWrk ? 'wrk' : 'autocannon')

  // Pinning only makes sense with at least two cores; on one core it would just serialise.
  const pin = onPath('taskset') && cpus().length >= 2
  const SERVER_CORE = '0'
  const LOADGEN_CORE = '1'

  // ---------------------------------------------------------------------------------------------
  // Child processes

  const children = new Set()
  /** Set once we stop servers on purpose, so their exit is not reported as a crash. */
  let stopping = false

  function killChildren() {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  }

  // Clean up on every way out. 'exit' handlers must be synchronous: kill() is.
  process.on('exit', killChildren)
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      killChildren()
      process.exit(128 + os.signals[signal])
    })
  }

  /** Runs `command` pinned to `core` when taskset is available. */
  function spawnPinned(core, command, args, spawnOptions) {
    const child = pin ? spawn('taskset', ['-c', core, command, ...args], spawnOptions) : spawn(command, args, spawnOptions)
    children.add(child)
    child.once('exit', () => children.delete(child))
    return child
  }

  /** Starts the server script; resolves with its port once it listens. */
  function startServer(kind, label) {
    const nodeArgs = []
    if (options.profile) {
      const dir = join(HERE, 'profiles')
      mkdirSync(dir, { recursive: true })
      nodeArgs.push('--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${label}.cpuprofile`)
    }
    // stdin stays a pipe we hold open: the server exits when it closes, even if we are SIGKILLed.
    const child = spawnPinned(SERVER_CORE, process.execPath, [...nodeArgs, SERVER, kind], {
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    return new Promise((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error(`server ${label} did not start within ${startTimeout / 1000} s`)), startTimeout)
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`server ${label} exited early (code ${code}, signal ${signal})`))
      })
      child.stdout.on('data', (chunk) => {
        out += chunk
        const newline = out.indexOf('\n')
        if (newline === -1) return
        clearTimeout(timer)
        child.stdout.removeAllListeners('data')
        child.stdout.resume()
        // A server that dies mid-benchmark would otherwise show up as a mysterious 0 req/s.
        child.removeAllListeners('exit')
        child.once('exit', (code, signal) => {
          if (!stopping && !child.stoppedOnPurpose) fail(new Error(`server ${label} exited during the benchmark (code ${code}, signal ${signal})`))
        })
        resolve({ child, port: JSON.parse(out.slice(0, newline)).port })
      })
    })
  }

  function fail(error) {
    console.error(`\nbench failed: ${error.message}`)
    stopping = true
    killChildren()
    process.exit(1)
  }

  /** Stops a server gracefully (SIGTERM → process.exit) so --cpu-prof can write its profile. */
  function stopServer({ child }) {
    child.stoppedOnPurpose = true
    return new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill('SIGTERM')
    })
  }

  // ---------------------------------------------------------------------------------------------
  // Load generators: each returns { rps, p99 (ms), bad (non-2xx + errors) } for one run.

  const UNIT_MS = { us: 0.001, ms: 1, s: 1000 }

  function runWrk(url, seconds) {
    // One wrk thread: it has one core (core 1) to itself, and one thread drives 50 keep-alive
    // connections faster than one node:http server answers them (it kept up with 80k req/s here).
    const args = ['-t1', `-c${options.connections}`, `-d${seconds}s`, '--latency', url]
    const child = spawnPinned(LOADGEN_CORE, 'wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    return new Promise((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (chunk) => (out += chunk))
      child.stderr.on('data', (chunk) => (out += chunk))
      const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 15) * 1000)
      child.once('exit', (code) => {
        clearTimeout(timer)
        const rps = out.match(/Requests\/sec:\s+([\d.]+)/)
        const p99 = out.match(/^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m)
        if (code !== 0 || rps === null || p99 === null) return reject(new Error(`wrk failed (exit ${code}):\n${out}`))
        const non2xx = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0)
        const socket = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/)
        const errors = socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0)
        resolve({ rps: Number(rps[1]), p99: Number(p99[1]) * UNIT_MS[p99[2]], bad: non2xx + errors })
      })
    })
  }

  let autocannon
  async function runAutocannon(url, seconds) {
    autocannon ??= (await import('autocannon')).default
    const result = await autocannon({ url, connections: options.connections, duration: seconds })
    return {
      rps: result.requests.total / result.duration,
      p99: result.latency.p99,
      bad: result.non2xx + result.errors + result.timeouts,
    }
  }

  const runLoad = loadgen === 'wrk' ? runWrk : runAutocannon

  // ---------------------------------------------------------------------------------------------
  // The benchmark

  /** The q-quantile (0…1) of values, interpolating between the two nearest ranks. */
  function quantile(values, q) {
    const sorted = [...values].sort((a, b) => a - b)
    const at = (sorted.length - 1) * q
    const below = Math.floor(at)
    return sorted[below] + (sorted[Math.ceil(at)] - sorted[below]) * (at - below)
  }
  const median = (values) => quantile(values, 0.5)

  /** Checks that a target answers what we think it answers before we time it. */
  async function verify(target) {
    const response = await fetch(target.url)
    const body = await response.text()
    if (response.status !== 200) throw new Error(`${target.url} answered ${response.status}: ${body}`)
    if (target.expect !== undefined) target.expect(body)
  }

  async function main() {
    if (pin) {
      // Keep this process (the autocannon load generator, or the orchestrator of wrk) off the
      // servers' core. -a: every thread, including V8's and libuv's.
      execFileSync('taskset', ['-a', '-p', '-c', LOADGEN_CORE, String(process.pid)], { stdio: 'ignore' })
    }

    const wanted = new Set(options.targets)
    // Baselines come along with whatever is measured against them.
    for (const spec of TARGETS) if (wanted.has(spec.name)) for (const goal of spec.goals ?? []) wanted.add(goal.of)
    wanted.add('bare')
    const specs = TARGETS.filter((spec) => wanted.has(spec.name))
    // One server at a time, started afresh for every run: measured here, six identical servers kept
    // up side by side on core 0 answered 0.94, 0.94, 0.93, 0.83 and 0.77 of bare by the order they
    // were started in (bench/README.md, "Spawn order"), so a long-lived server's throughput
    // depended on how many had started before it, not on its code.
    const targets = specs.map((spec) => ({ ...spec, runs: [] }))
    /** Starts the target's server, warms it up, loads it for `seconds`, stops it. */
    async function measure(target, seconds, tag) {
      const server = await startServer(target.server, `${target.name}${tag}`)
      const url = `http://${HOST}:${server.port}${target.path}`
      try {
        if (tag === '') await verify({ ...target, url })
        if (options.warmup > 0) await runLoad(url, options.warmup)
        return await runLoad(url, seconds)
      } finally {
        await stopServer(server)
      }
    }
    // Every target answers what we think it does before anything is timed.
    for (const target of targets) await measure(target, 1, '')

    const total = targets.length * options.rounds * (options.warmup + options.duration + 0.5)
    console.log(
      `${title}: node ${process.version}, ${cpus().length} cores, load generator ${loadgen}` +
        `${loadgen === 'wrk' ? ' (1 thread)' : ''}, ${options.connections} connections, ` +
        `${options.rounds} rounds × ${options.duration} s per target, each on a fresh server after ${options.warmup} s warm-up (≈${Math.round(total)} s), ` +
        (pin ? `taskset: servers on core ${SERVER_CORE}, load on core ${LOADGEN_CORE}` : 'no pinning (taskset missing or 1 core)'),
    )

    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order each round so no target always follows the same one.
      const order = targets.map((_, i) => targets[(i + round) % targets.length])
      const line = []
      for (const target of order) {
        const run = await measure(target, options.duration, `-r${round + 1}`)
        if (run.bad > 0) throw new Error(`${target.name}: ${run.bad} non-2xx responses or socket errors in round ${round + 1}`)
        target.runs.push(run)
        line.push(`${target.name} ${Math.round(run.rps)}/s p99 ${run.p99.toFixed(2)} ms`)
      }
      const rpsOf = (name) => targets.find((target) => target.name === name).runs[round].rps
      for (const target of targets) {
        const run = target.runs[round]
        run.ratio = run.rps / rpsOf('bare')
        run.goals = (target.goals ?? []).map((goal) => run.rps / rpsOf(goal.of))
      }
      console.log(`round ${String(round + 1).padStart(2)}/${options.rounds}: ${line.join(' | ')}`)
    }

    stopping = true
    if (options.profile) console.log(`\nCPU profiles of the servers: ${join(HERE, 'profiles')}`)

    report(targets)
  }

  function report(targets) {
    const rows = targets.map((target) => {
      const rps = target.runs.map((run) => run.rps)
      const ratios = target.runs.map((run) => run.ratio)
      const ratio = median(ratios)
      return {
        target: target.label,
        'req/s (median)': Math.round(median(rps)).toLocaleString('en-US'),
        'req/s range': `${Math.round(Math.min(...rps))}–${Math.round(Math.max(...rps))}`,
        'p99 ms (median)': median(target.runs.map((run) => run.p99)).toFixed(2),
        'vs bare (median)': ratio.toFixed(3),
        // The middle half of the per-round ratios: how much one round's ratio can be trusted.
        'vs bare (mid 50%)': `${quantile(ratios, 0.25).toFixed(2)}–${quantile(ratios, 0.75).toFixed(2)}`,
        ratio,
        low: quantile(ratios, 0.25),
        high: quantile(ratios, 0.75),
      }
    })

    const columns = ['target', 'req/s (median)', 'req/s range', 'p99 ms (median)', 'vs bare (median)', 'vs bare (mid 50%)']
    const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column]).length)))
    const format = (cells) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`
    console.log()
    console.log(format(columns))
    console.log(`|${widths.map((width, i) => (i === 0 ? ':' : '-') + '-'.repeat(width) + (i === 0 ? '-' : ':')).join('|')}|`)
    for (const row of rows) console.log(format(columns.map((column) => String(row[column]))))

    // One verdict per goal: a target's throughput as a fraction of its baseline's, paired by round.
    console.log()
    for (const target of targets) {
      for (const [index, goal] of (target.goals ?? []).entries()) {
        const ratios = target.runs.map((run) => run.goals[index])
        const ratio = median(ratios)
        const [low, high] = [quantile(ratios, 0.25), quantile(ratios, 0.75)]
        const baseline = targets.find((candidate) => candidate.name === goal.of).label
        // A fraction reads as a percentage, a multiple as ×; a goal without `at` is a comparison.
        const percent = goal.at !== undefined && goal.at <= 1
        const shown = percent ? `${(ratio * 100).toFixed(1)}% of` : `${ratio.toFixed(2)}×`
        const wanted = percent ? `${goal.at * 100}%` : `${goal.at}×`
        const verdict = goal.at === undefined ? '' : ` (target ≥ ${wanted}): ${ratio >= goal.at ? 'PASS' : 'FAIL'}`
        console.log(`${target.label}: ${shown} ${baseline}${verdict} [mid 50% ${low.toFixed(2)}–${high.toFixed(2)}]`)
        // On a shared VM one round's ratio can be far off; say so when the target is within the
        // spread of the rounds rather than letting a lucky run read as a clear PASS (or FAIL).
        if (goal.at !== undefined && options.rounds >= 5 && low <= goal.at && goal.at <= high) {
          console.log(`  note: the target lies inside the middle half of the per-round ratios: within the noise; run more rounds before relying on it.`)
        }
      }
    }
    console.log(`[load generator: ${loadgen}]`)
    if (options.rounds < 5) {
      console.log(`note: ${options.rounds} round(s) cannot separate the library's cost from this machine's noise; use the defaults to judge.`)
    }
  }

  main().catch(fail)
}
