import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import type { HealthChangeEvent, HealthJson } from '@healthz/core'
import { countedCheck } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

const pass = (): void => undefined
const fail = (): never => {
  throw new Error('connect ECONNREFUSED postgres://orders:s3cr3t@db.internal:5432/orders')
}

describe('startup', () => {
  it('answers 503 until markStarted(), then latches to 200 and never runs a check again', async () => {
    const boot = countedCheck('migrations', () => {
      throw new Error('pending')
    })
    const health = createHealth({ startup: [boot] })
    expect((await health.handle({ path: '/startupz' }))?.status).toBe(503)
    const runs = boot.calls
    expect(runs).toBeGreaterThan(0)
    health.markStarted()
    boot.behave(fail)
    for (let i = 0; i < 3; i += 1) {
      await vi.advanceTimersByTimeAsync(5000)
      expect((await health.handle({ path: '/startupz' }))?.status).toBe(200)
    }
    expect(boot.calls).toBe(runs)
    expect(health.started).toBe(true)
  })

  it('opens when every startup check has passed once, even if one fails later', async () => {
    const migrations = countedCheck('migrations', fail, { cache: 0 })
    const cacheWarm = countedCheck('cache-warm', pass, { cache: 0 })
    const health = createHealth({ startup: [migrations, cacheWarm] })
    const events: HealthChangeEvent[] = []
    health.on('change', (event) => events.push(event))

    const first = await health.probe('startup')
    expect(first.status).toBe('fail')
    expect(first.output).toBe('starting: waiting for startup checks migrations')
    migrations.behave(pass)
    cacheWarm.behave(fail)
    expect((await health.probe('startup')).status).toBe('pass')
    expect(health.started).toBe(true)
    expect(events).toContainEqual({ type: 'started', by: 'startup-checks' })
  })

  it('a background startup check opens the gate by itself, without a probe', async () => {
    const boot = countedCheck('boot', fail, { interval: 1000, jitter: 0 })
    const health = createHealth({ startup: [boot] })
    await vi.advanceTimersByTimeAsync(0)
    expect(health.started).toBe(false)
    boot.behave(pass)
    await vi.advanceTimersByTimeAsync(1000)
    expect(health.started).toBe(true)
    const calls = boot.calls
    await vi.advanceTimersByTimeAsync(5000)
    expect(boot.calls).toBe(calls) // its loop stopped when the gate latched
  })

  it('runs each startup check once per startup probe and reports it', async () => {
    const warm = countedCheck('warm', fail, { kind: 'process' })
    const health = createHealth({ startup: [warm] })
    const report = await health.probe('startup')
    expect(warm.calls).toBe(1)
    expect(report.checks.map((check) => `${check.name}:${check.status}`)).toEqual(['warm:fail'])
  })

  it('without startup checks, waits for markStarted() and says so', async () => {
    const health = createHealth({})
    const report = await health.probe('startup')
    expect(report.status).toBe('fail')
    expect(report.output).toBe('starting: call health.markStarted() when boot is complete')
  })

  it('until started, readiness fails without running its checks and liveness passes without running its checks', async () => {
    const db = countedCheck('db', pass)
    const heap = countedCheck('heap', pass, { kind: 'process' })
    const health = createHealth({ readiness: [db], liveness: [heap] })

    const readiness = await health.handle({ path: '/readyz' })
    expect(readiness?.status).toBe(503)
    expect(JSON.parse(readiness?.body ?? '')).toMatchObject({ status: 'fail', notes: ['starting'] })
    expect((await health.handle({ path: '/livez' }))?.status).toBe(200)
    expect(db.calls + heap.calls).toBe(0)

    health.markStarted()
    expect((await health.handle({ path: '/readyz' }))?.status).toBe(200)
    expect((await health.handle({ path: '/livez' }))?.status).toBe(200)
    expect(db.calls).toBe(1)
    expect(heap.calls).toBe(1)
  })

  it('readiness makes startup progress by itself, so a platform without a startup probe still gets ready', async () => {
    const boot = countedCheck('boot', pass)
    const health = createHealth({ startup: [boot], readiness: [countedCheck('db', pass)] })
    expect((await health.handle({ path: '/readyz' }))?.status).toBe(200)
    expect(health.started).toBe(true)
  })
})

describe('readiness and liveness', () => {
  it('fails readiness on a critical failure and warns (200) on a non-critical one', async () => {
    const db = countedCheck('db', pass)
    const search = countedCheck('search', fail, { critical: false })
    const health = createHealth({ readiness: [db, search] })
    health.markStarted()
    const warn = await health.handle({ path: '/readyz' })
    expect(warn?.status).toBe(200)
    const body = JSON.parse(warn?.body ?? '') as HealthJson
    expect(body.status).toBe('warn')
    expect(body.checks?.['search:responseTime']?.[0]?.status).toBe('warn')

    db.behave(fail)
    await vi.advanceTimersByTimeAsync(1000)
    const down = await health.handle({ path: '/readyz' })
    expect(down?.status).toBe(503)
    expect((JSON.parse(down?.body ?? '') as HealthJson).status).toBe('fail')
  })

  it('liveness fails on a failing process check', async () => {
    const heap = countedCheck('heap', fail, { kind: 'process' })
    const health = createHealth({ liveness: [heap] })
    health.markStarted()
    expect((await health.handle({ path: '/livez' }))?.status).toBe(503)
  })
})

