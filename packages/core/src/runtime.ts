// Runtime awareness: how long the event loop and the garbage collector stop the process.
// Every heartbeat or gossip timeout must sit above the worst such pause with a margin, and a
// liveness check may fail on a sustained stall, never on one slow tick.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import type { IntervalHistogram } from 'node:perf_hooks'
import type { CheckDefinition, CheckOutcome } from './check.js'
import { defineCheck } from './check.js'
import type { Clock } from './clock.js'
import { clockOption } from './clock.js'
import { HealthzError } from './errors.js'
import { assertKnownOptions, describeValue, durationOption, optionKeys } from './options.js'
import type { OverloadOptions } from './overload.js'
import { OverloadDetector } from './overload.js'

/** Event-loop delay percentiles over the current window, in ms. */
export interface EventLoopDelayStats {
  min: number
  mean: number
  p50: number
  p90: number
  p99: number
  max: number
}

/** Garbage-collection pauses observed since the monitor started, in ms. */
export interface GcStats {
  /** Number of collections observed. */
  count: number
  /** Sum of their pauses. */
  total: number
  /** The longest single pause. */
  max: number
  /** The 99th percentile over the most recent collections (up to 1,000). */
  p99: number
}

/** What the runtime monitor has seen. */
export interface RuntimeStats {
  /** Event-loop delay over the current window (reset every `window` ms). */
  eventLoopDelay: EventLoopDelayStats
  gc: GcStats
  /**
   * The worst stop-the-world pause seen since the monitor started: the longest event-loop
   * delay or GC pause, in ms. Set heartbeat and failure-detector timeouts above it with margin.
   */
  worstPause: number
}

/** Options of the opt-in event-loop stall check. */
export interface StallCheckOptions {
  /** Event-loop lag, in ms, above which the loop counts as stalled. @default 1000 */
  threshold?: number
  /** How long the lag must stay above `threshold` before liveness fails, in ms. @default 10000 */
  window?: number
  /** How often the lag is sampled, in ms. @default 500 */
  sampleInterval?: number
}

/** Options of the runtime monitor (`createHealth({ runtime })`). */
export interface RuntimeOptions {
  /**
   * Add a liveness check named `event-loop` that fails when the event loop has lagged above
   * `threshold` for `window` ms on end, and never on one slow tick. Off unless set.
   * @default false
   */
  stall?: boolean | StallCheckOptions
  /** How long the event-loop delay histogram collects before it is reset, in ms. @default 60000 */
  window?: number
  /**
   * Add a readiness check named `overload` that fails while the event loop is saturated
   * (utilisation or delay over a threshold for a window), so load balancers send this instance
   * less traffic instead of the kubelet restarting it; with hysteresis and a minimum hold, so it
   * changes at most once per `hold`. Never touches liveness. Off unless set.
   * @default false
   * @example
   * ```ts
   * createHealth({ readiness: [postgres], runtime: { overload: { utilization: 0.9, hold: 5000 } } })
   * ```
   */
  overload?: boolean | OverloadOptions
}

const STALL_KEYS = optionKeys<StallCheckOptions>({ threshold: true, window: true, sampleInterval: true })
/** @internal The keys of {@link RuntimeOptions}. */
export const RUNTIME_KEYS = optionKeys<RuntimeOptions>({ stall: true, window: true, overload: true })

/** @internal The `runtime` option of `createHealth`, checked: `false` or an options object. */
export function runtimeOption(value: unknown): RuntimeOptions | false {
  if (value === undefined) return {}
  if (value === false || (typeof value === 'object' && value !== null && !Array.isArray(value))) return value as RuntimeOptions | false
  throw new HealthzError(`runtime must be false or an options object like { stall: true }, got ${describeValue(value)}.`, { code: 'INVALID_OPTION' })
}

