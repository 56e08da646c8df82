// Overload-aware readiness (DESIGN §11, "Busy is not stuck"): a readiness check that fails
// while the main event loop is saturated, so load balancers shed traffic from a struggling
// instance instead of the kubelet restarting it. Event-loop utilisation and delay are read with
// node:perf_hooks; enter and leave thresholds (hysteresis) and a minimum hold between two
// transitions keep it from flapping. Liveness never sees it.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type { CheckDefinition, CheckOutcome } from './check.js'
import { defineCheck } from './check.js'
import type { Clock } from './clock.js'
import { HealthzError } from './errors.js'
import { assertKnownOptions, describeValue, durationOption, optionKeys } from './options.js'

/** Options of the opt-in overload readiness check (`createHealth({ runtime: { overload } })`). */
export interface OverloadOptions {
  /**
   * Event-loop utilisation (0–1, the share of time the loop spent running code) over `window`
   * at or above which readiness fails. 0.9: a loop busy nine tenths of the time queues new work
   * faster than it finishes it.
   * @default 0.9
   */
  utilization?: number
  /** Utilisation under which readiness passes again (the leave threshold; below `utilization`). @default 0.7 */
  recoverUtilization?: number
  /**
   * Event-loop delay, in ms, at or above which readiness fails: the mean over `window` of the
   * worst delay of each sample. 500 ms is half the kubelet's default probe timeout.
   * @default 500
   */
  delay?: number
  /** Delay, in ms, under which readiness passes again (the leave threshold; at most `delay`). @default 100 */
  recoverDelay?: number
  /**
   * How much recent time utilisation and delay are measured over, in ms. Longer than a single
   * slow tick (a GC pause, one big `JSON.parse`), so only sustained saturation counts.
   * @default 3000
   */
  window?: number
  /**
   * The least time between two transitions, in ms: readiness changes at most once per `hold`.
   * @default 5000
   */
  hold?: number
  /** How often utilisation and delay are sampled, in ms. @default 500 */
  sampleInterval?: number
}

/** @internal The keys of {@link OverloadOptions}. */
export const OVERLOAD_KEYS = optionKeys<OverloadOptions>({
  utilization: true,
  recoverUtilization: true,
  delay: true,
  recoverDelay: true,
  window: true,
  hold: true,
  sampleInterval: true,
})

/** @internal What the event loop did since the previous reading: ms running code, ms idle, and the worst delay in ms. */
export interface LoadSample {
  readonly active: number
  readonly idle: number
  readonly delay: number
}

/** @internal A source of {@link LoadSample}s: perf_hooks in production, a script in tests. */
export interface LoadMeter {
  read(): LoadSample
  stop(): void
}

/** @internal The overload state, for the check and for tests. */
export interface OverloadState {
  readonly overloaded: boolean
  /** Utilisation over the window, 0–1 (undefined until a full window was measured). */
  readonly utilization: number | undefined
  /** Mean worst delay per sample over the window, in ms. */
  readonly delay: number | undefined
  /** How many times it changed state. */
  readonly transitions: number
}

/** The histogram's sampling step, in ms; every recorded delay includes it once. */
const RESOLUTION = 10

/** @internal Event-loop utilisation and delay from node:perf_hooks. */
export function performanceMeter(): LoadMeter {
  let last = performance.eventLoopUtilization()
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION })
  histogram.enable()
  return {
    read() {
      const now = performance.eventLoopUtilization()
      const { active, idle } = performance.eventLoopUtilization(now, last)
      last = now
      const delay = histogram.count === 0 ? 0 : Math.max(0, histogram.max / 1e6 - RESOLUTION)
      histogram.reset()
      return { active, idle, delay }
    },
    stop() {
      histogram.disable()
    },
  }
}

/** @internal The overload detector behind the `overload` readiness check. */
export class OverloadDetector {
  readonly check: CheckDefinition
  private readonly samples: LoadSample[] = []
  private overloaded = false
  private lastTransition = Number.NEGATIVE_INFINITY
  private transitions = 0
  private utilization: number | undefined
  private delay: number | undefined
  private cancel: (() => void) | undefined
  private stopped = false
  private readonly settings: Required<OverloadOptions>

