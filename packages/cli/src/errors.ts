// The one error class of @healthz/cli. Every error the CLI raises on bad input carries a `code`
// and a message that says what is wrong and how to fix it; the bin prints the message (never a
// stack trace) and exits with the code's status.

/**
 * Every code a {@link CliError} can carry.
 *
 * - `USAGE`: a command line the CLI cannot run (unknown command or option, a bad URL, a bad
 *   duration). Exit status 2.
 * - `INPUT`: a manifest that cannot be read: a missing file, malformed YAML, or YAML that is not a
 *   Kubernetes object. Exit status 2.
 * - `CONFIG`: the healthz config given to `healthz lint --config` is wrong. Exit status 2.
 */
export type CliErrorCode = 'USAGE' | 'INPUT' | 'CONFIG'

/** Options of the {@link CliError} constructor. */
export interface CliErrorOptions {
  /** What went wrong, for a machine. */
  code: CliErrorCode
  /** The underlying error, when there is one. */
  cause?: unknown
}

/**
 * The error of every bad input to `healthz` and to this package's functions.
 *
 * @example
 * ```ts
 * try {
 *   parseDuration('2')
 * } catch (error) {
 *   if (isCliError(error)) console.error(error.message) // "… add a unit: 2s or 500ms"
 * }
 * ```
 */
export class CliError extends Error {
  /** What went wrong, for a machine. */
  readonly code: CliErrorCode

  constructor(message: string, options: CliErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'HealthzCliError'
    this.code = options.code
  }
}

/**
 * Whether `value` is a {@link CliError}, by class or by `name` and `code` (a second installed
 * copy of the package).
 *
 * @example
 * ```ts
 * if (isCliError(error) && error.code === 'INPUT') process.exitCode = 2
 * ```
 */
export function isCliError(value: unknown): value is CliError {
  if (value instanceof CliError) return true
  return value instanceof Error && value.name === 'HealthzCliError' && typeof (value as { code?: unknown }).code === 'string'
}

/** @internal */
export function usage(message: string): CliError {
  return new CliError(message, { code: 'USAGE' })
}
