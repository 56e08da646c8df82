// startLivenessWorker: liveness answered by a worker thread from shared memory. In this process:
// the options, the probe answer's shape, liveness checks and watchdogs mirrored to the worker,
// shutdown. In child processes (a blocked main thread would block the test runner): a busy
// main thread still answers 200, `while (true) {}` answers 503 within the tolerance and keeps
// doing so, and the worker never keeps the process alive.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import type { Health } from '@healthz/core'
import { startLivenessWorker } from '@healthz/http'
import type { LivenessWorker } from '@healthz/http'
import { call } from '../../../test-utils/client.js'
import { expectInvalidOption } from '../../../test-utils/options-contract.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/liveness-service.mjs', import.meta.url))
const workers: LivenessWorker[] = []
const children: ChildProcess[] = []
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.close()))
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

async function start(health: Health, options: Parameters<typeof startLivenessWorker>[1] = {}): Promise<LivenessWorker> {
  const worker = await startLivenessWorker(health, { port: 0, host: '127.0.0.1', ...options })
  workers.push(worker)
  return worker
}

describe('startLivenessWorker options', () => {
  it('refuses a misspelled or wrong option at once, with what to change, before any worker starts', () => {
    const health = createHealth({})
    expectInvalidOption(() => startLivenessWorker(health, { stalTolerance: 1000 } as never), /unknown option "stalTolerance"; did you mean "stallTolerance"/)
    expectInvalidOption(() => startLivenessWorker(health, { stallTolerance: 0 }), /stallTolerance must be a number of milliseconds above 0/)
    expectInvalidOption(() => startLivenessWorker(health, { stallTolerance: 1000, heartbeatInterval: 600 }), /heartbeatInterval \(600 ms\) must be at most half of stallTolerance \(1000 ms\)/)
    expectInvalidOption(() => startLivenessWorker(health, { port: 70_000 }), /port must be a whole number from 0 to 65535/)
    expectInvalidOption(() => startLivenessWorker(health, { path: 'livez' }), /path must be a path starting with '\/'/)
    expectInvalidOption(() => startLivenessWorker(health, { onError: 'log' as never }), /onError must be a function/)
    expectInvalidOption(() => startLivenessWorker({} as never), /startLivenessWorker expects the object createHealth\(\) returns/)
  })

  it('rejects when the port is taken, and leaves no worker behind', async () => {
    const health = createHealth({})
    const first = await start(health)
    await expect(startLivenessWorker(health, { port: first.port, host: '127.0.0.1' })).rejects.toThrow(/could not listen on port \d+: .*EADDRINUSE/)
  })
})

describe('the liveness worker answers like every probe', () => {
  it('GET: 200 health+json, no-store, the heartbeat entry; HEAD without a body; 405 with Allow; 404 elsewhere', async () => {
    const health = createHealth({ service: { name: 'orders', version: '2.14.0' } })
    health.markStarted()
    const { port } = await start(health)
    const get = await call(port, '/livez')
    expect(get.status).toBe(200)
    expect(get.headers['content-type']).toBe('application/health+json')
    expect(get.headers['cache-control']).toBe('no-store')
    const body = JSON.parse(get.body)
    expect(body).toMatchObject({ status: 'pass', version: '2.14.0', serviceId: 'orders' })
    expect(body.checks['event-loop:heartbeat'][0]).toMatchObject({ componentType: 'system', observedUnit: 'ms', status: 'pass' })
    expect((await call(port, '/livez/?verbose')).status).toBe(200)

    const head = await call(port, '/livez', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100) // the GET body's length (its heartbeat age varies)

    const post = await call(port, '/livez', { method: 'POST' })
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET, HEAD')
    expect((await call(port, '/readyz')).status).toBe(404)
  })

  it('serves the health object prefixed liveness path, or the path given', async () => {
    const health = createHealth({ prefix: '/health' })
    const prefixed = await start(health)
    expect((await call(prefixed.port, '/health/livez')).status).toBe(200)
    expect((await call(prefixed.port, '/livez')).status).toBe(404)
    const own = await start(health, { path: '/alive' })
    expect((await call(own.port, '/alive')).status).toBe(200)
  })
})

describe('liveness checks and watchdogs still count', () => {
  it('a watchdog that stops ticking fails the worker liveness without any probe on the main port, and a tick recovers it', async () => {
    const health = createHealth({})
    health.markStarted()
    const consumer = health.watchdog('consumer', { timeout: 300 })
    const { port } = await start(health, { heartbeatInterval: 50, stallTolerance: 5000 })
    await waitFor(async () => (await call(port, '/livez')).status === 503)
    const failed = JSON.parse((await call(port, '/livez')).body)
    expect(failed.status).toBe('fail')
    // The check's status is shown, its error text withheld as the default disclosure does.
    expect(failed.checks['consumer:sinceTick'][0]).toMatchObject({ status: 'fail', output: 'reason withheld' })
    expect(failed.checks['event-loop:heartbeat'][0].status).toBe('pass')
    consumer.tick()
    await waitFor(async () => (await call(port, '/livez')).status === 200)
    expect(JSON.parse((await call(port, '/livez')).body).checks['consumer:sinceTick'][0].status).toBe('pass')
  })

  it('a failing liveness check answers 503; a non-critical one 200 with warn', async () => {
    let healthy = true
    const heap = defineCheck({ name: 'heap', kind: 'process', run: () => (healthy ? undefined : { status: 'fail', output: 'heap over limit' }) })
    const soft = defineCheck({ name: 'soft', kind: 'process', critical: false, run: () => ({ status: 'fail' }) })
    const health = createHealth({ liveness: [heap, soft] })
    health.markStarted()
    const { port } = await start(health, { heartbeatInterval: 50 })
    await waitFor(async () => JSON.parse((await call(port, '/livez')).body).checks?.['soft:responseTime'] !== undefined)
    const warn = await call(port, '/livez')
    expect(warn.status).toBe(200)
    expect(JSON.parse(warn.body)).toMatchObject({ status: 'warn', checks: { 'heap:responseTime': [{ status: 'pass' }], 'soft:responseTime': [{ status: 'warn' }] } })
    healthy = false
    await waitFor(async () => (await call(port, '/livez')).status === 503)
    expect(JSON.parse((await call(port, '/livez')).body).checks['heap:responseTime'][0].status).toBe('fail')
  })
})