  constructor(
    private readonly clock: Clock,
    options: OverloadOptions,
    where: string,
    private readonly meter: () => LoadMeter = performanceMeter,
  ) {
    assertKnownOptions(options, OVERLOAD_KEYS, where)
    const utilization = fraction(options.utilization, 0.9, `${where}.utilization`)
    const recoverUtilization = fraction(options.recoverUtilization, Math.min(0.7, utilization), `${where}.recoverUtilization`)
    const delay = durationOption(options.delay, 500, `${where}.delay`)
    const recoverDelay = durationOption(options.recoverDelay, Math.min(100, delay), `${where}.recoverDelay`)
    if (recoverUtilization > utilization) {
      throw new HealthzError(`${where}.recoverUtilization (${recoverUtilization}) must not be above utilization (${utilization}): readiness fails at utilization and passes again under recoverUtilization.`, { code: 'INVALID_OPTION' })
    }
    if (recoverDelay > delay) {
      throw new HealthzError(`${where}.recoverDelay (${recoverDelay} ms) must not be above delay (${delay} ms): readiness fails at delay and passes again under recoverDelay.`, { code: 'INVALID_OPTION' })
    }
    const window = durationOption(options.window, 3000, `${where}.window`)
    const hold = durationOption(options.hold, 5000, `${where}.hold`, { zero: true })
    const sampleInterval = durationOption(options.sampleInterval, 500, `${where}.sampleInterval`)
    if (sampleInterval > window) {
      throw new HealthzError(`${where}.sampleInterval (${sampleInterval} ms) must not be above window (${window} ms): a window holds whole samples.`, { code: 'INVALID_OPTION' })
    }
    this.settings = { utilization, recoverUtilization, delay, recoverDelay, window, hold, sampleInterval }
    this.check = defineCheck({
      name: 'overload',
      kind: 'process',
      componentType: 'system',
      measurement: 'utilization',
      run: () => this.outcome(),
    })
  }

  /** Starts sampling; separate from the constructor so that every option is checked first. */
  start(): this {
    const meter = this.meter()
    const sample = (): void => {
      if (this.stopped) return
      this.record(meter.read())
      this.cancel = this.clock.schedule(sample, this.settings.sampleInterval)
    }
    this.stopMeter = () => meter.stop()
    this.cancel = this.clock.schedule(sample, this.settings.sampleInterval)
    return this
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.cancel?.()
    this.stopMeter?.()
  }

  state(): OverloadState {
    return { overloaded: this.overloaded, utilization: this.utilization, delay: this.delay, transitions: this.transitions }
  }

  private stopMeter: (() => void) | undefined

  /** Adds one sample, keeps a window's worth, and moves the state when a threshold is crossed and the hold has passed. */
  private record(sample: LoadSample): void {
    const { samples, settings } = this
    samples.push(sample)
    let total = 0
    for (const entry of samples) total += entry.active + entry.idle
    while (samples.length > 1 && total - ((samples[0] as LoadSample).active + (samples[0] as LoadSample).idle) >= settings.window) {
      const dropped = samples.shift() as LoadSample
      total -= dropped.active + dropped.idle
    }
    if (total < settings.window) return // not a full window yet: no decision
    let active = 0
    let delay = 0
    for (const entry of samples) {
      active += entry.active
      delay += entry.delay
    }
    this.utilization = total === 0 ? 0 : active / total
    this.delay = delay / samples.length
    const now = this.clock.now()
    if (now - this.lastTransition < settings.hold) return
    const next = this.overloaded
      ? !(this.utilization < settings.recoverUtilization && this.delay < settings.recoverDelay)
      : this.utilization >= settings.utilization || this.delay >= settings.delay
    if (next !== this.overloaded) {
      this.overloaded = next
      this.lastTransition = now
      this.transitions += 1
    }
  }

  private outcome(): CheckOutcome {
    const { utilization, delay, overloaded, settings } = this
    const percent = utilization === undefined ? 0 : percentOf(utilization)
    if (!overloaded) return { observedValue: percent, observedUnit: '%' }
    return {
      status: 'fail',
      observedValue: percent,
      observedUnit: '%',
      output: `event loop saturated: utilization ${percent}% and delay ${Math.round(delay ?? 0)} ms over ${settings.window} ms (fails at ${percentOf(settings.utilization)}% or ${settings.delay} ms, passes under ${percentOf(settings.recoverUtilization)}% and ${settings.recoverDelay} ms)`,
    }
  }
}

/** A fraction as a percentage with one decimal. */
function percentOf(value: number): number {
  return Math.round(value * 1000) / 10
}

/** A number from 0 (excluded) to 1. */
function fraction(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1) {
    throw new HealthzError(`${what} must be a fraction above 0 and up to 1 (0.9 is 90% of the time busy), got ${describeValue(value)}.`, { code: 'INVALID_OPTION' })
  }
  return value
}
