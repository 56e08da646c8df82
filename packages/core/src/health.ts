// The health object: owns the three probes, enforces their semantics (DESIGN §2), and
// answers framework-neutral requests that adapters translate to their framework.
import type { CheckDefinition, CheckOptions, CheckStatus } from './check.js'
import { defineCheck } from './check.js'
import type { Clock } from './clock.js'
import { clockOption } from './clock.js'
import { guardOnError, HealthzError, isHealthzError, toError } from './errors.js'
import { assertKnownOptions, describeValue, durationOption, functionOption, optionKeys } from './options.js'
import type { CheckReport, HealthReport, ProbeKind, ServiceInfo } from './report.js'
import { serviceOption, toHealthJson } from './report.js'
import type { CheckResult } from './run.js'
import { CheckRunner } from './runner.js'
import type { RuntimeMonitor, RuntimeOptions } from './runtime.js'
import { Runtime, runtimeOption } from './runtime.js'
import type { ClosingContext, ShutdownHookOptions, ShutdownOptions, ShutdownPhase, ShutdownResult } from './shutdown.js'
import { Shutdown } from './shutdown.js'

/** A check as given to {@link createHealth}: a {@link defineCheck} result or its options. */
export type CheckInput = CheckDefinition | CheckOptions

/** The URL paths of the probes. */
export interface ProbePaths {
  /** @default '/livez' */
  liveness?: string
  /** @default '/readyz' */
  readiness?: string
  /** @default '/startupz' */
  startup?: string
}

const PATH_KEYS = optionKeys<ProbePaths>({ liveness: true, readiness: true, startup: true })

/** A request as adapters hand it to {@link Health.handle}; only what the probes need. */
export interface HealthRequest {
  /** @default 'GET' */
  method?: string | undefined
  /** The request target: a path, optionally with a query string (`/readyz?exclude=redis`). */
  path: string
  /** The query, when the adapter has already split it from the path. */
  query?: string | URLSearchParams | Readonly<Record<string, string | readonly string[] | undefined>> | undefined
  /** Request headers with lower-case names, for a `details` function that checks a token. */
  headers?: Readonly<Record<string, string | readonly string[] | undefined>> | undefined
}

/** A framework-neutral response: what an adapter writes back. */
export interface HealthResponse {
  status: number
  headers: Record<string, string>
  /** The body; empty for `HEAD`. */
  body: string
}

/**
 * Who may see check error text in probe responses.
 * - `'never'`: names and statuses only; error text reads `reason withheld`.
 * - `'always'`: error text shown (redacted of credentials).
 * - a function of the request: e.g. compare a header against a token.
 */
export type DetailsPolicy = 'never' | 'always' | ((request: HealthRequest) => boolean | Promise<boolean>)

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
  clock: true,
  onError: true,
  shutdown: true,
  runtime: true,
})

/** Options of {@link Health.watchdog}. */
export interface WatchdogOptions {
  /** Liveness fails when `tick()` has not been called for this long, in ms. */
  timeout: number
}

const WATCHDOG_KEYS = optionKeys<WatchdogOptions>({ timeout: true })

/** A watchdog, as returned by {@link Health.watchdog}. */
export interface Watchdog {
  readonly name: string
  /** Says the watched loop made progress. Cheap: call it on every iteration. */
  tick(): void
  /** Removes the watchdog from liveness (the loop ended on purpose). */
  stop(): void
}

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

/** Options of {@link Health.probe}. */
export interface ProbeOptions {
  /** Names of checks to leave out of this probe (`?exclude=` in URLs). */
  exclude?: readonly string[]
  /** Report only this check (the `/readyz/<check>` path). */
  check?: string
  /** Add the runtime monitor's figures to a liveness report (`/livez?verbose`). @default false */
  verbose?: boolean
}

const PROBE_KEYS = optionKeys<ProbeOptions>({ exclude: true, check: true, verbose: true })

