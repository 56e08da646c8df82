// Shutdown draining, end to end: a real child process, real signals, real keep-alive clients.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { Agent } from 'node:http'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { call } from '../../../test-utils/client.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/drain-server.mjs', import.meta.url))

interface Child {
  process: ChildProcess
  port: number
  events: Array<Record<string, unknown>>
  waitFor: (match: (event: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

async function start(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  const events: Array<Record<string, unknown>> = []
  const waiters: Array<{ match: (event: Record<string, unknown>) => boolean; resolve: (event: Record<string, unknown>) => void }> = []
  let buffer = ''
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (chunk: string) => {
    buffer += chunk
    let newline = buffer.indexOf('\n')
    while (newline !== -1) {
      const event = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>
      buffer = buffer.slice(newline + 1)
      events.push(event)
      for (const waiter of waiters.filter((w) => w.match(event))) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(event)
      }
      newline = buffer.indexOf('\n')
    }
  })
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }))
  const waitFor = (match: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
    const seen = events.find(match)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve) => waiters.push({ match, resolve }))
  }
  const listening = await waitFor((event) => event.event === 'listening')
  return { process: child, port: listening.port as number, events, waitFor, exited }
}

const phase = (name: string) => (event: Record<string, unknown>) => event.event === 'phase' && event.phase === name

describe('shutdown draining in a child process with real signals', () => {
  it('drains: readiness 503 while liveness and the app answer, in-flight requests finish with Connection: close, idle sockets close at once, exit 0', async () => {
    const child = await start({ DRAIN_DELAY: '1500', GRACE_PERIOD: '8000' })
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 })
    const idleAgent = new Agent({ keepAlive: true, maxSockets: 1 })
    expect((await call(child.port, '/', { agent: keepAlive })).status).toBe(200)
    const idle = await call(child.port, '/', { agent: idleAgent })
    expect(idle.status).toBe(200)
    const idleClosed = once(idle.socket, 'close').then(() => child.events.length)

    child.process.kill('SIGTERM')
    await child.waitFor(phase('draining'))

    const readiness = await call(child.port, '/readyz', { agent: keepAlive })
    expect(readiness.status).toBe(503)
    expect(JSON.parse(readiness.body)).toMatchObject({ status: 'fail', notes: ['draining'] })
    expect((await call(child.port, '/livez', { agent: keepAlive })).status).toBe(200)
    const app = await call(child.port, '/', { agent: keepAlive })
    expect(app.status).toBe(200)
    expect(app.headers.connection).toBe('keep-alive')

    // In flight when the listener closes, 1.5 s after the signal: it must complete.
    const slow = call(child.port, '/slow?ms=1500', { agent: keepAlive })
    await child.waitFor(phase('closing'))
    const eventsWhenIdleClosed = await idleClosed
    const finished = await slow
    expect(finished.status).toBe(200)
    expect(finished.body).toBe('slow ok')
    expect(finished.headers.connection).toBe('close')
    // The idle socket closed at once, before the in-flight request finished and before the hooks ran.
    expect(child.events.slice(0, eventsWhenIdleClosed).some((event) => event.event === 'hook')).toBe(false)

    expect(await child.exited).toEqual({ code: 0, signal: null })
    expect(child.events.map((event) => (event.event === 'phase' ? event.phase : event.event))).toEqual([
      'listening',
      'draining',
      'closing',
      'hook',
      'stopped',
    ])
    keepAlive.destroy()
    idleAgent.destroy()
  })

  it('cuts a hanging hook at its timeout and still exits, with code 1', async () => {
    const child = await start({ DRAIN_DELAY: '0', HANG_HOOK: '1' })
    child.process.kill('SIGTERM')
    expect(await child.exited).toEqual({ code: 1, signal: null })
    expect(child.events).toContainEqual({
      event: 'error',
      code: 'SHUTDOWN_HOOK_FAILED',
      message: 'onShutdown hook "hangs" failed: timed out after 300 ms; continuing',
    })
    expect(child.events).toContainEqual({ event: 'hook', name: 'pool' })
  })

  it('exits at once on a second SIGTERM, with 128 + 15', async () => {
    const child = await start({ DRAIN_DELAY: '60000' })
    child.process.kill('SIGTERM')
    await child.waitFor(phase('draining'))
    await new Promise((resolve) => setTimeout(resolve, 600)) // past the duplicate-delivery window
    child.process.kill('SIGTERM')
    expect(await child.exited).toEqual({ code: 143, signal: null })
    expect(child.events.some(phase('closing'))).toBe(false)
    expect(child.events).toContainEqual(expect.objectContaining({ event: 'error', code: 'SHUTDOWN_FORCED' }))
  })

  it('drains once when one Ctrl-C arrives twice (to the process group, and forwarded by npm or pnpm)', async () => {
    const child = await start({ DRAIN_DELAY: '300' })
    child.process.kill('SIGINT')
    child.process.kill('SIGINT')
    expect(await child.exited).toEqual({ code: 0, signal: null })
    expect(child.events.some(phase('stopped'))).toBe(true)
    expect(child.events).not.toContainEqual(expect.objectContaining({ code: 'SHUTDOWN_FORCED' }))
  })

  it('leaves no handles open: with exit: false the process ends by itself once stopped', async () => {
    const child = await start({ DRAIN_DELAY: '200', EXIT: '0' })
    const agent = new Agent({ keepAlive: true })
    expect((await call(child.port, '/', { agent })).status).toBe(200)
    child.process.kill('SIGINT')
    expect(await child.exited).toEqual({ code: 0, signal: null })
    expect(child.events.some(phase('stopped'))).toBe(true)
    agent.destroy()
  })
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const checkStarted = (event: Record<string, unknown>): boolean => event.event === 'check-start'

