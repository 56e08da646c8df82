// The metric instruments against the real OpenTelemetry SDK (sdk-metrics, in-memory exporter):
// status read from memory at collection time, counters and the histogram from core's events.
import { channel, tracingChannel } from 'node:diagnostics_channel'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth, defineCheck, HEALTHZ_CHANNELS } from '@healthz/core'
import type { CheckStatus, Health } from '@healthz/core'
import { registerHealthInstruments } from '@healthz/otel'
import { descriptor, metricsHarness, points, value } from './sdk.js'
import type { MetricsHarness } from './sdk.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function setup(health: Health): MetricsHarness {
  const harness = metricsHarness()
  const unregister = registerHealthInstruments(health, { meterProvider: harness.meterProvider })
  cleanups.push(() => health.close(), harness.shutdown, unregister)
  return harness
}

/** A check whose next status the test sets, counting its runs. */
function switchable(name: string, options: { cache?: number; timeout?: number; critical?: boolean } = {}) {
  const state = { status: 'pass' as CheckStatus | 'hang', runs: 0 }
  const check = defineCheck({
    name,
    cache: options.cache ?? 0,
    timeout: options.timeout ?? 500,
    critical: options.critical ?? true,
    run: ({ signal }) => {
      state.runs += 1
      if (state.status === 'hang') return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))
      if (state.status === 'fail') throw new Error('connect ECONNREFUSED postgres://app:hunter2@db:5432/orders')
      return { status: state.status }
    },
  })
  return { check, state }
}

const base = { runtime: false, shutdown: { signals: false } } as const

describe('healthz.check.status', () => {
  it('is 1 for the current state and 0 for the others, per check and probe, and follows the last result', async () => {
    const db = switchable('db')
    const health = createHealth({ ...base, readiness: [db.check], startup: [db.check] })
    const otel = setup(health)
    // No result yet: no series (no state to report).
    expect(points(await otel.collect(), 'healthz.check.status')).toEqual([])

    await health.probe('readiness')
    let metrics = await otel.collect()
    for (const probe of ['readiness', 'startup']) {
      for (const [state, expected] of [['pass', 1], ['warn', 0], ['fail', 0]] as const) {
        expect(value(metrics, 'healthz.check.status', { 'healthz.check.name': 'db', 'healthz.probe': probe, 'healthz.check.state': state })).toBe(expected)
      }
    }
    expect(points(metrics, 'healthz.check.status')).toHaveLength(6)
    expect(descriptor(metrics, 'healthz.check.status')).toMatchObject({ unit: '1', type: 'OBSERVABLE_UP_DOWN_COUNTER' })

    db.state.status = 'fail'
    await health.probe('readiness')
    metrics = await otel.collect()
    expect(value(metrics, 'healthz.check.status', { 'healthz.check.name': 'db', 'healthz.probe': 'readiness', 'healthz.check.state': 'fail' })).toBe(1)
    expect(value(metrics, 'healthz.check.status', { 'healthz.check.name': 'db', 'healthz.probe': 'readiness', 'healthz.check.state': 'pass' })).toBe(0)
  })

  it('never runs a check: collections read the last results from memory', async () => {
    const db = switchable('db')
    const health = createHealth({ ...base, readiness: [db.check] })
    const otel = setup(health)
    health.markStarted()
    await health.probe('readiness')
    expect(db.state.runs).toBe(1)
    for (let i = 0; i < 5; i++) await otel.collect()
    expect(db.state.runs).toBe(1)
  })
})

