// Response formats (issue 15): the body a probe answers in. health+json is the default; `terminus`
// and `spring` keep the monitors, dashboards and service registries that read the body of
// @godaddy/terminus, @nestjs/terminus or Spring Boot Actuator working after a switch; a function
// renders anything else. Every format renders the report after the disclosure policy and
// redaction (`disclosedReport`), so none shows more than health+json would to the same request.
import type { CheckStatus } from './check.js'
import { HealthzError } from './errors.js'
import { assertKnownOptions, choiceOption, describeValue, optionKeys } from './options.js'
import { redact } from './redact.js'
import type { CheckReport, HealthReport, ProbeKind, ServiceInfo } from './report.js'
import { toHealthJson, WITHHELD } from './report.js'
import type { ShutdownPhase } from './shutdown.js'

/** The names of the built-in response formats. */
export type ResponseFormatName = 'health+json' | 'terminus' | 'spring'

/** What a {@link FormatFunction} is told besides the report. */
export interface FormatContext {
  /** The `service` option. */
  readonly service: ServiceInfo
  /** The shutdown phase the report was decided in (`draining` and later: readiness fails). */
  readonly phase: ShutdownPhase
  /** Whether the disclosure policy showed error text to this request (the report is already redacted or withheld). */
  readonly disclosed: boolean
  /** The check of a per-check path (`/readyz/postgres`), else undefined. */
  readonly check: string | undefined
}

/** What a {@link FormatFunction} returns: the parts of the response it decides. */
export interface FormattedResponse {
  /** The HTTP status code, 100–599. */
  status: number
  /** Headers to send (names are lower-cased). `cache-control: no-store` and `content-length` are added. @default { 'content-type': 'application/json' } */
  headers?: Readonly<Record<string, string>>
  /** The body: a string is sent as is, anything else as its JSON. */
  body: string | object
}

/**
 * Renders a probe report as a response of your own. Called once per changed report, not per
 * request: the rendered answer is remembered while the results it was made from are unchanged
 * (requests with a query, and `details` functions, render per request). The report it gets has
 * passed through the disclosure policy: error text is redacted, or withheld (`reason withheld`).
 *
 * @example
 * ```ts
 * const format: FormatFunction = (report) => ({
 *   status: report.status === 'fail' ? 503 : 200,
 *   body: { healthy: report.status !== 'fail' },
 * })
 * ```
 */
export type FormatFunction = (report: HealthReport, context: FormatContext) => FormattedResponse

/** A response format: a built-in name or a {@link FormatFunction}. */
export type ResponseFormat = ResponseFormatName | FormatFunction

/** A format per probe; a probe not named answers health+json. */
export interface ProbeFormats {
  /** @default 'health+json' */
  liveness?: ResponseFormat
  /** @default 'health+json' */
  readiness?: ResponseFormat
  /** @default 'health+json' */
  startup?: ResponseFormat
}

/** @internal The `format` option resolved per probe. */
export type ResolvedFormats = Readonly<Record<ProbeKind, ResponseFormat>>

const NAMES: readonly ResponseFormatName[] = ['health+json', 'terminus', 'spring']
const PROBE_FORMAT_KEYS = optionKeys<ProbeFormats>({ liveness: true, readiness: true, startup: true })

/** @internal The `format` option, checked: one format for every probe, or one per probe. */
export function formatOption(value: unknown): ResolvedFormats {
  const one = (given: unknown, what: string): ResponseFormat =>
    typeof given === 'function' ? (given as FormatFunction) : choiceOption(given, NAMES, what, '(report, context) => ({ status, headers, body })')
  if (value === undefined) return { liveness: 'health+json', readiness: 'health+json', startup: 'health+json' }
  if (typeof value !== 'object' || value === null) {
    const format = one(value, 'format')
    return { liveness: format, readiness: format, startup: format }
  }
  const formats = assertKnownOptions(value, PROBE_FORMAT_KEYS, 'format')
  const pick = (probe: ProbeKind): ResponseFormat => (formats[probe] === undefined ? 'health+json' : one(formats[probe], `format.${probe}`))
  return { liveness: pick('liveness'), readiness: pick('readiness'), startup: pick('startup') }
}

