// Probe semantics (DESIGN §2): how a probe's report follows from the shutdown phase, the
// startup gate and its checks' results, and which runners alone decided it.
import type { CheckStatus } from './check.js'
import type { Clock } from './clock.js'
import type { ProbeRunners, ProbeRegistry } from './registry.js'
import type { CheckReport, HealthReport, ProbeKind } from './report.js'
import type { CheckResult } from './run.js'
import type { CheckRunner } from './runner.js'
import type { Runtime } from './runtime.js'
import type { ShutdownPhase } from './shutdown.js'

/** Options of {@link Health.probe}. */
export interface ProbeOptions {
  /** Names of checks to leave out of this probe (`?exclude=` in URLs). */
  exclude?: readonly string[]
  /** Report only this check (the `/readyz/<check>` path). */
  check?: string
  /** Add the runtime monitor's figures to a liveness report (`/livez?verbose`). @default false */
  verbose?: boolean
}

/** @internal A probe report, and the runners whose results alone decided it (undefined: not reusable). */
export interface Evaluation {
  readonly report: HealthReport
  readonly basis: readonly CheckRunner[] | undefined
  /** The shutdown phase the report was decided in. */
  readonly phase: ShutdownPhase
}

/** @internal What the evaluator reads besides the registry. */
export interface EvaluatorContext {
  readonly clock: Clock
  /** The shutdown sequence; only its phase is read. */
  readonly lifecycle: { readonly phase: ShutdownPhase }
  readonly runtime: Runtime | undefined
  /** A probe's overall status changed, as seen by a full (unfiltered) probe. */
  readonly onProbeChange: (probe: ProbeKind, previous: CheckStatus | undefined, current: CheckStatus) => void
}

/** @internal Decides probe reports. */
export class ProbeEvaluator {
  /** Each probe's last overall status, for change events. */
  private readonly last: Record<ProbeKind, CheckStatus | undefined> = { liveness: undefined, readiness: undefined, startup: undefined }

  constructor(
    private readonly registry: ProbeRegistry,
    private readonly context: EvaluatorContext,
  ) {}

  /** The overall status of the probe's last full evaluation; undefined before the first. */
  reported(kind: ProbeKind): CheckStatus | undefined {
    return this.last[kind]
  }

  /** Evaluates a probe, and says in which phase it was decided. */
  async evaluate(kind: ProbeKind, options: ProbeOptions): Promise<Evaluation> {
    const { exclude = [], check } = options
    const { lifecycle, runtime } = this.context
    const state = this.registry.probes[kind]
    let phase: ShutdownPhase
    let report: HealthReport
    let basis: readonly CheckRunner[] | undefined
    do {
      // decide() reads the phase before its first await. When the phase or the startup gate
      // moved while the checks ran, the report describes a state that is gone: decide again (a
      // shutdown answers without running a check; both only move forward, so this ends).
      phase = lifecycle.phase
      ;({ report, basis } = await this.decide(kind, state, exclude, check))
    } while (phase !== lifecycle.phase || report.started !== this.registry.started)
    if (options.verbose === true && kind === 'liveness' && runtime !== undefined) {
      report = { ...report, runtime: runtime.stats() }
      basis = undefined
    }
    if (check === undefined && exclude.length === 0 && report.status !== this.last[kind]) {
      const previous = this.last[kind]
      this.last[kind] = report.status
      this.context.onProbeChange(kind, previous, report.status)
    }
    return { report, basis: exclude.length === 0 ? basis : undefined, phase }
  }

  private async decide(
    kind: ProbeKind,
    state: ProbeRunners,
    exclude: readonly string[],
    only: string | undefined,
  ): Promise<Omit<Evaluation, 'phase'>> {
    const { registry } = this
    const notes: string[] = []
    const constant = (report: HealthReport): Omit<Evaluation, 'phase'> => ({ report, basis: [] })
    if (kind === 'startup') {
      if (registry.started) return constant(this.report(kind, 'pass', undefined, notes, []))
      const results = await registry.progressStartup()
      const selected = select(state, exclude, only, notes)
      const checks = selected.map((runner) => toCheckReport(runner, results[state.runners.indexOf(runner)] as CheckResult))
      const report = registry.started
        ? this.report(kind, 'pass', undefined, notes, checks)
        : this.report(kind, 'fail', registry.startingOutput(), notes, checks)
      return { report, basis: undefined }
    }
    const phase = this.context.lifecycle.phase
    if (phase !== 'running') {
      // Shutting down: readiness fails so load balancers stop routing here; liveness passes so
      // the kubelet does not restart the container in the middle of its drain.
      if (kind === 'liveness') return constant(this.report(kind, 'pass', undefined, [phase], []))
      return constant(this.report(kind, 'fail', `${phase}: shutting down`, [phase], []))
    }
    if (!registry.started) {
      // A booting process is alive: liveness passes, as the kubelet holds it off until startup passes.
      if (kind === 'liveness') return constant(this.report(kind, 'pass', undefined, ['starting'], []))
      // Readiness moves the startup gate on by itself, so platforms without a startup probe get ready too.
      await registry.progressStartup()
      if (!registry.started) {
        const report = this.report(kind, 'fail', registry.startingOutput(), ['starting'], [])
        return { report, basis: registry.probes.startup.runners.length === 0 ? [] : undefined }
      }
    }
    const selected = select(state, exclude, only, notes)
    const results = await Promise.all(selected.map((runner) => runner.get(kind)))
    const checks = results.map((result, index) => toCheckReport(selected[index] as CheckRunner, result))
    return { report: this.report(kind, aggregate(checks), undefined, notes, checks), basis: selected }
  }

  private report(
    probe: ProbeKind,
    status: CheckStatus,
    output: string | undefined,
    notes: readonly string[],
    checks: readonly CheckReport[],
  ): HealthReport {
    return { probe, status, started: this.registry.started, output, notes, checks, time: this.context.clock.now() }
  }
}

/** The runners a probe reports on: one check (`/readyz/<check>`), or all but the excluded. */
function select(state: ProbeRunners, exclude: readonly string[], only: string | undefined, notes: string[]): readonly CheckRunner[] {
  if (only !== undefined) return state.runners.filter((runner) => runner.check.name === only)
  if (exclude.length === 0) return state.runners
  for (const name of exclude) notes.push(state.byName.has(name) ? `excluded: ${name}` : `no check named ${quote(name)} to exclude`)
  return state.runners.filter((runner) => !exclude.includes(runner.check.name))
}

function toCheckReport(runner: CheckRunner, result: CheckResult): CheckReport {
  const { check } = runner
  return {
    ...result,
    // A non-critical failure is reported as warn, so the probe keeps answering 200.
    status: result.status === 'fail' && !check.critical ? 'warn' : result.status,
    checkStatus: result.status,
    kind: check.kind,
    critical: check.critical,
    componentType: check.componentType,
    measurement: check.measurement,
  }
}

function aggregate(checks: readonly CheckReport[]): CheckStatus {
  let status: CheckStatus = 'pass'
  for (const check of checks) {
    if (check.status === 'fail') return 'fail'
    if (check.status === 'warn') status = 'warn'
  }
  return status
}

/** @internal Quotes a name taken from a request for a response body, cut short so a request cannot inflate it. */
export function quote(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name)
}
