// Framework-neutral probe reports and their health+json rendering
// (draft-inadarei-api-health-check), with the disclosure policy and credential redaction.
import type { CheckKind, CheckStatus } from './check.js'
import type { CheckResult } from './run.js'
import { HealthzError } from './errors.js'
import { assertKnownOptions, describeValue, optionKeys } from './options.js'
import { redact } from './redact.js'
import type { RuntimeStats } from './runtime.js'

/** The three probes a health object answers. */
export type ProbeKind = 'liveness' | 'readiness' | 'startup'

/** One check's line in a {@link HealthReport}. */
export interface CheckReport extends CheckResult {
  /**
   * The status as the probe counts it: a non-critical check's `fail` is reported as `warn`.
   * The check's own status is in {@link CheckReport.checkStatus}.
   */
  readonly status: CheckStatus
  /** The status the check itself reported, before the `critical` mapping. */
  readonly checkStatus: CheckStatus
  readonly kind: CheckKind
  readonly critical: boolean
  readonly componentType: string
  readonly measurement: string
}

/** The framework-neutral answer of one probe, as returned by `health.probe()`. */
export interface HealthReport {
  readonly probe: ProbeKind
  /** `fail` makes the probe answer 503; `pass` and `warn` answer 200. */
  readonly status: CheckStatus
  /** Whether the startup gate has opened. */
  readonly started: boolean
  /** Why the probe has the status it has when that is not a check (e.g. still starting). */
  readonly output: string | undefined
  /** Short facts about the state, e.g. `starting`, `excluded: redis`. */
  readonly notes: readonly string[]
  readonly checks: readonly CheckReport[]
  /** When the report was made, in ms since the epoch. */
  readonly time: number
  /** The runtime monitor's figures, in verbose liveness reports. */
  readonly runtime?: RuntimeStats
}

/** Who the service is, for the health+json body. */
export interface ServiceInfo {
  /** The service's name; health+json `serviceId` unless `id` is given. */
  name?: string
  /** health+json `serviceId`. @default name */
  id?: string
  /** health+json `version` (public version of the service). */
  version?: string
  /** health+json `releaseId` (internal release, e.g. a git sha). */
  releaseId?: string
  /** health+json `description`. */
  description?: string
}

const SERVICE_KEYS = optionKeys<ServiceInfo>({ name: true, id: true, version: true, releaseId: true, description: true })

/** @internal The `service` option, checked: an object of strings (`{}` when not given). */
export function serviceOption(value: unknown, what = 'service'): ServiceInfo {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HealthzError(`${what} must be an object like { name: 'orders', version: '2.14.0' }, got ${describeValue(value)}.`, { code: 'INVALID_OPTION' })
  }
  const service = assertKnownOptions(value, SERVICE_KEYS, what)
  for (const key of SERVICE_KEYS) {
    const field = service[key]
    if (field !== undefined && typeof field !== 'string') {
      throw new HealthzError(`${what}.${key} must be a string, got ${describeValue(field)}.`, { code: 'INVALID_OPTION' })
    }
  }
  return value as ServiceInfo
}

/** One entry of the health+json `checks` object. */
export interface HealthJsonCheck {
  componentType: string
  observedValue?: string | number | boolean | null
  observedUnit?: string
  status: CheckStatus
  time: string
  output?: string
}

/** The health+json body (draft-inadarei-api-health-check). */
export interface HealthJson {
  status: CheckStatus
  version?: string
  releaseId?: string
  serviceId?: string
  description?: string
  notes?: string[]
  output?: string
  checks?: Record<string, HealthJsonCheck[]>
}

/** Options of {@link toHealthJson}. */
export interface HealthJsonOptions {
  service?: ServiceInfo
  /** Show check error text (always redacted). `false` replaces it with `reason withheld`. @default false */
  disclose?: boolean
}

const HEALTH_JSON_KEYS = optionKeys<HealthJsonOptions>({ service: true, disclose: true })

/** The text shown in place of a check's error when the disclosure policy withholds it. */
export const WITHHELD = 'reason withheld'

/**
 * Renders a {@link HealthReport} as a health+json object. Check keys take the form
 * `name:measurement`. Error text is withheld unless `disclose` is set, and redacted of
 * credentials always.
 *
 * @example
 * ```ts
 * const body = toHealthJson(await health.probe('readiness'), { service: { name: 'orders' } })
 * ```
 */
export function toHealthJson(report: HealthReport, options: HealthJsonOptions = {}): HealthJson {
  assertKnownOptions(options, HEALTH_JSON_KEYS, 'toHealthJson')
  const { service = {}, disclose = false } = options
  const json: HealthJson = { status: report.status }
  if (service.version !== undefined) json.version = service.version
  if (service.releaseId !== undefined) json.releaseId = service.releaseId
  const serviceId = service.id ?? service.name
  if (serviceId !== undefined) json.serviceId = serviceId
  if (service.description !== undefined) json.description = service.description
  if (report.notes.length > 0) json.notes = [...report.notes]
  if (report.output !== undefined) json.output = report.output
  if (report.checks.length > 0) {
    const checks: Record<string, HealthJsonCheck[]> = {}
    for (const check of report.checks) {
      const entry: HealthJsonCheck = {
        componentType: check.componentType,
        observedValue: check.observedValue,
        status: check.status,
        time: new Date(check.time).toISOString(),
      }
      if (check.observedUnit !== undefined) entry.observedUnit = check.observedUnit
      if (check.output !== undefined) {
        entry.output = disclose ? redact(check.output) : check.checkStatus === 'pass' ? undefined : WITHHELD
        if (entry.output === undefined) delete entry.output
      }
      checks[`${check.name}:${check.measurement}`] = [entry]
    }
    json.checks = checks
  }
  if (report.runtime !== undefined) {
    // Informational entries: the pauses every heartbeat and failure-detector timeout must clear.
    const time = new Date(report.time).toISOString()
    const figure = (value: number): HealthJsonCheck[] => [
      { componentType: 'system', observedValue: Math.round(value * 100) / 100, observedUnit: 'ms', status: 'pass', time },
    ]
    const { eventLoopDelay, gc, worstPause } = report.runtime
    json.checks = {
      ...json.checks,
      'event-loop:delayP50': figure(eventLoopDelay.p50),
      'event-loop:delayP99': figure(eventLoopDelay.p99),
      'event-loop:delayMax': figure(eventLoopDelay.max),
      'gc:pauseP99': figure(gc.p99),
      'gc:pauseMax': figure(gc.max),
      'runtime:worstPause': figure(worstPause),
    }
  }
  return json
}
