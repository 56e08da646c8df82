// Issue 16: what core publishes on node:diagnostics_channel (names and payloads are public API),
// and health.snapshot(), the read-only state collectors read at scrape time.
import { AsyncLocalStorage } from 'node:async_hooks'
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHealth, HEALTHZ_CHANNELS } from '@healthz/core'
import type { CheckCacheHitMessage, CheckChangeMessage, CheckRunMessage, Health, ProbeResponseMessage, ShutdownPhaseMessage } from '@healthz/core'
import { countedCheck, deferred } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
})
const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
  vi.useRealTimers()
})

/** Subscribes for the length of one test and collects what is published. */
function listen<T>(name: string): T[] {
  const seen: T[] = []
  const onMessage = (message: unknown): void => {
    seen.push(message as T)
  }
  subscribe(name, onMessage)
  cleanups.push(() => unsubscribe(name, onMessage))
  return seen
}

/** Subscribes to every event of the check tracing channel, in the order they come. */
function traceRuns(): { event: string; context: CheckRunMessage; snapshot: CheckRunMessage }[] {
  const seen: { event: string; context: CheckRunMessage; snapshot: CheckRunMessage }[] = []
  const record = (event: string) => (message: unknown) => {
    const context = message as CheckRunMessage
    seen.push({ event, context, snapshot: { ...context } })
  }
  const handlers = { start: record('start'), end: record('end'), asyncStart: record('asyncStart'), asyncEnd: record('asyncEnd'), error: record('error') }
  const channel = tracingChannel(HEALTHZ_CHANNELS.check)
  channel.subscribe(handlers)
  cleanups.push(() => channel.unsubscribe(handlers))
  return seen
}

function ofHealth<T extends { health: Health }>(messages: T[], health: Health): T[] {
  return messages.filter((message) => message.health === health)
}