describe('issue 13: SIGTERM while a readiness probe is running its check', () => {
  // No cache, a cache shorter than the drain delay, and one far longer: none may carry a pass into the drain.
  it.each([0, 300, 60_000])('issue-13-readiness-503-when-SIGTERM-lands-mid-check (cache %i ms)', async (cache) => {
    const child = await start({ DRAIN_DELAY: '1200', GRACE_PERIOD: '8000', CHECK_MS: '400', CHECK_CACHE: String(cache) })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const inFlight = call(child.port, '/readyz', { agent })
    await child.waitFor(checkStarted)
    child.process.kill('SIGTERM')
    await child.waitFor(phase('draining'))

    // Written after draining began, the answer of the probe that was running its check says so.
    const first = await inFlight
    expect(first.status).toBe(503)
    expect(JSON.parse(first.body)).toMatchObject({ status: 'fail', notes: ['draining'] })
    // Every later probe of the drain delay too, on the same keep-alive connection, as a balancer probes.
    const statuses: number[] = []
    while (!child.events.some(phase('closing'))) {
      const reply = await call(child.port, '/readyz', { agent }).catch(() => undefined) // the listener may close meanwhile
      if (reply === undefined) break
      statuses.push(reply.status)
      await sleep(100)
    }
    expect(statuses.length).toBeGreaterThan(3)
    expect(statuses.filter((status) => status !== 503)).toEqual([])
    expect(await child.exited).toEqual({ code: 0, signal: null })
    agent.destroy()
  })

  // With no drain delay the listener closes while the probe is still running: the drain must see
  // the probe's response (Connection: close), close the connection after it, and end at once.
  it.each(['listener', 'attach'])('issue-13-drain-sees-a-probe-in-flight-when-SIGTERM-lands (%s)', async (serve) => {
    const child = await start({ DRAIN_DELAY: '0', GRACE_PERIOD: '10000', CHECK_MS: '300', CHECK_CACHE: '0', SERVE: serve })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const inFlight = call(child.port, '/readyz', { agent })
    await child.waitFor(checkStarted)
    const signalled = Date.now()
    child.process.kill('SIGTERM')
    const reply = await inFlight
    expect(reply.status).toBe(503)
    expect(reply.headers.connection).toBe('close')
    expect(await child.exited).toEqual({ code: 0, signal: null })
    expect(child.events).not.toContainEqual(expect.objectContaining({ code: 'SERVER_CLOSE_FAILED' }))
    // Ended by the last connection closing, well before the 10 s grace period would have cut it.
    expect(Date.now() - signalled).toBeLessThan(5000)
    agent.destroy()
  })
})
