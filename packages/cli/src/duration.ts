// Durations on the command line: `2s`, `500ms`, `1.5s`, `1m`. A bare number is refused, because
// `--timeout 2` could mean seconds (Kubernetes' timeoutSeconds) or milliseconds (healthz options).
import { usage } from './errors.js'
import { MAX_DURATION_MS, describeValue } from './options.js'

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)$/
const FACTOR = { ms: 1, s: 1000, m: 60_000 } as const

/**
 * Parses a duration like `2s`, `500ms`, `1.5s` or `1m` into milliseconds.
 *
 * @throws {CliError} `USAGE` for anything else, with the accepted forms.
 * @example
 * ```ts
 * parseDuration('2s') // 2000
 * parseDuration('250ms') // 250
 * ```
 */
export function parseDuration(text: string, option = 'duration'): number {
  const match = DURATION.exec(text.trim())
  if (match === null) {
    const bare = /^\d+(?:\.\d+)?$/.test(text.trim())
    const number = text.trim().length <= 20 ? text.trim() : '2'
    throw usage(
      bare
        ? `${option} ${describeValue(text)} has no unit: add one, like ${number}s or ${number}ms.`
        : `${option} ${describeValue(text)} is not a duration: use a number with ms, s or m, like 2s or 500ms.`,
    )
  }
  // The rule of every healthz duration (durationOption of @healthz/core): above 0, at most what a Node timer holds.
  const value = Math.round(Number(match[1]) * FACTOR[match[2] as keyof typeof FACTOR])
  if (!(value > 0) || value > MAX_DURATION_MS) {
    throw usage(`${option} must be a duration above 0 up to ${MAX_DURATION_MS} ms (about 24.8 days, the longest a Node timer holds), got ${describeValue(text)}.`)
  }
  return value
}

/** Prints milliseconds the way a person would write them: `2s`, `1.5s`, `500ms`. @internal */
export function formatDuration(ms: number): string {
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}
