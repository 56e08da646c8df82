// The error class of the healthz libraries (core, the adapters, checks, heartbeat), its codes,
// and the helpers that turn any thrown value into readable error text. Every error carries a
// `code`, so callers branch on the code and never on message text. (@healthz/cli has its own,
// `CliError`.)
import { describeValue } from './options.js'

/**
 * Every code a {@link HealthzError} can carry.
 *
 * - `INVALID_OPTION`: an option of `createHealth` or an adapter is wrong (raised at construction).
 * - `INVALID_CHECK`: a check definition is wrong (raised by `defineCheck` / `createHealth`).
 * - `DUPLICATE_CHECK`: two different checks share one name.
 * - `DEPENDENCY_IN_LIVENESS`: a `kind: 'dependency'` check was given to liveness.
 * - `CHECK_FAILED`: a check threw or rejected.
 * - `CHECK_TIMEOUT`: a check did not settle before its deadline.
 * - `CHECK_STALLED`: the previous run of a check is still pending past its deadline, so it was not started again.
 * - `MALFORMED_RESULT`: a check returned something that is not a check outcome (an Error instead of throwing it, a wrong shape, an object that threw while it was read).
 * - `STALE_RESULT`: a background check's last result is older than its `maxAge`.
 * - `SHUTDOWN_HOOK_FAILED`: an `onShutdown` hook threw, rejected or timed out (shutdown went on).
 * - `SERVER_CLOSE_FAILED`: draining a server failed (shutdown went on).
 * - `SHUTDOWN_FORCED`: a second signal arrived during shutdown; the process exits at once.
 */
export type HealthzErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_CHECK'
  | 'DUPLICATE_CHECK'
  | 'DEPENDENCY_IN_LIVENESS'
  | 'CHECK_FAILED'
  | 'CHECK_TIMEOUT'
  | 'CHECK_STALLED'
  | 'MALFORMED_RESULT'
  | 'STALE_RESULT'
  | 'SHUTDOWN_HOOK_FAILED'
  | 'SERVER_CLOSE_FAILED'
  | 'SHUTDOWN_FORCED'

/** Options of the {@link HealthzError} constructor. */
export interface HealthzErrorOptions {
  /** What went wrong, for a machine. */
  code: HealthzErrorCode
  /** The underlying error or thrown value, when there is one. */
  cause?: unknown
}

/**
 * The error class of the `@healthz/*` libraries: core, the adapters (`http`, `express`, `koa`,
 * `nestjs`), `checks` and `heartbeat`. The `healthz` CLI reports bad input with its own
 * `CliError` (from `@healthz/cli`).
 *
 * @example
 * ```ts
 * try {
 *   createHealth({ liveness: [postgresCheck] })
 * } catch (error) {
 *   if (isHealthzError(error) && error.code === 'DEPENDENCY_IN_LIVENESS') {
 *     // move the check to `readiness`
 *   }
 * }
 * ```
 */
export class HealthzError extends Error {
  /** What went wrong, for a machine. */
  readonly code: HealthzErrorCode

  constructor(message: string, options: HealthzErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'HealthzError'
    this.code = options.code
  }
}

/**
 * Whether `value` is a {@link HealthzError}. Matches by `name` and `code` as well as by class,
 * so an error from a second installed copy of `@healthz/core` is recognised too.
 *
 * @example
 * ```ts
 * if (isHealthzError(error)) console.log(error.code)
 * ```
 */
export function isHealthzError(value: unknown): value is HealthzError {
  if (value instanceof HealthzError) return true
  return (
    value instanceof Error &&
    value.name === 'HealthzError' &&
    typeof (value as { code?: unknown }).code === 'string'
  )
}

/**
 * The longest text a check result carries as `output` (and as a string `observedValue` or
 * `observedUnit`): longer text is cut, with the number of characters left out. A probe answer
 * stays small, and redaction runs over a bounded input.
 *
 * @internal
 */
export const MAX_TEXT = 4000

