// Time goes through one injectable provider, so every rule that depends on time is testable
// with fake timers. The default reads `Date.now` and `setTimeout` at call time (not at import),
// which is what lets `vi.useFakeTimers()` replace them.
import { HealthzError } from './errors.js'
import { describeValue } from './options.js'

/**
 * The source of time for a health object: reading the time and scheduling callbacks.
 *
 * @example
 * ```ts
 * // A manual clock for a test that wants full control:
 * const clock: Clock = {
 *   now: () => current,
 *   schedule: (callback, ms) => { const t = setTimeout(callback, ms); return () => clearTimeout(t) },
 * }
 * createHealth({ clock, readiness: [db] })
 * ```
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /**
   * Calls `callback` once after `ms` milliseconds and returns a function that cancels it.
   * Scheduled callbacks must not keep the process alive (the default unrefs its timers),
   * unless `options.keepAlive` is set: for a wait that a caller awaits, which must finish even
   * when nothing else holds the event loop open. The shutdown sequence sets it, and so does a
   * check's deadline when a caller awaits the run (`runCheck`, a probe); a background loop's
   * timers and the deadline of a background run that nobody awaits do not.
   */
  schedule(callback: () => void, ms: number, options?: ScheduleOptions): () => void
}

/** Options of {@link Clock.schedule}. */
export interface ScheduleOptions {
  /** Keep the process alive until the callback has run. @default false */
  keepAlive?: boolean
}

/**
 * The default {@link Clock}: `Date.now()` and an unref'd `setTimeout`, both looked up on every
 * call so that fake timers installed after import still apply.
 *
 * @example
 * ```ts
 * const started = systemClock.now()
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(callback, ms, options) {
    const timer = globalThis.setTimeout(callback, ms)
    if (options?.keepAlive !== true && typeof timer === 'object' && timer !== null && 'unref' in timer) timer.unref()
    return () => globalThis.clearTimeout(timer)
  },
}

/**
 * @internal The clock an options object gives (`systemClock` when none), or an
 * `INVALID_OPTION` error when it lacks the {@link Clock} methods.
 */
export function clockOption(value: unknown, what = 'clock'): Clock {
  if (value === undefined) return systemClock
  const clock = value as Partial<Clock> | null
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function' || typeof clock.schedule !== 'function') {
    throw new HealthzError(`${what} must be an object with now() and schedule(callback, ms) methods (a Clock; leave it out for the system clock), got ${describeValue(value)}.`, {
      code: 'INVALID_OPTION',
    })
  }
  return clock as Clock
}