/** The runtime monitor of a health object (`health.runtime`). */
export interface RuntimeMonitor {
  /** A snapshot of what has been measured. */
  stats(): RuntimeStats
  /** Stops measuring; called by `health.shutdown()` and `health.close()`. */
  stop(): void
}

const NS_PER_MS = 1e6
/** The histogram's sampling step, in ms; every recorded delay includes it once. */
const RESOLUTION = 10
const GC_SAMPLES = 1000

/** @internal */
export class Runtime implements RuntimeMonitor {
  readonly stallCheck: CheckDefinition | undefined
  /** The overload detector, when `overload` is on; its `check` belongs in readiness. */
  readonly overload: OverloadDetector | undefined
  private histogram: IntervalHistogram | undefined
  private observer: PerformanceObserver | undefined
  private readonly gcPauses: number[] = []
  private gcCount = 0
  private gcTotal = 0
  private gcMax = 0
  private worstLoopDelay = 0
  private cancelReset: (() => void) | undefined
  private cancelSample: (() => void) | undefined
  private stallSince: number | undefined
  private laggedSamples = 0
  private maxLag = 0
  private stopped = false

  constructor(
    private readonly clock: Clock,
    options: RuntimeOptions,
    where = 'runtime',
  ) {
    assertKnownOptions(options, RUNTIME_KEYS, where)
    const window = durationOption(options.window, 60_000, `${where}.window`)
    const stall = options.stall ?? false
    if (typeof stall !== 'boolean' && (typeof stall !== 'object' || stall === null || Array.isArray(stall))) {
      throw new HealthzError(`${where}.stall must be true, false or an options object { threshold, window, sampleInterval }, got ${describeValue(stall)}.`, { code: 'INVALID_OPTION' })
    }
    if (typeof stall === 'object') assertKnownOptions(stall, STALL_KEYS, `${where}.stall`)
    const overload = options.overload ?? false
    if (typeof overload !== 'boolean' && (typeof overload !== 'object' || overload === null || Array.isArray(overload))) {
      throw new HealthzError(`${where}.overload must be true, false or an options object { utilization, delay, hold, … }, got ${describeValue(overload)}.`, { code: 'INVALID_OPTION' })
    }
    const detector = overload === false ? undefined : new OverloadDetector(this.clock, overload === true ? {} : overload, `${where}.overload`)
    // Every option is checked before anything starts measuring.
    this.stallCheck = stall === false ? undefined : this.createStallCheck(stall === true ? {} : stall, `${where}.stall`)
    this.overload = detector?.start()
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION })
    this.histogram.enable()
    const reset = (): void => {
      this.foldLoopDelay()
      this.histogram?.reset()
      this.cancelReset = this.clock.schedule(reset, window)
    }
    this.cancelReset = this.clock.schedule(reset, window)
    try {
      this.observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) this.recordGc(entry.duration)
      })
      this.observer.observe({ entryTypes: ['gc'] })
    } catch {
      this.observer = undefined // no gc entries on this runtime: report none
    }
  }

  stats(): RuntimeStats {
    const histogram = this.histogram
    const loop: EventLoopDelayStats =
      histogram === undefined || histogram.count === 0
        ? { min: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 }
        : {
            min: delay(histogram.min),
            mean: delay(histogram.mean),
            p50: delay(histogram.percentile(50)),
            p90: delay(histogram.percentile(90)),
            p99: delay(histogram.percentile(99)),
            max: delay(histogram.max),
          }
    const sorted = [...this.gcPauses].sort((a, b) => a - b)
    const p99 = sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0)
    return {
      eventLoopDelay: loop,
      gc: { count: this.gcCount, total: this.gcTotal, max: this.gcMax, p99 },
      worstPause: Math.max(this.worstLoopDelay, loop.max, this.gcMax, this.maxLag),
    }
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.foldLoopDelay()
    this.histogram?.disable()
    this.histogram = undefined
    this.observer?.disconnect()
    this.observer = undefined
    this.cancelReset?.()
    this.cancelSample?.()
    this.overload?.stop()
  }

  /** @internal For tests and the GC observer. */
  recordGc(duration: number): void {
    this.gcCount += 1
    this.gcTotal += duration
    if (duration > this.gcMax) this.gcMax = duration
    this.gcPauses.push(duration)
    if (this.gcPauses.length > GC_SAMPLES) this.gcPauses.shift()
  }

  private foldLoopDelay(): void {
    const max = this.histogram === undefined || this.histogram.count === 0 ? 0 : delay(this.histogram.max)
    if (max > this.worstLoopDelay) this.worstLoopDelay = max
  }

  private createStallCheck(options: StallCheckOptions, where: string): CheckDefinition {
    const threshold = durationOption(options.threshold, 1000, `${where}.threshold`)
    const window = durationOption(options.window, 10_000, `${where}.window`)
    const sampleInterval = durationOption(options.sampleInterval, 500, `${where}.sampleInterval`)
    // Lag is measured through the clock, so fake timers can simulate a stall by moving the
    // time without running timers, which is what a blocked event loop looks like.
    const sample = (expected: number): void => {
      const now = this.clock.now()
      const lag = Math.max(0, now - expected)
      this.maxLag = Math.max(this.maxLag, lag)
      if (lag >= threshold) {
        this.laggedSamples += 1
        // Counted from the first late sample's arrival: one long pause before it is one slow
        // tick, and must not fill the window by itself.
        this.stallSince ??= now
      } else {
        this.laggedSamples = 0
        this.stallSince = undefined
      }
      if (!this.stopped) this.scheduleSample(sample, sampleInterval)
    }
    this.scheduleSample(sample, sampleInterval)
    return defineCheck({
      name: 'event-loop',
      kind: 'process',
      componentType: 'system',
      measurement: 'stall',
      run: (): CheckOutcome => {
        const stalledFor = this.stallSince === undefined ? 0 : this.clock.now() - this.stallSince
        // One slow tick is one lagged sample: it never fails liveness, however long it was.
        if (this.laggedSamples >= 2 && stalledFor >= window) {
          return {
            status: 'fail',
            observedValue: stalledFor,
            observedUnit: 'ms',
            output: `event loop lagging over ${threshold} ms for ${stalledFor} ms (window ${window} ms)`,
          }
        }
        return { observedValue: stalledFor, observedUnit: 'ms' }
      },
    })
  }

  private scheduleSample(sample: (expected: number) => void, interval: number): void {
    const expected = this.clock.now() + interval
    this.cancelSample = this.clock.schedule(() => sample(expected), interval)
  }
}

/** A histogram reading in ns, as the delay beyond the sampling step, in ms. */
function delay(ns: number): number {
  return Math.max(0, ns / NS_PER_MS - RESOLUTION)
}

/** Options of {@link createRuntimeMonitor}. */
export interface CreateRuntimeMonitorOptions extends RuntimeOptions {
  /** The source of time. @default systemClock */
  clock?: Clock
}

const MONITOR_KEYS = optionKeys<CreateRuntimeMonitorOptions>({ stall: true, window: true, overload: true, clock: true })

/**
 * A runtime monitor of its own, for code that needs the process's worst pause without a
 * health object (a heartbeat monitor, a gossip timer). With a health object, use
 * `health.runtime` instead: one monitor per process is enough. Call `stop()` when done.
 *
 * @example
 * ```ts
 * const runtime = createRuntimeMonitor()
 * setTimeout(() => console.log(runtime.stats().worstPause), 60_000)
 * ```
 */
export function createRuntimeMonitor(options: CreateRuntimeMonitorOptions = {}): RuntimeMonitor {
  assertKnownOptions(options, MONITOR_KEYS, 'createRuntimeMonitor')
  const { clock, ...runtime } = options
  return new Runtime(clockOption(clock), runtime, 'createRuntimeMonitor')
}
