// The state a health object keeps for one check: single-flight runs, the cache window, the
// no-restart rule for a run that overstayed its deadline, background refresh, and the flap
// thresholds that turn raw run outcomes into the status the probes report; it publishes its runs
// and cache hits on the diagnostics channels (events.ts).
import type { CheckDefinition, CheckStatus } from './check.js'
import type { Clock } from './clock.js'
import { HealthzError, isHealthzError } from './errors.js'
import type { CheckRunMessage, RunnerEvents } from './events.js'
import { channels } from './events.js'
import type { ProbeKind } from './report.js'
import type { CheckResult, Execution } from './run.js'
import { executeCheck } from './run.js'

/** @internal */
export type TransitionListener = (previous: CheckStatus | undefined, result: CheckResult) => void

/** @internal */
export class CheckRunner {
  /** Whether the check has reported pass or warn at least once (the startup latch reads it). */
  hasPassed = false

  private result: CheckResult | undefined
  private inFlight: Promise<CheckResult> | undefined
  /** The run behind `inFlight`, so a caller joining a background run can make it hold the process. */
  private execution: Execution | undefined
  /** When the check's own work started, while it is still unsettled; undefined when settled. */
  private pendingSince: number | undefined
  private failures = 0
  private successes = 0
  private cancelTimer: (() => void) | undefined
  private closed = false

  constructor(
    readonly check: CheckDefinition,
    private readonly clock: Clock,
    private readonly onTransition: TransitionListener,
    /** The health object and the probes this check backs, for the diagnostics channels. */
    readonly events: RunnerEvents,
  ) {}

  /** The check's current result for `probe`: from memory when fresh, else from a (shared) run. */
  get(probe: ProbeKind): Promise<CheckResult> {
    const fresh = this.peek()
    if (fresh !== undefined) return Promise.resolve(this.hit(probe, fresh))
    const result = this.result
    if (this.check.interval !== undefined && result !== undefined) {
      return Promise.resolve(this.hit(probe, this.stale(result, this.clock.now() - result.time)))
    }
    if (this.inFlight !== undefined) {
      // A caller now waits on this run: if the background loop started it, its deadline must
      // hold the process open from here on.
      this.execution?.keepAlive()
      return this.inFlight
    }
    return this.evaluate(true, probe)
  }

  /** The last recorded result, whatever its age; undefined before the first. Never runs the check. */
  get last(): CheckResult | undefined {
    return this.result
  }

  /** Whether a run is in flight (including one that overstayed its deadline and has not settled). */
  get running(): boolean {
    return this.pendingSince !== undefined
  }

  /** Publishes a cache hit (when someone listens) and passes the result through. */
  hit(probe: ProbeKind, result: CheckResult, fastPath = false): CheckResult {
    if (channels.cacheHit.hasSubscribers) {
      channels.cacheHit.publish({ health: this.events.health, name: this.check.name, probe, result, fastPath })
    }
    return result
  }

  /**
   * The result in memory if a probe may use it as it is (within the cache window, or a
   * background result within maxAge); undefined when a probe would have to run the check.
   */
  peek(): CheckResult | undefined {
    const result = this.result
    if (result === undefined) return undefined
    const age = this.clock.now() - result.time
    if (this.check.interval !== undefined) return this.check.maxAge !== undefined && age > this.check.maxAge ? undefined : result
    return age < this.check.cache ? result : undefined
  }

  /** Starts the background loop of an `interval` check; a no-op for on-demand checks. */
  start(): void {
    if (this.check.interval === undefined || this.closed || this.cancelTimer !== undefined) return
    this.cancelTimer = this.clock.schedule(() => this.tick(), 0)
  }

  /** Stops the background loop. Results already in memory stay readable. */
  close(): void {
    this.closed = true
    this.cancelTimer?.()
    this.cancelTimer = undefined
  }

  private tick(): void {
    this.cancelTimer = undefined
    if (this.closed) return
    // Nobody awaits a background run: its deadline must not keep the process alive.
    void (this.inFlight ?? this.evaluate(false, 'interval')).then(() => {
      if (this.closed) return
      const interval = this.check.interval ?? 0
      const spread = interval * this.check.jitter * (2 * Math.random() - 1)
      this.cancelTimer = this.clock.schedule(() => this.tick(), Math.max(0, interval + spread))
    })
  }