/** The object {@link createHealth} returns. */
export interface Health {
  /** Whether the startup gate has opened. Latches: once true, always true. */
  readonly started: boolean
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
  /** Subscribes to transitions; returns the function that unsubscribes. */
  on(event: 'change', listener: (event: HealthChangeEvent) => void): () => void
  /** Unsubscribes a listener. */
  off(event: 'change', listener: (event: HealthChangeEvent) => void): void
  /** Where the shutdown sequence is: `running` until `shutdown()` or a signal. */
  readonly phase: ShutdownPhase
  /** The runtime monitor (event-loop delay, GC pauses), or undefined with `runtime: false`. */
  readonly runtime: RuntimeMonitor | undefined
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

const METHODS = 'GET, HEAD'
const BASE_HEADERS = { 'content-type': 'application/health+json', 'cache-control': 'no-store' } as const
const PROBES: readonly ProbeKind[] = ['liveness', 'readiness', 'startup']
const DEFAULT_PATHS: Required<ProbePaths> = { liveness: '/livez', readiness: '/readyz', startup: '/startupz' }

interface ProbeState {
  readonly runners: CheckRunner[]
  readonly byName: Map<string, CheckRunner>
  last: CheckStatus | undefined
}

interface Route {
  readonly probe: ProbeKind
  readonly check: string | undefined
}

/** A probe report, and the runners whose results alone decided it (undefined: not reusable). */
interface Evaluation {
  readonly report: HealthReport
  readonly basis: readonly CheckRunner[] | undefined
}

/** A rendered response, valid while its inputs are what they were when it was rendered. */
interface RenderedResponse {
  readonly phase: ShutdownPhase
  readonly started: boolean
  readonly basis: readonly CheckRunner[]
  readonly results: readonly CheckResult[]
  readonly get: HealthResponse
  readonly head: HealthResponse
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
  return new HealthImpl(options)
}

class HealthImpl implements Health {
  private isStarted = false
  private readonly clock: Clock
  private readonly probes: Record<ProbeKind, ProbeState>
  private readonly runners: CheckRunner[]
  private readonly routes: ReadonlyMap<string, ProbeKind>
  private readonly listeners = new Set<(event: HealthChangeEvent) => void>()
  private readonly onError: (error: Error) => void
  private readonly details: DetailsPolicy
  private readonly service: ServiceInfo
  private startupProgress: Promise<readonly CheckResult[]> | undefined
  /** Rendered responses by request path, for {@link Health.handleCached}. */
  private readonly rendered = new Map<string, RenderedResponse>()
  private readonly lifecycle: Shutdown
  readonly runtime: Runtime | undefined

  constructor(options: HealthOptions) {
    this.clock = clockOption(options.clock)
    // Guarded: an onError that throws must not make markStarted() throw or a signal exit 1.
    this.onError = guardOnError(functionOption(options.onError, 'onError', '(error) => void') ?? ((error) => console.error('[healthz]', error)))
    this.service = serviceOption(options.service)
    const runtime = runtimeOption(options.runtime)
    this.details = validateDetails(options.details)
    this.routes = buildRoutes(options.prefix, options.paths)

    const runnerFor = new Map<CheckDefinition | CheckInput, CheckRunner>()
    const byName = new Map<string, CheckRunner>()
    const lists = {} as Record<ProbeKind, CheckRunner[]>
    for (const probe of PROBES) {
      const given = options[probe] ?? []
      if (!Array.isArray(given)) {
        throw new HealthzError(`${probe} must be an array of checks, got ${describeValue(given)}.`, { code: 'INVALID_OPTION' })
      }
      const list: CheckRunner[] = []
      given.forEach((input: unknown, index: number) => {
        let runner = runnerFor.get(input as CheckInput)
        if (runner === undefined) {
          const check = asCheck(input, `${probe}[${index}]`)
          if (byName.has(check.name)) {
            throw new HealthzError(
              `Two different checks are named "${check.name}": check names must be unique within a health object. Rename one, or pass the same definition to every probe that should share it.`,
              { code: 'DUPLICATE_CHECK' },
            )
          }
          runner = this.createRunner(check)
          runnerFor.set(input as CheckInput, runner)
          byName.set(check.name, runner)
        }
        if (probe === 'liveness' && runner.check.kind === 'dependency') throw dependencyInLiveness(runner.check.name)
        if (!list.includes(runner)) list.push(runner)
      })
      lists[probe] = list
    }
    const state = (runners: CheckRunner[]): ProbeState => ({
      runners,
      byName: new Map(runners.map((runner) => [runner.check.name, runner])),
      last: undefined,
    })
    this.probes = { liveness: state(lists.liveness), readiness: state(lists.readiness), startup: state(lists.startup) }
    this.runners = [...byName.values()]
    this.runtime = runtime === false ? undefined : new Runtime(this.clock, runtime)
    const stall = this.runtime?.stallCheck
    if (stall !== undefined) this.addLiveness(stall)
    this.lifecycle = new Shutdown(
      {
        clock: this.clock,
        onError: (error) => this.onError(error),
        onPhase: (previous, current) => this.emit({ type: 'phase', previous, current }),
        release: () => this.close(),
      },
      options.shutdown,
    )
    for (const runner of this.runners) runner.start()
  }

