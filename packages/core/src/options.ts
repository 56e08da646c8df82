// The one validator of options for every @healthz package: unknown keys (with a "did you mean"),
// durations that a Node timer can hold, whole numbers, and values cut short when echoed.
import type { HealthzErrorCode } from './errors.js'
import { HealthzError } from './errors.js'

/**
 * The longest delay a Node timer can hold, in ms (2^31 − 1, about 24.8 days). Node fires a
 * longer timer after 1 ms with a warning, so every duration option is capped here.
 */
export const MAX_DURATION_MS = 2_147_483_647

/** How many characters of a bad value an error message echoes. */
const ECHO_LIMIT = 60

/** Options shared by the validators below. */
export interface OptionCheck {
  /** The error code to raise. @default 'INVALID_OPTION' */
  code?: HealthzErrorCode
}

/** Options of {@link durationOption}. */
export interface DurationCheck extends OptionCheck {
  /** Whether 0 is allowed (e.g. a cache or a drain delay of 0). @default false */
  zero?: boolean
}

/** Options of {@link countOption}. */
export interface CountCheck extends OptionCheck {
  /** The smallest allowed value. @default 1 */
  min?: number
  /** The largest allowed value. @default Number.MAX_SAFE_INTEGER */
  max?: number
}

/**
 * Every key of an options type `T`, each set to `true`: the form in which a package writes the
 * list of keys {@link assertKnownOptions} accepts, next to the interface. Both directions of
 * drift are compile errors: a key the interface declares and the list misses ("property is
 * missing"), and a key the list has and the interface lacks ("object literal may only specify
 * known properties").
 *
 * @example
 * ```ts
 * const MY_KEYS = optionKeys<MyOptions>({ timeout: true, cache: true })
 * ```
 */
export type OptionKeys<T> = { readonly [K in keyof T]-?: true }

/**
 * The keys of an options type as a list for {@link assertKnownOptions}, written as an
 * {@link OptionKeys} record so that the list cannot drift from the interface. Always name the
 * type: `optionKeys<MyOptions>({ … })`.
 *
 * @example
 * ```ts
 * const MY_KEYS = optionKeys<MyOptions>({ timeout: true, cache: true })
 * assertKnownOptions(options, MY_KEYS, 'myCheck')
 * ```
 */
export function optionKeys<T>(keys: OptionKeys<T>): readonly string[] {
  return Object.freeze(Object.keys(keys))
}

/**
 * A function option, or `undefined` when not given (callers apply their default).
 *
 * @throws {HealthzError} `INVALID_OPTION` (or `code`) naming the expected signature.
 * @example
 * ```ts
 * const onError = functionOption(options.onError, 'onError', '(error) => void') ?? console.error
 * ```
 */
export function functionOption<T extends (...args: never[]) => unknown>(value: T | undefined, what: string, signature: string, check: OptionCheck = {}): T | undefined {
  if (value === undefined || typeof value === 'function') return value
  throw new HealthzError(`${what} must be a function ${signature}, got ${describeValue(value)}.`, { code: check.code ?? 'INVALID_OPTION' })
}

/**
 * A value as an error message shows it: strings quoted, objects by their JSON, functions by
 * name, and anything longer than 60 characters cut with a note of its full length, so a huge
 * value can never inflate a message or a log line.
 *
 * @example
 * ```ts
 * describeValue('x'.repeat(10_000)) // '"xxxxxxxx…" (10002 characters)'
 * describeValue(undefined)          // 'undefined'
 * ```
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
  if (text.length <= ECHO_LIMIT) return text
  return `${text.slice(0, ECHO_LIMIT)}…${text.startsWith('"') ? '"' : ''} (${text.length} characters)`
}

/**
 * Refuses keys that `known` does not list, the way a typo (`readyness`, `timout`) would
 * otherwise be ignored without a word in plain JavaScript. Suggests the nearest known key.
 * Returns the options object, typed as a record to read from.
 *
 * @param options - the options object as given (an error when it is not a plain object)
 * @param known - every key the options type declares
 * @param where - how the message names the object, e.g. `createHealth` or `shutdown`
 * @throws {HealthzError} `INVALID_OPTION` (or `code`) naming the unknown key and a suggestion.
 * @example
 * ```ts
 * const options = assertKnownOptions(given, ['timeout', 'cache'], 'myCheck')
 * ```
 */
