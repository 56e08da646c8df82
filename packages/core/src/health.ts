// The health object: the public `Health` contract and `createHealth`, a small facade that wires
// the check registry, the probe evaluator and the request handler together, and that owns the
// `change` events (and their diagnostics channels, events.ts), the snapshot and the shutdown facade.
import type { CheckStatus } from './check.js'
import type { Clock } from './clock.js'
import { clockOption } from './clock.js'
import { guardOnError, HealthzError, reportToConsole, toError } from './errors.js'
import { channels } from './events.js'
import type { ProbeOptions } from './evaluate.js'
import { ProbeEvaluator } from './evaluate.js'
import type { ProbeFormats, ResponseFormat } from './format.js'
import { formatOption } from './format.js'
import type { DetailsPolicy, HealthRequest, HealthResponse } from './handler.js'
import { detailsOption, RequestHandler } from './handler.js'
import { assertKnownOptions, describeValue, functionOption, optionKeys } from './options.js'
import type { CheckInput, Watchdog, WatchdogOptions } from './registry.js'
import { ProbeRegistry } from './registry.js'
import type { HealthReport, ProbeKind, ServiceInfo } from './report.js'
import { serviceOption } from './report.js'
import type { CheckResult } from './run.js'
import type { ProbePaths } from './routes.js'
import { resolveProbePaths, toRoutes } from './routes.js'
import type { RuntimeMonitor, RuntimeOptions } from './runtime.js'
import { Runtime, runtimeOption } from './runtime.js'
import type { HealthSnapshot } from './snapshot.js'
import { takeSnapshot } from './snapshot.js'
import type { StatusPageInfo, StatusPageOptions } from './status-page.js'
import { StatusPage, statusPageOption } from './status-page.js'
import type { ClosingContext, ShutdownHookOptions, ShutdownOptions, ShutdownPhase, ShutdownResult } from './shutdown.js'
import { Shutdown } from './shutdown.js'
import { keepNextTickFast } from './next-tick.js'

/** Options of {@link createHealth}. */
export interface HealthOptions {
  /** Who the service is; shown in health+json bodies. */
  service?: ServiceInfo
  /** Process-only checks (`kind: 'process'`). A dependency check here is refused. @default [] */
  liveness?: readonly CheckInput[]
  /** Dependency and process checks that decide whether this instance should get traffic. @default [] */
  readiness?: readonly CheckInput[]
  /**
   * Boot gates. The startup probe opens (and latches) when every one of them has passed once,
   * or when `markStarted()` is called. With none, only `markStarted()` opens it.
   * @default []
   */
  startup?: readonly CheckInput[]
  /** Probe paths. @default { liveness: '/livez', readiness: '/readyz', startup: '/startupz' } */
  paths?: ProbePaths
  /** A prefix for every probe path, e.g. `/health` serves `/health/livez`. @default '' */
  prefix?: string
  /** Who may see check error text. @default 'never' */
  details?: DetailsPolicy
  /**
   * The body probes answer in, for every probe or per probe: `'health+json'`, `'terminus'`
   * (the body of @nestjs/terminus and @godaddy/terminus), `'spring'` (Spring Boot Actuator's
   * health endpoint), or a function `(report, context) => ({ status, headers, body })`. The
   * `details` policy applies to every format. See docs/formats.md.
   * @default 'health+json'
   * @example
   * ```ts
   * createHealth({ readiness: [postgres], format: { readiness: 'spring' } })
   * ```
   */
  format?: ResponseFormat | ProbeFormats
  /** The clock; inject one (or use fake timers) in tests. @default systemClock */
  clock?: Clock
  /**
   * Called with errors that have nowhere else to go: a throwing `change` listener, a failed
   * shutdown hook.
   * @default console.error
   */
  onError?: (error: Error) => void
  /** The shutdown sequence: signals, drain delay, grace period, hook timeouts. */
  shutdown?: ShutdownOptions
  /**
   * The runtime monitor (event-loop delay and GC pauses, `health.runtime`), and the opt-in
   * event-loop stall check for liveness. `false` turns the monitor off.
   * @default {} (measuring, no stall check)
   */
  runtime?: RuntimeOptions | false
  /**
   * The status page for people: one self-contained HTML page at `path` (default `/statusz`,
   * after `prefix`) with each probe's and check's state, last transition, duration, deadline, a
   * sparkline of recent runs and a timeline, kept live over Server-Sent Events at
   * `<path>/events`. It reads the results probes produce and never runs a check; the `details`
   * policy applies to it exactly as to health+json. Its memory is bounded by `history`. `true`
   * for the defaults. See docs/status-pages.md.
   * @default false (no page)
   * @example
   * ```ts
   * createHealth({ readiness: [postgres], statusPage: { path: '/statusz', history: 100 } })
   * ```
   */
  statusPage?: boolean | StatusPageOptions
}

