// The types users write against: registerHealthMetrics and its options. Run by vitest's typecheck.
import type { Health } from '@healthz/core'
import { COMPATIBILITY_GAUGE_NAME, DEFAULT_DURATION_BUCKETS, registerHealthMetrics } from '@healthz/prometheus'
import type { HealthMetricsOptions } from '@healthz/prometheus'
import { Registry } from 'prom-client'
import { describe, expectTypeOf, test } from 'vitest'

const accepts = <T>(value: T): T => value

describe('registerHealthMetrics', () => {
  test('takes a health object and options, returns the unregister function', () => {
    expectTypeOf(registerHealthMetrics).parameter(0).toEqualTypeOf<Health>()
    expectTypeOf(registerHealthMetrics).parameter(1).toEqualTypeOf<HealthMetricsOptions | undefined>()
    expectTypeOf(registerHealthMetrics).returns.toEqualTypeOf<() => void>()
  })

  test('options', () => {
    accepts<HealthMetricsOptions>({})
    accepts<HealthMetricsOptions>({ registry: new Registry(), service: 'orders', compatibilityGauge: 'aspnetcore_healthcheck_status', durationBuckets: [0.1, 0.5, 1] })
    accepts<HealthMetricsOptions>({ compatibilityGauge: true })
    // @ts-expect-error: misspelled
    accepts<HealthMetricsOptions>({ registery: new Registry() })
    // @ts-expect-error: a label value is a string
    accepts<HealthMetricsOptions>({ service: 42 })
    expectTypeOf(DEFAULT_DURATION_BUCKETS).toEqualTypeOf<readonly number[]>()
    expectTypeOf(COMPATIBILITY_GAUGE_NAME).toEqualTypeOf<'healthz_healthcheck_status'>()
  })
})