  get phase(): ShutdownPhase {
    return this.lifecycle.phase
  }

  watchdog(name: string, options: WatchdogOptions): Watchdog {
    const where = `watchdog ${describeValue(name)}`
    assertKnownOptions(options, WATCHDOG_KEYS, where)
    if (options.timeout === undefined) throw new HealthzError(`${where} needs { timeout } in ms.`, { code: 'INVALID_OPTION' })
    const timeout = durationOption(options.timeout, 0, `${where}: timeout`)
    let last = this.clock.now()
    const check = defineCheck({
      name,
      kind: 'process',
      componentType: 'component',
      measurement: 'sinceTick',
      run: () => {
        const silent = this.clock.now() - last
        if (silent > timeout) {
          return { status: 'fail', observedValue: silent, observedUnit: 'ms', output: `not ticked for ${silent} ms (timeout ${timeout} ms)` }
        }
        return { observedValue: silent, observedUnit: 'ms' }
      },
    })
    const runner = this.addLiveness(check)
    return {
      name,
      tick: () => {
        last = this.clock.now()
      },
      stop: () => this.removeLiveness(runner),
    }
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

  private addLiveness(check: CheckDefinition): CheckRunner {
    const state = this.probes.liveness
    if (this.runners.some((runner) => runner.check.name === check.name)) {
      throw new HealthzError(`A check named "${check.name}" already exists: give the watchdog or check another name.`, { code: 'DUPLICATE_CHECK' })
    }
    const runner = this.createRunner(check)
    state.runners.push(runner)
    state.byName.set(check.name, runner)
    this.runners.push(runner)
    this.rendered.clear()
    return runner
  }

  private createRunner(check: CheckDefinition): CheckRunner {
    return new CheckRunner(check, this.clock, (previous, result) => {
      this.emit({ type: 'check', name: result.name, previous, current: result.status, result })
      // A background startup check can open the gate without waiting for a probe.
      if (result.status !== 'fail') this.openIfBooted()
    })
  }

  private removeLiveness(runner: CheckRunner): void {
    const state = this.probes.liveness
    const at = state.runners.indexOf(runner)
    if (at === -1) return
    state.runners.splice(at, 1)
    state.byName.delete(runner.check.name)
    this.runners.splice(this.runners.indexOf(runner), 1)
    this.rendered.clear()
    runner.close()
  }

  get started(): boolean {
    return this.isStarted
  }

  markStarted(): void {
    this.open('markStarted')
  }

  matches(path: string): boolean {
    return this.route(path) !== undefined
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

  close(): void {
    for (const runner of this.runners) runner.close()
    this.runtime?.stop()
    this.lifecycle.unlisten()
  }

  async probe(kind: ProbeKind, options: ProbeOptions = {}): Promise<HealthReport> {
    assertKnownOptions(options, PROBE_KEYS, 'probe')
    const state = this.probes[kind]
    if (state === undefined) {
      throw new HealthzError(`Unknown probe ${describeValue(kind)}: use 'liveness', 'readiness' or 'startup'.`, { code: 'INVALID_OPTION' })
    }
    const { check } = options
    if (check !== undefined && !state.byName.has(check)) {
      throw new HealthzError(`The ${kind} probe has no check named ${describeValue(check)}.`, { code: 'INVALID_OPTION' })
    }
    return (await this.evaluate(kind, state, options)).report
  }

  /** Evaluates a probe, and says in which phase it was decided. */
  private async evaluate(kind: ProbeKind, state: ProbeState, options: ProbeOptions): Promise<Evaluation & { readonly phase: ShutdownPhase }> {
    const { exclude = [], check } = options
    let phase: ShutdownPhase
    let report: HealthReport
    let basis: readonly CheckRunner[] | undefined
    do {
      // evaluateProbe reads the phase before its first await. When the phase or the startup gate
      // moved while the checks ran, the report describes a state that is gone: decide again (a
      // shutdown answers without running a check; both only move forward, so this ends).
      phase = this.lifecycle.phase
      ;({ report, basis } = await this.evaluateProbe(kind, state, exclude, check))
    } while (phase !== this.lifecycle.phase || report.started !== this.isStarted)
    if (options.verbose === true && kind === 'liveness' && this.runtime !== undefined) {
      report = { ...report, runtime: this.runtime.stats() }
      basis = undefined
    }
    if (check === undefined && exclude.length === 0 && report.status !== state.last) {
      const previous = state.last
      state.last = report.status
      this.emit({ type: 'probe', probe: kind, previous, current: report.status })
    }
    return { report, basis: exclude.length === 0 ? basis : undefined, phase }
  }

  handleCached(request: HealthRequest): HealthResponse | undefined {
    const entry = this.rendered.get(request.path)
    if (entry === undefined || (request.query !== undefined && request.query !== '')) return undefined
    if (entry.phase !== this.lifecycle.phase || entry.started !== this.isStarted) return undefined
    const { basis, results } = entry
    for (let index = 0; index < basis.length; index += 1) {
      if ((basis[index] as CheckRunner).peek() !== results[index]) return undefined
    }
    const method = request.method ?? 'GET'
    if (method === 'GET') return entry.get
    return method === 'HEAD' ? entry.head : undefined
  }

  async handle(request: HealthRequest): Promise<HealthResponse | undefined> {
    const cached = this.handleCached(request)
    if (cached !== undefined) return cached
    const route = this.route(request.path)
    if (route === undefined) return undefined
    const method = request.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD') {
      const body = `method ${method} not allowed; probes answer GET and HEAD\n`
      return {
        status: 405,
        headers: { allow: METHODS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)) },
        body,
      }
    }
    if (route.check !== undefined && !this.probes[route.probe].byName.has(route.check)) {
      return this.respond(method, 404, { status: 'fail', output: `no ${route.probe} check named ${quote(route.check)}` })
    }
    const exclude = queryValues(request, 'exclude')
    const verbose = queryValues(request, 'verbose').some((value) => value !== 'false' && value !== '0')
    const { report, basis, phase } = await this.evaluate(route.probe, this.probes[route.probe], { exclude, check: route.check, verbose })
    const disclose = typeof this.details === 'function' ? await this.disclose(request) : this.details === 'always'
    // The phase or the gate moved after the evaluation settled: answer for the state of now
    // (issue 13: readiness answers 503 from the first moment of draining).
    if (phase !== this.lifecycle.phase || report.started !== this.isStarted) return this.handle(request)
    const json = toHealthJson(report, { service: this.service, disclose })
    const status = report.status === 'fail' ? 503 : 200
    const queried = request.path.includes('?') || (request.query !== undefined && request.query !== '')
    if (basis === undefined || queried || typeof this.details === 'function') return this.respond(method, status, json)
    // Remember the rendered answer for as long as the results it was made from stay in memory.
    const results = basis.map((runner) => runner.peek())
    const get = this.respond('GET', status, json)
    if (results.every((result) => result !== undefined)) {
      const head = Object.freeze({ ...get, body: '' })
      this.rendered.set(request.path, { phase, started: report.started, basis, results, get, head })
      return method === 'HEAD' ? head : get
    }
    return method === 'HEAD' ? { ...get, body: '' } : get
  }