/** @internal The keys of {@link HealthOptions}. */
export const HEALTH_KEYS = optionKeys<HealthOptions>({
  service: true,
  liveness: true,
  readiness: true,
  startup: true,
  paths: true,
  prefix: true,
  details: true,
  format: true,
  clock: true,
  onError: true,
  shutdown: true,
  runtime: true,
  statusPage: true,
})

/** Emitted on `change` when a check's status changes (not on every probe). */
export interface CheckChangeEvent {
  type: 'check'
  name: string
  /** `undefined` on a check's first result. */
  previous: CheckStatus | undefined
  current: CheckStatus
  result: CheckResult
}

/** Emitted on `change` when a probe's overall status changes, as seen by a probe request. */
export interface ProbeChangeEvent {
  type: 'probe'
  probe: ProbeKind
  previous: CheckStatus | undefined
  current: CheckStatus
}

/** Emitted on `change` when the shutdown sequence moves on (`running → draining → closing → stopped`). */
export interface PhaseChangeEvent {
  type: 'phase'
  previous: ShutdownPhase
  current: ShutdownPhase
}

/** Emitted on `change` once, when the startup gate opens. */
export interface StartedEvent {
  type: 'started'
  /** What opened the gate. */
  by: 'markStarted' | 'startup-checks'
}

/** Everything a `change` listener receives. */
export type HealthChangeEvent = CheckChangeEvent | ProbeChangeEvent | StartedEvent | PhaseChangeEvent

const PROBE_KEYS = optionKeys<ProbeOptions>({ exclude: true, check: true, verbose: true })