describe('counters and the duration histogram', () => {
  it('count runs by result, record durations in seconds, and count timeouts', async () => {
    const db = switchable('db', { timeout: 30 })
    const health = createHealth({ ...base, readiness: [db.check] })
    const otel = setup(health)
    health.markStarted()
    await health.probe('readiness')
    await health.probe('readiness')
    db.state.status = 'fail'
    await health.probe('readiness')
    db.state.status = 'hang'
    await health.probe('readiness')

    const metrics = await otel.collect()
    expect(value(metrics, 'healthz.check.runs', { 'healthz.check.name': 'db', 'healthz.check.result': 'pass', 'healthz.check.kind': 'dependency' })).toBe(2)
    expect(value(metrics, 'healthz.check.runs', { 'healthz.check.name': 'db', 'healthz.check.result': 'fail' })).toBe(2)
    expect(value(metrics, 'healthz.check.timeouts', { 'healthz.check.name': 'db' })).toBe(1)
    const histogram = points(metrics, 'healthz.check.duration').find((point) => point.attributes['healthz.check.result'] === 'fail')
    expect(histogram?.value).toBe(2)
    // The timed-out run lasted about its 30 ms deadline: seconds, not milliseconds.
    expect(histogram?.sum).toBeGreaterThanOrEqual(0.025)
    expect(histogram?.sum).toBeLessThan(1)
    expect(descriptor(metrics, 'healthz.check.duration')).toMatchObject({ unit: 's', type: 'HISTOGRAM' })
    expect(descriptor(metrics, 'healthz.check.runs')).toMatchObject({ unit: '{run}', type: 'COUNTER' })
  })

  it('count cache hits, and probe requests by probe, method, status code and fast path', async () => {
    const db = switchable('db', { cache: 60_000 })
    const health = createHealth({ ...base, readiness: [db.check] })
    const otel = setup(health)
    health.markStarted()
    expect((await health.handle({ path: '/readyz' }))?.status).toBe(200)
    expect((await health.handle({ path: '/readyz', query: 'verbose' }))?.status).toBe(200)
    // The memoised answer: served synchronously, without evaluating the probe.
    expect(health.handleCached({ path: '/readyz' })?.status).toBe(200)
    expect((await health.handle({ method: 'POST', path: '/readyz' }))?.status).toBe(405)
    expect((await health.handle({ method: 'PROPFIND', path: '/readyz' }))?.status).toBe(405)
    expect((await health.handle({ path: '/readyz/nope' }))?.status).toBe(404)
    expect(db.state.runs).toBe(1)

    const metrics = await otel.collect()
    expect(value(metrics, 'healthz.check.cache.hits', { 'healthz.check.name': 'db', 'healthz.probe': 'readiness' })).toBe(2)
    const requests = { 'healthz.probe': 'readiness', 'http.request.method': 'GET', 'http.response.status_code': 200 }
    expect(value(metrics, 'healthz.probe.requests', { ...requests, 'healthz.probe.fast_path': false })).toBe(2)
    expect(value(metrics, 'healthz.probe.requests', { ...requests, 'healthz.probe.fast_path': true })).toBe(1)
    expect(value(metrics, 'healthz.probe.requests', { 'http.request.method': 'POST', 'http.response.status_code': 405 })).toBe(1)
    // An unknown method is `_OTHER`, so a scanner cannot mint series.
    expect(value(metrics, 'healthz.probe.requests', { 'http.request.method': '_OTHER', 'http.response.status_code': 405 })).toBe(1)
    expect(value(metrics, 'healthz.probe.requests', { 'healthz.probe': 'readiness', 'http.response.status_code': 404 })).toBe(1)
  })
})

describe('probe status, startup and shutdown', () => {
  it('report the probes as they would answer from memory, the startup gate and the shutdown phase', async () => {
    const db = switchable('db', { critical: false })
    const health = createHealth({ ...base, readiness: [db.check] })
    const otel = setup(health)
    let metrics = await otel.collect()
    expect(value(metrics, 'healthz.started')).toBe(0)
    expect(value(metrics, 'healthz.probe.status', { 'healthz.probe': 'startup', 'healthz.probe.state': 'fail' })).toBe(1)
    expect(value(metrics, 'healthz.shutdown.status', { 'healthz.shutdown.phase': 'running' })).toBe(1)

    health.markStarted()
    db.state.status = 'fail'
    await health.probe('readiness')
    metrics = await otel.collect()
    expect(value(metrics, 'healthz.started')).toBe(1)
    // A non-critical failure: readiness reports warn.
    expect(value(metrics, 'healthz.probe.status', { 'healthz.probe': 'readiness', 'healthz.probe.state': 'warn' })).toBe(1)
    expect(value(metrics, 'healthz.probe.status', { 'healthz.probe': 'liveness', 'healthz.probe.state': 'pass' })).toBe(1)

    await health.shutdown()
    metrics = await otel.collect()
    expect(value(metrics, 'healthz.shutdown.status', { 'healthz.shutdown.phase': 'stopped' })).toBe(1)
    expect(value(metrics, 'healthz.shutdown.status', { 'healthz.shutdown.phase': 'running' })).toBe(0)
    expect(value(metrics, 'healthz.probe.status', { 'healthz.probe': 'readiness', 'healthz.probe.state': 'fail' })).toBe(1)
  })

  it('report the runtime monitor’s pauses in seconds when it is enabled', async () => {
    const health = createHealth({ shutdown: { signals: false } })
    const otel = setup(health)
    const metrics = await otel.collect()
    const worst = value(metrics, 'healthz.runtime.pause.worst')
    expect(worst).toBeGreaterThanOrEqual(0)
    expect(worst).toBeLessThan(60)
    expect(descriptor(metrics, 'healthz.runtime.event_loop.delay.p99')).toMatchObject({ unit: 's' })
    expect(value(metrics, 'healthz.runtime.event_loop.delay.max')).toBeGreaterThanOrEqual(0)
  })
})