/** @internal A rendered answer before the method (HEAD) and `content-length` are applied. */
export interface Rendered {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

const HEALTH_JSON = 'application/health+json'
/** What Actuator answers a request without an `Accept` header (EndpointMediaTypes.DEFAULT, first entry). */
export const SPRING_CONTENT_TYPE = 'application/vnd.spring-boot.actuator.v3+json'

/** @internal Renders a report in a format; `report` has already passed through {@link disclosedReport}. */
export function render(format: ResponseFormat, report: HealthReport, context: FormatContext): Rendered {
  const code = report.status === 'fail' ? 503 : 200
  if (format === 'health+json') {
    // toHealthJson applies the policy itself; the report it gets is already disclosed, so `disclose: true` only keeps the text.
    return { status: code, headers: { 'content-type': HEALTH_JSON }, body: JSON.stringify(toHealthJson(report, { service: context.service, disclose: true })) }
  }
  if (format === 'terminus') return { status: code, headers: { 'content-type': 'application/json' }, body: JSON.stringify(toTerminus(report, context)) }
  if (format === 'spring') {
    const body = toSpring(report, context)
    return { status: body.status === 'UP' ? 200 : 503, headers: { 'content-type': SPRING_CONTENT_TYPE }, body: JSON.stringify(body) }
  }
  return fromFunction(format, report, context)
}

/**
 * @internal The report as the disclosure policy lets this request see it: error text redacted
 * when disclosed, `reason withheld` for a check that did not pass when not, nothing for one
 * that passed. Every format renders this, never the raw report.
 */
export function disclosedReport(report: HealthReport, disclose: boolean): HealthReport {
  const checks = report.checks.map((check): CheckReport => {
    if (check.output === undefined) return check
    const output = disclose ? redact(check.output) : check.checkStatus === 'pass' ? undefined : WITHHELD
    return { ...check, output }
  })
  return { ...report, checks }
}

/** One indicator's entry in a terminus body, as @nestjs/terminus 12's `attempt()` writes it (`status` last). */
export interface TerminusIndicator {
  message?: string
  observedValue?: string | number | boolean | null
  observedUnit?: string
  responseTime: number
  status: 'up' | 'down' | 'degraded'
  [data: string]: unknown
}

/** The body of @nestjs/terminus' `HealthCheckService.check()` (and @godaddy/terminus' convention). */
export interface TerminusBody {
  status: 'ok' | 'error' | 'degraded' | 'shutting_down'
  info: Record<string, TerminusIndicator>
  error: Record<string, TerminusIndicator>
  details: Record<string, TerminusIndicator>
}

const TERMINUS_STATUS: Record<CheckStatus, TerminusIndicator['status']> = { pass: 'up', warn: 'degraded', fail: 'down' }

function toTerminus(report: HealthReport, context: FormatContext): TerminusBody {
  const info: Record<string, TerminusIndicator> = {}
  const error: Record<string, TerminusIndicator> = {}
  for (const check of report.checks) {
    const entry: TerminusIndicator = { responseTime: Math.round(check.duration), status: TERMINUS_STATUS[check.status] }
    const extra: Record<string, unknown> = {}
    if (check.output !== undefined) extra['message'] = check.output
    if (check.measurement !== 'responseTime') Object.assign(extra, { observedValue: check.observedValue, observedUnit: check.observedUnit })
    const ordered = { ...extra, ...entry } as TerminusIndicator
    ;(check.status === 'fail' ? error : info)[check.name] = ordered
  }
  if (report.runtime !== undefined) {
    const { eventLoopDelay, gc, worstPause } = report.runtime
    const runtime = { eventLoopDelayP99: round(eventLoopDelay.p99), gcPauseMax: round(gc.max), worstPause: round(worstPause), responseTime: 0, status: 'up' as const }
    info['runtime'] = runtime
  }
  // As @nestjs/terminus' HealthCheckExecutor.getResult: details lists the up (and degraded) indicators, then the down ones.
  const details = { ...info, ...error }
  const shutting = context.phase !== 'running' && report.status === 'fail'
  const status = shutting ? 'shutting_down' : report.status === 'fail' ? 'error' : report.status === 'warn' ? 'degraded' : 'ok'
  return { status, info, error, details }
}

/** One component of a Spring body. */
export interface SpringComponent {
  status: SpringStatus
  details?: Record<string, string | number | boolean | null>
}

/** The statuses this format uses (Actuator's `Status` constants; UNKNOWN is never produced). */
export type SpringStatus = 'UP' | 'DOWN' | 'OUT_OF_SERVICE'

/** The body of Actuator's `/actuator/health` (API v3), or of `/actuator/health/{component}` for a per-check path. */
export interface SpringBody {
  status: SpringStatus
  components?: Record<string, SpringComponent>
  details?: Record<string, string | number | boolean | null>
}

function toSpring(report: HealthReport, context: FormatContext): SpringBody {
  // Actuator's readiness state REFUSING_TRAFFIC (while starting, and from the start of shutdown) is OUT_OF_SERVICE.
  const refusing = report.status === 'fail' && (!report.started || context.phase !== 'running')
  const status: SpringStatus = refusing ? 'OUT_OF_SERVICE' : report.status === 'fail' ? 'DOWN' : 'UP'
  const components: Record<string, SpringComponent> = {}
  for (const check of report.checks) {
    // The probe-counted status: a non-critical failure (warn) is UP, so Actuator's own aggregation
    // (SimpleStatusAggregator: DOWN before UP) of these components gives the status above.
    const component: SpringComponent = { status: check.status === 'fail' ? 'DOWN' : 'UP' }
    if (context.disclosed) {
      const details: Record<string, string | number | boolean | null> = {}
      if (check.measurement !== 'responseTime') details['observedValue'] = check.observedValue
      if (check.observedUnit !== undefined && check.measurement !== 'responseTime') details['observedUnit'] = check.observedUnit
      details['responseTime'] = Math.round(check.duration)
      if (check.output !== undefined) details['error'] = check.output
      component.details = details
    }
    components[check.name] = component
  }
  if (report.runtime !== undefined) {
    const { eventLoopDelay, gc, worstPause } = report.runtime
    components['runtime'] = { status: 'UP', details: { eventLoopDelayP99: round(eventLoopDelay.p99), gcPauseMax: round(gc.max), worstPause: round(worstPause) } }
  }
  if (context.check !== undefined) {
    // A per-check path answers as /actuator/health/{component}: that component's body alone.
    const only = components[context.check]
    return only === undefined ? { status } : { ...only, status }
  }
  return Object.keys(components).length === 0 ? { status } : { status, components }
}

function fromFunction(format: FormatFunction, report: HealthReport, context: FormatContext): Rendered {
  const given: unknown = format(report, context)
  const bad = (problem: string): never => {
    throw new HealthzError(`The format function returned ${problem}; return { status: 200, headers?: { … }, body: '…' or an object }.`, { code: 'INVALID_OPTION' })
  }
  if (typeof given !== 'object' || given === null) return bad(describeValue(given))
  const { status, headers = {}, body } = given as Partial<FormattedResponse>
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) return bad(`a status of ${describeValue(status)}`)
  if (body === undefined || body === null || (typeof body !== 'string' && typeof body !== 'object')) return bad(`a body of ${describeValue(body)}`)
  const lower: Record<string, string> = { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json' }
  if (typeof headers !== 'object' || headers === null) return bad(`headers of ${describeValue(headers)}`)
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') return bad(`a header ${name} of ${describeValue(value)}`)
    lower[name.toLowerCase()] = value
  }
  return { status, headers: lower, body: typeof body === 'string' ? body : JSON.stringify(body) }
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}