/** The object {@link createHealth} returns. */
export interface Health {
  /** Whether the startup gate has opened. Latches: once true, always true. */
  readonly started: boolean
  /**
   * The full path of each probe as this object serves it, `prefix` included: what `paths`
   * and `prefix` resolved to, with the defaults filled in and trailing slashes removed. For
   * routes, logs and probe manifests that must agree with what is served. Frozen.
   * @example
   * ```ts
   * const health = createHealth({ prefix: '/health', paths: { readiness: '/ready' } })
   * health.paths // { liveness: '/health/livez', readiness: '/health/ready', startup: '/health/startupz' }
   * ```
   * @see resolveProbePaths, for the same answer before a health object exists
   */
  readonly paths: Readonly<Required<ProbePaths>>
  /**
   * The response format of each probe, as the `format` option resolved: a built-in name or
   * your function, `'health+json'` for a probe not named. For code that describes the answers
   * (an OpenAPI document, a gateway) without re-reading the option. Frozen.
   * @example
   * ```ts
   * const health = createHealth({ format: { readiness: 'spring' } })
   * health.formats // { liveness: 'health+json', readiness: 'spring', startup: 'health+json' }
   * ```
   */
  readonly formats: Readonly<Record<ProbeKind, ResponseFormat>>
  /** Opens the startup gate: startup answers 200 from now on and readiness may pass. */
  markStarted(): void
  /**
   * Evaluates one probe. Failing, throwing and hanging checks are reported in the result, never
   * thrown; it rejects only for an unknown probe kind or check name (`INVALID_OPTION`).
   */
  probe(kind: ProbeKind, options?: ProbeOptions): Promise<HealthReport>
  /** Whether a request path (with or without query) is one of the probe paths. Cheap and synchronous. */
  matches(path: string): boolean
  /**
   * Answers a request: a response for probe paths, `undefined` for any other path so the
   * adapter passes the request on.
   */
  handle(request: HealthRequest): Promise<HealthResponse | undefined>
  /**
   * The fast path of {@link Health.handle}, synchronous: the response rendered for the same
   * path the last time, when nothing it depends on has changed since (the same check results
   * from memory, the same phase), else `undefined` (call `handle()`). Never runs a check.
   * Requests with a query, and `details` functions, always take `handle()`. Adapters call it
   * first; the returned object is shared, so treat it as read-only.
   */
  handleCached(request: HealthRequest): HealthResponse | undefined
  /**
   * The state of this health object, read from memory for metrics collectors: every check's
   * last result, each probe's status, the startup gate, the shutdown phase and the runtime
   * monitor's figures. Never runs a check, so a scrape costs no dependency call.
   * @example
   * ```ts
   * const { checks } = health.snapshot()
   * for (const check of checks) console.log(check.name, check.status, check.result?.duration)
   * ```
   * @see HEALTHZ_CHANNELS, for the events (runs, cache hits, answers) between two snapshots
   */
  snapshot(): HealthSnapshot
  /** Subscribes to transitions; returns the function that unsubscribes. */
  on(event: 'change', listener: (event: HealthChangeEvent) => void): () => void
  /** Unsubscribes a listener. */
  off(event: 'change', listener: (event: HealthChangeEvent) => void): void
  /** Where the shutdown sequence is: `running` until `shutdown()` or a signal. */
  readonly phase: ShutdownPhase
  /** The runtime monitor (event-loop delay, GC pauses), or undefined with `runtime: false`. */
  readonly runtime: RuntimeMonitor | undefined
  /**
   * The status page as served (its full path, the path of its event stream, the history bound
   * and how many streams are open), or undefined when the `statusPage` option is off.
   * @example
   * ```ts
   * const health = createHealth({ statusPage: true })
   * health.statusPage?.path // '/statusz'
   * ```
   */
  readonly statusPage: StatusPageInfo | undefined
  /**
   * Adds a watchdog to liveness: liveness fails when `tick()` has not been called for
   * `timeout` ms, and passes again on the next tick.
   * @example
   * ```ts
   * const consumer = health.watchdog('consumer', { timeout: 30_000 })
   * while (running) {
   *   consumer.tick() // also when the queue is empty: the loop is alive, just idle
   *   const message = await queue.receive({ waitMs: 5_000 })
   *   if (message) await handle(message)
   * }
   * ```
   */
  watchdog(name: string, options: WatchdogOptions): Watchdog
  /**
   * Runs the shutdown sequence: readiness fails at once (`draining`), then after `drainDelay`
   * the servers registered through `onClosing` drain (`closing`), then the `onShutdown` hooks
   * run in reverse order (`stopped`). Idempotent. Never exits the process; signals do.
   */
  shutdown(): Promise<ShutdownResult>
  /**
   * Registers a hook to run at the end of shutdown (close pools, flush logs), in reverse order
   * of registration, each cut at its timeout. Returns a function that unregisters it.
   */
  onShutdown(hook: () => unknown, options?: ShutdownHookOptions): () => void
  /**
   * Registers what stops accepting work and drains it when shutdown reaches `closing`
   * (`@healthz/http` registers servers here). All run at once. Returns a function that unregisters it.
   */
  onClosing(close: (context: ClosingContext) => unknown): () => void
  /**
   * Stops background check loops, the runtime monitor and signal handling. Probes still answer, from the last results, until those are
   * older than their `maxAge` and count as fail (`STALE_RESULT`).
   */
  close(): void
}

/**
 * Creates the health object of a service: the liveness, readiness and startup probes, with
 * their checks, and the framework-neutral request handler adapters build on.
 *
 * @throws {HealthzError} `DEPENDENCY_IN_LIVENESS`, `DUPLICATE_CHECK`, `INVALID_CHECK` or
 * `INVALID_OPTION` when the configuration would misbehave, with what to change.
 * @example
 * ```ts
 * const health = createHealth({
 *   service: { name: 'orders', version: '2.14.0' },
 *   readiness: [postgres, redis],
 *   liveness: [heap],
 * })
 * await boot()
 * health.markStarted()
 * ```
 */
