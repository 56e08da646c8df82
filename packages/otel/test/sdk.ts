// The real OpenTelemetry SDK for the tests: a MeterProvider whose reader exports to the in-memory
// exporter on demand, and a BasicTracerProvider with the in-memory span exporter. Helpers read the
// exported points by instrument name and attributes.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { context } from '@opentelemetry/api'
import type { Attributes } from '@opentelemetry/api'
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import type { MetricData } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'

/** Registers the AsyncLocalStorage context manager once, so spans see the active context. */
let contextManager: AsyncLocalStorageContextManager | undefined
export function useContextManager(): void {
  if (contextManager !== undefined) return
  contextManager = new AsyncLocalStorageContextManager().enable()
  context.setGlobalContextManager(contextManager)
}

export interface MetricsHarness {
  meterProvider: MeterProvider
  /** Exports once and returns every metric of that export. */
  collect(): Promise<MetricData[]>
  shutdown(): Promise<void>
}

export function metricsHarness(): MetricsHarness {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  // A long interval: the tests export with forceFlush, never on the timer.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  return {
    meterProvider,
    async collect() {
      exporter.reset()
      await reader.forceFlush()
      return exporter.getMetrics().flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
    },
    shutdown: () => meterProvider.shutdown(),
  }
}

/** The points of one instrument, each as its attributes and value (a histogram point gives its count and sum). */
export function points(metrics: readonly MetricData[], name: string): { attributes: Attributes; value: number; sum?: number }[] {
  const metric = metrics.find((candidate) => candidate.descriptor.name === name)
  if (metric === undefined) return []
  return metric.dataPoints.map((point) => {
    const value = point.value as number | { count: number; sum?: number }
    if (metric.dataPointType === DataPointType.HISTOGRAM && typeof value === 'object') return { attributes: point.attributes, value: value.count, sum: value.sum }
    return { attributes: point.attributes, value: value as number }
  })
}

/** The value of the point of `name` whose attributes include `match`; undefined when none. */
export function value(metrics: readonly MetricData[], name: string, match: Attributes = {}): number | undefined {
  return points(metrics, name).find((point) => Object.entries(match).every(([key, expected]) => point.attributes[key] === expected))?.value
}

export function descriptor(metrics: readonly MetricData[], name: string): MetricData['descriptor'] | undefined {
  return metrics.find((candidate) => candidate.descriptor.name === name)?.descriptor
}

export function tracingHarness(): { tracerProvider: BasicTracerProvider; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  return { tracerProvider, exporter }
}
