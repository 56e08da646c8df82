// The shutdown sequence of DESIGN §6 as an explicit state machine:
//   running → draining (readiness fails; wait drainDelay so every load balancer sees it)
//           → closing (servers stop accepting and drain their connections, up to gracePeriod)
//           → stopped (onShutdown hooks ran in reverse order, each with its own timeout)
// plus the process-level signal handling that starts it.
import { constants } from 'node:os'
import type { Clock } from './clock.js'
import { describeThrown, HealthzError } from './errors.js'
import { assertKnownOptions, describeValue, durationOption, optionKeys } from './options.js'

/**
 * A repeat of the first signal within this many ms is the same signal delivered twice (to the
 * process group and forwarded by a package manager), not the operator's second signal.
 */
const DUPLICATE_SIGNAL_WINDOW = 500

/** Where a health object is in its life. */
export type ShutdownPhase = 'running' | 'draining' | 'closing' | 'stopped'

/**
 * Every {@link ShutdownPhase}, in the order the sequence moves through them.
 *
 * @example
 * ```ts
 * for (const phase of SHUTDOWN_PHASES) gauge.set({ phase }, phase === health.phase ? 1 : 0)
 * ```
 */
export const SHUTDOWN_PHASES: readonly ShutdownPhase[] = Object.freeze(['running', 'draining', 'closing', 'stopped'] as const)

/** Options of the shutdown sequence (`createHealth({ shutdown })`). */
export interface ShutdownOptions {
  /**
   * Signals that start the shutdown; a second one exits at once. `false` when the application
   * owns its signals and calls `health.shutdown()` itself.
   * @default ['SIGTERM', 'SIGINT']
   */
  signals?: readonly NodeJS.Signals[] | false
  /**
   * How long readiness fails before servers stop accepting, in ms, so that every load balancer
   * has seen the failure: readiness `periodSeconds × failureThreshold` (Kubernetes defaults
   * 10 s × 3; the recommended readiness probe of these docs is 5 s × 2 = 10 s).
   * @default 10000 on Kubernetes (KUBERNETES_SERVICE_HOST set), 0 elsewhere so Ctrl-C is instant
   */
  drainDelay?: number
  /** How long in-flight requests may take to finish once servers stop accepting, in ms. @default 10000 */
  gracePeriod?: number
  /** The default timeout of each `onShutdown` hook, in ms. @default 5000 */
  hookTimeout?: number
  /**
   * The pod's `terminationGracePeriodSeconds`: after it the kubelet sends SIGKILL. At
   * start-up, drainDelay + gracePeriod + the hooks' timeouts are checked against it.
   * @default 30 (the Kubernetes default)
   */
  terminationGracePeriodSeconds?: number
  /**
   * After a signal-started shutdown, exit the process: code 0 when every step finished cleanly,
   * 1 when a hook failed or timed out or a server had to destroy busy connections. A second signal exits at once with 128 + the signal
   * number (130 for SIGINT, 143 for SIGTERM). `health.shutdown()` called directly never exits.
   * @default true
   */
  exit?: boolean
}

/** @internal The keys of {@link ShutdownOptions}. */
export const SHUTDOWN_KEYS = optionKeys<ShutdownOptions>({
  signals: true,
  drainDelay: true,
  gracePeriod: true,
  hookTimeout: true,
  terminationGracePeriodSeconds: true,
  exit: true,
})

/** What a `onClosing` callback receives. */
export interface ClosingContext {
  /** How long in-flight work may take, in ms. */
  gracePeriod: number
}

/** Options of `health.onShutdown`. */
export interface ShutdownHookOptions {
  /** For logs and errors. @default 'hook <n>' */
  name?: string
  /** @default shutdown.hookTimeout (5000) */
  timeout?: number
}

const HOOK_KEYS = optionKeys<ShutdownHookOptions>({ name: true, timeout: true })

/** What `health.shutdown()` resolves with. */
export interface ShutdownResult {
  /** What started it: a signal name, or `'shutdown()'`. */
  reason: string
  /** Hooks that threw, rejected or timed out, by name. */
  failedHooks: string[]
  /**
   * `onClosing` callbacks that failed: for servers, those that had to destroy connections still
   * busy at the end of the grace period.
   */
  closeFailures: number
  /** The exit code the process gets (or would get, when the application owns the process). */
  exitCode: number
}

/** @internal */
export interface ShutdownHost {
  readonly clock: Clock
  onPhase(previous: ShutdownPhase, current: ShutdownPhase): void
  onError(error: Error): void
  /** Stops monitors and background loops once stopped. */
  release(): void
}

interface Hook {
  readonly name: string
  readonly timeout: number
  readonly run: () => unknown
}

type Closer = (context: ClosingContext) => unknown