describe('the healthz:check tracing channel', () => {
  it('wraps a passing run: start and end with the check, asyncStart and asyncEnd with its outcome', async () => {
    const runs = traceRuns()
    const db = countedCheck('db', () => undefined, { kind: 'dependency', timeout: 300 })
    const health = createHealth({ readiness: [db], startup: [db] })
    health.markStarted()
    await health.probe('readiness')
    const mine = runs.filter((run) => run.context.health === health)
    expect(mine.map((run) => run.event)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd'])
    const start = mine[0]?.snapshot
    expect(start).toEqual({
      health,
      name: 'db',
      kind: 'dependency',
      critical: true,
      probes: ['readiness', 'startup'],
      trigger: 'readiness',
      timeout: 300,
      startTime: Date.now(),
      deadline: Date.now() + 300,
    })
    const end = mine[3]?.snapshot
    expect(end).toMatchObject({ outcome: 'pass', timedOut: false, duration: 0, result: expect.objectContaining({ name: 'db', status: 'pass' }) })
    expect(end?.error).toBeUndefined()
  })

  it('publishes error for a failed run, and says when the run missed its deadline', async () => {
    const runs = traceRuns()
    const hang = deferred()
    const slow = countedCheck('slow', () => hang.promise, { timeout: 200, cache: 0 })
    const broken = countedCheck('broken', () => {
      throw new Error('refused')
    }, { cache: 0 })
    const health = createHealth({ readiness: [slow, broken] })
    health.markStarted()
    const report = health.probe('readiness')
    await vi.advanceTimersByTimeAsync(200)
    await report
    const mine = runs.filter((run) => run.context.health === health)
    const events = (name: string): string[] => mine.filter((run) => run.context.name === name).map((run) => run.event)
    expect(events('slow')).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd'])
    expect(events('broken')).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd'])
    const slowEnd = mine.findLast((run) => run.context.name === 'slow')?.snapshot
    expect(slowEnd).toMatchObject({ outcome: 'fail', timedOut: true, duration: 200, error: expect.objectContaining({ code: 'CHECK_TIMEOUT' }) })
    const brokenEnd = mine.findLast((run) => run.context.name === 'broken')?.snapshot
    expect(brokenEnd).toMatchObject({ outcome: 'fail', timedOut: false, error: expect.objectContaining({ message: 'refused' }) })
    hang.resolve()
  })

  it('names the flap-damped status in result and the run\'s own status in outcome', async () => {
    const runs = traceRuns()
    const flaky = countedCheck('flaky', () => undefined, { cache: 0, failureThreshold: 2 })
    const health = createHealth({ readiness: [flaky] })
    health.markStarted()
    await health.probe('readiness')
    flaky.behave(() => {
      throw new Error('blip')
    })
    await health.probe('readiness')
    const last = runs.filter((run) => run.context.health === health).at(-1)?.snapshot
    expect(last?.outcome).toBe('fail')
    expect(last?.result?.status).toBe('pass')
  })

  it('runs the check inside start.runStores, so a store bound by a subscriber is the check\'s context', async () => {
    const store = new AsyncLocalStorage<string>()
    const channel = tracingChannel(HEALTHZ_CHANNELS.check)
    channel.start.bindStore(store, (message) => `span of ${(message as CheckRunMessage).name}`)
    cleanups.push(() => channel.start.unbindStore(store))
    let seen: string | undefined
    const db = countedCheck('db', async () => {
      await Promise.resolve()
      seen = store.getStore()
    })
    const health = createHealth({ readiness: [db] })
    health.markStarted()
    await health.probe('readiness')
    expect(seen).toBe('span of db')
  })

  it('says a background run was started by its interval', async () => {
    const runs = traceRuns()
    const loop = countedCheck('loop', () => undefined, { interval: 1000, jitter: 0 })
    const health = createHealth({ readiness: [loop] })
    await vi.advanceTimersByTimeAsync(0)
    expect(runs.find((run) => run.context.health === health)?.context.trigger).toBe('interval')
    health.close()
  })
})

describe('cache hits and probe answers', () => {
  it('counts a result served from memory, and tells the fast path from an evaluated answer', async () => {
    const hits = listen<CheckCacheHitMessage>(HEALTHZ_CHANNELS.cacheHit)
    const answers = listen<ProbeResponseMessage>(HEALTHZ_CHANNELS.probeResponse)
    const db = countedCheck('db', () => undefined, { cache: 5000 })
    const health = createHealth({ readiness: [db] })
    health.markStarted()
    expect((await health.handle({ path: '/readyz' }))?.status).toBe(200)
    expect(ofHealth(hits, health)).toEqual([])
    expect(health.handleCached({ path: '/readyz' })?.status).toBe(200)
    await health.probe('readiness')
    expect(db.calls).toBe(1)
    expect(ofHealth(hits, health).map(({ name, probe, fastPath }) => ({ name, probe, fastPath }))).toEqual([
      { name: 'db', probe: 'readiness', fastPath: true },
      { name: 'db', probe: 'readiness', fastPath: false },
    ])
    expect(ofHealth(answers, health).map(({ probe, check, method, statusCode, fastPath }) => ({ probe, check, method, statusCode, fastPath }))).toEqual([
      { probe: 'readiness', check: undefined, method: 'GET', statusCode: 200, fastPath: false },
      { probe: 'readiness', check: undefined, method: 'GET', statusCode: 200, fastPath: true },
    ])
  })

  it('publishes 405, 404 and 503 answers with their probe', async () => {
    const answers = listen<ProbeResponseMessage>(HEALTHZ_CHANNELS.probeResponse)
    const db = countedCheck('db', () => {
      throw new Error('down')
    })
    const health = createHealth({ readiness: [db] })
    health.markStarted()
    await health.handle({ path: '/readyz', method: 'POST' })
    await health.handle({ path: '/readyz/nope' })
    await health.handle({ path: '/readyz/db', method: 'HEAD' })
    await health.handle({ path: '/elsewhere' })
    expect(ofHealth(answers, health).map(({ probe, check, statusCode }) => [probe, check, statusCode])).toEqual([
      ['readiness', undefined, 405],
      ['readiness', 'nope', 404],
      ['readiness', 'db', 503],
    ])
  })
})

describe('transitions, startup and shutdown', () => {
  it('publishes check and probe changes, the gate opening and every shutdown phase, each with its health object', async () => {
    const checkChanges = listen<CheckChangeMessage>(HEALTHZ_CHANNELS.checkChange)
    const probeChanges = listen<{ health: Health; probe: string; previous?: string; current: string }>(HEALTHZ_CHANNELS.probeChange)
    const started = listen<{ health: Health; by: string }>(HEALTHZ_CHANNELS.started)
    const phases = listen<ShutdownPhaseMessage>(HEALTHZ_CHANNELS.shutdown)
    const db = countedCheck('db', () => undefined, { cache: 0 })
    const health = createHealth({ readiness: [db], shutdown: { signals: false, exit: false, drainDelay: 0 } })
    const other = createHealth({ shutdown: { signals: false, exit: false } })
    health.markStarted()
    await health.probe('readiness')
    db.behave(() => {
      throw new Error('down')
    })
    await health.probe('readiness')
    await health.probe('readiness')
    await health.shutdown()
    expect(ofHealth(checkChanges, health).map(({ name, previous, current, probes }) => ({ name, previous, current, probes }))).toEqual([
      { name: 'db', previous: undefined, current: 'pass', probes: ['readiness'] },
      { name: 'db', previous: 'pass', current: 'fail', probes: ['readiness'] },
    ])
    expect(ofHealth(probeChanges, health).map(({ probe, previous, current }) => [probe, previous, current])).toEqual([
      ['readiness', undefined, 'pass'],
      ['readiness', 'pass', 'fail'],
    ])
    expect(ofHealth(started, health).map(({ by }) => by)).toEqual(['markStarted'])
    expect(ofHealth(phases, health).map(({ previous, current }) => `${previous}→${current}`)).toEqual(['running→draining', 'draining→closing', 'closing→stopped'])
    expect(ofHealth(started, other)).toEqual([])
    other.close()
  })
})

describe('health.snapshot()', () => {
  it('reads every check\'s last result and each probe\'s status from memory, never running a check', async () => {
    const db = countedCheck('db', () => undefined, { kind: 'dependency', cache: 0, timeout: 250 })
    const cache = countedCheck('cache', () => {
      throw new Error('down')
    }, { critical: false, cache: 0 })
    const heap = countedCheck('heap', () => undefined, { kind: 'process' })
    const health = createHealth({ service: { name: 'orders' }, readiness: [db, cache], liveness: [heap], runtime: false })
    const before = health.snapshot()
    expect(before.started).toBe(false)
    expect(before.checks.map(({ name, status, result, probes }) => ({ name, status, result, probes }))).toEqual([
      { name: 'heap', status: undefined, result: undefined, probes: ['liveness'] },
      { name: 'db', status: undefined, result: undefined, probes: ['readiness'] },
      { name: 'cache', status: undefined, result: undefined, probes: ['readiness'] },
    ])
    expect(before.probes.readiness).toEqual({ status: 'fail', lastReported: undefined, checks: ['db', 'cache'] })
    expect(before.probes.startup.status).toBe('fail')
    health.markStarted()
    expect(health.snapshot().probes.readiness.status).toBeUndefined() // no results yet
    await health.probe('readiness')
    await health.probe('liveness')
    const calls = [db.calls, cache.calls, heap.calls]
    for (let i = 0; i < 5; i += 1) health.snapshot()
    const after = health.snapshot()
    expect([db.calls, cache.calls, heap.calls]).toEqual(calls)
    expect(after).toMatchObject({ service: { name: 'orders' }, started: true, phase: 'running', shutdown: { startedAt: undefined, deadline: undefined }, runtime: undefined, time: Date.now() })
    const db1 = after.checks.find((check) => check.name === 'db')
    expect(db1).toMatchObject({ kind: 'dependency', critical: true, timeout: 250, status: 'pass', running: false, result: expect.objectContaining({ status: 'pass', duration: 0 }) })
    expect(after.checks.find((check) => check.name === 'cache')).toMatchObject({ critical: false, status: 'fail' })
    expect(after.probes.readiness).toEqual({ status: 'warn', lastReported: 'warn', checks: ['db', 'cache'] })
    expect(after.probes.liveness).toEqual({ status: 'pass', lastReported: 'pass', checks: ['heap'] })
    expect(after.probes.startup.status).toBe('pass')
  })

  it('shows a run in flight, a background result past maxAge as fail, and readiness failing while draining', async () => {
    const hang = deferred()
    const slow = countedCheck('slow', () => hang.promise, { cache: 0, timeout: 100 })
    const loop = countedCheck('loop', () => undefined, { interval: 1000, maxAge: 1500, jitter: 0 })
    const health = createHealth({ readiness: [slow, loop], shutdown: { signals: false, exit: false, drainDelay: 15_000 } })
    health.markStarted()
    await vi.advanceTimersByTimeAsync(0)
    void health.probe('readiness')
    await vi.advanceTimersByTimeAsync(150)
    expect(health.snapshot().checks.find((check) => check.name === 'slow')).toMatchObject({ running: true, status: 'fail' })
    health.close() // the background loop stops; its result ages
    await vi.advanceTimersByTimeAsync(2000)
    expect(health.snapshot().checks.find((check) => check.name === 'loop')).toMatchObject({ status: 'fail', result: expect.objectContaining({ status: 'pass' }) })
    void health.shutdown()
    const draining = health.snapshot()
    expect(draining.phase).toBe('draining')
    // drainDelay 15 s + gracePeriod (default 10 s) + no hooks, from the moment it began
    expect(draining.shutdown).toEqual({ startedAt: Date.now(), deadline: Date.now() + 25_000 })
    expect(draining.probes.readiness.status).toBe('fail')
    expect(draining.probes.liveness.status).toBe('pass')
    hang.resolve()
  })
})