describe('HTTP semantics of handle()', () => {
  function ready() {
    const health = createHealth({
      service: { name: 'orders', version: '2.14.0', releaseId: 'abc123', description: 'orders service' },
      readiness: [defineCheck({ name: 'postgres', componentType: 'datastore', run: fail }), defineCheck({ name: 'redis', run: pass })],
      liveness: [defineCheck({ name: 'heap', kind: 'process', run: pass })],
    })
    health.markStarted()
    return health
  }

  it('renders health+json with component:measurement keys, no-store, and 503 on fail', async () => {
    vi.setSystemTime(new Date('2026-01-02T03:04:05.000Z'))
    const response = await ready().handle({ method: 'GET', path: '/readyz' })
    expect(response?.status).toBe(503)
    expect(response?.headers).toMatchObject({ 'content-type': 'application/health+json', 'cache-control': 'no-store' })
    expect(Number(response?.headers['content-length'])).toBe(Buffer.byteLength(response?.body ?? ''))
    expect(JSON.parse(response?.body ?? '')).toEqual({
      status: 'fail',
      version: '2.14.0',
      releaseId: 'abc123',
      serviceId: 'orders',
      description: 'orders service',
      checks: {
        'postgres:responseTime': [
          { componentType: 'datastore', observedValue: 0, observedUnit: 'ms', status: 'fail', time: '2026-01-02T03:04:05.000Z', output: 'reason withheld' },
        ],
        'redis:responseTime': [
          { componentType: 'component', observedValue: 0, observedUnit: 'ms', status: 'pass', time: '2026-01-02T03:04:05.000Z' },
        ],
      },
    })
  })

  it('withholds error text by default and shows it redacted when details are allowed', async () => {
    const withheld = await ready().handle({ path: '/readyz' })
    expect(withheld?.body).not.toContain('ECONNREFUSED')
    expect(withheld?.body).toContain('reason withheld')

    const health = createHealth({
      readiness: [defineCheck({ name: 'postgres', run: fail })],
      details: (request) => request.headers?.['x-health-token'] === 'let-me-see',
    })
    health.markStarted()
    const anonymous = await health.handle({ path: '/readyz' })
    expect(anonymous?.body).toContain('reason withheld')
    const trusted = await health.handle({ path: '/readyz', headers: { 'x-health-token': 'let-me-see' } })
    expect(trusted?.body).toContain('connect ECONNREFUSED postgres://orders:[redacted]@db.internal:5432/orders')
    expect(trusted?.body).not.toContain('s3cr3t')

    const always = createHealth({ readiness: [defineCheck({ name: 'postgres', run: fail })], details: 'always' })
    always.markStarted()
    const shown = await always.handle({ path: '/readyz' })
    expect(shown?.body).toContain('postgres://orders:[redacted]@db.internal')
    expect(shown?.body).not.toContain('s3cr3t')
  })

  it('serves HEAD with the status and headers and no body; other methods get 405 with Allow', async () => {
    const health = ready()
    const head = await health.handle({ method: 'HEAD', path: '/readyz' })
    expect(head?.status).toBe(503)
    expect(head?.body).toBe('')
    expect(Number(head?.headers['content-length'])).toBeGreaterThan(0)
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const response = await health.handle({ method, path: '/livez' })
      expect(response?.status).toBe(405)
      expect(response?.headers.allow).toBe('GET, HEAD')
    }
  })

  it('serves per-check paths and ?exclude= like the Kubernetes API server', async () => {
    const health = ready()
    const one = await health.handle({ path: '/readyz/redis' })
    expect(one?.status).toBe(200)
    expect(Object.keys((JSON.parse(one?.body ?? '') as HealthJson).checks ?? {})).toEqual(['redis:responseTime'])
    expect((await health.handle({ path: '/readyz/postgres' }))?.status).toBe(503)
    expect((await health.handle({ path: '/readyz/nope' }))?.status).toBe(404)
    expect((await health.handle({ path: '/livez/postgres' }))?.status).toBe(404)
    const long = await health.handle({ path: `/readyz/${'x'.repeat(5000)}` })
    expect(long?.status).toBe(404)
    expect(long?.body.length).toBeLessThan(200)

    const excluded = await health.handle({ path: '/readyz?exclude=postgres' })
    expect(excluded?.status).toBe(200)
    expect(JSON.parse(excluded?.body ?? '')).toMatchObject({ status: 'pass', notes: ['excluded: postgres'] })
    const both = await health.handle({ path: '/readyz?exclude=postgres&exclude=redis&exclude=ghost' })
    expect(JSON.parse(both?.body ?? '')).toMatchObject({
      status: 'pass',
      notes: ['excluded: postgres', 'excluded: redis', 'no check named "ghost" to exclude'],
    })
    expect((await health.handle({ path: '/readyz', query: { exclude: ['postgres'] } }))?.status).toBe(200)
    expect((await health.handle({ path: '/readyz', query: new URLSearchParams('exclude=postgres') }))?.status).toBe(200)
    expect((await health.handle({ path: '/readyz', query: '?exclude=postgres' }))?.status).toBe(200)
  })

  it('tolerates a trailing slash and returns undefined for paths that are not probes', async () => {
    const health = ready()
    expect((await health.handle({ path: '/livez/' }))?.status).toBe(200)
    for (const path of ['/', '/orders', '/livezz', '/healthz', '/readyz/postgres/extra']) {
      expect(await health.handle({ path })).toBeUndefined()
      expect(health.matches(path)).toBe(false)
    }
  })

  it('honours custom paths and a prefix', async () => {
    const health = createHealth({ prefix: '/health', paths: { liveness: '/live', readiness: '/ready' } })
    health.markStarted()
    expect((await health.handle({ path: '/health/live' }))?.status).toBe(200)
    expect((await health.handle({ path: '/health/ready' }))?.status).toBe(200)
    expect((await health.handle({ path: '/health/startupz' }))?.status).toBe(200)
    expect(await health.handle({ path: '/livez' })).toBeUndefined()
  })
})

