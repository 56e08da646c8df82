// @healthz/prometheus against a real prom-client registry: the exposition text is parsed and
// read back, with checks passing, failing and hanging past their deadline.
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import type { Health } from '@healthz/core'
import { COMPATIBILITY_GAUGE_NAME, registerHealthMetrics } from '@healthz/prometheus'
import { Gauge, register, Registry } from 'prom-client'

interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

/** Parses the text exposition format (`name{a="b",…} value`), skipping comments. */
function parse(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match === null) throw new Error(`not an exposition line: ${line}`)
    const labels: Record<string, string> = {}
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] as string] = pair[2] as string
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) })
  }
  return samples
}

/** The value of the one sample with this name and (at least) these labels; undefined when there is none. */
function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, v]) => sample.labels[key] === v))
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`)
  return found[0]?.value
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

function setup(health: Health, options: Parameters<typeof registerHealthMetrics>[1] = {}): Registry {
  const registry = new Registry()
  cleanups.push(registerHealthMetrics(health, { registry, ...options }))
  cleanups.push(() => health.close())
  return registry
}

describe('status read from the last results', () => {
  it('gives a state set per check and probe, the probe status, the gate and the phase', async () => {
    const db = defineCheck({ name: 'db', run: () => undefined })
    const cache = defineCheck({ name: 'cache', critical: false, run: () => ({ status: 'warn', output: 'slow' }) })
    const queue = defineCheck({ name: 'queue', critical: false, run: () => { throw new Error('down') } })
    const heap = defineCheck({ name: 'heap', kind: 'process', run: () => undefined })
    const health = createHealth({ service: { name: 'orders' }, readiness: [db, cache, queue], liveness: [heap], startup: [db], runtime: false })
    const registry = setup(health)

    let samples = parse(await registry.metrics())
    expect(value(samples, 'healthz_started', { service: 'orders' })).toBe(0)
    expect(samples.filter((sample) => sample.name === 'healthz_check_status')).toEqual([]) // no results yet
    expect(value(samples, 'healthz_probe_status', { probe: 'readiness' })).toBe(0) // not started
    expect(value(samples, 'healthz_probe_status', { probe: 'liveness' })).toBe(1) // a booting process is alive

    await health.handle({ path: '/readyz' }) // runs the startup check, opens the gate, runs readiness
    await health.handle({ path: '/livez' })
    samples = parse(await registry.metrics())
    const state = (check: string, probe: string): Record<string, number | undefined> =>
      Object.fromEntries(['pass', 'warn', 'fail'].map((s) => [s, value(samples, 'healthz_check_status', { service: 'orders', check, probe, state: s })]))
    expect(state('db', 'readiness')).toEqual({ pass: 1, warn: 0, fail: 0 })
    expect(state('db', 'startup')).toEqual({ pass: 1, warn: 0, fail: 0 })
    expect(state('cache', 'readiness')).toEqual({ pass: 0, warn: 1, fail: 0 })
    expect(state('queue', 'readiness')).toEqual({ pass: 0, warn: 0, fail: 1 }) // its own status, though non-critical
    expect(state('heap', 'liveness')).toEqual({ pass: 1, warn: 0, fail: 0 })
    expect(value(samples, 'healthz_probe_status', { probe: 'readiness' })).toBe(0.5) // non-critical failures: warn
    expect(value(samples, 'healthz_probe_status', { probe: 'startup' })).toBe(1)
    expect(value(samples, 'healthz_started')).toBe(1)
    expect(Object.fromEntries(['running', 'draining', 'closing', 'stopped'].map((phase) => [phase, value(samples, 'healthz_shutdown_phase', { phase })]))).toEqual({
      running: 1, draining: 0, closing: 0, stopped: 0,
    })
    expect(samples.some((sample) => sample.name.startsWith('healthz_runtime_'))).toBe(false) // runtime: false
    expect(value(samples, COMPATIBILITY_GAUGE_NAME)).toBeUndefined() // opt-in
  })

  it('never runs a check to answer a scrape', async () => {
    let calls = 0
    const db = defineCheck({ name: 'db', cache: 0, run: () => { calls += 1 } })
    const health = createHealth({ readiness: [db], runtime: false })
    const registry = setup(health)
    health.markStarted()
    await health.probe('readiness')
    expect(calls).toBe(1)
    for (let i = 0; i < 10; i += 1) {
      const samples = parse(await registry.metrics())
      expect(value(samples, 'healthz_check_status', { check: 'db', state: 'pass' })).toBe(1)
    }
    expect(calls).toBe(1)
  })

  it('follows a check from pass to fail, and readiness into draining', async () => {
    let up = true
    const db = defineCheck({ name: 'db', cache: 0, run: () => { if (!up) throw new Error('ECONNREFUSED') } })
    const health = createHealth({ readiness: [db], runtime: false, shutdown: { signals: false, exit: false, drainDelay: 100 } })
    const registry = setup(health)
    health.markStarted()
    await health.probe('readiness')
    up = false
    await health.probe('readiness')
    let samples = parse(await registry.metrics())
    expect(value(samples, 'healthz_check_status', { check: 'db', state: 'fail' })).toBe(1)
    expect(value(samples, 'healthz_check_status', { check: 'db', state: 'pass' })).toBe(0)
    expect(value(samples, 'healthz_check_runs_total', { check: 'db', result: 'pass' })).toBe(1)
    expect(value(samples, 'healthz_check_runs_total', { check: 'db', result: 'fail' })).toBe(1)
    up = true
    await health.probe('readiness')
    const stopping = health.shutdown()
    samples = parse(await registry.metrics())
    expect(value(samples, 'healthz_shutdown_phase', { phase: 'draining' })).toBe(1)
    expect(value(samples, 'healthz_shutdown_phase', { phase: 'running' })).toBe(0)
    expect(value(samples, 'healthz_probe_status', { probe: 'readiness' })).toBe(0)
    expect(value(samples, 'healthz_probe_status', { probe: 'liveness' })).toBe(1)
    await stopping
  })

  it('gives each check\'s deadline, and the shutdown\'s latest end once it begins (for the alert rules in ops/)', async () => {
    const db = defineCheck({ name: 'db', timeout: 800, run: () => undefined })
    const health = createHealth({ readiness: [db], runtime: false, shutdown: { signals: false, exit: false, drainDelay: 100, gracePeriod: 200, hookTimeout: 300 } })
    health.onShutdown(() => undefined)
    const registry = setup(health)
    health.markStarted()
    await health.probe('readiness')
    let samples = parse(await registry.metrics())
    expect(value(samples, 'healthz_check_deadline_seconds', { check: 'db' })).toBe(0.8)
    expect(value(samples, 'healthz_shutdown_deadline_timestamp_seconds')).toBeUndefined()
    const before = Date.now()
    const stopping = health.shutdown()
    samples = parse(await registry.metrics())
    const deadline = value(samples, 'healthz_shutdown_deadline_timestamp_seconds') as number
    // start + drainDelay 100 + gracePeriod 200 + the one hook's 300 ms
    expect(deadline * 1000 - before).toBeGreaterThanOrEqual(600)
    expect(deadline * 1000 - Date.now()).toBeLessThanOrEqual(600)
    await stopping
  })

  it('offers the 0 / 0.5 / 1 compatibility gauge under the name asked for', async () => {
    const health = createHealth({
      readiness: [
        defineCheck({ name: 'a', run: () => undefined }),
        defineCheck({ name: 'b', run: () => ({ status: 'warn' }) }),
        defineCheck({ name: 'c', critical: false, run: () => ({ status: 'fail' }) }),
      ],
      runtime: false,
    })
    const registry = setup(health, { compatibilityGauge: 'aspnetcore_healthcheck_status' })
    health.markStarted()
    await health.probe('readiness')
    const samples = parse(await registry.metrics())
    expect(['a', 'b', 'c'].map((name) => value(samples, 'aspnetcore_healthcheck_status', { name }))).toEqual([1, 0.5, 0])
  })

  it('exports the runtime monitor\'s figures when it is on', async () => {
    const health = createHealth({ runtime: { stall: true } })
    const registry = setup(health)
    health.markStarted()
    await sleep(50)
    await health.probe('liveness')
    const samples = parse(await registry.metrics())
    for (const stat of ['min', 'mean', 'p50', 'p90', 'p99', 'max']) {
      expect(value(samples, 'healthz_runtime_event_loop_delay_seconds', { stat })).toBeGreaterThanOrEqual(0)
    }
    expect(value(samples, 'healthz_runtime_worst_pause_seconds')).toBeGreaterThanOrEqual(0)
    // The stall check is a liveness check like any other.
    expect(value(samples, 'healthz_check_status', { check: 'event-loop', probe: 'liveness', state: 'pass' })).toBe(1)
  })
})

describe('counters and the histogram, from the channels', () => {
  it('counts a run that hangs past its deadline as a timeout, a failed run, and a duration at the deadline', async () => {
    let release!: () => void
    const hang = new Promise<void>((resolve) => {
      release = resolve
    })
    const slow = defineCheck({ name: 'slow', timeout: 60, cache: 0, run: () => hang })
    const health = createHealth({ readiness: [slow], runtime: false })
    const registry = setup(health)
    health.markStarted()
    const report = await health.probe('readiness')
    expect(report.status).toBe('fail')
    const samples = parse(await registry.metrics())
    expect(value(samples, 'healthz_check_timeouts_total', { check: 'slow' })).toBe(1)
    expect(value(samples, 'healthz_check_runs_total', { check: 'slow', result: 'fail' })).toBe(1)
    expect(value(samples, 'healthz_check_runs_total', { check: 'slow', result: 'pass' })).toBe(0)
    expect(value(samples, 'healthz_check_duration_seconds_count', { check: 'slow' })).toBe(1)
    const sum = value(samples, 'healthz_check_duration_seconds_sum', { check: 'slow' }) ?? 0
    expect(sum).toBeGreaterThanOrEqual(0.06)
    expect(sum).toBeLessThan(0.5)
    expect(value(samples, 'healthz_check_duration_seconds_bucket', { check: 'slow', le: '0.05' })).toBe(0)
    expect(value(samples, 'healthz_check_duration_seconds_bucket', { check: 'slow', le: '0.1' })).toBe(1)
    expect(value(samples, 'healthz_check_status', { check: 'slow', state: 'fail' })).toBe(1)
    release()
  })

  it('counts probe answers by probe and code, and cache hits on both paths', async () => {
    let up = true
    const db = defineCheck({ name: 'db', cache: 60_000, run: () => { if (!up) throw new Error('down') } })
    const health = createHealth({ readiness: [db], runtime: false })
    const registry = setup(health)
    health.markStarted()
    await health.handle({ path: '/readyz' }) // runs db
    expect(health.handleCached({ path: '/readyz' })?.status).toBe(200) // fast path
    await health.handle({ path: '/readyz', query: 'verbose' }) // evaluated, db from memory
    await health.handle({ path: '/readyz', method: 'POST' })
    await health.handle({ path: '/livez' })
    up = false
    const samples = parse(await registry.metrics())
    expect(value(samples, 'healthz_probe_requests_total', { probe: 'readiness', code: '200' })).toBe(3)
    expect(value(samples, 'healthz_probe_requests_total', { probe: 'readiness', code: '405' })).toBe(1)
    expect(value(samples, 'healthz_probe_requests_total', { probe: 'liveness', code: '200' })).toBe(1)
    expect(value(samples, 'healthz_check_cache_hits_total', { check: 'db', probe: 'readiness' })).toBe(2)
    expect(value(samples, 'healthz_check_runs_total', { check: 'db', result: 'pass' })).toBe(1)
  })

  it('starts the counters of every check at 0, so rate() and increase() see the first event', async () => {
    const health = createHealth({ readiness: [defineCheck({ name: 'db', run: () => undefined })], runtime: false })
    const samples = parse(await setup(health).metrics())
    expect(value(samples, 'healthz_check_timeouts_total', { check: 'db' })).toBe(0)
    expect(value(samples, 'healthz_check_cache_hits_total', { check: 'db', probe: 'readiness' })).toBe(0)
    expect(['pass', 'warn', 'fail'].map((result) => value(samples, 'healthz_check_runs_total', { check: 'db', result }))).toEqual([0, 0, 0])
  })
})

describe('registration', () => {
  it('keeps two health objects apart by their service label on one registry', async () => {
    const registry = new Registry()
    const orders = createHealth({ service: { name: 'orders' }, readiness: [defineCheck({ name: 'db', run: () => undefined })], runtime: false })
    const billing = createHealth({ service: { name: 'billing' }, readiness: [defineCheck({ name: 'db', run: () => { throw new Error('down') } })], runtime: false })
    cleanups.push(registerHealthMetrics(orders, { registry }), registerHealthMetrics(billing, { registry }), () => orders.close(), () => billing.close())
    orders.markStarted()
    billing.markStarted()
    await orders.probe('readiness')
    await billing.probe('readiness')
    await billing.probe('readiness')
    const samples = parse(await registry.metrics())
    expect(value(samples, 'healthz_check_status', { service: 'orders', check: 'db', state: 'pass' })).toBe(1)
    expect(value(samples, 'healthz_check_status', { service: 'billing', check: 'db', state: 'fail' })).toBe(1)
    expect(value(samples, 'healthz_check_runs_total', { service: 'orders', check: 'db', result: 'pass' })).toBe(1)
    expect(value(samples, 'healthz_check_runs_total', { service: 'billing', check: 'db', result: 'fail' })).toBe(1)
    expect(value(samples, 'healthz_check_runs_total', { service: 'orders', check: 'db', result: 'fail' })).toBe(0)
  })

  it('refuses a second health object with the same service label, and the same one twice', () => {
    const registry = new Registry()
    const first = createHealth({ runtime: false })
    const second = createHealth({ runtime: false })
    cleanups.push(registerHealthMetrics(first, { registry }))
    expect(() => registerHealthMetrics(second, { registry })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/service label "".*pass \{ service \}/) }))
    expect(() => registerHealthMetrics(first, { registry, service: 'other' })).toThrow(expect.objectContaining({ message: expect.stringMatching(/already registered on this registry/) }))
    cleanups.push(registerHealthMetrics(second, { registry, service: 'second' }))
    expect(() => registerHealthMetrics(createHealth({ runtime: false }), { registry, service: 'third', compatibilityGauge: true })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/fixed by the first health object/) }),
    )
  })

  it('unregisters: the metrics leave the registry, counting stops, and registering again works', async () => {
    const registry = new Registry()
    const health = createHealth({ readiness: [defineCheck({ name: 'db', cache: 0, run: () => undefined })], runtime: false })
    cleanups.push(() => health.close())
    const unregister = registerHealthMetrics(health, { registry })
    unregister()
    unregister() // idempotent
    expect((await registry.metrics()).trim()).toBe('')
    health.markStarted()
    await health.probe('readiness')
    cleanups.push(registerHealthMetrics(health, { registry }))
    const samples = parse(await registry.metrics())
    expect(value(samples, 'healthz_check_runs_total', { check: 'db', result: 'pass' })).toBe(0) // the run before was not counted
    expect(value(samples, 'healthz_check_status', { check: 'db', state: 'pass' })).toBe(1) // the state is read from memory
  })

  it('uses prom-client\'s default registry when none is given', async () => {
    const health = createHealth({ service: { name: 'default-registry' }, runtime: false })
    cleanups.push(registerHealthMetrics(health), () => health.close())
    expect(value(parse(await register.metrics()), 'healthz_started', { service: 'default-registry' })).toBe(0)
  })

  it('refuses misconfiguration at the call, with what to change', () => {
    const health = createHealth({ runtime: false })
    cleanups.push(() => health.close())
    expect(() => registerHealthMetrics(health, { registery: new Registry() } as never)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/registery.*registry/) }))
    expect(() => registerHealthMetrics(health, { registry: {} as never })).toThrow(expect.objectContaining({ message: expect.stringMatching(/prom-client Registry/) }))
    expect(() => registerHealthMetrics(health, { registry: new Registry(), durationBuckets: [1, 0.5] })).toThrow(expect.objectContaining({ message: expect.stringMatching(/increasing/) }))
    expect(() => registerHealthMetrics(health, { registry: new Registry(), compatibilityGauge: 'has space' })).toThrow(expect.objectContaining({ message: expect.stringMatching(/metric name/) }))
    expect(() => registerHealthMetrics(health, { registry: new Registry(), service: 42 as never })).toThrow(expect.objectContaining({ message: expect.stringMatching(/service must be a string/) }))
    expect(() => registerHealthMetrics({} as never)).toThrow(expect.objectContaining({ message: expect.stringMatching(/health object from createHealth/) }))
    const taken = new Registry()
    new Gauge({ name: 'healthz_started', help: 'an application metric of the same name', registers: [taken] })
    expect(() => registerHealthMetrics(health, { registry: taken })).toThrow(expect.objectContaining({ message: expect.stringMatching(/already has a metric named healthz_started/) }))
    expect(taken.getSingleMetric('healthz_check_status')).toBeUndefined() // nothing half-registered
  })
})
