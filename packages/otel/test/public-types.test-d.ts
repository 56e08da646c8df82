// The option and return types users write against: OpenTelemetry's own interfaces, no `any`.
import type { MeterProvider, Tracer, TracerProvider } from '@opentelemetry/api'
import type { Health } from '@healthz/core'
import { ATTRIBUTES, METRICS, registerHealthInstruments } from '@healthz/otel'
import type { HealthInstrumentsOptions } from '@healthz/otel'
import { describe, expectTypeOf, test } from 'vitest'

const accepts = <T>(value: T): T => value
declare const health: Health
declare const meterProvider: MeterProvider
declare const tracer: Tracer
declare const tracerProvider: TracerProvider

describe('@healthz/otel', () => {
  test('options: all optional, typed with the OpenTelemetry API interfaces', () => {
    accepts<HealthInstrumentsOptions>({})
    accepts<HealthInstrumentsOptions>({ meterProvider, tracer, metrics: false, durationBuckets: [0.1, 1] })
    accepts<HealthInstrumentsOptions>({ tracerProvider })
    expectTypeOf<HealthInstrumentsOptions['meterProvider']>().toEqualTypeOf<MeterProvider | undefined>()
    expectTypeOf<HealthInstrumentsOptions['tracer']>().toEqualTypeOf<Tracer | undefined>()
    // @ts-expect-error a misspelt option
    accepts<HealthInstrumentsOptions>({ meterprovider: meterProvider })
    // @ts-expect-error a tracer name is not a tracer
    accepts<HealthInstrumentsOptions>({ tracer: 'orders' })
  })

  test('returns the function that unregisters; the names are literal types', () => {
    expectTypeOf(registerHealthInstruments(health)).toEqualTypeOf<() => void>()
    expectTypeOf(METRICS.checkStatus).toEqualTypeOf<'healthz.check.status'>()
    expectTypeOf(ATTRIBUTES.checkState).toEqualTypeOf<'healthz.check.state'>()
  })
})
