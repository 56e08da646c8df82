// @healthz/prometheus: registerHealthMetrics, the one call that puts a health object's metrics on
// a prom-client registry (options checked here; the metrics themselves live in metrics.ts).
import { assertKnownOptions, describeValue, HealthzError, optionKeys } from '@healthz/core'
import type { Health } from '@healthz/core'
import { register } from 'prom-client'
import type { Registry } from 'prom-client'
import type { MetricSettings } from './metrics.js'
import { METRIC_NAMES, RegistryMetrics } from './metrics.js'

/** Options of {@link registerHealthMetrics}. */
export interface HealthMetricsOptions {
  /** The prom-client registry the metrics go on. @default prom-client's default `register` */
  registry?: Registry
  /**
   * The `service` label of this health object's series. Two health objects on one registry
   * need different values.
   * @default the health object's `service.name`, else `''`
   */
  service?: string
  /**
   * Adds a gauge in the style of prometheus-net's `aspnetcore_healthcheck_status` (1 pass,
   * 0.5 warn, 0 fail, label `name`), so dashboards built for it keep working: `true` names it
   * `healthz_healthcheck_status`, a string names it (e.g. `'aspnetcore_healthcheck_status'`).
   * @default false
   */
  compatibilityGauge?: boolean | string
  /**
   * The buckets of `healthz_check_duration_seconds`, in seconds, increasing.
   * @default DEFAULT_DURATION_BUCKETS
   */
  durationBuckets?: readonly number[]
}

/**
 * The default buckets of `healthz_check_duration_seconds`, in seconds: fine below the default
 * 500 ms deadline (0.4 marks a run at 80% of it) and on past it to 10 s, for checks given
 * longer deadlines.
 */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.4, 0.5, 0.75, 1, 2.5, 5, 10])

/** The name `compatibilityGauge: true` gives the 0 / 0.5 / 1 gauge. */
export const COMPATIBILITY_GAUGE_NAME = 'healthz_healthcheck_status'

const KEYS = optionKeys<HealthMetricsOptions>({ registry: true, service: true, compatibilityGauge: true, durationBuckets: true })
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const byRegistry = new WeakMap<Registry, RegistryMetrics>()

/**
 * Registers the metrics of a health object on a prom-client registry: check and probe status,
 * the startup gate and the shutdown phase read from `health.snapshot()` at scrape time (a
 * scrape never runs a check), and check durations, runs, timeouts, cache hits and probe
 * requests counted from core's diagnostics channels. Every series has a `service` label, so
 * several health objects can share a registry. Returns the function that unregisters them.
 *
 * @throws {HealthzError} `INVALID_OPTION` for an unknown option, a wrong value, a health object
 * already registered on this registry, or a second one with the same `service` label.
 * @see docs/metrics.md for every metric, its labels and meaning.
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { register } from 'prom-client'
 * import { registerHealthMetrics } from '@healthz/prometheus'
 *
 * const unregister = registerHealthMetrics(health) // on prom-client's default registry
 * createServer(async (request, response) => {
 *   response.setHeader('content-type', register.contentType)
 *   response.end(await register.metrics())
 * }).listen(9464)
 * ```
 */
export function registerHealthMetrics(health: Health, options: HealthMetricsOptions = {}): () => void {
  assertKnownOptions(options, KEYS, 'registerHealthMetrics')
  if (typeof health !== 'object' || health === null || typeof (health as Partial<Health>).snapshot !== 'function') {
    throw new HealthzError(`registerHealthMetrics expects a health object from createHealth() (@healthz/core 0.x with snapshot()), got ${describeValue(health)}.`, { code: 'INVALID_OPTION' })
  }
  const registry = registryOption(options.registry)
  const service = options.service ?? health.snapshot().service.name ?? ''
  if (typeof service !== 'string') throw new HealthzError(`registerHealthMetrics: service must be a string, got ${describeValue(service)}.`, { code: 'INVALID_OPTION' })
  const settings: MetricSettings = { buckets: bucketsOption(options.durationBuckets), compatibilityGauge: compatibilityOption(options.compatibilityGauge) }
  let metrics = byRegistry.get(registry)
  if (metrics === undefined) {
    for (const name of [...METRIC_NAMES, ...(settings.compatibilityGauge === undefined ? [] : [settings.compatibilityGauge])]) {
      if (registry.getSingleMetric(name) !== undefined) {
        throw new HealthzError(`registerHealthMetrics: the registry already has a metric named ${name} (another copy of @healthz/prometheus, or a metric of your own); use another registry.`, { code: 'INVALID_OPTION' })
      }
    }
    metrics = new RegistryMetrics(registry, settings)
    byRegistry.set(registry, metrics)
  } else {
    assertSameSettings(metrics.settings, settings)
    if (metrics.tallies.has(health)) throw new HealthzError('registerHealthMetrics: this health object is already registered on this registry; call the function the first registration returned to unregister it.', { code: 'INVALID_OPTION' })
    for (const tally of metrics.tallies.values()) {
      if (tally.service === service) {
        throw new HealthzError(`registerHealthMetrics: another health object on this registry already has the service label ${describeValue(service)}; pass { service } to tell them apart.`, { code: 'INVALID_OPTION' })
      }
    }
  }
  metrics.add(health, service)
  const owner = metrics
  let registered = true
  return function unregisterHealthMetrics(): void {
    if (!registered) return
    registered = false
    if (owner.remove(health)) {
      owner.dispose()
      byRegistry.delete(registry)
    }
  }
}

function registryOption(value: unknown): Registry {
  if (value === undefined) return register
  const candidate = value as Partial<Registry> | null
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.registerMetric !== 'function' || typeof candidate.getSingleMetric !== 'function') {
    throw new HealthzError(`registerHealthMetrics: registry must be a prom-client Registry (new Registry(), or register), got ${describeValue(value)}.`, { code: 'INVALID_OPTION' })
  }
  return value as Registry
}

function bucketsOption(value: unknown): readonly number[] {
  if (value === undefined) return DEFAULT_DURATION_BUCKETS
  const ok = Array.isArray(value) && value.length > 0 && value.every((bucket, index) => typeof bucket === 'number' && Number.isFinite(bucket) && bucket > 0 && (index === 0 || bucket > (value[index - 1] as number)))
  if (!ok) throw new HealthzError(`registerHealthMetrics: durationBuckets must be increasing numbers of seconds above 0, like [0.1, 0.5, 1]; got ${describeValue(value)}.`, { code: 'INVALID_OPTION' })
  return Object.freeze([...(value as number[])])
}

function compatibilityOption(value: unknown): string | undefined {
  if (value === undefined || value === false) return undefined
  if (value === true) return COMPATIBILITY_GAUGE_NAME
  if (typeof value === 'string' && METRIC_NAME.test(value) && !(METRIC_NAMES as readonly string[]).includes(value)) return value
  throw new HealthzError(
    `registerHealthMetrics: compatibilityGauge must be true, false or a metric name (letters, digits, _ and :, not one of healthz's own), like 'aspnetcore_healthcheck_status'; got ${describeValue(value)}.`,
    { code: 'INVALID_OPTION' },
  )
}

function assertSameSettings(first: MetricSettings, now: MetricSettings): void {
  if (first.compatibilityGauge !== now.compatibilityGauge || first.buckets.join() !== now.buckets.join()) {
    throw new HealthzError(
      'registerHealthMetrics: compatibilityGauge and durationBuckets are fixed by the first health object registered on a registry, and this one asks for others; pass the same values, or use another registry.',
      { code: 'INVALID_OPTION' },
    )
  }
}
