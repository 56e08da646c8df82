// Failure detectors: from the arrival times of one node's beats, how suspicious is its silence?
// Phi accrual after Hayashibara et al. (2004) with Akka's defaults and formula, and a fixed
// deadline. Both are pure functions of the times they are given, so tests run on fake time.
import { assertKnownOptions, countOption, describeValue, durationOption, HealthzError, optionKeys } from '@healthz/core'

/** The state of one node's detector. Times are the monitor's clock, in ms. */
export interface FailureDetector {
  /** Records a beat that arrived at `now`. */
  heartbeat(now: number): void
  /**
   * The suspicion level at `now`: for phi accrual, φ = −log10(probability that a beat still
   * arrives this late); for the deadline detector, the silence as a fraction of the deadline.
   * 0 before the first beat. Compare with the factory's `threshold`.
   */
  phi(now: number): number
  /** `phi(now) < threshold`. */
  isAvailable(now: number): boolean
  /**
   * How long after the last beat the suspicion reaches the threshold, in ms, given the
   * history so far: the theoretical detection delay of a node that stops now.
   */
  suspectAfter(): number
  /** When the last beat arrived (or the last rebase), or undefined before the first beat. */
  readonly lastHeartbeat: number | undefined
  /**
   * Moves the reference of the silence to `now` without recording an interval: used after the
   * monitor itself was paused or disconnected, when no beat could have been observed.
   */
  rebase(now: number): void
}

/** Makes one {@link FailureDetector} per node; what `createHeartbeatMonitor({ detector })` takes. */
export interface FailureDetectorFactory {
  /** `'phi-accrual'` or `'deadline'` (or your own). */
  readonly kind: string
  /** The suspicion level at which a node is suspected. */
  readonly threshold: number
  /** The interval at which beats are expected, in ms. */
  readonly expectedInterval: number
  /**
   * The longest pause beyond the expected interval that the detector absorbs without suspicion
   * (phi accrual: `acceptableHeartbeatPause`; deadline: `timeout − expectedInterval`). The
   * monitor warns when the process has paused longer than this.
   */
  readonly acceptablePause: number
  create(): FailureDetector
}

/** Options of {@link phiAccrual}. The defaults are Akka's (`akka.cluster.failure-detector`). */
export interface PhiAccrualOptions {
  /**
   * φ at which a node is suspected. φ = 8 means a 10⁻⁸ chance that the node is alive and its
   * beat merely late (given the history).
   * @default 8
   */
  threshold?: number
  /** Inter-arrival times kept per node. @default 1000 */
  maxSampleSize?: number
  /**
   * The floor of the standard deviation, in ms: very regular beats would otherwise make the
   * normal distribution so narrow that a few ms of jitter counts as failure.
   * @default 100
   */
  minStdDeviation?: number
  /**
   * Silence beyond the mean interval that is absorbed before suspicion grows, in ms: added to
   * the mean. Set it above the worst GC or event-loop pause of the emitting processes (and of
   * the network path), with margin.
   * @default 3000
   */
  acceptableHeartbeatPause?: number
  /**
   * The interval the history is bootstrapped from before real samples exist (Akka's
   * `heartbeat-interval`, used as `first-heartbeat-estimate`): the emitters' `interval`.
   * @default 1000
   */
  expectedInterval?: number
}

const PHI_ACCRUAL_OPTIONS = optionKeys<PhiAccrualOptions>({
  threshold: true,
  maxSampleSize: true,
  minStdDeviation: true,
  acceptableHeartbeatPause: true,
  expectedInterval: true,
})

/** Options of {@link deadline}. */
export interface DeadlineOptions {
  /** Silence after the last beat, in ms, after which a node is suspected. @default 5000 */
  timeout?: number
  /** The emitters' interval, in ms. @default 1000 */
  expectedInterval?: number
}

const DEADLINE_OPTIONS = optionKeys<DeadlineOptions>({ timeout: true, expectedInterval: true })

