// The names @healthz/otel publishes: the meter and tracer name, every instrument and every
// attribute. Public API, listed in docs/otel.md: renaming one is a breaking change and needs a
// changeset. Attribute names follow the OTel style (dotted namespaces, snake_case words).

/** The name of the meter and of the tracer @healthz/otel creates (for Views and sampling rules). */
export const INSTRUMENTATION_NAME = '@healthz/otel'

/**
 * Every instrument's name. The status instruments follow the semantic conventions' status-metric
 * pattern ("How to write conventions: State Metrics", open-telemetry/semantic-conventions#2472):
 * a metric named `*.status`, one series per possible value of a `*.state` attribute, 1 for the
 * current state and 0 for the others, as an observable UpDownCounter.
 */
export const METRICS = Object.freeze({
  checkStatus: 'healthz.check.status',
  checkDuration: 'healthz.check.duration',
  checkRuns: 'healthz.check.runs',
  checkTimeouts: 'healthz.check.timeouts',
  checkCacheHits: 'healthz.check.cache.hits',
  probeRequests: 'healthz.probe.requests',
  probeStatus: 'healthz.probe.status',
  started: 'healthz.started',
  shutdownStatus: 'healthz.shutdown.status',
  eventLoopDelayP99: 'healthz.runtime.event_loop.delay.p99',
  eventLoopDelayMax: 'healthz.runtime.event_loop.delay.max',
  worstPause: 'healthz.runtime.pause.worst',
} as const)

/** Every attribute's name, on metrics and on spans. */
export const ATTRIBUTES = Object.freeze({
  checkName: 'healthz.check.name',
  checkKind: 'healthz.check.kind',
  checkState: 'healthz.check.state',
  checkResult: 'healthz.check.result',
  checkTrigger: 'healthz.check.trigger',
  checkTimeout: 'healthz.check.timeout',
  checkTimedOut: 'healthz.check.timed_out',
  checkCritical: 'healthz.check.critical',
  probe: 'healthz.probe',
  probeState: 'healthz.probe.state',
  probeFastPath: 'healthz.probe.fast_path',
  shutdownPhase: 'healthz.shutdown.phase',
  httpMethod: 'http.request.method',
  httpStatusCode: 'http.response.status_code',
  errorType: 'error.type',
} as const)
