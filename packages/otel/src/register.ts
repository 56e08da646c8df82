// registerHealthInstruments: the one call that connects a health object to OpenTelemetry. It
// validates the options, creates the instruments and subscribes to core's diagnostics channels;
// the function it returns undoes all of it.
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import { context, diag, metrics } from '@opentelemetry/api'
import type { MeterProvider, Tracer, TracerProvider } from '@opentelemetry/api'
import { assertKnownOptions, describeValue, HEALTHZ_CHANNELS, HealthzError, optionKeys } from '@healthz/core'
import type { CheckCacheHitMessage, CheckRunMessage, Health, ProbeResponseMessage } from '@healthz/core'
import { createMetrics, DEFAULT_DURATION_BUCKETS } from './metrics.js'
import type { MetricHandlers } from './metrics.js'
import { INSTRUMENTATION_NAME } from './names.js'
import { ActiveSpanStore, createSpans } from './spans.js'
import type { SpanHandlers } from './spans.js'

/** Options of {@link registerHealthInstruments}. */
export interface HealthInstrumentsOptions {
  /**
   * Where the metric instruments are created (a meter named `@healthz/otel`).
   * @default the global meter provider, `metrics.getMeterProvider()` (a no-op until an SDK registers one)
   */
  meterProvider?: MeterProvider
  /** `false`: no metric instruments, only spans. @default true */
  metrics?: boolean
  /**
   * The tracer that records a span per check run. Without `tracer` or `tracerProvider`, no
   * spans are made (the global tracer provider is not used unless you pass it).
   * @default undefined (no spans)
   */
  tracer?: Tracer
  /** A tracer provider to take the tracer from (named `@healthz/otel`); the alternative to `tracer`. @default undefined (no spans) */
  tracerProvider?: TracerProvider
  /**
   * Bucket boundaries of the `healthz.check.duration` histogram, in seconds, increasing. Given
   * as advice: a View the application registers takes precedence.
   * @default [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.4, 0.5, 0.75, 1, 2.5, 5, 10]
   */
  durationBuckets?: readonly number[]
}

const KEYS = optionKeys<HealthInstrumentsOptions>({ meterProvider: true, metrics: true, tracer: true, tracerProvider: true, durationBuckets: true })
const WHERE = 'registerHealthInstruments'

/**
 * Publishes a health object's facts through OpenTelemetry: check and probe status, check
 * durations, runs, timeouts and cache hits, probe requests, the startup gate, the shutdown phase
 * and the runtime monitor's pauses as metrics, and (with a tracer) one span per check run.
 * Status values are read from the last results when the SDK collects: a collection never runs
 * a check. Until this is called, core publishes nothing, so probes cost what they did.
 *
 * @param health - the health object to observe (events of other health objects are ignored)
 * @returns a function that removes the collection callback and the channel subscriptions
 * @throws {HealthzError} `INVALID_OPTION` for an unknown option (with a "did you mean") or a wrong value.
 * @see docs/otel.md for every instrument, attribute and unit.
 * @example
 * ```ts
 * const unregister = registerHealthInstruments(health, { meterProvider, tracer: trace.getTracer('orders') })
 * health.onShutdown(unregister)
 * ```
 */
