// The option rules of every @healthz package (unknown keys with a "did you mean", durations a Node
// timer can hold, whole numbers, values cut short when echoed), with the wording of
// @healthz/core's options.ts. The CLI keeps this copy instead of depending on the core (see the
// package README); test/issue-14-options-copy.test.ts holds it to the core's rules and defaults
// input by input, and test/issue-13-options.test.ts to the core's messages in every command.
import { CliError } from './errors.js'
import type { CliErrorCode } from './errors.js'
import { ECHO_LIMIT, escapeControl } from './escape.js'

/**
 * The longest delay a Node timer can hold, in ms (2^31 − 1, about 24.8 days), as
 * `MAX_DURATION_MS` of `@healthz/core`. @internal
 */
export const MAX_DURATION_MS = 2_147_483_647

/** The largest value of a Kubernetes int32 field (`failureThreshold`, `periodSeconds`, …). @internal */
export const MAX_INT32 = 2_147_483_647

/**
 * A value as an error message shows it, as `describeValue` of `@healthz/core` (strings quoted,
 * cut after 60 characters with a note of the full length), with every control character
 * escaped, C1 and bidirectional controls too.
 * @internal
 */
export function describeValue(value: unknown): string {
  let text: string
  try {
    if (typeof value === 'function') text = `function ${value.name || '(anonymous)'}`
    else if (typeof value === 'bigint' || typeof value === 'symbol') text = String(value)
    else if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) {
      text = `a ${(value as object).constructor?.name ?? 'object'}`
    } else text = JSON.stringify(value) ?? String(value)
  } catch {
    try {
      text = Object.prototype.toString.call(value)
    } catch {
      text = 'a value that could not be read'
    }
  }
  if (text.length <= ECHO_LIMIT) return escapeControl(text)
  return `${escapeControl(text.slice(0, ECHO_LIMIT))}…${text.startsWith('"') ? '"' : ''} (${text.length} characters)`
}

/**
 * "unknown option "x"; did you mean "y"?. Remove it or correct its name." for `key`, suggesting
 * the nearest of `known`. @internal
 */
export function unknownOption(key: string, known: readonly string[]): string {
  const suggestion = closest(key, known)
  const hint = suggestion === undefined ? `known options: ${known.join(', ')}` : `did you mean "${suggestion}"?`
  return `unknown option ${describeValue(key)}; ${hint}. Remove it or correct its name.`
}

/**
 * Refuses keys that `known` does not list, naming the nearest known key.
 *
 * @throws {CliError} `code` (default `USAGE`).
 * @internal
 */
export function assertKnownOptions(options: unknown, known: readonly string[], where: string, code: CliErrorCode = 'USAGE'): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CliError(`${where} expects an options object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : describeValue(options)}.`, { code })
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new CliError(`${where}: ${unknownOption(key, known)}`, { code })
  }
  return options as Record<string, unknown>
}

/**
 * A duration in ms: a finite number above 0 (or from 0 with `zero`) up to {@link MAX_DURATION_MS};
 * `fallback` when `undefined`.
 *
 * @throws {CliError} `code` (default `USAGE`), saying the allowed range.
 * @internal
 */
export function durationOption(value: unknown, fallback: number, what: string, check: { zero?: boolean; code?: CliErrorCode } = {}): number {
  if (value === undefined) return fallback
  const zero = check.zero === true
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zero && value === 0) || value > MAX_DURATION_MS) {
    throw new CliError(
      `${what} must be a number of milliseconds ${zero ? 'from 0' : 'above 0'} up to ${MAX_DURATION_MS} (about 24.8 days, the longest a Node timer holds), got ${describeValue(value)}.`,
      { code: check.code ?? 'USAGE' },
    )
  }
  return value
}

/**
 * A whole number from `min` (default 1) up to `max`; `fallback` when `undefined`.
 *
 * @throws {CliError} `code` (default `USAGE`), saying the allowed range.
 * @internal
 */
export function countOption(value: unknown, fallback: number, what: string, check: { min?: number; max?: number; code?: CliErrorCode } = {}): number {
  if (value === undefined) return fallback
  const min = check.min ?? 1
  const max = check.max ?? Number.MAX_SAFE_INTEGER
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`
    throw new CliError(`${what} must be a whole number ${range}, got ${describeValue(value)}.`, { code: check.code ?? 'USAGE' })
  }
  return value
}

/** The known key nearest to `key` (case-insensitive edit distance), when near enough to be a typo. @internal */
export function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of known) {
    const target = candidate.toLowerCase()
    // A known key with a unit or a word appended (`drainDelayMs`, `timeoutMillis`), or cut short
    // with at most one typo (`ready` for `readiness`), is the same option.
    const appended = lower.startsWith(target) && target.length >= 4
    const cut = lower.length >= 4 && lower.length < target.length && editDistance(lower, target.slice(0, lower.length)) <= 1
    // A real one-letter typo (`serv` for `serve`) wins over a cut-short key (`serv` for `service`).
    const distance = appended ? 1 : Math.min(editDistance(lower, target), cut ? 1.5 : Number.POSITIVE_INFINITY)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined
}

/** Levenshtein distance, with a cap on the lengths it compares so a huge key stays cheap. */
function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Number.POSITIVE_INFINITY
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i]
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost)
    }
    previous = current
  }
  return previous[b.length] as number
}
