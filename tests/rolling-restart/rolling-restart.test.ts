// Issue 13's acceptance test: a rolling restart behind a load balancer that follows readiness.
//
// Each cell: a load balancer (test-utils/lb.mjs, in this process) polls two backends' /readyz
// every 100 ms over keep-alive connections and routes client traffic, over keep-alive too, to
// the backends it has seen ready. One backend is the replica that stays (a plain node:http server
// here); the other is the one being replaced: a real child process on the built packages
// (backend.mjs), whose readiness check takes 200 ms. Clients send steady traffic through the
// load balancer; the old backend gets a real SIGTERM while a readiness poll is being evaluated
// and while slow requests (800 ms) are in flight.
//
// Matrix: adapter × drainDelay {0, 1500 ms} × check cache {shorter, longer than the drain delay}.
// 1500 ms stands for the 10 s Kubernetes default: what matters is how the delay compares with the
// load balancer's polling (100 ms here, 15 periods; 10 s on Kubernetes against a 1–3 s endpoint
// update), and it keeps the 36 cells, three at a time, near a minute and a half on a busy 2-core machine.
//
// What each cell holds the backend to:
// - no client request fails, and the backend drops none that it accepted;
// - it exits 0 (Nest: by the re-raised SIGTERM, 143 — docs/kubernetes.md says why that is fine);
// - it shuts down within drainDelay + the longest request + 1 s;
// - with a drain delay, the load balancer took it out of rotation before it stopped listening:
//   it never had to retry a request refused or reset by it. (With drainDelay 0 the listener
//   closes at once, and only the load balancer's retry of connection failures, which nginx does
//   by default, stands between that and failed requests: it is allowed there, and counted; the
//   backend's own count of accepted requests it dropped must still be 0.)
import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { Agent, createServer, request } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { startLoadBalancer } from '../../test-utils/lb.mjs'

const BACKEND = fileURLToPath(new URL('./backend.mjs', import.meta.url))
const HOST = '127.0.0.1'
const DRAIN_DELAY = 1500
const CHECK_MS = 200
const SLOW_MS = 800 // the longest request: in flight when the signal arrives
const GRACE_PERIOD = 5000 // above every bound below, so that a drain stuck until it shows
const POLL_PERIOD = 100
const CONCURRENT_CELLS = 3

const ADAPTERS = ['http', 'express', 'koa', 'fastify', 'fastify-route', 'nest-server-express', 'nest-controller-express', 'nest-server-fastify', 'nest-controller-fastify'] as const
type AdapterName = (typeof ADAPTERS)[number]

interface Cell {
  adapter: AdapterName
  drainDelay: number
  cache: number
  /** 'shorter' or 'longer' than the drain delay. */
  cacheVsDelay: string
  exit: string
}

const cells: Cell[] = ADAPTERS.flatMap((adapter) =>
  [0, DRAIN_DELAY].flatMap((drainDelay) =>
    [
      // Nothing is shorter than 0: with no drain delay, a check that runs on every poll.
      { cache: drainDelay === 0 ? 0 : 300, cacheVsDelay: drainDelay === 0 ? 'no' : 'shorter' },
      { cache: 3000, cacheVsDelay: 'longer' },
    ].map(({ cache, cacheVsDelay }) => ({ adapter, drainDelay, cache, cacheVsDelay, exit: adapter.startsWith('nest-') ? '143 (SIGTERM re-raised by Nest)' : '0' })),
  ),
)

// A few cells at a time: each runs a child process (Nest's take a second to boot) and traffic.
let running = 0
const queue: Array<() => void> = []
async function slot<T>(run: () => Promise<T>): Promise<T> {
  if (running >= CONCURRENT_CELLS) await new Promise<void>((resolve) => queue.push(resolve))
  running += 1
  try {
    return await run()
  } finally {
    running -= 1
    queue.shift()?.()
  }
}

const children = new Set<ChildProcessWithoutNullStreams>()
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

interface Backend {
  child: ChildProcessWithoutNullStreams
  port: number
  events: Array<{ event: string; [key: string]: unknown }>
  /** Resolves at the next readiness evaluation the backend starts. */
  nextCheck: () => Promise<void>
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>
}

