// Issue 17: does a server process end up with process.nextTick on V8's slow path? Starts one
// fresh server per run (bench/nest/server.mjs) under --cpu-prof, loads it with wrk, and reports
// per process the self-time share of `nextTick` in the server's busy samples and the server's CPU
// time per request (from /proc, so it holds on a busy machine better than req/s does). The state
// is decided per process, about half of the Nest-on-Fastify processes without the fix landing
// slow, so it takes many processes, not many rounds of a few (bench/README.md, "Issue 17").
//
//   node bench/nest/ticks.mjs [--runs 10] [--duration 3] [--targets fastify-route,fastify-healthz-route,fastify-healthz]
//
// Targets: fastify-route (GET / in a Nest-on-Fastify app without healthz), fastify-healthz-route
// (GET /, the same app with HealthModule), fastify-healthz (/livez of that app), and the same
// three on express; bare is bare node:http. Linux only (/proc); wrk and taskset are required (servers on core 0, wrk on 1).
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))
const TARGETS = { bare: { server: 'bare', path: '/' } }
for (const platform of ['fastify', 'express']) {
  TARGETS[`${platform}-route`] = { server: `${platform}-route`, path: '/' }
  TARGETS[`${platform}-healthz-route`] = { server: `${platform}-healthz`, path: '/' }
  TARGETS[`${platform}-healthz`] = { server: `${platform}-healthz`, path: '/livez' }
}

const { values } = parseArgs({ options: { runs: { type: 'string' }, duration: { type: 'string' }, targets: { type: 'string' } } })
const runs = Number(values.runs ?? 10)
const duration = Number(values.duration ?? 3)
const names = (values.targets ?? 'fastify-route,fastify-healthz-route,fastify-healthz').split(',')
for (const name of names) if (!(name in TARGETS)) throw new Error(`unknown target ${name}; known: ${Object.keys(TARGETS).join(', ')}`)
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(duration) || duration < 1) throw new Error('--runs and --duration must be positive whole numbers')

/** CPU time (µs) the process has used, from /proc (clock ticks of 10 ms). */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

/** The share (%) of `nextTick`'s self time in a profile's non-idle samples. */
function nextTickShare(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  let busy = 0
  let tick = 0
  for (const id of profile.samples) {
    const frame = nodes.get(id)
    if (frame.functionName === '(idle)') continue
    busy++
    if (frame.functionName === 'nextTick' && frame.url.includes('task_queues')) tick++
  }
  return (tick / busy) * 100
}

async function once(target) {
  const dir = mkdtempSync(join(tmpdir(), 'healthz-ticks-'))
  const child = spawn('taskset', ['-c', '0', process.execPath, '--cpu-prof', '--cpu-prof-dir', dir, SERVER, target.server], { stdio: ['pipe', 'pipe', 'inherit'] })
  try {
    const port = await new Promise((resolve, reject) => {
      let out = ''
      child.once('exit', (code) => reject(new Error(`server exited early (${code})`)))
      child.stdout.on('data', (chunk) => {
        out += chunk
        const match = out.match(/^\{"port":(\d+)\}$/m)
        if (match) resolve(Number(match[1]))
      })
    })
    const before = cpuMicros(child.pid)
    const out = execFileSync('taskset', ['-c', '1', 'wrk', '-t1', '-c50', `-d${duration}s`, `http://127.0.0.1:${port}${target.path}`]).toString()
    const used = cpuMicros(child.pid) - before
    const requests = Number(out.match(/(\d+) requests in/)[1])
    if (/Non-2xx|Socket errors/.test(out)) throw new Error(`bad responses:\n${out}`)
    child.removeAllListeners('exit')
    await new Promise((resolve) => {
      child.once('exit', resolve)
      child.kill('SIGTERM')
    })
    const [profile] = readdirSync(dir)
    return { share: nextTickShare(join(dir, profile)), micros: used / requests, rps: requests / duration }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}

// Interleaved: run i of every target, then run i + 1, so the machine's drift falls on all alike.
const results = Object.fromEntries(names.map((name) => [name, []]))
for (let i = 0; i < runs; i++) {
  for (const name of names) {
    const result = await once(TARGETS[name])
    results[name].push(result)
    console.log(`run ${i + 1}/${runs} ${name}: nextTick ${result.share.toFixed(1)}% of busy, ${result.micros.toFixed(1)} µs CPU/request, ${Math.round(result.rps)} req/s`)
  }
}

// A process is "slow" when nextTick's self time is at least 2.5% of its busy samples: fast
// processes measured 0.1–1.3%, slow ones 3–12% (this profile includes start-up).
const SLOW = 2.5
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length
console.log(`\n| target | processes with nextTick ≥ ${SLOW}% | nextTick share (each process) | µs CPU/request, fast processes | µs CPU/request, slow processes |`)
console.log('| --- | --- | --- | --- | --- |')
for (const name of names) {
  const all = results[name]
  const slow = all.filter((result) => result.share >= SLOW)
  const fast = all.filter((result) => result.share < SLOW)
  const micros = (list) => (list.length === 0 ? '–' : `${mean(list.map((result) => result.micros)).toFixed(1)} (${list.length})`)
  console.log(`| ${name} | ${slow.length}/${all.length} | ${all.map((result) => result.share.toFixed(1)).join(' ')} | ${micros(fast)} | ${micros(slow)} |`)
}
