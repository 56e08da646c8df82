// Issue 15: response formats over real HTTP (@healthz/http): the Spring Actuator body, the
// terminus body's states, a format function and its memo, the option's validation, and the rule
// that no format shows more than health+json would to the same request. The terminus body is
// compared with the real @godaddy/terminus and @nestjs/terminus in terminus-parity.test.ts.
//
// Spring Boot Actuator, checked in spring-projects/spring-boot (snapshot of 2026-08-21, c329ffa):
// - module/spring-boot-health/.../actuate/endpoint/SimpleHttpCodeStatusMapper.java: DEFAULT_MAPPINGS
//   DOWN → 503, OUT_OF_SERVICE → 503, anything else → 200;
// - .../actuate/endpoint/SimpleStatusAggregator.java with Status.DEFAULT_ORDER
//   (DOWN, OUT_OF_SERVICE, UP, UNKNOWN): the worst component status is the overall one;
// - .../application/ReadinessStateHealthIndicator.java: REFUSING_TRAFFIC → OUT_OF_SERVICE
//   (Spring refuses traffic while starting and from the start of shutdown);
// - documentation/spring-boot-actuator-docs/.../HealthEndpointDocumentationTests.java: the v3 body is
//   `status`, `components`, `components.*.status`, optional `components.*.details` (shown per
//   `show-details`), and `/actuator/health/{component}` answers `status` and `details`;
// - module/spring-boot-actuator/.../endpoint/web/EndpointMediaTypes.java: DEFAULT produces
//   application/vnd.spring-boot.actuator.v3+json first (what a request without Accept gets).
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth, defineCheck, isHealthzError } from '@healthz/core'
import type { FormatContext, Health, HealthOptions, HealthReport } from '@healthz/core'
import { createHealthServer } from '@healthz/http'
import { call } from '../../test-utils/client.js'

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** A dependency check whose outcome the test sets. */
function toggle(name: string, options: { critical?: boolean } = {}) {
  const state = { fail: undefined as string | undefined }
  const check = defineCheck({
    name,
    kind: 'dependency',
    cache: 0,
    critical: options.critical ?? true,
    run: () => {
      if (state.fail !== undefined) throw new Error(state.fail)
    },
  })
  return { check, state }
}

async function serve(options: HealthOptions, start = true): Promise<{ health: Health; port: number }> {
  // A drain delay, so the probes can be asked while readiness drains (the health server closes once stopped).
  const health = createHealth({ runtime: false, shutdown: { signals: false, exit: false, drainDelay: 200 }, ...options })
  if (start) health.markStarted()
  const server = createHealthServer(health, { port: 0, host: '127.0.0.1' })
  const { port } = (await server.listen()) as AddressInfo
  cleanup.push(() => server.close(), () => health.close())
  return { health, port }
}

const json = (body: string): unknown => JSON.parse(body)