  private respond(method: string, status: number, json: object): HealthResponse {
    const body = JSON.stringify(json)
    return Object.freeze({
      status,
      headers: Object.freeze({ ...BASE_HEADERS, 'content-length': String(Buffer.byteLength(body)) }) as Record<string, string>,
      body: method === 'HEAD' ? '' : body,
    })
  }

  private async disclose(request: HealthRequest): Promise<boolean> {
    const policy = this.details
    if (policy === 'never') return false
    if (policy === 'always') return true
    try {
      return (await policy(request)) === true
    } catch (error) {
      this.onError(toError(error))
      return false
    }
  }

  private route(target: string): Route | undefined {
    const query = target.indexOf('?')
    let path = query === -1 ? target : target.slice(0, query)
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
    const probe = this.routes.get(path)
    if (probe !== undefined) return { probe, check: undefined }
    const slash = path.lastIndexOf('/')
    if (slash <= 0) return undefined
    const parent = this.routes.get(path.slice(0, slash))
    if (parent === undefined) return undefined
    return { probe: parent, check: decodeSegment(path.slice(slash + 1)) }
  }

  private async evaluateProbe(
    kind: ProbeKind,
    state: ProbeState,
    exclude: readonly string[],
    only: string | undefined,
  ): Promise<Evaluation> {
    const notes: string[] = []
    const constant = (report: HealthReport): Evaluation => ({ report, basis: [] })
    if (kind === 'startup') {
      if (this.isStarted) return constant(this.report(kind, 'pass', undefined, notes, []))
      const results = await this.progressStartup()
      const selected = select(state, exclude, only, notes)
      const checks = selected.map((runner) => toCheckReport(runner, results[state.runners.indexOf(runner)] as CheckResult))
      const report = this.isStarted
        ? this.report(kind, 'pass', undefined, notes, checks)
        : this.report(kind, 'fail', this.startingOutput(), notes, checks)
      return { report, basis: undefined }
    }
    const phase = this.lifecycle.phase
    if (phase !== 'running') {
      // Shutting down: readiness fails so load balancers stop routing here; liveness passes so
      // the kubelet does not restart the container in the middle of its drain.
      if (kind === 'liveness') return constant(this.report(kind, 'pass', undefined, [phase], []))
      return constant(this.report(kind, 'fail', `${phase}: shutting down`, [phase], []))
    }
    if (!this.isStarted) {
      // A booting process is alive: liveness passes, as the kubelet holds it off until startup passes.
      if (kind === 'liveness') return constant(this.report(kind, 'pass', undefined, ['starting'], []))
      // Readiness moves the startup gate on by itself, so platforms without a startup probe get ready too.
      await this.progressStartup()
      if (!this.isStarted) {
        const report = this.report(kind, 'fail', this.startingOutput(), ['starting'], [])
        return { report, basis: this.probes.startup.runners.length === 0 ? [] : undefined }
      }
    }
    const selected = select(state, exclude, only, notes)
    const results = await Promise.all(selected.map((runner) => runner.get()))
    const checks = results.map((result, index) => toCheckReport(selected[index] as CheckRunner, result))
    return { report: this.report(kind, aggregate(checks), undefined, notes, checks), basis: selected }
  }

