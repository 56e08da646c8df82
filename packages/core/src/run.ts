// One run of one check: the deadline, the AbortSignal, and turning whatever the check did
// (returned, threw, rejected with a non-Error, hung) into a result. Never throws, never
// rejects, and settles by the deadline whatever the check does.
import type { CheckDefinition, CheckOptions, CheckOutcome, CheckStatus } from './check.js'
import { defineCheck } from './check.js'
import type { Clock } from './clock.js'
import { clockOption } from './clock.js'
import { describeThrown, HealthzError } from './errors.js'
import { assertKnownOptions, optionKeys } from './options.js'

/** The result of evaluating a check once. */
export interface CheckResult {
  /** The check's name. */
  readonly name: string
  /** `pass`, `warn` or `fail`, after the flap thresholds when it comes from a health object. */
  readonly status: CheckStatus
  /** health+json `observedValue`: what the check returned, or its duration in ms. */
  readonly observedValue: string | number | boolean | null
  /** health+json `observedUnit`. */
  readonly observedUnit: string | undefined
  /** A message for people: the error text on failure (not yet redacted; rendering redacts it). */
  readonly output: string | undefined
  /** When the result was observed, in ms since the epoch. */
  readonly time: number
  /** How long the run took, in ms. */
  readonly duration: number
  /** The error behind a failure: what the check threw, or a {@link HealthzError} with a `code`. */
  readonly error: Error | undefined
}

/** @internal What one run produced, before thresholds. */
export interface RunOutcome extends CheckResult {
  /** Whether the check's promise was still pending when this outcome was produced. */
  readonly timedOut: boolean
}

const STATUSES: ReadonlySet<unknown> = new Set(['pass', 'warn', 'fail'])
const OUTCOME_KEYS: ReadonlySet<string> = new Set(['status', 'observedValue', 'observedUnit', 'output'])

/**
 * Runs a check once with its deadline. `onSettled` is called when the check's own work has
 * settled, which may be after the returned promise resolved (a check that ignores its signal).
 *
 * @internal
 */
export function executeCheck(
  check: CheckDefinition,
  clock: Clock,
  onSettled: () => void,
): Promise<RunOutcome> {
  const start = clock.now()
  const controller = new AbortController()
  return new Promise<RunOutcome>((resolve) => {
    let done = false
    const finish = (outcome: RunOutcome): void => {
      if (done) return
      done = true
      cancelDeadline()
      resolve(outcome)
    }
    const cancelDeadline = clock.schedule(() => {
      const error = new HealthzError(
        `timed out after ${check.timeout} ms (the check did not settle before its deadline)`,
        { code: 'CHECK_TIMEOUT' },
      )
      controller.abort(error)
      finish(failed(check, start, clock.now(), error, true))
    }, check.timeout)

    let returned: unknown
    try {
      returned = check.run({ signal: controller.signal, name: check.name, deadline: start + check.timeout })
    } catch (thrown) {
      finish(failed(check, start, clock.now(), thrown, false))
      onSettled()
      return
    }
    if (isThenable(returned)) {
      Promise.resolve(returned).then(
        (value) => {
          finish(interpret(check, start, clock.now(), value))
          onSettled()
        },
        (thrown: unknown) => {
          finish(failed(check, start, clock.now(), thrown, false))
          onSettled()
        },
      )
    } else {
      finish(interpret(check, start, clock.now(), returned))
      onSettled()
    }
  })
}

/** Options of {@link runCheck}. */
export interface RunCheckOptions {
  /** The clock to time the run with. @default systemClock */
  clock?: Clock
}

const RUN_CHECK_KEYS = optionKeys<RunCheckOptions>({ clock: true })

/**
 * Runs one check definition once, with its deadline, outside any health object: for testing
 * your own checks. Never throws; a failure comes back as `status: 'fail'` with `error` set.
 *
 * @example
 * ```ts
 * import { runCheck } from '@healthz/core'
 * import { postgres } from '../src/health'
 *
 * test('postgres check passes against the test database', async () => {
 *   const result = await runCheck(postgres)
 *   expect(result.status).toBe('pass')
 * })
 * ```
 */
export async function runCheck(check: CheckDefinition | CheckOptions, options: RunCheckOptions = {}): Promise<CheckResult> {
  assertKnownOptions(options, RUN_CHECK_KEYS, 'runCheck')
  const { timedOut: _timedOut, ...result } = await executeCheck(defineCheck(check), clockOption(options.clock, 'runCheck clock'), noop)
  return result
}

function noop(): void {}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

function failed(check: CheckDefinition, start: number, end: number, thrown: unknown, timedOut: boolean): RunOutcome {
  const error =
    thrown instanceof Error ? thrown : new HealthzError(describeThrown(thrown), { code: 'CHECK_FAILED', cause: thrown })
  return {
    name: check.name,
    status: 'fail',
    observedValue: end - start,
    observedUnit: 'ms',
    output: describeThrown(error),
    time: end,
    duration: end - start,
    error,
    timedOut,
  }
}

function interpret(check: CheckDefinition, start: number, end: number, value: unknown): RunOutcome {
  const duration = end - start
  if (value === undefined) {
    return { name: check.name, status: 'pass', observedValue: duration, observedUnit: 'ms', output: undefined, time: end, duration, error: undefined, timedOut: false }
  }
  const problem = malformed(value)
  if (problem !== undefined) {
    const error = new HealthzError(
      `check "${check.name}" returned ${problem}; return nothing to pass, throw to fail, or return { status: 'pass' | 'warn' | 'fail', observedValue, observedUnit, output }`,
      { code: 'MALFORMED_RESULT' },
    )
    return failed(check, start, end, error, false)
  }
  const outcome = value as CheckOutcome
  const status = outcome.status ?? 'pass'
  const hasValue = outcome.observedValue !== undefined
  return {
    name: check.name,
    status,
    observedValue: hasValue ? (outcome.observedValue as string | number | boolean | null) : duration,
    observedUnit: hasValue ? outcome.observedUnit : (outcome.observedUnit ?? 'ms'),
    output: outcome.output ?? (status === 'fail' ? 'check reported fail' : undefined),
    time: end,
    duration,
    error: status === 'fail' ? new HealthzError(outcome.output ?? 'check reported fail', { code: 'CHECK_FAILED' }) : undefined,
    timedOut: false,
  }
}

function malformed(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return Array.isArray(value) ? 'an array' : `${value === null ? 'null' : typeof value} ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`
  }
  for (const key of Object.keys(value)) {
    if (!OUTCOME_KEYS.has(key)) return `an object with the unknown key "${key}"`
  }
  const { status, observedValue, observedUnit, output } = value as Record<string, unknown>
  if (status !== undefined && !STATUSES.has(status)) return `status ${JSON.stringify(status)} (expected 'pass', 'warn' or 'fail')`
  if (observedValue !== undefined && observedValue !== null && !['string', 'number', 'boolean'].includes(typeof observedValue)) {
    return `an observedValue of type ${typeof observedValue} (expected a string, number, boolean or null)`
  }
  if (observedUnit !== undefined && typeof observedUnit !== 'string') return `an observedUnit of type ${typeof observedUnit}`
  if (output !== undefined && typeof output !== 'string') return `an output of type ${typeof output}`
  return undefined
}