async function startBackend(cell: Cell): Promise<Backend> {
  const env = { ...process.env, ADAPTER: cell.adapter, DRAIN_DELAY: String(cell.drainDelay), CACHE: String(cell.cache), CHECK_MS: String(CHECK_MS), GRACE_PERIOD: String(GRACE_PERIOD) }
  const child = spawn(process.execPath, [BACKEND], { env, stdio: 'pipe' })
  children.add(child)
  const events: Backend['events'] = []
  const checkWaiters: Array<() => void> = []
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  )
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cell.adapter} did not listen within 20 s: ${stderr}`)), 20_000)
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      let newline: number
      while ((newline = out.indexOf('\n')) !== -1) {
        const event = JSON.parse(out.slice(0, newline)) as Backend['events'][number]
        out = out.slice(newline + 1)
        events.push(event)
        if (event.event === 'check') for (const wake of checkWaiters.splice(0)) wake()
        if (event.event === 'listening') {
          clearTimeout(timer)
          resolve(event.port as number)
        }
      }
    })
    void exited.then(({ code, signal }) => reject(new Error(`${cell.adapter} exited (${code ?? signal}) before listening: ${stderr}`)))
  })
  return { child, port, events, nextCheck: () => new Promise((resolve) => checkWaiters.push(resolve)), stderr: () => stderr, exited }
}

/** The replica that stays: always ready, serves /work. */
async function startReplica(): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/readyz')) res.writeHead(200).end('ok')
    else setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), 5 + Math.random() * 25)
  })
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve))
  return server
}

/** One GET through the load balancer: the status, or the error's code. */
function get(port: number, path: string, agent: Agent): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: HOST, port, path, agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve(res.statusCode === 200 && body === 'ok' ? 'ok' : `${res.statusCode} ${String(res.headers['x-lb-error'] ?? '')}`))
      res.on('error', (error: NodeJS.ErrnoException) => resolve(`response ${error.code ?? error.message}`))
    })
    req.on('error', (error: NodeJS.ErrnoException) => resolve(`request ${error.code ?? error.message}`))
    req.end()
  })
}

async function until(what: string, condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

async function rollingRestart(cell: Cell) {
  const states: Array<{ id: string; ready: boolean; t: number; reason: string }> = []
  const lb = await startLoadBalancer({ period: POLL_PERIOD, failureThreshold: 1, probeKeepAlive: true, retry: true, onState: (state) => states.push(state) })
  const replica = await startReplica()
  const old = await startBackend(cell)
  const agent = new Agent({ keepAlive: true, maxSockets: 8 })
  try {
    lb.addBackend({ id: 'replica', port: (replica.address() as AddressInfo).port })
    lb.addBackend({ id: 'old', port: old.port })
    await until('both backends in rotation', () => lb.isReady('old') && lb.isReady('replica'), 10_000)

    let sending = true
    const results: string[] = []
    const worker = async (): Promise<void> => {
      while (sending) results.push(await get(lb.port, '/work', agent))
    }
    const workers = Array.from({ length: 4 }, worker)
    await sleep(200)

    // SIGTERM while a readiness poll is being evaluated (the check takes 200 ms) and slow
    // requests are in flight (round-robin sends about half of them to the old backend).
    await old.nextCheck()
    const slow = Array.from({ length: 4 }, () => get(lb.port, `/work?ms=${SLOW_MS}`, agent))
    await sleep(50)
    const signalledAt = Date.now()
    old.child.kill('SIGTERM')
    const exit = await old.exited
    await sleep(300) // traffic after the exit goes to the replica alone
    sending = false
    await Promise.all(workers)
    results.push(...(await Promise.all(slow)))
    const counts = old.events.findLast((event) => event.event === 'counts')
    const stats = lb.stats()
    const outAt = states.find((state) => state.id === 'old' && !state.ready)?.t
    return {
      failed: results.filter((result) => result !== 'ok'),
      requests: results.length,
      exit: { code: exit.code, signal: exit.signal },
      shutdownMs: exit.at - signalledAt,
      lost: counts?.lost,
      accepted: counts?.accepted,
      retriedOnOld: stats.retries.filter((retry) => retry.backend === 'old'),
      takenOutBeforeExit: outAt !== undefined && outAt <= exit.at,
      /** When the load balancer took the backend out of rotation, in ms after SIGTERM. */
      outAfterMs: outAt === undefined ? undefined : Math.round(outAt - signalledAt),
      stderr: old.stderr(),
    }
  } finally {
    agent.destroy()
    if (old.child.exitCode === null && old.child.signalCode === null) old.child.kill('SIGKILL')
    children.delete(old.child)
    await lb.close()
    replica.closeAllConnections()
    replica.close()
  }
}

describe('rolling restart behind a readiness-polling load balancer with keep-alive health checks', () => {
  const named = cells.map((cell) => {
    const cache = cell.cacheVsDelay === 'no' ? 'check cache 0' : `check cache ${cell.cache} ms (${cell.cacheVsDelay} than the delay)`
    return [`${cell.adapter}, drainDelay ${cell.drainDelay} ms, ${cache}: no failed request, exit ${cell.exit}, shut down within drainDelay + longest request + 1 s`, cell] as const
  })
  it.concurrent.each(named)(
    '%s',
    async (_name, cell) => {
      const result = await slot(() => rollingRestart(cell))
      const report = JSON.stringify({ ...result, stderr: result.stderr.slice(0, 600) }, null, 1)
      expect(result.requests, report).toBeGreaterThan(20)
      expect(result.failed, report).toEqual([])
      expect(result.lost, report).toBe(0)
      expect(result.accepted, report).toBeGreaterThan(0)
      expect(result.exit, report).toEqual(cell.adapter.startsWith('nest-') ? { code: null, signal: 'SIGTERM' } : { code: 0, signal: null })
      expect(result.shutdownMs, report).toBeLessThanOrEqual(cell.drainDelay + SLOW_MS + 1000)
      if (cell.drainDelay > 0) {
        // The drain delay's promise: out of rotation before the listener closed, nothing refused.
        expect(result.retriedOnOld, report).toEqual([])
        expect(result.takenOutBeforeExit, report).toBe(true)
      }
    },
    120_000,
  )
})