  /** Runs the startup checks (shared between concurrent callers) and opens the gate when all have passed once. */
  private progressStartup(): Promise<readonly CheckResult[]> {
    const { runners } = this.probes.startup
    if (runners.length === 0) return Promise.resolve([])
    this.startupProgress ??= Promise.all(runners.map((runner) => runner.get())).then((results) => {
      this.startupProgress = undefined
      this.openIfBooted()
      return results
    })
    return this.startupProgress
  }

  private openIfBooted(): void {
    // `probes` is unset while the constructor is still building runners.
    const runners = this.probes?.startup.runners
    if (runners !== undefined && runners.length > 0 && runners.every((runner) => runner.hasPassed)) this.open('startup-checks')
  }

  private open(by: StartedEvent['by']): void {
    if (this.isStarted) return
    this.isStarted = true
    // Startup checks never run again once the gate latches; stop their background loops.
    const needed = new Set([...this.probes.liveness.runners, ...this.probes.readiness.runners])
    for (const runner of this.probes.startup.runners) if (!needed.has(runner)) runner.close()
    this.emit({ type: 'started', by })
  }

  private startingOutput(): string {
    const pending = this.probes.startup.runners.filter((runner) => !runner.hasPassed).map((runner) => runner.check.name)
    return pending.length > 0
      ? `starting: waiting for startup checks ${pending.join(', ')}`
      : 'starting: call health.markStarted() when boot is complete'
  }

  private report(
    probe: ProbeKind,
    status: CheckStatus,
    output: string | undefined,
    notes: readonly string[],
    checks: readonly CheckReport[],
  ): HealthReport {
    return { probe, status, started: this.isStarted, output, notes, checks, time: this.clock.now() }
  }

  private emit(event: HealthChangeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (error) {
        this.onError(toError(error))
      }
    }
  }
}

/** The runners a probe reports on: one check (`/readyz/<check>`), or all but the excluded. */
function select(state: ProbeState, exclude: readonly string[], only: string | undefined, notes: string[]): readonly CheckRunner[] {
  if (only !== undefined) return state.runners.filter((runner) => runner.check.name === only)
  if (exclude.length === 0) return state.runners
  for (const name of exclude) notes.push(state.byName.has(name) ? `excluded: ${name}` : `no check named ${quote(name)} to exclude`)
  return state.runners.filter((runner) => !exclude.includes(runner.check.name))
}

