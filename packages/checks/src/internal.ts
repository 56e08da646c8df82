// What every factory shares: option validation, error wording, and the one mechanism that makes
// a check honour its deadline without piling up work on a dependency that has stopped answering.
import type { CheckContext, CheckDefinition, CheckKind, CheckOptions, CheckRun, OptionKeys } from '@healthz/core'
import { assertKnownOptions, defineCheck, HealthzError, redact } from '@healthz/core'

/**
 * Options every check factory takes besides its own: what `defineCheck` takes, minus `run` and
 * `kind` (the factory provides them), with a default `name`.
 */
export interface SharedCheckOptions extends Omit<CheckOptions, 'run' | 'kind' | 'name'> {
  /** The check's name (`[a-z0-9._-]`, unique within a health object). @default the factory's, e.g. `'postgres'` */
  name?: string
}

/**
 * @internal The keys of {@link SharedCheckOptions}, as a record each factory spreads into its own
 * `optionKeys<XCheckOptions>({ ...SHARED_KEYS, client: true })`.
 */
export const SHARED_KEYS: OptionKeys<SharedCheckOptions> = {
  name: true,
  componentType: true,
  measurement: true,
  timeout: true,
  cache: true,
  interval: true,
  maxAge: true,
  jitter: true,
  critical: true,
  failureThreshold: true,
  successThreshold: true,
}

/** @internal The defaults a factory gives its check. */
export interface FactoryDefaults {
  name: string
  kind: CheckKind
  componentType: string
  measurement?: string
}

/** @internal Builds the definition: the factory's defaults, the caller's options on top. */
export function buildCheck(defaults: FactoryDefaults, options: SharedCheckOptions, run: CheckRun, own: readonly string[]): CheckDefinition {
  const shared: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if (!own.includes(key) && value !== undefined) shared[key] = value
  }
  return defineCheck({
    ...defaults,
    ...shared,
    name: options.name ?? defaults.name,
    kind: defaults.kind,
    run,
  } as CheckOptions)
}

/**
 * @internal The options object a factory was given, with no key its options type does not
 * declare (a misspelt `timout` would otherwise be dropped without a word), or a clear error.
 */
export function optionsObject<T extends object>(options: T | undefined, factory: string, example: string, keys: readonly string[]): T {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption(`${factory} expects an options object like ${example}, got ${options === null ? 'null' : typeof options}.`)
  }
  assertKnownOptions(options, keys, factory)
  return options
}

/** @internal */
export function invalidOption(message: string): HealthzError {
  return new HealthzError(message, { code: 'INVALID_OPTION' })
}

/**
 * @internal A failure with a message fit to show: prefixed with what failed, and redacted of
 * credentials (drivers put connection strings in their errors). The driver's error is the `cause`.
 */
export function checkFailed(what: string, cause: unknown): HealthzError {
  let detail = cause instanceof Error ? cause.message || cause.name : typeof cause === 'string' ? cause : String(cause)
  // fetch and others wrap the socket error: "fetch failed" says nothing without its cause.
  const inner = cause instanceof Error ? cause.cause : undefined
  if (inner instanceof Error && inner.message !== '' && !detail.includes(inner.message)) detail = `${detail} (${inner.message})`
  const code = typeof cause === 'object' && cause !== null && typeof (cause as { code?: unknown }).code === 'string' ? (cause as { code: string }).code : undefined
  const text = code !== undefined && !detail.includes(code) ? `${detail} (${code})` : detail
  return new HealthzError(redact(`${what}: ${text}`), { code: 'CHECK_FAILED', cause })
}

/** @internal Whether `value` has a method `name`. */
export function hasMethod(value: unknown, name: string): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as Record<string, unknown>)[name] === 'function'
}

/**
 * @internal One attempt at the dependency, shared by consecutive runs while it is unsettled.
 *
 * `watched` is true while a run is waiting on it. When a run's deadline passes, the run stops
 * waiting and `abandon()` is called: the work releases what it holds (destroys a connection
 * whose query is stuck, leaves a pool's wait queue) and, for what cannot be cancelled (a
 * connection still being opened, a command queued on a shared client), makes sure that what
 * arrives later is handed back at once unless a later run has started watching again.
 */
export interface Flight {
  /** Whether a run is waiting on this attempt right now. */
  readonly watched: boolean
  /**
   * Says what the attempt is waiting on now (`'pool exhausted: …'`), for the run watching it
   * and for every run that joins it later: core ends the timeout's message with it.
   */
  progress(note: string | undefined): void
}