export function createHealth(options: HealthOptions = {}): Health {
  assertKnownOptions(options, HEALTH_KEYS, 'createHealth')
  keepNextTickFast()
  return new HealthImpl(options)
}

class HealthImpl implements Health {
  readonly paths: Readonly<Required<ProbePaths>>
  readonly formats: Readonly<Record<ProbeKind, ResponseFormat>>
  readonly runtime: Runtime | undefined
  /** The handler's own fast path, handed out as is: no call in between (adapters call it per request). */
  readonly handleCached: (request: HealthRequest) => HealthResponse | undefined
  private readonly listeners = new Set<(event: HealthChangeEvent) => void>()
  private readonly onError: (error: Error) => void
  private readonly service: ServiceInfo
  private readonly clock: Clock
  private readonly registry: ProbeRegistry
  private readonly evaluator: ProbeEvaluator
  private readonly handler: RequestHandler
  private readonly lifecycle: Shutdown
  private readonly status: StatusPage | undefined

  constructor(options: HealthOptions) {
    const clock = clockOption(options.clock)
    // Guarded: an onError that throws must not make markStarted() throw or a signal exit 1.
    this.onError = guardOnError(functionOption(options.onError, 'onError', '(error) => void') ?? reportToConsole)
    const service = serviceOption(options.service)
    this.service = service
    this.clock = clock
    const runtime = runtimeOption(options.runtime)
    const details = detailsOption(options.details)
    this.formats = Object.freeze(formatOption(options.format))
    this.paths = resolveProbePaths({ prefix: options.prefix, paths: options.paths })
    const page = statusPageOption(options.statusPage, options.prefix, this.paths)
    const status =
      page === undefined
        ? undefined
        : new StatusPage(page.path, page.history, {
            clock,
            details,
            paths: this.paths,
            snapshot: () => this.snapshot(),
            phase: () => this.lifecycle.phase,
            onError: (error) => this.onError(error),
          })
    this.status = status
    // The handler comes last: a runner added before it (the stall check) has no rendered answer to forget.
    let handler: RequestHandler | undefined
    this.registry = new ProbeRegistry(options, clock, {
      health: this,
      onTransition: (previous, result) => this.emit({ type: 'check', name: result.name, previous, current: result.status, result }),
      onStarted: (by) => this.emit({ type: 'started', by }),
      onRunnersChanged: () => {
        handler?.forget()
        status?.keep(new Set(this.registry.runners.map((runner) => runner.check.name)))
      },
      onResult: status === undefined ? undefined : (result) => status.record(result),
    })
    this.runtime = runtime === false ? undefined : new Runtime(clock, runtime)
    const stall = this.runtime?.stallCheck
    if (stall !== undefined) this.registry.addLiveness(stall)
    // Readiness only: load must never restart a process (DESIGN §11).
    const overload = this.runtime?.overload
    if (overload !== undefined) this.registry.addReadiness(overload.check)
    this.lifecycle = new Shutdown(
      {
        clock,
        onError: (error) => this.onError(error),
        onPhase: (previous, current) => this.emit({ type: 'phase', previous, current }),
        release: () => this.close(),
      },
      options.shutdown,
    )
    const onProbeChange = (probe: ProbeKind, previous: CheckStatus | undefined, current: CheckStatus): void => this.emit({ type: 'probe', probe, previous, current })
    this.evaluator = new ProbeEvaluator(this.registry, { clock, lifecycle: this.lifecycle, runtime: this.runtime, onProbeChange })
    handler = new RequestHandler(this.registry, this.evaluator, { health: this, routes: toRoutes(this.paths), details, formats: this.formats, service, lifecycle: this.lifecycle, onError: this.onError })
    this.handler = handler
    this.handleCached = handler.handleCached
    this.registry.start()
  }

  get started(): boolean {
    return this.registry.started
  }