export function assertKnownOptions(options: unknown, known: readonly string[], where: string, check: OptionCheck = {}): Record<string, unknown> {
  const code = check.code ?? 'INVALID_OPTION'
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new HealthzError(`${where} expects an options object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : describeValue(options)}.`, { code })
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue
    const suggestion = closest(key, known)
    const hint = suggestion === undefined ? `known options: ${known.join(', ')}` : `did you mean "${suggestion}"?`
    throw new HealthzError(`${where}: unknown option ${describeValue(key)}; ${hint}. Remove it or correct its name.`, { code })
  }
  return options as Record<string, unknown>
}

/**
 * One of a fixed list of strings, e.g. a format name. A near miss (`sprng`, `Terminus`) is
 * answered with a "did you mean", as unknown option keys are.
 *
 * @param value - the value as given
 * @param choices - the allowed strings
 * @param what - how the message names the option, e.g. `format`
 * @param alternative - what else the option takes, for the message (e.g. a function signature)
 * @throws {HealthzError} `INVALID_OPTION` (or `code`) listing the choices.
 * @example
 * ```ts
 * const format = choiceOption(options.format, ['health+json', 'terminus', 'spring'], 'format')
 * ```
 */
export function choiceOption<T extends string>(value: unknown, choices: readonly T[], what: string, alternative?: string, check: OptionCheck = {}): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T
  const suggestion = typeof value === 'string' ? closest(value, choices) : undefined
  const listed = choices.map((choice) => `'${choice}'`).join(', ')
  const hint = suggestion === undefined ? '' : ` Did you mean '${suggestion}'?`
  throw new HealthzError(`${what} must be one of ${listed}${alternative === undefined ? '' : ` or a function ${alternative}`}, got ${describeValue(value)}.${hint}`, {
    code: check.code ?? 'INVALID_OPTION',
  })
}

/**
 * A duration in ms: a finite number above 0 (or from 0 with `zero: true`) up to
 * {@link MAX_DURATION_MS}; `fallback` when `undefined`.
 *
 * @throws {HealthzError} `INVALID_OPTION` (or `code`) saying the allowed range.
 * @example
 * ```ts
 * const drainDelay = durationOption(options.drainDelay, 0, 'shutdown.drainDelay', { zero: true })
 * ```
 */
export function durationOption(value: unknown, fallback: number, what: string, check: DurationCheck = {}): number {
  if (value === undefined) return fallback
  const zero = check.zero === true
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zero && value === 0) || value > MAX_DURATION_MS) {
    throw new HealthzError(
      `${what} must be a number of milliseconds ${zero ? 'from 0' : 'above 0'} up to ${MAX_DURATION_MS} (about 24.8 days, the longest a Node timer holds), got ${describeValue(value)}.`,
      { code: check.code ?? 'INVALID_OPTION' },
    )
  }
  return value
}

/**
 * A whole number from `min` (default 1) up to `max`; `fallback` when `undefined`.
 *
 * @throws {HealthzError} `INVALID_OPTION` (or `code`) saying the allowed range.
 * @example
 * ```ts
 * const threshold = countOption(options.failureThreshold, 1, 'failureThreshold')
 * ```
 */
export function countOption(value: unknown, fallback: number, what: string, check: CountCheck = {}): number {
  if (value === undefined) return fallback
  const min = check.min ?? 1
  const max = check.max ?? Number.MAX_SAFE_INTEGER
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`
    throw new HealthzError(`${what} must be a whole number ${range}, got ${describeValue(value)}.`, { code: check.code ?? 'INVALID_OPTION' })
  }
  return value
}

/** The known key nearest to `key` (case-insensitive edit distance), when near enough to be a typo. */
function closest(key: string, known: readonly string[]): string | undefined {
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