/** @internal */
export class Shutdown {
  phase: ShutdownPhase = 'running'
  readonly drainDelay: number
  readonly gracePeriod: number
  private readonly hookTimeout: number
  private readonly budget: number
  private readonly exit: boolean
  private readonly signals: readonly NodeJS.Signals[]
  private readonly hooks: Hook[] = []
  private readonly closers = new Set<Closer>()
  private running: Promise<ShutdownResult> | undefined
  /** The first signal, and when it came. */
  private signalled: { signal: NodeJS.Signals; at: number } | undefined
  private warned = false
  /** When the sequence began (the clock's ms), once it has. */
  private startedAt: number | undefined

  constructor(
    private readonly host: ShutdownHost,
    options: ShutdownOptions = {},
    env: NodeJS.ProcessEnv = process.env,
  ) {
    assertKnownOptions(options, SHUTDOWN_KEYS, 'shutdown')
    const onKubernetes = typeof env.KUBERNETES_SERVICE_HOST === 'string' && env.KUBERNETES_SERVICE_HOST !== ''
    this.drainDelay = durationOption(options.drainDelay, onKubernetes ? 10_000 : 0, 'shutdown.drainDelay', { zero: true })
    this.gracePeriod = durationOption(options.gracePeriod, 10_000, 'shutdown.gracePeriod', { zero: true })
    this.hookTimeout = durationOption(options.hookTimeout, 5_000, 'shutdown.hookTimeout')
    // A budget compared against, never a timer: any number of seconds above 0.
    const seconds = options.terminationGracePeriodSeconds ?? 30
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
      throw new HealthzError(`shutdown.terminationGracePeriodSeconds must be a number of seconds above 0, got ${describeValue(seconds)}.`, { code: 'INVALID_OPTION' })
    }
    this.budget = seconds * 1000
    const exit = options.exit ?? true
    if (typeof exit !== 'boolean') throw new HealthzError(`shutdown.exit must be true or false, got ${describeValue(exit)}.`, { code: 'INVALID_OPTION' })
    this.exit = exit
    const signals = options.signals ?? ['SIGTERM', 'SIGINT']
    if (signals !== false && (!Array.isArray(signals) || signals.some((signal) => typeof signal !== 'string' || !(signal in constants.signals) || signal === 'SIGKILL' || signal === 'SIGSTOP'))) {
      throw new HealthzError(`shutdown.signals must be false or a list of signal names like ['SIGTERM', 'SIGINT'], got ${describeValue(signals)}.`, { code: 'INVALID_OPTION' })
    }
    this.signals = signals === false ? [] : signals
    for (const signal of this.signals) listen(signal, this)
    this.checkBudget()
  }

  onShutdown(run: () => unknown, options: ShutdownHookOptions = {}): () => void {
    if (typeof run !== 'function') throw new HealthzError('onShutdown expects a function.', { code: 'INVALID_OPTION' })
    assertKnownOptions(options, HOOK_KEYS, 'onShutdown')
    const name = options.name ?? `hook ${this.hooks.length + 1}`
    if (typeof name !== 'string') throw new HealthzError(`onShutdown name must be a string, got ${describeValue(name)}.`, { code: 'INVALID_OPTION' })
    const hook: Hook = { name, timeout: durationOption(options.timeout, this.hookTimeout, 'onShutdown timeout'), run }
    this.hooks.push(hook)
    this.checkBudget()
    return () => {
      const at = this.hooks.indexOf(hook)
      if (at !== -1) this.hooks.splice(at, 1)
    }
  }

  onClosing(close: Closer): () => void {
    if (typeof close !== 'function') throw new HealthzError('onClosing expects a function.', { code: 'INVALID_OPTION' })
    this.closers.add(close)
    return () => this.closers.delete(close)
  }

  start(reason: string): Promise<ShutdownResult> {
    this.running ??= this.sequence(reason)
    return this.running
  }

  /** A signal arrived. */
  signal(signal: NodeJS.Signals): void {
    const now = this.host.clock.now()
    if (this.signalled !== undefined) {
      // The same signal again within moments is one signal delivered twice, not a second one:
      // Ctrl-C in a terminal reaches the whole process group, and a package manager in it
      // (npm, pnpm, yarn) forwards it to its child as well.
      if (signal === this.signalled.signal && now - this.signalled.at < DUPLICATE_SIGNAL_WINDOW) return
      // A second signal: the operator wants out now. (A signal during a shutdown the
      // application started itself is the first one: it joins that shutdown.)
      this.host.onError(new HealthzError(`${signal} received again during shutdown: exiting at once`, { code: 'SHUTDOWN_FORCED' }))
      process.exit(128 + (constants.signals[signal] ?? 0))
    }
    this.signalled = { signal, at: now }
    void this.start(signal).then((result) => {
      if (this.exit) process.exit(result.exitCode)
    })
  }

  /** Removes the signal listeners (on stop). */
  unlisten(): void {
    for (const signal of this.signals) unlisten(signal, this)
  }

  private async sequence(reason: string): Promise<ShutdownResult> {
    const { clock } = this.host
    this.startedAt = clock.now()
    this.move('draining')
    if (this.drainDelay > 0) await within(clock, this.drainDelay, new Promise<never>(() => undefined))

    this.move('closing')
    let closeFailures = 0
    const closing = [...this.closers].map((close) =>
      settle(() => close({ gracePeriod: this.gracePeriod })).then((error) => {
        if (error === undefined) return
        closeFailures += 1
        this.host.onError(new HealthzError(`closing a server failed: ${describeThrown(error)}`, { code: 'SERVER_CLOSE_FAILED', cause: error }))
      }),
    )
    // Closers enforce the grace period themselves; this bound only guards against one that does not.
    await within(clock, this.gracePeriod + 1000, Promise.all(closing))

    const failedHooks: string[] = []
    for (const hook of [...this.hooks].reverse()) {
      const timeout = new HealthzError(`timed out after ${hook.timeout} ms`, { code: 'SHUTDOWN_HOOK_FAILED' })
      const error = await within(clock, hook.timeout, settle(hook.run), timeout)
      if (error !== undefined) {
        failedHooks.push(hook.name)
        this.host.onError(new HealthzError(`onShutdown hook "${hook.name}" failed: ${describeThrown(error)}; continuing`, { code: 'SHUTDOWN_HOOK_FAILED', cause: error }))
      }
    }
    this.move('stopped')
    this.unlisten()
    this.host.release()
    return { reason, failedHooks, closeFailures, exitCode: failedHooks.length === 0 && closeFailures === 0 ? 0 : 1 }
  }

  private move(next: ShutdownPhase): void {
    const previous = this.phase
    this.phase = next
    this.host.onPhase(previous, next)
  }

  /**
   * When the sequence began and when, at the latest, it should be over (drainDelay + gracePeriod
   * + every hook's timeout after the start), in the clock's ms; both undefined while running.
   */
  timing(): { readonly startedAt: number | undefined; readonly deadline: number | undefined } {
    if (this.startedAt === undefined) return { startedAt: undefined, deadline: undefined }
    return { startedAt: this.startedAt, deadline: this.startedAt + this.longest() }
  }

  /** The longest the sequence takes: drainDelay + gracePeriod + the hooks' timeouts. */
  private longest(): number {
    return this.drainDelay + this.gracePeriod + this.hooks.reduce((sum, hook) => sum + hook.timeout, 0)
  }

  private checkBudget(): void {
    const hooks = this.hooks.reduce((sum, hook) => sum + hook.timeout, 0)
    const total = this.longest()
    if (total <= this.budget || this.warned) return
    this.warned = true
    process.emitWarning(
      `healthz shutdown can take ${total} ms (drainDelay ${this.drainDelay} + gracePeriod ${this.gracePeriod} + onShutdown hook timeouts ${hooks}), ` +
        `longer than terminationGracePeriodSeconds ${this.budget / 1000} s, after which Kubernetes sends SIGKILL. ` +
        `Raise terminationGracePeriodSeconds in the pod spec (and shutdown.terminationGracePeriodSeconds to match), or lower shutdown.gracePeriod or the hook timeouts.`,
      { code: 'HEALTHZ_SHUTDOWN_BUDGET' },
    )
  }
}

