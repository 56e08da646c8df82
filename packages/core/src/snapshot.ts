// The read-only state of a health object for collectors (`health.snapshot()`): every check's last
// result, each probe's status as it would answer from memory, the startup gate, the shutdown
// phase and the runtime monitor's figures. Built from memory only: taking one never runs a check.
import type { CheckKind, CheckStatus } from './check.js'
import type { ProbeEvaluator } from './evaluate.js'
import type { ProbeRegistry } from './registry.js'
import type { ProbeKind, ServiceInfo } from './report.js'
import type { CheckResult } from './run.js'
import type { CheckRunner } from './runner.js'
import type { RuntimeStats } from './runtime.js'
import type { ShutdownPhase } from './shutdown.js'

/** One check in a {@link HealthSnapshot}. */
export interface CheckSnapshot {
  readonly name: string
  readonly kind: CheckKind
  /** `false`: a failure reports `warn` in its probes. */
  readonly critical: boolean
  /** The check's deadline, in ms. */
  readonly timeout: number
  /** Every probe this check backs. */
  readonly probes: readonly ProbeKind[]
  /**
   * The check's own status from memory (after the flap thresholds, before `critical` turns a
   * fail into warn): the last result's, or `fail` when a background (`interval`) result is older
   * than `maxAge`; undefined before the first result.
   */
  readonly status: CheckStatus | undefined
  /** The last recorded result, whatever its age; undefined before the first run. */
  readonly result: CheckResult | undefined
  /** Whether a run is in flight (a run past its deadline that has not settled counts). */
  readonly running: boolean
}

/** One probe in a {@link HealthSnapshot}. */
export interface ProbeSnapshot {
  /**
   * The status the probe would answer now from what is in memory: the shutdown phase and the
   * startup gate first, then its checks' last results (a non-critical fail counts as warn);
   * undefined when one of its checks has no result yet.
   */
  readonly status: CheckStatus | undefined
  /** The status of this probe's last full evaluation (a request or `health.probe()`); undefined before the first. */
  readonly lastReported: CheckStatus | undefined
  /** The names of its checks, in order. */
  readonly checks: readonly string[]
}

/** What {@link Health.snapshot} returns: the state of a health object, read from memory. */
export interface HealthSnapshot {
  readonly service: ServiceInfo
  /** When the snapshot was taken, in ms since the epoch (the health object's clock). */
  readonly time: number
  /** Whether the startup gate has opened. */
  readonly started: boolean
  readonly phase: ShutdownPhase
  /**
   * When the shutdown sequence began and when it should be over at the latest (its start +
   * drainDelay + gracePeriod + every onShutdown hook's timeout), in ms since the epoch (the
   * health object's clock); both undefined until it begins.
   */
  readonly shutdown: { readonly startedAt: number | undefined; readonly deadline: number | undefined }
  readonly probes: Readonly<Record<ProbeKind, ProbeSnapshot>>
  /** Every check once, whichever probes share it, in the order they were given. */
  readonly checks: readonly CheckSnapshot[]
  /** The runtime monitor's figures, or undefined with `runtime: false`. */
  readonly runtime: RuntimeStats | undefined
}

/** @internal What a snapshot is read from. */
export interface SnapshotSource {
  readonly service: ServiceInfo
  readonly registry: ProbeRegistry
  readonly evaluator: ProbeEvaluator
  readonly phase: ShutdownPhase
  readonly shutdown: HealthSnapshot['shutdown']
  readonly time: number
  readonly runtime: RuntimeStats | undefined
}

/** @internal Builds a snapshot; reads memory only. */
export function takeSnapshot(source: SnapshotSource): HealthSnapshot {
  const { registry, evaluator, phase } = source
  const started = registry.started
  const checks = registry.runners.map(checkSnapshot)
  const byName = new Map(checks.map((check) => [check.name, check]))
  const probe = (kind: ProbeKind): ProbeSnapshot => {
    const names = registry.probes[kind].runners.map((runner) => runner.check.name)
    return { status: probeStatus(kind, names.map((name) => byName.get(name) as CheckSnapshot), started, phase), lastReported: evaluator.reported(kind), checks: names }
  }
  return {
    service: source.service,
    time: source.time,
    started,
    phase,
    shutdown: source.shutdown,
    probes: { liveness: probe('liveness'), readiness: probe('readiness'), startup: probe('startup') },
    checks,
    runtime: source.runtime,
  }
}

function checkSnapshot(runner: CheckRunner): CheckSnapshot {
  const { check } = runner
  const result = runner.last
  // A background result past maxAge is what a probe would report as STALE_RESULT: fail.
  const stale = result !== undefined && check.interval !== undefined && runner.peek() === undefined
  return {
    name: check.name,
    kind: check.kind,
    critical: check.critical,
    timeout: check.timeout,
    probes: [...runner.events.probes],
    status: stale ? 'fail' : result?.status,
    result,
    running: runner.running,
  }
}

/** The probe semantics of evaluate.ts, applied to results in memory. */
function probeStatus(kind: ProbeKind, checks: readonly CheckSnapshot[], started: boolean, phase: ShutdownPhase): CheckStatus | undefined {
  if (kind === 'startup') return started ? 'pass' : 'fail'
  if (phase !== 'running' || !started) return kind === 'liveness' ? 'pass' : 'fail'
  let status: CheckStatus = 'pass'
  for (const check of checks) {
    if (check.status === undefined) return undefined
    if (check.status === 'fail' && check.critical) return 'fail'
    if (check.status !== 'pass') status = 'warn'
  }
  return status
}
