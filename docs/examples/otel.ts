// otel.ts: a health object's metrics and check-run spans through the OpenTelemetry SDK.
import { trace } from '@opentelemetry/api'
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { registerHealthInstruments } from '@healthz/otel'
import { health } from './health.js'

// Your SDK setup: any reader and exporter (OTLP, Prometheus, console) works the same way.
const meterProvider = new MeterProvider({
  readers: [new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: 15_000 })],
})
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] })
trace.setGlobalTracerProvider(tracerProvider)

// Metrics on meterProvider; one span per check run from tracerProvider (no tracer given: no spans).
const unregister = registerHealthInstruments(health, { meterProvider, tracerProvider })

health.onShutdown(async () => {
  unregister()
  await meterProvider.shutdown()
  await tracerProvider.shutdown()
})