/** Resolves with the error a function threw or rejected with, or undefined when it succeeded. */
async function settle(run: () => unknown): Promise<unknown> {
  try {
    await run()
    return undefined
  } catch (error) {
    return error ?? new Error('rejected with no reason')
  }
}

/**
 * Waits for `work`, or `ms` at most (then resolves with `onTimeout`). The timer keeps the
 * process alive while it runs, and is cancelled as soon as `work` settles so that nothing
 * lingers after the sequence ends.
 */
function within<T, U = undefined>(clock: Clock, ms: number, work: Promise<T>, onTimeout?: U): Promise<T | U | undefined> {
  return new Promise((resolve) => {
    const cancel = clock.schedule(() => resolve(onTimeout), ms, { keepAlive: true })
    void work.then((value) => {
      cancel()
      resolve(value)
    })
  })
}

// One process listener per signal, shared by every health object, so that creating many of
// them (in tests, say) never stacks listeners.
const subscribers = new Map<NodeJS.Signals, { readonly handler: () => void; readonly set: Set<Shutdown> }>()

function listen(signal: NodeJS.Signals, shutdown: Shutdown): void {
  let entry = subscribers.get(signal)
  if (entry === undefined) {
    const set = new Set<Shutdown>()
    const handler = (): void => {
      for (const subscriber of [...set]) subscriber.signal(signal)
    }
    entry = { handler, set }
    subscribers.set(signal, entry)
    process.on(signal, handler)
  }
  entry.set.add(shutdown)
}

function unlisten(signal: NodeJS.Signals, shutdown: Shutdown): void {
  const entry = subscribers.get(signal)
  if (entry === undefined) return
  entry.set.delete(shutdown)
  if (entry.set.size === 0) {
    process.off(signal, entry.handler)
    subscribers.delete(signal)
  }
}
