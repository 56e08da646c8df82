// @healthz/core: probe semantics, checks, caching, deadlines and health+json rendering.
export { defineCheck, isCheckDefinition, CHECK_STATUSES, DEFAULT_TIMEOUT, DEFAULT_DEPENDENCY_CACHE } from './check.js'
export { SHUTDOWN_PHASES } from './shutdown.js'
export { assertHealth, createHealth } from './health.js'
export { HEALTHZ_CHANNELS } from './events.js'
export { resolveProbePaths } from './routes.js'
export { runCheck } from './run.js'
export { toHealthJson, WITHHELD } from './report.js'
export { SPRING_CONTENT_TYPE } from './format.js'
export { redact, REDACTED } from './redact.js'
export { systemClock } from './clock.js'
export { createRuntimeMonitor } from './runtime.js'
export { keepNextTickFast } from './next-tick.js'
export { guardOnError, HealthzError, isHealthzError, reportToConsole } from './errors.js'
export { assertKnownOptions, choiceOption, countOption, describeValue, durationOption, functionOption, MAX_DURATION_MS, optionKeys } from './options.js'

export type {
  CheckContext,
  CheckDefinition,
  CheckKind,
  CheckOptions,
  CheckOutcome,
  CheckRun,
  CheckStatus,
} from './check.js'
export type {
  CheckChangeEvent,
  Health,
  HealthChangeEvent,
  HealthOptions,
  ProbeChangeEvent,
  StartedEvent,
  PhaseChangeEvent,
} from './health.js'
export type {
  CheckCacheHitMessage,
  CheckChangeMessage,
  CheckRunMessage,
  ProbeChangeMessage,
  ProbeResponseMessage,
  ShutdownPhaseMessage,
  StartedMessage,
} from './events.js'
export type { CheckSnapshot, HealthSnapshot, ProbeSnapshot } from './snapshot.js'
export type { CheckInput, Watchdog, WatchdogOptions } from './registry.js'
export type { DetailsPolicy, HealthRequest, HealthResponse, StatusSink } from './handler.js'
export type { StatusPageInfo, StatusPageOptions } from './status-page.js'
export type { StatusCheckView, StatusEventView, StatusProbeView, StatusState, StatusView } from './status-view.js'
export type {
  FormatContext,
  FormatFunction,
  FormattedResponse,
  ProbeFormats,
  ResponseFormat,
  ResponseFormatName,
  SpringBody,
  SpringComponent,
  SpringStatus,
  TerminusBody,
  TerminusIndicator,
} from './format.js'
export type { ProbeOptions } from './evaluate.js'
export type { ProbePaths } from './routes.js'
export type { CreateRuntimeMonitorOptions, EventLoopDelayStats, GcStats, RuntimeMonitor, RuntimeOptions, RuntimeStats, StallCheckOptions } from './runtime.js'
export type { OverloadOptions } from './overload.js'
export type { ClosingContext, ShutdownHookOptions, ShutdownOptions, ShutdownPhase, ShutdownResult } from './shutdown.js'
export type { CheckResult, RunCheckOptions } from './run.js'
export type { CheckReport, HealthJson, HealthJsonCheck, HealthJsonOptions, HealthReport, ProbeKind, ServiceInfo } from './report.js'
export type { Clock, ScheduleOptions } from './clock.js'
export type { HealthzErrorCode, HealthzErrorOptions } from './errors.js'
export type { CountCheck, DurationCheck, OptionCheck, OptionKeys } from './options.js'