export function registerHealthInstruments(health: Health, options: HealthInstrumentsOptions = {}): () => void {
  assertKnownOptions(options, KEYS, WHERE)
  if (typeof health !== 'object' || health === null || typeof (health as Partial<Health>).probe !== 'function') {
    throw new HealthzError(`${WHERE} expects a health object from createHealth(), got ${describeValue(health)}.`, { code: 'INVALID_OPTION' })
  }
  const { meterProvider, tracer, tracerProvider } = options
  requireMethod(meterProvider, 'getMeter', 'meterProvider', 'a MeterProvider')
  requireMethod(tracer, 'startSpan', 'tracer', 'a Tracer')
  requireMethod(tracerProvider, 'getTracer', 'tracerProvider', 'a TracerProvider')
  if (tracer !== undefined && tracerProvider !== undefined) {
    throw new HealthzError(`${WHERE}: give either tracer or tracerProvider, not both.`, { code: 'INVALID_OPTION' })
  }
  if (options.metrics !== undefined && typeof options.metrics !== 'boolean') {
    throw new HealthzError(`${WHERE}: metrics must be true or false, got ${describeValue(options.metrics)}.`, { code: 'INVALID_OPTION' })
  }
  const buckets = bucketsOption(options.durationBuckets)

  const metricHandlers: MetricHandlers | undefined =
    options.metrics === false ? undefined : createMetrics((meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_NAME), health, buckets)
  const spanHandlers: SpanHandlers | undefined =
    tracer !== undefined ? createSpans(tracer) : tracerProvider !== undefined ? createSpans(tracerProvider.getTracer(INSTRUMENTATION_NAME)) : undefined

  const mine = (message: unknown): boolean => (message as { health?: unknown }).health === health
  const run = tracingChannel<unknown, CheckRunMessage>(HEALTHZ_CHANNELS.check)
  const runHandlers = {
    start() {},
    end() {},
    asyncStart() {},
    asyncEnd(message: CheckRunMessage) {
      if (!mine(message)) return
      guarded(() => metricHandlers?.onRun(message))
      guarded(() => spanHandlers?.onEnd(message))
    },
    error() {},
  }
  const onCacheHit = (message: unknown): void => {
    if (mine(message)) guarded(() => metricHandlers?.onCacheHit(message as CheckCacheHitMessage))
  }
  const onProbeResponse = (message: unknown): void => {
    if (mine(message)) guarded(() => metricHandlers?.onProbeResponse(message as ProbeResponseMessage))
  }
  const listensToRuns = metricHandlers !== undefined || spanHandlers !== undefined
  if (listensToRuns) run.subscribe(runHandlers)
  // The span starts in the store's transform, so it is the active context of the check function.
  const store = spanHandlers === undefined ? undefined : new ActiveSpanStore()
  if (store !== undefined) {
    run.start.bindStore(store, (message) => (mine(message) ? (guarded(() => (spanHandlers as SpanHandlers).onStart(message)) ?? context.active()) : context.active()))
  }
  if (metricHandlers !== undefined) {
    subscribe(HEALTHZ_CHANNELS.cacheHit, onCacheHit)
    subscribe(HEALTHZ_CHANNELS.probeResponse, onProbeResponse)
  }

  let registered = true
  return function unregisterHealthInstruments() {
    if (!registered) return
    registered = false
    if (listensToRuns) run.unsubscribe(runHandlers)
    if (store !== undefined) run.start.unbindStore(store)
    if (metricHandlers !== undefined) {
      unsubscribe(HEALTHZ_CHANNELS.cacheHit, onCacheHit)
      unsubscribe(HEALTHZ_CHANNELS.probeResponse, onProbeResponse)
      metricHandlers.dispose()
    }
  }
}

/**
 * Runs a handler called from a diagnostics channel. Node rethrows a subscriber's error as an
 * uncaught exception, so an SDK, exporter or tracer that throws would crash the process; its
 * error goes to OpenTelemetry's diag logger instead, as the API's own errors do.
 */
function guarded<T>(handler: () => T): T | undefined {
  try {
    return handler()
  } catch (error) {
    diag.error('@healthz/otel: recording a health event failed', error)
    return undefined
  }
}

function requireMethod(value: unknown, method: string, what: string, expected: string): void {
  if (value === undefined) return
  if (typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[method] === 'function') return
  throw new HealthzError(`${WHERE}: ${what} must be ${expected} (an object with ${method}()), got ${describeValue(value)}.`, { code: 'INVALID_OPTION' })
}

function bucketsOption(value: unknown): readonly number[] {
  if (value === undefined) return DEFAULT_DURATION_BUCKETS
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((bound, index) => typeof bound === 'number' && Number.isFinite(bound) && bound >= 0 && (index === 0 || bound > (value[index - 1] as number)))
  if (!ok) throw new HealthzError(`${WHERE}: durationBuckets must be increasing finite numbers of seconds ≥ 0, got ${describeValue(value)}.`, { code: 'INVALID_OPTION' })
  return value as readonly number[]
}