/**
 * The phi accrual failure detector (Hayashibara, Défago, Yared, Katayama, 2004) as Akka
 * implements it: inter-arrival times are modelled as a normal distribution, φ is computed with
 * Akka's logistic approximation of its tail, `acceptableHeartbeatPause` is added to the mean,
 * the history is bootstrapped from `expectedInterval` (two samples, mean ± mean/4), and the
 * first beat after a suspicion is not added to the history.
 *
 * @example
 * ```ts
 * const monitor = createHeartbeatMonitor({
 *   transport,
 *   detector: phiAccrual({ threshold: 8, acceptableHeartbeatPause: 3_000, expectedInterval: 1_000 }),
 * })
 * ```
 * @see https://doi.org/10.1109/RELDIS.2004.1353004
 */
export function phiAccrual(options: PhiAccrualOptions = {}): FailureDetectorFactory {
  assertKnownOptions(options, PHI_ACCRUAL_OPTIONS, 'phiAccrual')
  const threshold = options.threshold ?? 8
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0) {
    invalid(`phiAccrual.threshold must be a number above 0 (φ; 8 is Akka's default), got ${describeValue(options.threshold)}.`)
  }
  const maxSampleSize = countOption(options.maxSampleSize, 1000, 'phiAccrual.maxSampleSize')
  const minStdDeviation = durationOption(options.minStdDeviation, 100, 'phiAccrual.minStdDeviation')
  const acceptablePause = durationOption(options.acceptableHeartbeatPause, 3000, 'phiAccrual.acceptableHeartbeatPause', { zero: true })
  const expectedInterval = durationOption(options.expectedInterval, 1000, 'phiAccrual.expectedInterval')
  const settings: PhiSettings = { threshold, maxSampleSize, minStdDeviation, acceptablePause, expectedInterval }
  return {
    kind: 'phi-accrual',
    threshold,
    expectedInterval,
    acceptablePause,
    create: () => new PhiAccrualDetector(settings),
  }
}

/**
 * A fixed deadline: a node is suspected when no beat arrived for `timeout` ms. Simple and
 * predictable; it does not adapt to a slow network the way phi accrual does. Its `phi` is the
 * silence as a fraction of the timeout, so its threshold is 1.
 *
 * @example
 * ```ts
 * const monitor = createHeartbeatMonitor({ transport, detector: deadline({ timeout: 5_000 }) })
 * ```
 */
export function deadline(options: DeadlineOptions = {}): FailureDetectorFactory {
  assertKnownOptions(options, DEADLINE_OPTIONS, 'deadline')
  const timeout = durationOption(options.timeout, 5000, 'deadline.timeout')
  const expectedInterval = durationOption(options.expectedInterval, 1000, 'deadline.expectedInterval')
  if (timeout <= expectedInterval) {
    invalid(`deadline timeout (${timeout} ms) must be longer than expectedInterval (${expectedInterval} ms), or every node is suspected between two beats; a few intervals plus the worst pause is usual.`)
  }
  return {
    kind: 'deadline',
    threshold: 1,
    expectedInterval,
    acceptablePause: timeout - expectedInterval,
    create: () => new DeadlineDetector(timeout),
  }
}

/**
 * φ for a silence of `elapsed` ms, given the mean and standard deviation of the inter-arrival
 * times (the mean already including the acceptable pause): Akka's logistic approximation of
 * −log10(1 − F(elapsed)), F the normal CDF.
 *
 * @example
 * ```ts
 * phi(4_500, 4_000, 100) // ≈ 6.5
 * ```
 */
export function phi(elapsed: number, mean: number, stdDeviation: number): number {
  const y = (elapsed - mean) / stdDeviation
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y))
  return elapsed > mean ? -Math.log10(e / (1 + e)) : -Math.log10(1 - 1 / (1 + e))
}

/**
 * The silence, in ms, at which {@link phi} reaches `threshold`: the inverse of `phi` in
 * `elapsed`. Used for the theoretical detection delay and to choose settings.
 *
 * @example
 * ```ts
 * phiDelay(8, 1_000 + 3_000, 100) // ≈ 4_515 ms for 1 s beats and a 3 s acceptable pause
 * ```
 */
export function phiDelay(threshold: number, mean: number, stdDeviation: number): number {
  // φ = −log10(e / (1 + e)) for both branches, so e = p / (1 − p) with p = 10^−φ, and
  // y (1.5976 + 0.070566 y²) = ln((1 − p) / p): a monotonic cubic, solved by Newton's method.
  const p = 10 ** -threshold
  const target = Math.log((1 - p) / p)
  let y = target / 1.5976
  for (let i = 0; i < 50; i += 1) {
    const f = y * (1.5976 + 0.070566 * y * y) - target
    const step = f / (1.5976 + 3 * 0.070566 * y * y)
    y -= step
    if (Math.abs(step) < 1e-12) break
  }
  return mean + y * stdDeviation
}

