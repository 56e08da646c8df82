import { trace } from '@opentelemetry/api'
import { registerHealthInstruments } from '@healthz/otel'
import { health } from './health.js'

// With the SDK registered globally (e.g. by NodeSDK), metrics go to the global meter provider;
// spans need a tracer (or tracerProvider) to be passed.
registerHealthInstruments(health, { tracer: trace.getTracer('orders') })