  private evaluate(awaited: boolean, trigger: ProbeKind | 'interval'): Promise<CheckResult> {
    if (this.pendingSince !== undefined) {
      // The previous run overstayed its deadline and has not settled: starting another would
      // pile connections onto a dependency that is already stuck.
      const now = this.clock.now()
      const error = new HealthzError(
        `still running ${now - this.pendingSince} ms after it started (deadline ${this.check.timeout} ms); not started again until it settles`,
        { code: 'CHECK_STALLED' },
      )
      return Promise.resolve(
        this.record({
          name: this.check.name,
          status: 'fail',
          observedValue: now - this.pendingSince,
          observedUnit: 'ms',
          output: error.message,
          time: now,
          duration: 0,
          error,
        }),
      )
    }
    const startedAt = this.clock.now()
    this.pendingSince = startedAt
    const execute = (): Execution =>
      executeCheck(this.check, this.clock, {
        keepAlive: awaited,
        onSettled: () => {
          if (this.pendingSince === startedAt) this.pendingSince = undefined
        },
      })
    // The run happens inside `start.runStores` (traceSync), so a subscriber's bound store (a span) is the check's context.
    const trace = channels.check.hasSubscribers ? this.runMessage(startedAt, trigger) : undefined
    const execution = trace === undefined ? execute() : channels.check.traceSync(execute, trace)
    const run = execution.outcome.then((outcome) => {
      this.inFlight = undefined
      this.execution = undefined
      const result = this.record(outcome)
      if (trace !== undefined) settleTrace(trace, outcome, result)
      return result
    })
    this.inFlight = run
    this.execution = execution
    return run
  }

  private record(outcome: CheckResult): CheckResult {
    const { check } = this
    const failed = outcome.status === 'fail'
    if (failed) {
      this.failures += 1
      this.successes = 0
    } else {
      this.successes += 1
      this.failures = 0
    }
    const previous = this.result?.status
    let status: CheckStatus = outcome.status
    let output = outcome.output
    if (previous !== undefined && previous !== 'fail' && failed && this.failures < check.failureThreshold) {
      status = previous
      output = `${outcome.output ?? 'failed'} (failure ${this.failures} of ${check.failureThreshold} before reporting fail)`
    } else if (previous === 'fail' && !failed && this.successes < check.successThreshold) {
      status = 'fail'
      output = `recovering: pass ${this.successes} of ${check.successThreshold} before reporting pass`
    }
    if (status !== 'fail') this.hasPassed = true
    const result: CheckResult = { ...outcome, status, output }
    this.result = result
    if (previous !== status) this.onTransition(previous, result)
    this.events.onResult?.(result)
    return result
  }

  private runMessage(startTime: number, trigger: ProbeKind | 'interval'): CheckRunMessage {
    const { check, events } = this
    return {
      health: events.health,
      name: check.name,
      kind: check.kind,
      critical: check.critical,
      probes: [...events.probes],
      trigger,
      timeout: check.timeout,
      startTime,
      deadline: startTime + check.timeout,
    }
  }

  private stale(result: CheckResult, age: number): CheckResult {
    const error = new HealthzError(
      `last background result is ${age} ms old, older than maxAge ${this.check.maxAge ?? 0} ms`,
      { code: 'STALE_RESULT' },
    )
    return { ...result, status: 'fail', output: error.message, error }
  }
}

/** Adds the outcome to a run's context and publishes the rest of the run, as tracePromise would. */
function settleTrace(trace: CheckRunMessage, outcome: CheckResult, result: CheckResult): void {
  trace.result = result
  trace.outcome = outcome.status
  trace.duration = outcome.duration
  trace.timedOut = isHealthzError(outcome.error) && outcome.error.code === 'CHECK_TIMEOUT'
  if (outcome.status === 'fail') {
    trace.error = outcome.error ?? new Error(outcome.output ?? 'failed')
    channels.check.error.publish(trace)
  }
  channels.check.asyncStart.publish(trace)
  channels.check.asyncEnd.publish(trace)
}
