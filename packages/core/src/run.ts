// One run of one check: the deadline, the AbortSignal, and turning whatever the check did
// (returned, threw, rejected with a non-Error, hung) into a result. Never throws, never
// rejects, and settles by the deadline whatever the check does.
import type { CheckDefinition, CheckOptions, CheckStatus } from './check.js'
import { CHECK_STATUSES, defineCheck } from './check.js'
import type { Clock } from './clock.js'
import { clockOption } from './clock.js'
import { boundText, describeThrown, HealthzError, isError, toError } from './errors.js'
import { assertKnownOptions, describeValue, optionKeys } from './options.js'

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

const STATUSES: ReadonlySet<unknown> = new Set(CHECK_STATUSES)
const OUTCOME_KEYS: ReadonlySet<string> = new Set(['status', 'observedValue', 'observedUnit', 'output'])

/** @internal Options of {@link executeCheck}. */
export interface ExecuteOptions {
  /**
   * Called when the check's own work has settled, which may be after the outcome resolved
   * (a check that ignores its signal).
   */
  onSettled?: () => void
  /**
   * Whether a caller awaits this run, so its deadline must hold the process open. A run that
   * a background loop started passes `false` (and {@link Execution.keepAlive} upgrades it if a
   * caller joins it later): a timer nobody waits on must never keep a process alive.
   */
  keepAlive: boolean
}

/** @internal One run in progress. */
export interface Execution {
  /** Resolves by the deadline, whatever the check does; never rejects. */
  readonly outcome: Promise<CheckResult>
  /** From now on, the deadline holds the process open (a caller joined the run). */
  keepAlive(): void
}

/**
 * Runs a check once with its deadline.
 *
 * @internal
 */
export function executeCheck(check: CheckDefinition, clock: Clock, options: ExecuteOptions): Execution {
  const start = clock.now()
  const deadline = start + check.timeout
  const controller = new AbortController()
  const onSettled = options.onSettled ?? noop
  let done = false
  let held = options.keepAlive
  let cancelDeadline: () => void = noop
  let resolveOutcome!: (outcome: CheckResult) => void
  const outcome = new Promise<CheckResult>((resolve) => {
    resolveOutcome = resolve
  })
  const finish = (result: CheckResult): void => {
    if (done) return
    done = true
    cancelDeadline()
    resolveOutcome(result)
  }
  // What the check last said it was waiting on (context.progress): read when the deadline fires,
  // before the signal aborts, so the check never has to touch the error it is handed.
  let note: string | undefined
  const expire = (): void => {
    const error = new HealthzError(
      `timed out after ${check.timeout} ms (the check did not settle before its deadline)${note === undefined ? '' : `: ${note}`}`,
      { code: 'CHECK_TIMEOUT' },
    )
    // The result is taken before the abort: nothing the check's listeners do can change it.
    const result = failed(check, start, clock.now(), error)
    controller.abort(error)
    finish(result)
  }
  cancelDeadline = clock.schedule(expire, check.timeout, held ? { keepAlive: true } : undefined)
  // Never throws: it may be called from a callback the check registered, where a throw would
  // escape the run. A wrong argument shows in the timeout's message instead.
  const progress = (text: string | undefined): void => {
    if (done) return
    if (text === undefined || typeof text === 'string') note = text === undefined ? undefined : boundText(text)
    else note = `(progress expects a string or undefined, got ${describeValue(text)})`
  }

  let returned: unknown
  try {
    returned = check.run({ signal: controller.signal, name: check.name, deadline, timeout: check.timeout, progress })
  } catch (thrown) {
    finish(failed(check, start, clock.now(), thrown))
    onSettled()
    return { outcome, keepAlive: noop }
  }
  let thenable: boolean
  try {
    thenable = isThenable(returned)
  } catch (thrown) {
    // A Proxy or a `then` getter that throws: nothing the check returns escapes its result.
    finish(malformedResult(check, start, clock.now(), `a value whose "then" threw while it was read: ${describeThrown(thrown)}`, thrown))
    onSettled()
    return { outcome, keepAlive: noop }
  }
  if (thenable) {
    Promise.resolve(returned).then(
      (value) => {
        finish(interpret(check, start, clock.now(), value))
        onSettled()
      },
      (thrown: unknown) => {
        finish(failed(check, start, clock.now(), thrown))
        onSettled()
      },
    )
  } else {
    finish(interpret(check, start, clock.now(), returned))
    onSettled()
  }
  return {
    outcome,
    keepAlive() {
      if (done || held) return
      held = true
      cancelDeadline()
      cancelDeadline = clock.schedule(expire, Math.max(0, deadline - clock.now()), { keepAlive: true })
    },
  }
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
  // The caller awaits this run, so its deadline holds the process open: a script that awaits a
  // hung check at the top level gets its fail report instead of exit code 13.
  const execution = executeCheck(defineCheck(check), clockOption(options.clock, 'runCheck clock'), { keepAlive: true })
  return execution.outcome
}