describe('registration', () => {
  it('keeps two health objects apart', async () => {
    const a = switchable('db')
    const b = switchable('db')
    const one = createHealth({ ...base, readiness: [a.check] })
    const two = createHealth({ ...base, readiness: [b.check] })
    cleanups.push(() => two.close())
    const otel = setup(one)
    one.markStarted()
    two.markStarted()
    await one.probe('readiness')
    await two.probe('readiness')
    await two.probe('readiness')
    expect(value(await otel.collect(), 'healthz.check.runs', { 'healthz.check.name': 'db' })).toBe(1)
  })

  it('unsubscribes and stops observing when unregistered, so core publishes nothing again', async () => {
    const db = switchable('db')
    const health = createHealth({ ...base, readiness: [db.check] })
    health.markStarted()
    const harness = metricsHarness()
    cleanups.push(() => health.close(), harness.shutdown)
    const subscribed = (): boolean[] => [
      tracingChannel(HEALTHZ_CHANNELS.check).hasSubscribers,
      channel(HEALTHZ_CHANNELS.cacheHit).hasSubscribers,
      channel(HEALTHZ_CHANNELS.probeResponse).hasSubscribers,
    ]
    expect(subscribed()).toEqual([false, false, false])
    // Counts the collections that read the health object.
    const snapshot = health.snapshot.bind(health)
    let reads = 0
    health.snapshot = () => {
      reads += 1
      return snapshot()
    }
    const unregister = registerHealthInstruments(health, { meterProvider: harness.meterProvider })
    expect(subscribed()).toEqual([true, true, true])
    await health.probe('readiness')
    expect(value(await harness.collect(), 'healthz.check.runs')).toBe(1)
    expect(reads).toBe(1)

    unregister()
    unregister() // idempotent
    expect(subscribed()).toEqual([false, false, false])
    await health.probe('readiness')
    expect(value(await harness.collect(), 'healthz.check.runs')).toBe(1)
    expect(reads).toBe(1)
  })

  it('uses the global meter provider by default and makes no spans without a tracer', async () => {
    const { metrics } = await import('@opentelemetry/api')
    const harness = metricsHarness()
    metrics.setGlobalMeterProvider(harness.meterProvider)
    cleanups.push(() => metrics.disable(), harness.shutdown)
    const db = switchable('db')
    const health = createHealth({ ...base, readiness: [db.check] })
    const unregister = registerHealthInstruments(health)
    cleanups.push(() => health.close(), unregister)
    health.markStarted()
    await health.probe('readiness')
    expect(value(await harness.collect(), 'healthz.check.runs', { 'healthz.check.name': 'db' })).toBe(1)
  })

  it('with metrics: false, creates no instruments', async () => {
    const harness = metricsHarness()
    const health = createHealth({ ...base, readiness: [switchable('db').check] })
    const unregister = registerHealthInstruments(health, { meterProvider: harness.meterProvider, metrics: false })
    cleanups.push(() => health.close(), harness.shutdown, unregister)
    await health.probe('readiness')
    expect(await harness.collect()).toEqual([])
  })
})
