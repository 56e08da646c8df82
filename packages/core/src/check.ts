// Check definitions: plain, validated, frozen values that can be shared across services,
// composed into probes, and run on their own in tests.
import { HealthzError } from './errors.js'
import { assertKnownOptions, countOption, describeValue, durationOption, MAX_DURATION_MS, optionKeys } from './options.js'

/** The status of a check or a probe, as in draft-inadarei-api-health-check. */
export type CheckStatus = 'pass' | 'warn' | 'fail'

/**
 * Every {@link CheckStatus}, best first: the states a metrics collector reports a state set over.
 *
 * @example
 * ```ts
 * for (const state of CHECK_STATUSES) gauge.set({ check: 'db', state }, state === status ? 1 : 0)
 * ```
 */
export const CHECK_STATUSES: readonly CheckStatus[] = Object.freeze(['pass', 'warn', 'fail'] as const)

/**
 * What a check looks at.
 *
 * - `process`: only this process (memory, a watchdog, an in-memory queue). May back liveness.
 * - `dependency`: something outside the process (a database, a broker, another service).
 *   Never backs liveness: a dependency outage would restart every replica at once.
 */
export type CheckKind = 'process' | 'dependency'

/**
 * What a check's `run` receives: the deadline, handed down in three forms for the three kinds
 * of client, and a way to say what the run is waiting on.
 *
 * Data flows one way. The check reads its deadline here (never from its own definition, which
 * may have been defined again with another `timeout`) and reports what it was stuck on through
 * {@link CheckContext.progress}; it never touches the `CHECK_TIMEOUT` error it gets as the
 * signal's reason.
 *
 * @example
 * ```ts
 * // searchClient: a client whose calls take a signal and a relative timeout.
 * const search = defineCheck({
 *   name: 'search',
 *   timeout: 500,
 *   run: async ({ signal, timeout, progress }) => {
 *     progress('waiting for a search node')
 *     const node = await searchClient.pickNode({ signal })
 *     progress(`no answer from ${node.id} to its health request`)
 *     await node.health({ signal, timeoutMs: timeout })
 *   },
 * })
 * // At the deadline: "timed out after 500 ms (the check did not settle before its deadline):
 * // no answer from search-2 to its health request"
 * ```
 */
export interface CheckContext {
  /**
   * Aborted when the check's deadline passes, with the `CHECK_TIMEOUT` {@link HealthzError}
   * as its reason; pass it down to the client call.
   */
  readonly signal: AbortSignal
  /** The check's name. */
  readonly name: string
  /**
   * The deadline in milliseconds since the epoch, on the health object's clock (the `clock` of
   * `createHealth` or `runCheck`, so fake timers apply): for clients that take an absolute deadline.
   */
  readonly deadline: number
  /**
   * The run's budget in ms: from the moment `run` is called to {@link CheckContext.deadline}
   * (the check's `timeout`). For clients that take a relative timeout, such as node-postgres
   * `query_timeout`. It is counted from the start of the run: after a wait, less is left, and
   * the signal still aborts at the deadline.
   */
  readonly timeout: number
  /**
   * Says what the run is waiting on now, in a few words for people (`'pool exhausted: no
   * connection free'`, `'no PONG yet'`). If the deadline passes before the run settles, the
   * timeout's message ends with the latest note, after a colon; otherwise the note is dropped.
   * Call it again as the run moves on; `undefined` clears the note. The note is read when the
   * deadline fires, before the signal aborts: a note written by an abort listener comes too late.
   * It is cut at 4000 characters and, like every output, redacted when shown; keep secrets out.
   * Never throws (it may be called from a callback of the check's).
   */
  progress(note: string | undefined): void
}

/**
 * What a check's `run` may return for more than a plain pass. Returning nothing means pass;
 * throwing (or rejecting) means fail.
 */
export interface CheckOutcome {
  /** @default 'pass' */
  status?: CheckStatus
  /** The measured value (health+json `observedValue`). @default the run's duration in ms */
  observedValue?: string | number | boolean | null
  /** The unit of `observedValue` (health+json `observedUnit`). @default 'ms' when the duration is reported */
  observedUnit?: string
  /** A human-readable message; shown only where the disclosure policy allows, and always redacted. */
  output?: string
}

