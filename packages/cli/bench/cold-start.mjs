// Cold start of the healthz bin: wall time from spawn to exit of a fresh `node` process, N runs
// of each command, interleaved so that load from anything else running hits all of them alike.
// Baselines in the same run: `node -e 0` (Node's own start-up) and curl, when it is installed.
// Usage: pnpm --filter @healthz/cli build && node bench/cold-start.mjs [runs=40]
import { spawnSync } from 'node:child_process'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'

const runs = Number(process.argv[2] ?? 40)
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const manifest = fileURLToPath(new URL('../test/fixtures/bad/classic-readyz.yaml', import.meta.url))

// The probe target runs in a child process, so this one only spawns and measures.
const server = createServer((_req, res) => res.end('ok'))
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${server.address().port}/livez`

const hasCurl = spawnSync('curl', ['--version']).status === 0
const commands = [
  ['node -e 0 (baseline)', process.execPath, ['-e', '0']],
  ['healthz --version', process.execPath, [bin, '--version']],
  ['healthz probe <url> (200)', process.execPath, [bin, 'probe', url, '-q']],
  ['healthz lint <file>', process.execPath, [bin, 'lint', manifest, '--fail-on', 'none']],
  ['healthz manifest', process.execPath, [bin, 'manifest']],
  ...(hasCurl ? [['curl -sf <url> (for comparison)', 'curl', ['-sf', url]]] : []),
]

// The probe target must answer while spawnSync blocks this thread: serve it from a worker.
server.close()
const { Worker } = await import('node:worker_threads')
const worker = new Worker(
  `const { createServer } = require('node:http'); const { parentPort, workerData } = require('node:worker_threads');
   createServer((_q, s) => s.end('ok')).listen(workerData, '127.0.0.1', () => parentPort.postMessage('up'))`,
  { eval: true, workerData: Number(new URL(url).port) },
)
await new Promise((resolve) => worker.once('message', resolve))

const times = new Map(commands.map(([name]) => [name, []]))
for (let i = 0; i < runs + 3; i += 1) {
  for (const [name, file, args] of commands) {
    const started = process.hrtime.bigint()
    const result = spawnSync(file, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}: ${result.stderr}`)
    if (i >= 3) times.get(name).push(ms) // the first three rounds warm the file cache
  }
}
await worker.terminate()

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]
const baseline = pct([...times.get(commands[0][0])].sort((a, b) => a - b), 0.5)
console.log(`node ${process.version}, ${runs} runs each, interleaved`)
console.log('| command | median ms | p90 ms | median − node -e 0 |')
console.log('|---|---:|---:|---:|')
for (const [name, list] of times) {
  const sorted = [...list].sort((a, b) => a - b)
  const median = pct(sorted, 0.5)
  console.log(`| ${name} | ${median.toFixed(1)} | ${pct(sorted, 0.9).toFixed(1)} | ${(median - baseline).toFixed(1)} |`)
}