  get statusPage(): StatusPageInfo | undefined {
    return this.status?.info
  }

  get phase(): ShutdownPhase {
    return this.lifecycle.phase
  }

  markStarted(): void {
    this.registry.open('markStarted')
  }

  watchdog(name: string, options: WatchdogOptions): Watchdog {
    return this.registry.watchdog(name, options)
  }

  async probe(kind: ProbeKind, options: ProbeOptions = {}): Promise<HealthReport> {
    assertKnownOptions(options, PROBE_KEYS, 'probe')
    // Own keys only: `probe('toString')` must not find Object.prototype.toString.
    const state = Object.hasOwn(this.registry.probes, kind) ? this.registry.probes[kind] : undefined
    if (state === undefined) {
      throw new HealthzError(`Unknown probe ${describeValue(kind)}: use 'liveness', 'readiness' or 'startup'.`, { code: 'INVALID_OPTION' })
    }
    if (options.check !== undefined && !state.byName.has(options.check)) {
      throw new HealthzError(`The ${kind} probe has no check named ${describeValue(options.check)}.`, { code: 'INVALID_OPTION' })
    }
    return (await this.evaluator.evaluate(kind, options)).report
  }

  matches(path: string): boolean {
    return this.handler.matches(path) || this.status?.matches(path) === true
  }

  handle(request: HealthRequest): Promise<HealthResponse | undefined> {
    if (this.status?.matches(request.path) === true) return this.status.handle(request)
    return this.handler.handle(request)
  }

  snapshot(): HealthSnapshot {
    const { service, registry, evaluator, phase } = this
    return takeSnapshot({ service, registry, evaluator, phase, shutdown: this.lifecycle.timing(), time: this.clock.now(), runtime: this.runtime?.stats() })
  }

  on(event: 'change', listener: (event: HealthChangeEvent) => void): () => void {
    assertEvent(event)
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  off(event: 'change', listener: (event: HealthChangeEvent) => void): void {
    assertEvent(event)
    this.listeners.delete(listener)
  }

  shutdown(): Promise<ShutdownResult> {
    return this.lifecycle.start('shutdown()')
  }

  onShutdown(hook: () => unknown, options?: ShutdownHookOptions): () => void {
    return this.lifecycle.onShutdown(hook, options)
  }

  onClosing(close: (context: ClosingContext) => unknown): () => void {
    return this.lifecycle.onClosing(close)
  }

  close(): void {
    this.registry.close()
    this.runtime?.stop()
    this.lifecycle.unlisten()
  }

  private emit(event: HealthChangeEvent): void {
    // Check transitions are published by the registry, which knows the check's probes.
    const channel = event.type === 'probe' ? channels.probeChange : event.type === 'started' ? channels.started : event.type === 'phase' ? channels.shutdown : undefined
    if (channel?.hasSubscribers === true) channel.publish({ ...event, health: this })
    this.status?.change(event)
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (error) {
        this.onError(toError(error))
      }
    }
  }
}

function assertEvent(event: string): void {
  if (event !== 'change') {
    throw new HealthzError(`Unknown event ${describeValue(event)}: health objects emit 'change'.`, { code: 'INVALID_OPTION' })
  }
}

/**
 * Refuses anything but the object {@link createHealth} returns, naming the function it was given
 * to: adapters call it first, so a wrong argument fails at once with a message that says what to pass.
 *
 * @throws {HealthzError} `INVALID_OPTION`
 * @example
 * ```ts
 * export function createMyAdapter(health: Health) {
 *   assertHealth(health, 'createMyAdapter')
 * }
 * ```
 */
export function assertHealth(health: unknown, where: string): asserts health is Health {
  if (
    typeof health !== 'object' ||
    health === null ||
    typeof (health as Health).handle !== 'function' ||
    typeof (health as Health).handleCached !== 'function' ||
    typeof (health as Health).matches !== 'function'
  ) {
    throw new HealthzError(`${where} expects the object createHealth() returns as its health argument, got ${describeValue(health)}.`, { code: 'INVALID_OPTION' })
  }
}