/** The function that answers a check's question. */
export type CheckRun = (context: CheckContext) => CheckOutcome | void | Promise<CheckOutcome | void>

/** Options of {@link defineCheck}. */
export interface CheckOptions {
  /** Unique name within a health object: lower-case letters, digits, `-`, `_` and `.`, at most 63 characters. */
  name: string
  /**
   * `'dependency'` for anything outside the process, `'process'` for in-process state.
   * Dependencies may back readiness and startup, never liveness.
   * @default 'dependency'
   */
  kind?: CheckKind
  /** health+json `componentType`, e.g. `datastore`, `system`, `component`. @default 'component' */
  componentType?: string
  /** health+json measurement name, the part after `:` in the key `postgres:responseTime`. @default 'responseTime' */
  measurement?: string
  /**
   * Hard deadline in ms. The check's signal aborts then, and the probe reports fail then
   * whether or not the check honours the signal. 500 ms keeps a probe inside the kubelet's
   * default `timeoutSeconds: 1`.
   * @default 500
   */
  timeout?: number
  /**
   * How long a result is reused, in ms; 0 runs the check on every probe (still single-flight).
   * @default 1000 for dependencies, 0 for process checks
   */
  cache?: number
  /**
   * Run the check in the background every `interval` ms (with jitter), so probes only read
   * memory. Leave unset to run on demand, when a probe asks and the cache is stale.
   */
  interval?: number
  /**
   * With `interval`: a background result older than this counts as fail.
   * @default 2 × interval + timeout
   */
  maxAge?: number
  /**
   * With `interval`: the fraction of the interval by which each wait is randomly shortened or
   * lengthened, so a fleet does not hit a dependency in lock-step.
   * @default 0.1
   */
  jitter?: number
  /** `false`: a failure reports `warn` and the probe keeps answering 200. @default true */
  critical?: boolean
  /**
   * Consecutive failures before a passing check reports fail (a Kubernetes-style flap damper).
   * A check's first result is reported as it is: there is no earlier pass to hold on to.
   * @default 1
   */
  failureThreshold?: number
  /** Consecutive passes before a failed check reports pass again. @default 1 */
  successThreshold?: number
  /** The question. Return nothing to pass, a {@link CheckOutcome} for more, throw to fail. */
  run: CheckRun
}

/** A validated check, as returned by {@link defineCheck}: every default filled in, frozen. */
export interface CheckDefinition {
  readonly name: string
  readonly kind: CheckKind
  readonly componentType: string
  readonly measurement: string
  readonly timeout: number
  readonly cache: number
  readonly interval: number | undefined
  readonly maxAge: number | undefined
  readonly jitter: number
  readonly critical: boolean
  readonly failureThreshold: number
  readonly successThreshold: number
  readonly run: CheckRun
}

/**
 * The keys {@link defineCheck} accepts: those of {@link CheckOptions}, and those of a
 * {@link CheckDefinition} (so that a definition, or a spread of one, can be defined again).
 */
const CHECK_KEYS = optionKeys<CheckOptions & CheckDefinition>({
  name: true,
  kind: true,
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
  run: true,
})

/** Default deadline of a check, in ms. */
export const DEFAULT_TIMEOUT = 500
/** Default cache window of a dependency check, in ms. */
export const DEFAULT_DEPENDENCY_CACHE = 1000

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/
const INVALID_CHECK = { code: 'INVALID_CHECK' } as const
const DEFINED = new WeakSet<CheckDefinition>()

/**
 * Defines a check: validates its options, fills in the defaults, and returns a frozen value
 * to put into `readiness`, `liveness` or `startup` of {@link createHealth}.
 *
 * @throws {HealthzError} `INVALID_CHECK` when an option is wrong, with what to change.
 * For `pg`, `mysql2`, Redis, RabbitMQ, NATS, MQTT, HTTP, disk and memory, use the factories
 * of `@healthz/checks` (`postgresCheck`, …): they hold the deadline end to end. `defineCheck`
 * is for the rest.
 *
 * @example
 * ```ts
 * const search = defineCheck({
 *   name: 'search',
 *   componentType: 'datastore',
 *   timeout: 500,
 *   // searchClient: a client whose ping honours an AbortSignal. The probe reports fail at the
 *   // deadline even if a client ignores the signal; passing it down stops the work too.
 *   run: async ({ signal }) => { await searchClient.ping({ signal }) },
 * })
 * ```
 * @see https://github.com/healthz/healthz/blob/main/docs/writing-checks.md
 */
