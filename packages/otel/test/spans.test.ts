// Spans for check runs against the real OpenTelemetry SDK (sdk-trace-base, in-memory span
// exporter, the AsyncLocalStorage context manager): one span per run, in the trace of the
// request that needed it, with its deadline and its result.
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { diag, DiagLogLevel, SpanStatusCode, trace } from '@opentelemetry/api'
import type { MeterProvider, Tracer } from '@opentelemetry/api'
import { createHealth, defineCheck } from '@healthz/core'
import type { CheckStatus } from '@healthz/core'
import { registerHealthInstruments } from '@healthz/otel'
import { tracingHarness, useContextManager } from './sdk.js'

beforeAll(useContextManager)
const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function setup(checks: { status: CheckStatus | 'hang' }, timeout = 500) {
  const check = defineCheck({
    name: 'postgres',
    timeout,
    cache: 0,
    run: ({ signal }) => {
      if (checks.status === 'hang') return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))
      if (checks.status === 'fail') throw Object.assign(new Error('connect ECONNREFUSED postgres://app:hunter2@db:5432/orders'), { code: 'ECONNREFUSED' })
      return { status: checks.status }
    },
  })
  const health = createHealth({ readiness: [check], runtime: false, shutdown: { signals: false } })
  health.markStarted()
  const { tracerProvider, exporter } = tracingHarness()
  const unregister = registerHealthInstruments(health, { tracerProvider, metrics: false })
  cleanups.push(() => health.close(), unregister, () => tracerProvider.shutdown())
  return { health, exporter, tracer: tracerProvider.getTracer('app') }
}