interface PhiSettings {
  threshold: number
  maxSampleSize: number
  minStdDeviation: number
  acceptablePause: number
  expectedInterval: number
}

const INITIAL_CAPACITY = 16

/** One node's phi accrual state: a ring of inter-arrival times with running sums. */
class PhiAccrualDetector implements FailureDetector {
  lastHeartbeat: number | undefined = undefined
  // A Float32Array that grows to maxSampleSize: 4 bytes a sample, so a node costs little until
  // its history fills (4 KB at the default 1000 samples).
  private samples: Float32Array
  private start = 0
  private count = 0
  private sum = 0
  private squares = 0
  private skipNext = false

  constructor(private readonly settings: PhiSettings) {
    this.samples = new Float32Array(Math.min(INITIAL_CAPACITY, settings.maxSampleSize))
    const mean = settings.expectedInterval
    const deviation = mean / 4
    this.add(mean - deviation)
    this.add(mean + deviation)
  }

  heartbeat(now: number): void {
    const last = this.lastHeartbeat
    // Akka: a beat after a suspicion is not a sample of the normal interval.
    if (last !== undefined && !this.skipNext && this.isAvailable(now)) this.add(Math.max(0, now - last))
    this.skipNext = false
    this.lastHeartbeat = now
  }

  phi(now: number): number {
    if (this.lastHeartbeat === undefined) return 0
    return phi(Math.max(0, now - this.lastHeartbeat), this.mean() + this.settings.acceptablePause, this.stdDeviation())
  }

  isAvailable(now: number): boolean {
    return this.phi(now) < this.settings.threshold
  }

  suspectAfter(): number {
    return phiDelay(this.settings.threshold, this.mean() + this.settings.acceptablePause, this.stdDeviation())
  }

  rebase(now: number): void {
    if (this.lastHeartbeat === undefined || this.lastHeartbeat >= now) return
    this.lastHeartbeat = now
    this.skipNext = true
  }

  /** The number of inter-arrival samples held, the two bootstrap samples included. */
  get sampleSize(): number {
    return this.count
  }

  /** The mean of the inter-arrival samples, in ms (without the acceptable pause). */
  mean(): number {
    return this.sum / this.count
  }

  /** The standard deviation of the samples, floored at `minStdDeviation`. */
  stdDeviation(): number {
    const mean = this.mean()
    const variance = Math.max(0, this.squares / this.count - mean * mean)
    return Math.max(Math.sqrt(variance), this.settings.minStdDeviation)
  }

  private add(interval: number): void {
    const max = this.settings.maxSampleSize
    if (this.count === max) {
      const oldest = this.samples[this.start] ?? 0
      this.sum -= oldest
      this.squares -= oldest * oldest
      this.samples[this.start] = interval
      this.start = (this.start + 1) % max
    } else {
      if (this.count === this.samples.length) {
        const grown = new Float32Array(Math.min(max, this.samples.length * 2))
        grown.set(this.samples)
        this.samples = grown
      }
      this.samples[this.count] = interval
      this.count += 1
    }
    // Sums of what was stored (Float32), so that removing a sample later subtracts exactly it.
    const stored = Math.fround(interval)
    this.sum += stored
    this.squares += stored * stored
  }
}

/** @internal */
class DeadlineDetector implements FailureDetector {
  lastHeartbeat: number | undefined = undefined

  constructor(private readonly timeout: number) {}

  heartbeat(now: number): void {
    this.lastHeartbeat = now
  }

  phi(now: number): number {
    return this.lastHeartbeat === undefined ? 0 : Math.max(0, now - this.lastHeartbeat) / this.timeout
  }

  isAvailable(now: number): boolean {
    return this.phi(now) < 1
  }

  suspectAfter(): number {
    return this.timeout
  }

  rebase(now: number): void {
    if (this.lastHeartbeat !== undefined && this.lastHeartbeat < now) this.lastHeartbeat = now
  }
}

function invalid(message: string): never {
  throw new HealthzError(message, { code: 'INVALID_OPTION' })
}