describe("format: 'spring'", () => {
  it('answers UP/200, DOWN/503, and UP/200 for a non-critical failure, in the v3 content type', async () => {
    const db = toggle('db')
    const billing = toggle('billing', { critical: false })
    const { port } = await serve({ readiness: [db.check, billing.check], format: 'spring' })

    const up = await call(port, '/readyz')
    expect(up.status).toBe(200)
    expect(up.headers['content-type']).toBe('application/vnd.spring-boot.actuator.v3+json')
    expect(up.headers['cache-control']).toBe('no-store')
    expect(json(up.body)).toEqual({ status: 'UP', components: { db: { status: 'UP' }, billing: { status: 'UP' } } })

    billing.state.fail = 'billing unreachable'
    const warn = await call(port, '/readyz')
    expect(warn.status).toBe(200)
    expect(json(warn.body)).toEqual({ status: 'UP', components: { db: { status: 'UP' }, billing: { status: 'UP' } } })

    db.state.fail = 'connect ECONNREFUSED'
    const down = await call(port, '/readyz')
    expect(down.status).toBe(503)
    expect(json(down.body)).toEqual({ status: 'DOWN', components: { db: { status: 'DOWN' }, billing: { status: 'UP' } } })
    // Nothing of the error text without `details`: Actuator's show-details=never, health+json's "reason withheld".
    expect(down.body).not.toContain('ECONNREFUSED')
    expect(down.body).not.toContain('unreachable')
  })

  it('answers OUT_OF_SERVICE/503 while starting and while draining; liveness stays UP', async () => {
    const db = toggle('db')
    const { health, port } = await serve({ readiness: [db.check], format: 'spring' }, false)
    const starting = await call(port, '/readyz')
    expect([starting.status, json(starting.body)]).toEqual([503, { status: 'OUT_OF_SERVICE' }])
    const startup = await call(port, '/startupz')
    expect([startup.status, json(startup.body)]).toEqual([503, { status: 'OUT_OF_SERVICE' }])

    health.markStarted()
    expect((await call(port, '/startupz')).body).toBe('{"status":"UP"}')
    const shutdown = health.shutdown()
    const draining = await call(port, '/readyz')
    expect([draining.status, json(draining.body)]).toEqual([503, { status: 'OUT_OF_SERVICE' }])
    const live = await call(port, '/livez')
    expect([live.status, json(live.body)]).toEqual([200, { status: 'UP' }])
    await shutdown
  })

  it('a per-check path answers as /actuator/health/{component}; details with `details: always`, redacted', async () => {
    const db = toggle('db')
    const { port } = await serve({ readiness: [db.check], format: 'spring', details: 'always' })
    db.state.fail = 'connect to postgres://orders:s3cret@db:5432/orders failed'
    const one = await call(port, '/readyz/db')
    expect(one.status).toBe(503)
    const body = json(one.body) as { status: string; details: Record<string, unknown> }
    expect(body).toEqual({ status: 'DOWN', details: { responseTime: expect.any(Number), error: expect.stringMatching(/^connect to postgres:\/\/orders:.*@db:5432\/orders failed$/) } })
    expect(one.body).not.toContain('s3cret')

    const head = await call(port, '/readyz/db', { method: 'HEAD' })
    expect([head.status, head.body, head.headers['content-type']]).toEqual([503, '', 'application/vnd.spring-boot.actuator.v3+json'])
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(one.body)))
  })

  it('?verbose adds the runtime figures as a `runtime` component', async () => {
    const { port } = await serve({ format: 'spring', runtime: {} })
    const reply = await call(port, '/livez?verbose')
    expect(json(reply.body)).toEqual({
      status: 'UP',
      components: { runtime: { status: 'UP', details: { eventLoopDelayP99: expect.any(Number), gcPauseMax: expect.any(Number), worstPause: expect.any(Number) } } },
    })
  })
})

describe("format: 'terminus'", () => {
  it('ok/200, degraded/200 for a non-critical failure, error/503; messages withheld by default', async () => {
    const db = toggle('db')
    const billing = toggle('billing', { critical: false })
    const { port } = await serve({ readiness: [db.check, billing.check], format: 'terminus' })
    const ok = await call(port, '/readyz')
    expect([ok.status, ok.headers['content-type']]).toEqual([200, 'application/json'])
    const up = { responseTime: expect.any(Number), status: 'up' }
    expect(json(ok.body)).toEqual({ status: 'ok', info: { db: up, billing: up }, error: {}, details: { db: up, billing: up } })

    billing.state.fail = 'billing unreachable'
    db.state.fail = 'connect ECONNREFUSED'
    const error = await call(port, '/readyz')
    expect(error.status).toBe(503)
    const degraded = { message: 'reason withheld', responseTime: expect.any(Number), status: 'degraded' }
    const down = { message: 'reason withheld', responseTime: expect.any(Number), status: 'down' }
    expect(json(error.body)).toEqual({ status: 'error', info: { billing: degraded }, error: { db: down }, details: { db: down, billing: degraded } })

    db.state.fail = undefined
    const warn = await call(port, '/readyz')
    expect([warn.status, (json(warn.body) as { status: string }).status]).toEqual([200, 'degraded'])
  })

  it('shutting_down/503 while draining (as @nestjs/terminus), error/503 while starting', async () => {
    const db = toggle('db')
    const { health, port } = await serve({ readiness: [db.check], format: 'terminus' }, false)
    const starting = await call(port, '/readyz')
    expect([starting.status, json(starting.body)]).toEqual([503, { status: 'error', info: {}, error: {}, details: {} }])
    health.markStarted()
    const shutdown = health.shutdown()
    const draining = await call(port, '/readyz')
    expect([draining.status, json(draining.body)]).toEqual([503, { status: 'shutting_down', info: {}, error: {}, details: {} }])
    await shutdown
  })
})