function noop(): void {}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

function failed(check: CheckDefinition, start: number, end: number, thrown: unknown): CheckResult {
  // toError keeps an Error only when its message reads as a string, so `error.message` and
  // `output` are always plain strings, whatever was thrown (a Proxy, a numeric message, null).
  const error = toError(thrown)
  return {
    name: check.name,
    status: 'fail',
    observedValue: end - start,
    observedUnit: 'ms',
    output: describeThrown(error),
    time: end,
    duration: end - start,
    error,
  }
}

function malformedResult(check: CheckDefinition, start: number, end: number, problem: string, cause?: unknown): CheckResult {
  const hint = "return nothing to pass, throw to fail, or return { status: 'pass' | 'warn' | 'fail', observedValue, observedUnit, output }"
  const error = new HealthzError(`check "${check.name}" returned ${problem}; ${hint}`, cause === undefined ? { code: 'MALFORMED_RESULT' } : { code: 'MALFORMED_RESULT', cause })
  return failed(check, start, end, error)
}

/** What a returned value was read as: the outcome's fields, read once each, or what is wrong with it. */
type Taken =
  | { readonly problem: string; readonly cause?: unknown }
  | { readonly problem?: undefined; readonly status: CheckStatus; readonly observedValue: string | number | boolean | null | undefined; readonly observedUnit: string | undefined; readonly output: string | undefined }

function interpret(check: CheckDefinition, start: number, end: number, value: unknown): CheckResult {
  const duration = end - start
  if (value === undefined) {
    return { name: check.name, status: 'pass', observedValue: duration, observedUnit: 'ms', output: undefined, time: end, duration, error: undefined }
  }
  let taken: Taken
  try {
    taken = take(value)
  } catch (thrown) {
    // A Proxy trap (ownKeys, getPrototypeOf) or a revoked Proxy.
    taken = { problem: `a value that threw while it was read: ${describeThrown(thrown)}`, cause: thrown }
  }
  if (taken.problem !== undefined) return malformedResult(check, start, end, taken.problem, taken.cause)
  const { status, observedValue, observedUnit, output } = taken
  const hasValue = observedValue !== undefined
  const shownOutput = output ?? (status === 'fail' ? 'check reported fail' : undefined)
  return {
    name: check.name,
    status,
    observedValue: hasValue ? observedValue : duration,
    observedUnit: hasValue ? observedUnit : (observedUnit ?? 'ms'),
    output: shownOutput,
    time: end,
    duration,
    error: status === 'fail' ? new HealthzError(shownOutput ?? 'check reported fail', { code: 'CHECK_FAILED' }) : undefined,
  }
}

/**
 * Reads a returned value into plain fields, each read exactly once (a getter may answer
 * differently twice, or throw), validated and with strings cut to a bounded length, so nothing
 * in the result can throw later while it is rendered. May throw for a Proxy; the caller guards.
 */
function take(value: unknown): Taken {
  if (isError(value)) {
    // The likeliest mistake of all: `return new Error(…)` where `throw` was meant.
    return { problem: `an Error instead of throwing it: ${describeThrown(value)}`, cause: value }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: Array.isArray(value) ? 'an array' : `${value === null ? 'null' : typeof value} ${describeValue(value)}` }
  }
  for (const key of Object.keys(value)) {
    if (!OUTCOME_KEYS.has(key)) return { problem: `an object with the unknown key ${describeValue(key)}` }
  }
  const fields: Record<string, unknown> = {}
  for (const key of OUTCOME_KEYS) {
    try {
      fields[key] = (value as Record<string, unknown>)[key]
    } catch (thrown) {
      return { problem: `an object whose ${key} threw while it was read: ${describeThrown(thrown)}`, cause: thrown }
    }
  }
  const { status, observedValue, observedUnit, output } = fields
  if (status !== undefined && !STATUSES.has(status)) return { problem: `status ${describeValue(status)} (expected 'pass', 'warn' or 'fail')` }
  if (observedValue !== undefined && observedValue !== null && !['string', 'number', 'boolean'].includes(typeof observedValue)) {
    return { problem: `an observedValue of type ${typeof observedValue} (expected a string, number, boolean or null)` }
  }
  if (observedUnit !== undefined && typeof observedUnit !== 'string') return { problem: `an observedUnit of type ${typeof observedUnit}` }
  if (output !== undefined && typeof output !== 'string') return { problem: `an output of type ${typeof output}` }
  return {
    status: (status as CheckStatus | undefined) ?? 'pass',
    observedValue: typeof observedValue === 'string' ? boundText(observedValue) : (observedValue as number | boolean | null | undefined),
    observedUnit: observedUnit === undefined ? undefined : boundText(observedUnit),
    output: output === undefined ? undefined : boundText(output),
  }
}