describe('spans for check runs', () => {
  it('records one span per run with the check, its trigger, kind and deadline, in the trace of the request', async () => {
    const { health, exporter, tracer } = setup({ status: 'pass' })
    await tracer.startActiveSpan('GET /readyz', async (request) => {
      await health.handle({ path: '/readyz' })
      request.end()
    })
    const spans = exporter.getFinishedSpans()
    const run = spans.find((span) => span.name === 'healthz.check postgres')
    const request = spans.find((span) => span.name === 'GET /readyz')
    expect(spans).toHaveLength(2)
    expect(run?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId)
    expect(run?.spanContext().traceId).toBe(request?.spanContext().traceId)
    expect(run?.instrumentationScope.name).toBe('@healthz/otel')
    expect(run?.attributes).toEqual({
      'healthz.check.name': 'postgres',
      'healthz.check.kind': 'dependency',
      'healthz.check.critical': true,
      'healthz.check.trigger': 'readiness',
      'healthz.check.timeout': 0.5,
      'healthz.check.result': 'pass',
      'healthz.check.timed_out': false,
    })
    expect(run?.status.code).toBe(SpanStatusCode.UNSET)
  })

  it('makes one span for concurrent probes that share a run, in the trace of the request that started it', async () => {
    const { health, exporter, tracer } = setup({ status: 'pass' })
    const request = (name: string) =>
      tracer.startActiveSpan(name, async (span) => {
        await health.handle({ path: '/readyz' })
        span.end()
        return span.spanContext().traceId
      })
    const [first] = await Promise.all([request('first'), request('second')])
    const runs = exporter.getFinishedSpans().filter((span) => span.name === 'healthz.check postgres')
    expect(runs).toHaveLength(1)
    expect(runs[0]?.spanContext().traceId).toBe(first)
  })

  it('is the active span while the check runs, so the spans of its own client calls are its children', async () => {
    const { tracerProvider, exporter } = tracingHarness()
    const client = tracerProvider.getTracer('pg')
    const check = defineCheck({
      name: 'postgres',
      cache: 0,
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5))
        client.startActiveSpan('SELECT 1', (query) => query.end())
      },
    })
    const health = createHealth({ readiness: [check], runtime: false, shutdown: { signals: false } })
    health.markStarted()
    const unregister = registerHealthInstruments(health, { tracerProvider, metrics: false })
    cleanups.push(() => health.close(), unregister)
    await health.probe('readiness')
    const run = exporter.getFinishedSpans().find((span) => span.name === 'healthz.check postgres')
    const query = exporter.getFinishedSpans().find((span) => span.name === 'SELECT 1')
    expect(query?.parentSpanContext?.spanId).toBe(run?.spanContext().spanId)

    // Unregistered: no more spans.
    unregister()
    exporter.reset()
    await health.probe('readiness')
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['SELECT 1'])
  })

  it('starts a root span when no context is active', async () => {
    const { health, exporter } = setup({ status: 'pass' })
    expect(trace.getActiveSpan()).toBeUndefined()
    await health.probe('readiness')
    const [run] = exporter.getFinishedSpans()
    expect(run?.name).toBe('healthz.check postgres')
    expect(run?.parentSpanContext).toBeUndefined()
  })

  it('marks a failed run as an error, with its error text redacted', async () => {
    const { health, exporter } = setup({ status: 'fail' })
    await health.probe('readiness')
    const [run] = exporter.getFinishedSpans()
    expect(run?.status.code).toBe(SpanStatusCode.ERROR)
    expect(run?.status.message).toEqual(expect.stringMatching(/ECONNREFUSED/))
    expect(run?.status.message).not.toContain('hunter2')
    expect(run?.attributes).toMatchObject({ 'healthz.check.result': 'fail', 'healthz.check.timed_out': false, 'error.type': 'ECONNREFUSED' })
  })

  it('ends a run that misses its deadline at the deadline, as a timeout error', async () => {
    const { health, exporter } = setup({ status: 'hang' }, 40)
    await health.probe('readiness')
    const [run] = exporter.getFinishedSpans()
    expect(run?.status.code).toBe(SpanStatusCode.ERROR)
    expect(run?.attributes).toMatchObject({ 'healthz.check.result': 'fail', 'healthz.check.timed_out': true, 'error.type': 'timeout', 'healthz.check.timeout': 0.04 })
    const [seconds, nanos] = run?.duration ?? [0, 0]
    const ms = seconds * 1000 + nanos / 1e6
    expect(ms).toBeGreaterThanOrEqual(35)
    expect(ms).toBeLessThan(1000)
  })

  it('makes no span when neither tracer nor tracerProvider is given', async () => {
    const { tracerProvider, exporter } = tracingHarness()
    trace.setGlobalTracerProvider(tracerProvider)
    cleanups.push(() => trace.disable())
    const health = createHealth({ readiness: [defineCheck({ name: 'db', run() {} })], runtime: false, shutdown: { signals: false } })
    const unregister = registerHealthInstruments(health)
    cleanups.push(() => health.close(), unregister)
    health.markStarted()
    await health.probe('readiness')
    expect(exporter.getFinishedSpans()).toEqual([])
  })

  it('takes a tracer as well as a tracer provider', async () => {
    const { tracerProvider, exporter } = tracingHarness()
    const health = createHealth({ readiness: [defineCheck({ name: 'db', run() {} })], runtime: false, shutdown: { signals: false } })
    const unregister = registerHealthInstruments(health, { tracer: tracerProvider.getTracer('orders'), metrics: false })
    cleanups.push(() => health.close(), unregister)
    health.markStarted()
    await health.probe('readiness')
    expect(exporter.getFinishedSpans().map((span) => [span.name, span.instrumentationScope.name])).toEqual([['healthz.check db', 'orders']])
  })
})

describe('a tracer or meter that throws', () => {
  it('never crashes the process nor fails the probe: the error goes to OTel\'s diag logger', async () => {
    const uncaught: unknown[] = []
    const onUncaught = (error: unknown): void => void uncaught.push(error)
    process.on('uncaughtException', onUncaught)
    const logged: unknown[] = []
    diag.setLogger({ error: (...args: unknown[]) => void logged.push(args), warn() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.ERROR)
    const broken = (): never => {
      throw new Error('exporter bug')
    }
    const tracer = { startSpan: broken, startActiveSpan: broken } as unknown as Tracer
    const instrument = { add: broken, record: broken, addCallback() {}, removeCallback() {} }
    const meter = new Proxy({}, { get: (_target, name) => (name === 'addBatchObservableCallback' || name === 'removeBatchObservableCallback' ? () => undefined : () => instrument) })
    const meterProvider = { getMeter: () => meter } as unknown as MeterProvider
    const check = defineCheck({ name: 'postgres', cache: 0, run: () => undefined })
    const health = createHealth({ readiness: [check], runtime: false, shutdown: { signals: false } })
    health.markStarted()
    const unregister = registerHealthInstruments(health, { tracer, meterProvider })
    cleanups.push(() => health.close(), unregister, () => process.off('uncaughtException', onUncaught), () => diag.disable())
    const response = await health.handle({ path: '/readyz' })
    expect(response?.status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(uncaught).toEqual([])
    expect(logged.length).toBeGreaterThan(0)
  })
})