describe('a format function', () => {
  it('is called once per changed report, not per request (the memo serves the rest), with the disclosed report', async () => {
    const db = toggle('db')
    const seen: Array<{ report: HealthReport; context: FormatContext }> = []
    let results = 0
    const counted = defineCheck({ name: 'counted', kind: 'dependency', cache: 60_000, run: () => void (results += 1) })
    const { port } = await serve({
      readiness: [counted, db.check],
      format: {
        readiness: (report, context) => {
          seen.push({ report, context })
          return { status: report.status === 'fail' ? 500 : 204, headers: { 'X-Health': report.status }, body: '' }
        },
      },
    })
    // `counted` is cached for a minute: its per-check answer stays the same, so the memo serves it.
    const first = await call(port, '/readyz/counted')
    expect([first.status, first.headers['x-health'], first.headers['cache-control'], first.headers['content-type']]).toEqual([204, 'pass', 'no-store', 'text/plain; charset=utf-8'])
    for (let index = 0; index < 5; index += 1) expect((await call(port, '/readyz/counted')).status).toBe(204)
    expect(seen).toHaveLength(1)
    expect(results).toBe(1)
    expect(seen[0]?.context).toEqual({ service: {}, phase: 'running', disclosed: false, check: 'counted' })

    db.state.fail = 'password=hunter2'
    expect((await call(port, '/readyz')).status).toBe(500)
    const last = seen.at(-1)?.report
    expect(last?.checks.find((check) => check.name === 'db')?.output).toBe('reason withheld')
  })

  it('a bad return value is an error to onError and a 500, never a half-written answer', async () => {
    const errors: Error[] = []
    const server = createHealthServer(createHealth({ runtime: false, format: () => ({ status: 42, body: '' }) }), { port: 0, host: '127.0.0.1', onError: (error) => errors.push(error) })
    const { port: other } = (await server.listen()) as AddressInfo
    cleanup.push(() => server.close())
    expect((await call(other, '/livez')).status).toBe(500)
    expect(errors[0]?.message).toEqual(expect.stringMatching(/format function returned a status of 42/))
  })
})

describe('the format option', () => {
  const refuse = (format: unknown): string => {
    try {
      createHealth({ runtime: false, format: format as HealthOptions['format'] })
    } catch (error) {
      expect(isHealthzError(error) && error.code).toBe('INVALID_OPTION')
      return (error as Error).message
    }
    throw new Error('accepted')
  }

  it('refuses an unknown name with a did-you-mean, and an unknown probe key', () => {
    expect(refuse('sprng')).toBe(
      "format must be one of 'health+json', 'terminus', 'spring' or a function (report, context) => ({ status, headers, body }), got \"sprng\". Did you mean 'spring'?",
    )
    expect(refuse('Terminus')).toEqual(expect.stringMatching(/Did you mean 'terminus'\?$/))
    expect(refuse('json')).toEqual(expect.stringMatching(/got "json"\.$/))
    expect(refuse({ readyness: 'spring' })).toEqual(expect.stringMatching(/^format: unknown option "readyness"; did you mean "readiness"\?/))
    expect(refuse({ readiness: 'health-json' })).toEqual(expect.stringMatching(/^format\.readiness must be one of .* Did you mean 'health\+json'\?$/))
    expect(refuse(42)).toEqual(expect.stringMatching(/got 42\.$/))
  })

  it('per probe: each probe answers in its own format, the others in health+json', async () => {
    const { port } = await serve({ format: { readiness: 'spring', startup: 'terminus' } })
    expect((await call(port, '/readyz')).body).toBe('{"status":"UP"}')
    expect((await call(port, '/startupz')).body).toBe('{"status":"ok","info":{},"error":{},"details":{}}')
    const live = await call(port, '/livez')
    expect([live.headers['content-type'], json(live.body)]).toEqual(['application/health+json', { status: 'pass' }])
  })
})

describe('no format shows more than health+json', () => {
  it('with details never, no body holds error text; with a details function, only the allowed request sees it, redacted', async () => {
    for (const format of ['health+json', 'terminus', 'spring'] as const) {
      const db = toggle('db')
      db.state.fail = 'auth failed for postgres://app:s3cret@db/orders (password=s3cret)'
      const { port } = await serve({ readiness: [db.check], format, details: (request) => request.headers?.['x-token'] === 't' })
      const anonymous = await call(port, '/readyz')
      expect(anonymous.status).toBe(503)
      expect(anonymous.body).not.toContain('auth failed')
      const allowed = await call(port, '/readyz', { headers: { 'x-token': 't' } })
      expect(allowed.body).toContain('auth failed')
      expect(allowed.body).not.toContain('s3cret')
    }
  })
})