function toCheckReport(runner: CheckRunner, result: CheckResult): CheckReport {
  const { check } = runner
  return {
    ...result,
    // A non-critical failure is reported as warn, so the probe keeps answering 200.
    status: result.status === 'fail' && !check.critical ? 'warn' : result.status,
    checkStatus: result.status,
    kind: check.kind,
    critical: check.critical,
    componentType: check.componentType,
    measurement: check.measurement,
  }
}

function aggregate(checks: readonly CheckReport[]): CheckStatus {
  let status: CheckStatus = 'pass'
  for (const check of checks) {
    if (check.status === 'fail') return 'fail'
    if (check.status === 'warn') status = 'warn'
  }
  return status
}

function asCheck(input: unknown, where: string): CheckDefinition {
  if (typeof input !== 'object' || input === null) {
    throw new HealthzError(
      `${where} is not a check: got ${input === null ? 'null' : typeof input}. Pass defineCheck({ name, run }) results.`,
      { code: 'INVALID_CHECK' },
    )
  }
  try {
    return defineCheck(input as CheckOptions)
  } catch (error) {
    if (isHealthzError(error)) throw new HealthzError(`${where}: ${error.message}`, { code: error.code, cause: error })
    throw error
  }
}

function dependencyInLiveness(name: string): HealthzError {
  return new HealthzError(
    `Check "${name}" is a dependency check and cannot back liveness. A failed liveness probe makes Kubernetes restart the container; ` +
      `when a shared dependency hiccups, every replica fails liveness at once and the whole fleet restarts together, ` +
      `which cannot fix the dependency and turns a blip into an outage. Put "${name}" in \`readiness\` instead ` +
      `(it takes the instance out of the load balancer until the dependency recovers), or, if it only inspects this process, define it with kind: 'process'.`,
    { code: 'DEPENDENCY_IN_LIVENESS' },
  )
}

function buildRoutes(prefix: unknown = '', paths: ProbePaths = {}): Map<string, ProbeKind> {
  if (typeof prefix !== 'string' || (prefix !== '' && (!prefix.startsWith('/') || prefix.includes('?')))) {
    throw new HealthzError(`prefix must be '' or a path starting with '/', like '/health'; got ${describeValue(prefix)}.`, { code: 'INVALID_OPTION' })
  }
  assertKnownOptions(paths, PATH_KEYS, 'paths')
  const base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
  const routes = new Map<string, ProbeKind>()
  for (const probe of PROBES) {
    const path = paths[probe] ?? DEFAULT_PATHS[probe]
    if (typeof path !== 'string' || !/^\/[^?#\s]*$/.test(path) || path === '/') {
      throw new HealthzError(`paths.${probe} must be a path like '${DEFAULT_PATHS[probe]}', got ${describeValue(path)}.`, { code: 'INVALID_OPTION' })
    }
    const full = base + (path.endsWith('/') ? path.slice(0, -1) : path)
    const clash = routes.get(full)
    if (clash !== undefined) {
      throw new HealthzError(
        `paths.${probe} and paths.${clash} are both ${full}: liveness, readiness and startup need separate paths, or a dependency failure would restart the container.`,
        { code: 'INVALID_OPTION' },
      )
    }
    routes.set(full, probe)
  }
  return routes
}

function validateDetails(details: unknown): DetailsPolicy {
  if (details === undefined) return 'never'
  if (details === 'never' || details === 'always' || typeof details === 'function') return details as DetailsPolicy
  throw new HealthzError(
    `details must be 'never', 'always' or a function (request) => boolean; got ${describeValue(details)}.`,
    { code: 'INVALID_OPTION' },
  )
}

function assertEvent(event: string): void {
  if (event !== 'change') {
    throw new HealthzError(`Unknown event ${describeValue(event)}: health objects emit 'change'.`, { code: 'INVALID_OPTION' })
  }
}

/** Quotes a name taken from a request for a response body, cut short so a request cannot inflate it. */
function quote(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name)
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** Every value of a query parameter, from whichever form the adapter passed the query in. */
function queryValues(request: HealthRequest, name: string): string[] {
  const { query } = request
  if (query === undefined) {
    const at = request.path.indexOf('?')
    return at === -1 ? [] : new URLSearchParams(request.path.slice(at + 1)).getAll(name)
  }
  if (typeof query === 'string') return new URLSearchParams(query.startsWith('?') ? query.slice(1) : query).getAll(name)
  if (query instanceof URLSearchParams) return query.getAll(name)
  const value = query[name]
  if (value === undefined) return []
  return typeof value === 'string' ? [value] : [...value]
}