/** @internal What a factory implements: one attempt, and what to do when nobody waits any more. */
export interface Attempt<T> {
  promise: Promise<T>
  /**
   * What the attempt waits on from its start, for a timeout's message (`'no PONG yet; …'`). An
   * attempt that moves through phases calls `flight.progress()` instead.
   */
  readonly waitingOn?: string
  /** Called each time the run waiting on this attempt passes its deadline: let go of what it holds. */
  abandon?(): void
  /**
   * Whether `abandon()` ends the attempt (an aborted request, a destroyed socket): the next run
   * then starts a fresh attempt instead of waiting on this one. @default false
   */
  readonly endsOnAbandon?: boolean
}

/** The state behind a {@link Flight}: the runs waiting on it now, and its latest note. */
interface Tracked<T> {
  attempt: Attempt<T>
  readonly watchers: Set<CheckContext>
  note: string | undefined
}

/**
 * @internal Turns an attempt factory into a check `run` that:
 * - waits on the attempt until it settles or the run's deadline passes, whichever comes first;
 * - never starts a second attempt while one is unsettled: the next run joins it instead, so a
 *   stalled dependency sees at most one ping from this check, however many probes time out;
 * - tells each run's context what the attempt is waiting on, so core can say it at the deadline;
 * - removes its abort listener when done, so nothing stays attached to the signal.
 */
export function deadlineRun<T>(start: (flight: Flight, context: CheckContext) => Attempt<T>, onPass: (value: T) => ReturnType<CheckRun> = () => undefined): CheckRun {
  let current: Tracked<T> | undefined
  return async (context) => {
    const { signal } = context
    if (signal.aborted) throw abortReason(signal)
    let entry = current
    if (entry === undefined) {
      const tracked: Tracked<T> = { attempt: undefined as unknown as Attempt<T>, watchers: new Set([context]), note: undefined }
      const flight: Flight = {
        get watched() {
          return tracked.watchers.size > 0
        },
        progress(note) {
          tracked.note = note
          for (const watcher of tracked.watchers) watcher.progress(note)
        },
      }
      try {
        tracked.attempt = start(flight, context)
      } catch (error) {
        throw checkFailed('could not start', error)
      }
      if (tracked.attempt.waitingOn !== undefined && tracked.note === undefined) flight.progress(tracked.attempt.waitingOn)
      entry = tracked
      current = tracked
      // Nobody may be waiting when it settles: never an unhandled rejection.
      const settled = (): void => {
        if (current === tracked) current = undefined
      }
      tracked.attempt.promise.then(settled, settled)
    }
    const joined = entry
    joined.watchers.add(context)
    context.progress(joined.note)
    let value: T
    try {
      value = await new Promise<T>((resolve, reject) => {
        // Runs after core has read this run's note: it only lets go of what the attempt holds.
        const onAbort = (): void => {
          joined.watchers.delete(context)
          if (joined.attempt.endsOnAbandon === true && current === joined) current = undefined
          try {
            joined.attempt.abandon?.()
          } catch {
            // Letting go is best effort; the run fails at its deadline either way.
          }
          reject(abortReason(signal))
        }
        signal.addEventListener('abort', onAbort, { once: true })
        joined.attempt.promise.then(
          (result) => {
            signal.removeEventListener('abort', onAbort)
            resolve(result)
          },
          (error: unknown) => {
            signal.removeEventListener('abort', onAbort)
            reject(error)
          },
        )
      })
    } finally {
      joined.watchers.delete(context)
    }
    return onPass(value)
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new HealthzError('aborted at the deadline', { code: 'CHECK_TIMEOUT' })
}

/**
 * @internal A Redis `PING` on the application's client (ioredis or node-redis): fails at once
 * with `notReady` when the client says it cannot send (so nothing waits in its offline queue),
 * expects `PONG`, and is never cut short (the connection is the application's).
 */
export function redisPing(notReady: string | undefined, ping: () => Promise<unknown>): Attempt<void> {
  if (notReady !== undefined) {
    return { promise: Promise.reject(checkFailed('redis not connected', notReady)) }
  }
  return {
    promise: ping().then(
      (reply) => {
        if (reply !== 'PONG') throw checkFailed('redis ping', `unexpected reply ${JSON.stringify(reply)}`)
      },
      (error: unknown) => {
        throw checkFailed('redis ping failed', error)
      },
    ),
    waitingOn: 'no PONG yet; the next run waits on this PING instead of sending another',
  }
}