export function defineCheck(options: CheckOptions): CheckDefinition {
  if (isCheckDefinition(options)) return options
  if (typeof options !== 'object' || options === null) {
    throw invalid(`defineCheck expects an options object like { name: 'postgres', run: async ({ signal }) => {…} }, got ${describeValue(options)}`)
  }
  assertKnownOptions(options, CHECK_KEYS, 'defineCheck', INVALID_CHECK)
  const { name } = options
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid(
      `Check name ${describeValue(name)} is invalid: use 1–63 lower-case letters, digits, '-', '_' or '.', starting with a letter or digit (e.g. 'postgres' or 'orders-db').`,
    )
  }
  const where = `Check "${name}"`
  if (typeof options.run !== 'function') {
    throw invalid(`${where} has no run function: pass run: async ({ signal }) => { … } that throws when unhealthy.`)
  }
  const kind = options.kind ?? 'dependency'
  if (kind !== 'dependency' && kind !== 'process') {
    throw invalid(`${where} has kind ${describeValue(kind)}: use 'dependency' (outside the process) or 'process' (in-process state).`)
  }
  const timeout = durationOption(options.timeout, DEFAULT_TIMEOUT, `${where}: timeout`, INVALID_CHECK)
  const cache = durationOption(options.cache, kind === 'dependency' ? DEFAULT_DEPENDENCY_CACHE : 0, `${where}: cache`, { ...INVALID_CHECK, zero: true })
  const interval = options.interval === undefined ? undefined : durationOption(options.interval, 0, `${where}: interval`, INVALID_CHECK)
  const maxAge = interval === undefined ? undefined : durationOption(options.maxAge, Math.min(2 * interval + timeout, MAX_DURATION_MS), `${where}: maxAge`, INVALID_CHECK)
  if (options.maxAge !== undefined && interval === undefined) {
    throw invalid(`${where}: maxAge applies to background checks only; set interval too, or remove maxAge.`)
  }
  const jitter = options.jitter ?? 0.1
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter < 1)) {
    throw invalid(`${where}: jitter must be a fraction from 0 (none) to below 1, got ${describeValue(jitter)}.`)
  }
  const critical = options.critical ?? true
  if (typeof critical !== 'boolean') throw invalid(`${where}: critical must be true or false, got ${describeValue(critical)}.`)
  const failureThreshold = countOption(options.failureThreshold, 1, `${where}: failureThreshold`, INVALID_CHECK)
  const successThreshold = countOption(options.successThreshold, 1, `${where}: successThreshold`, INVALID_CHECK)
  const componentType = label(options.componentType, 'component', `${where}: componentType`)
  const measurement = label(options.measurement, 'responseTime', `${where}: measurement`)
  if (measurement.includes(':')) throw invalid(`${where}: measurement must not contain ':' (the key is "component:measurement").`)

  const definition: CheckDefinition = Object.freeze({
    name,
    kind,
    componentType,
    measurement,
    timeout,
    cache,
    interval,
    maxAge,
    jitter,
    critical,
    failureThreshold,
    successThreshold,
    run: options.run,
  })
  DEFINED.add(definition)
  return definition
}

/**
 * Whether `value` came from {@link defineCheck} (of this copy of `@healthz/core`).
 *
 * @example
 * ```ts
 * isCheckDefinition(defineCheck({ name: 'x', run() {} })) // true
 * ```
 */
export function isCheckDefinition(value: unknown): value is CheckDefinition {
  return typeof value === 'object' && value !== null && DEFINED.has(value as CheckDefinition)
}

function invalid(message: string): HealthzError {
  return new HealthzError(message, { code: 'INVALID_CHECK' })
}

function label(value: unknown, fallback: string, what: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || value === '') throw invalid(`${what} must be a non-empty string, got ${describeValue(value)}.`)
  return value
}
