// The one error class of healthz: every error we raise carries a `code`, so callers branch on
// the code and never on message text.

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
 * - `MALFORMED_RESULT`: a check returned something that is not a check outcome.
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
 * The error class of every `@healthz/*` package.
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

const MAX_DESCRIBED = 200

/**
 * Describes any thrown value in one readable line: an Error's message, a string as is, and
 * anything else (undefined, null, numbers, plain objects) with what it was.
 *
 * @internal
 */
export function describeThrown(value: unknown): string {
  if (value instanceof Error) {
    return value.message === '' ? value.name : value.message
  }
  if (typeof value === 'string') return value === '' ? 'rejected with an empty string' : value
  if (value === undefined) return 'rejected with undefined (throw an Error with a message instead)'
  if (value === null) return 'rejected with null (throw an Error with a message instead)'
  if (typeof value === 'object') {
    const message = (value as { message?: unknown }).message
    if (typeof message === 'string' && message !== '') return message
    return `rejected with a non-Error value: ${truncate(safeJson(value))}`
  }
  return `rejected with a non-Error value: ${truncate(String(value))}`
}

/**
 * Turns any thrown value into an `Error`, keeping an Error as it is.
 *
 * @internal
 */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value
  return new HealthzError(describeThrown(value), { code: 'CHECK_FAILED', cause: value })
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

function truncate(text: string): string {
  return text.length > MAX_DESCRIBED ? `${text.slice(0, MAX_DESCRIBED)}…` : text
}

/**
 * @internal An `onError` that can never throw: a logger that throws (or is down) must not make
 * `markStarted()` throw or turn a drain into a crash. Its own failure goes to `console.error`,
 * with the error it was given.
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
