// @healthz/otel: a health object's facts through the OpenTelemetry metrics API, and optional
// spans for check runs. See docs/otel.md for every instrument and attribute.
export { registerHealthInstruments } from './register.js'
export { DEFAULT_DURATION_BUCKETS } from './metrics.js'
export { ATTRIBUTES, INSTRUMENTATION_NAME, METRICS } from './names.js'

export type { HealthInstrumentsOptions } from './register.js'