describe('shutdown', () => {
  it('answers 200 through the drain and closes once the shutdown has stopped', async () => {
    const health = createHealth({ shutdown: { drainDelay: 400, signals: [] } })
    health.markStarted()
    const { port } = await startLivenessWorker(health, { port: 0, host: '127.0.0.1' })
    const stopped = health.shutdown()
    await sleep(100)
    expect(health.phase).toBe('draining')
    const during = await call(port, '/livez')
    expect(during.status).toBe(200)
    expect(JSON.parse(during.body).notes).toEqual(['draining'])
    await stopped
    await waitFor(async () => (await call(port, '/livez').then(() => 'open', () => 'closed')) === 'closed')
  })
})

describe('in a child process (the main thread really blocked)', () => {
  it('a busy main thread under the tolerance answers 200; while (true) {} answers 503 within tolerance + a period, and keeps failing', async () => {
    const child = service({ STALL_TOLERANCE: '1500', HEARTBEAT: '100' })
    const { livenessPort, port } = await child.next('listening')
    // A 900 ms spin: the main port cannot answer meanwhile, the worker answers every probe.
    child.send('busy 900')
    await child.next('busy')
    const during: number[] = []
    const mainDuring = call(port, '/livez').then((reply) => reply.status)
    for (let index = 0; index < 5; index += 1) {
      during.push((await call(livenessPort, '/livez')).status)
      await sleep(100)
    }
    await child.next('idle')
    expect(during).toEqual([200, 200, 200, 200, 200])
    expect(await mainDuring).toBe(200) // answered, late

    child.send('forever')
    await child.next('forever')
    const since = performance.now()
    let firstFailure: number | undefined
    const after: number[] = []
    while (performance.now() - since < 1500 + 1000 + 1500) {
      const { status } = await call(livenessPort, '/livez')
      if (status === 503) firstFailure ??= performance.now() - since
      if (firstFailure !== undefined) after.push(status)
      await sleep(100)
    }
    // Fails after the tolerance (not before: a long busy spell is not a stall) and within tolerance + one period of 1 s…
    expect(firstFailure).toBeDefined()
    expect(firstFailure as number).toBeGreaterThanOrEqual(1400)
    expect(firstFailure as number).toBeLessThanOrEqual(1500 + 1000)
    // …and keeps failing: the loop never comes back.
    expect(after.length).toBeGreaterThanOrEqual(5)
    expect(after.every((status) => status === 503)).toBe(true)
    const body = JSON.parse((await call(livenessPort, '/livez')).body)
    expect(body.output).toMatch(/^main thread made no progress for \d+ ms \(stallTolerance 1500 ms\)$/)
    expect(body.checks['event-loop:heartbeat'][0].status).toBe('fail')
  }, 20_000)

  it('never keeps the process alive: a process with nothing but the worker exits by itself', async () => {
    const child = service({ IDLE: '1' })
    await child.next('listening')
    const [code] = await child.exited
    expect(code).toBe(0)
  })

  it('closes with the shutdown, after the drain: the process exits', async () => {
    const child = service({ DRAIN_DELAY: '300' })
    const { livenessPort } = await child.next('listening')
    child.send('shutdown')
    await child.next('phase')
    expect((await call(livenessPort, '/livez')).status).toBe(200)
    expect((await child.next('stopped')).exitCode).toBe(0)
    const [code] = await child.exited
    expect(code).toBe(0)
  })
})

async function waitFor(condition: () => Promise<boolean>, timeout = 5000): Promise<void> {
  const deadline = performance.now() + timeout
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error('condition not met in time')
    await sleep(25)
  }
}

/** A line the fixture prints; each event carries some of the fields. */
interface ServiceEvent {
  event: string
  livenessPort: number
  port: number
  exitCode: number
}

interface Service {
  next(event: string): Promise<ServiceEvent>
  send(line: string): void
  exited: Promise<[number | null, NodeJS.Signals | null]>
}

function service(env: Record<string, string>): Service {
  const child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] })
  children.push(child)
  const events: ServiceEvent[] = []
  const waiters: Array<() => void> = []
  createInterface({ input: child.stdout }).on('line', (line) => {
    events.push(JSON.parse(line))
    for (const wake of waiters.splice(0)) wake()
  })
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])))
  return {
    async next(event) {
      for (;;) {
        const index = events.findIndex((entry) => entry.event === event)
        if (index !== -1) return events.splice(0, index + 1)[index] as ServiceEvent
        await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), exited.then(() => Promise.reject(new Error(`the service exited before ${event}`)))])
      }
    },
    send: (line) => child.stdin.write(`${line}\n`),
    exited,
  }
}