describe('handleCached: the synchronous fast path', () => {
  it('answers from memory while the results it was rendered from are fresh, and never runs a check', async () => {
    const db = countedCheck('db', pass, { cache: 1000 })
    const health = createHealth({ readiness: [db], shutdown: { signals: false } })
    health.markStarted()
    expect(health.handleCached({ path: '/readyz' })).toBeUndefined() // nothing rendered yet
    const first = await health.handle({ path: '/readyz' })
    const cached = health.handleCached({ path: '/readyz' })
    expect(cached).toBe(first)
    expect(health.handleCached({ method: 'HEAD', path: '/readyz' })).toMatchObject({ status: 200, body: '' })
    expect(health.handleCached({ method: 'POST', path: '/readyz' })).toBeUndefined()
    expect(db.calls).toBe(1)

    await vi.advanceTimersByTimeAsync(1000) // the result leaves its cache window
    expect(health.handleCached({ path: '/readyz' })).toBeUndefined()
    db.behave(fail)
    expect((await health.handle({ path: '/readyz' }))?.status).toBe(503)
    expect(health.handleCached({ path: '/readyz' })?.status).toBe(503)
  })

  it('is invalidated by the startup gate, the shutdown phase and new watchdogs', async () => {
    const health = createHealth({ shutdown: { signals: false } })
    await health.handle({ path: '/livez' })
    await health.handle({ path: '/readyz' })
    expect(health.handleCached({ path: '/readyz' })?.status).toBe(503)
    health.markStarted()
    expect(health.handleCached({ path: '/readyz' })).toBeUndefined()
    expect((await health.handle({ path: '/readyz' }))?.status).toBe(200)

    await health.handle({ path: '/livez' })
    expect(health.handleCached({ path: '/livez' })?.status).toBe(200)
    health.watchdog('loop', { timeout: 100 })
    expect(health.handleCached({ path: '/livez' })).toBeUndefined()
    await vi.advanceTimersByTimeAsync(200)
    expect((await health.handle({ path: '/livez' }))?.status).toBe(503)
    expect(health.handleCached({ path: '/livez' })).toBeUndefined() // watchdogs run on every probe

    void health.shutdown()
    expect(health.handleCached({ path: '/readyz' })).toBeUndefined()
    expect((await health.handle({ path: '/readyz' }))?.status).toBe(503)
  })

  it('never serves requests with a query or a details function from memory', async () => {
    const health = createHealth({ readiness: [countedCheck('db', pass)], details: () => true, shutdown: { signals: false } })
    health.markStarted()
    await health.handle({ path: '/readyz' })
    expect(health.handleCached({ path: '/readyz' })).toBeUndefined()
    const plain = createHealth({ readiness: [countedCheck('db', pass)], shutdown: { signals: false } })
    plain.markStarted()
    await plain.handle({ path: '/readyz?exclude=db' })
    expect(plain.handleCached({ path: '/readyz?exclude=db' })).toBeUndefined()
    expect(plain.handleCached({ path: '/readyz', query: 'exclude=db' })).toBeUndefined()
  })
})