/**
 * Describes any thrown value in one readable line: an Error's message, a string as is, and
 * anything else (undefined, null, numbers, Symbols, plain objects) with what it was. Never
 * throws, whatever the value does when read (throwing getters, Proxies, a throwing
 * `toString`), and always returns a string of at most {@link MAX_TEXT} characters (plus the
 * note of what was cut): this is where a thrown value becomes output text.
 *
 * @internal
 */
export function describeThrown(value: unknown): string {
  let text: string
  try {
    text = describe(value)
  } catch {
    text = 'rejected with a non-Error value that could not be read'
  }
  return boundText(text)
}

/**
 * Turns any thrown value into an `Error`: an Error whose message is a readable string as it
 * is, anything else wrapped in a `HealthzError` (`CHECK_FAILED`, the value as `cause`) whose
 * message describes it. Never throws.
 *
 * @internal
 */
export function toError(value: unknown): Error {
  if (readableError(value)) return value
  return new HealthzError(describeThrown(value), { code: 'CHECK_FAILED', cause: value })
}

/**
 * Whether `value` is an Error (from this realm or another) whose `message` reads as a string
 * without throwing: one that is safe to keep as a result's `error`.
 *
 * @internal
 */
export function readableError(value: unknown): value is Error {
  try {
    return isError(value) && typeof value.message === 'string'
  } catch {
    return false
  }
}

/**
 * Whether `value` is an Error, also one from another realm (`vm`, a worker's structured
 * clone). May throw for a Proxy; callers guard.
 *
 * @internal
 */
export function isError(value: unknown): value is Error {
  if (typeof value !== 'object' || value === null) return false
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]'
}

/**
 * Cuts a text to {@link MAX_TEXT} characters, saying how many were left out.
 *
 * @internal
 */
export function boundText(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length - MAX_TEXT} more characters)` : text
}

function describe(value: unknown): string {
  if (isError(value)) {
    let message: unknown
    try {
      message = value.message
    } catch {
      return 'an Error whose message is unreadable (reading it threw)'
    }
    if (typeof message === 'string' && message !== '') return message
    const name = errorName(value)
    if (message === undefined || message === '') return name
    return `${name} with a non-string message: ${describeValue(message)}`
  }
  if (typeof value === 'string') return value === '' ? 'rejected with an empty string' : value
  if (value === undefined) return 'rejected with undefined (throw an Error with a message instead)'
  if (value === null) return 'rejected with null (throw an Error with a message instead)'
  if (typeof value === 'object') {
    let message: unknown
    try {
      message = (value as { message?: unknown }).message
    } catch {
      message = undefined
    }
    if (typeof message === 'string' && message !== '') return message
    return `rejected with a non-Error value: ${describeValue(value)}`
  }
  return `rejected with a non-Error value: ${describeValue(value)}`
}

function errorName(error: Error): string {
  try {
    const name = error.name
    return typeof name === 'string' && name !== '' ? name : 'Error'
  } catch {
    return 'Error'
  }
}

/**
 * The `onError` every healthz function uses when none is given: `console.error('[healthz]', error)`.
 *
 * @example
 * ```ts
 * const onError = options.onError ?? reportToConsole
 * ```
 */
export function reportToConsole(error: Error): void {
  console.error('[healthz]', error)
}

/**
 * Wraps an `onError` so that it can never throw: a logger that throws (or is down) must not
 * make `markStarted()` throw, leave a probe unanswered or turn a drain into a crash. Its own
 * failure goes to `console.error`, with the error it was given. For adapters built on the core.
 *
 * @example
 * ```ts
 * const onError = guardOnError(options.onError ?? reportToConsole)
 * ```
 */
export function guardOnError(onError: (error: Error) => void): (error: Error) => void {
  return function reportError(error) {
    try {
      onError(error)
    } catch (failure) {
      try {
        console.error('[healthz] onError threw while reporting an error', failure, error)
      } catch {
        // Nothing is left to report to.
      }
    }
  }
}
