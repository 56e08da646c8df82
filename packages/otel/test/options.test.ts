// registerHealthInstruments refuses a misconfiguration at the call, in plain JavaScript too,
// with core's one validator (unknown keys get a "did you mean").
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import { registerHealthInstruments } from '@healthz/otel'
import type { HealthInstrumentsOptions } from '@healthz/otel'
import { metricsHarness, tracingHarness } from './sdk.js'

const health = createHealth({ runtime: false, shutdown: { signals: false } })
afterEach(() => health.close())

/** Calls it the way plain JavaScript may, past the types. */
const register = (options: unknown, target: unknown = health): (() => void) =>
  registerHealthInstruments(target as typeof health, options as HealthInstrumentsOptions)

describe('registerHealthInstruments options', () => {
  it('refuses a misspelled option with a suggestion', () => {
    expect(() => register({ meterprovider: metricsHarness().meterProvider })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/unknown option "meterprovider"; did you mean "meterProvider"\?/) }),
    )
  })

  it.each([
    ['a meterProvider without getMeter', { meterProvider: {} }, /meterProvider must be a MeterProvider \(an object with getMeter\(\)\), got \{\}/],
    ['a tracer name instead of a tracer', { tracer: 'orders' }, /tracer must be a Tracer .* got "orders"/],
    ['a number as tracerProvider', { tracerProvider: 42 }, /tracerProvider must be a TracerProvider .* got 42/],
    ['both tracer and tracerProvider', { tracer: tracingHarness().tracerProvider.getTracer('x'), tracerProvider: tracingHarness().tracerProvider }, /either tracer or tracerProvider, not both/],
    ['a string as metrics', { metrics: 'yes' }, /metrics must be true or false, got "yes"/],
    ['decreasing buckets', { durationBuckets: [0.1, 0.05] }, /durationBuckets must be increasing/],
    ['no buckets', { durationBuckets: [] }, /durationBuckets must be increasing/],
    ['a negative bucket', { durationBuckets: [-1, 1] }, /durationBuckets must be increasing/],
    ['null', null, /expects an options object, got null/],
  ])('refuses %s', (_label, options, message) => {
    expect(() => register(options)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(message) }))
  })

  it('refuses something that is not a health object', () => {
    expect(() => register({}, { name: 'orders' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/expects a health object from createHealth\(\)/) }))
  })

  it('takes its own bucket boundaries as advice to the SDK', async () => {
    const otel = metricsHarness()
    const withCheck = createHealth({ liveness: [defineCheck({ name: 'loop', kind: 'process', run() {} })], runtime: false, shutdown: { signals: false } })
    const unregister = register({ meterProvider: otel.meterProvider, durationBuckets: [0.1, 1] }, withCheck)
    withCheck.markStarted()
    await withCheck.probe('liveness')
    const metrics = await otel.collect()
    unregister()
    withCheck.close()
    await otel.shutdown()
    const [point] = metrics.find((metric) => metric.descriptor.name === 'healthz.check.duration')?.dataPoints ?? []
    expect((point?.value as { buckets?: { boundaries: number[] } } | undefined)?.buckets?.boundaries).toEqual([0.1, 1])
  })
})
