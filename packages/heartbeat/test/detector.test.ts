// The failure detectors as pure functions of arrival times: no timers, no transport.
import { describe, expect, it } from 'vitest'
import { isHealthzError } from '@healthz/core'
import { deadline, phi, phiAccrual, phiDelay } from '@healthz/heartbeat'

/** The standard normal CDF, from an independent series (Abramowitz & Stegun 26.2.17 is too coarse here). */
function normalCdf(y: number): number {
  // erf by its Taylor series, accurate to ~1e-15 for |y| < 6
  const x = y / Math.SQRT2
  let term = x
  let sum = x
  for (let n = 1; n < 200; n += 1) {
    term *= (-x * x) / n
    sum += term / (2 * n + 1)
  }
  return 0.5 * (1 + (2 / Math.sqrt(Math.PI)) * sum)
}

/** φ as Hayashibara et al. define it: −log10 of the probability that a beat comes later still. */
function exactPhi(elapsed: number, mean: number, std: number): number {
  return -Math.log10(1 - normalCdf((elapsed - mean) / std))
}

/** Akka's formula, written out independently of the implementation. */
function akkaPhi(elapsed: number, mean: number, std: number): number {
  const y = (elapsed - mean) / std
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y))
  return elapsed > mean ? -Math.log10(e / (1 + e)) : -Math.log10(1 - 1 / (1 + e))
}

function meanAndStd(samples: number[], minStd: number): { mean: number; std: number } {
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length
  const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length
  return { mean, std: Math.max(Math.sqrt(variance), minStd) }
}

describe('phi', () => {
  it("is a good approximation of the normal tail: Akka's cumulative-distribution checks", () => {
    // Akka's PhiAccrualFailureDetectorSpec: cdf(phi(x, 0, 10)) for x = 0, 6, 15, 20, 25, 35
    const cdf = (value: number): number => 1 - 10 ** -value
    expect(cdf(phi(0, 0, 10))).toBeCloseTo(0.5, 3)
    expect(cdf(phi(6, 0, 10))).toBeCloseTo(0.7257, 3)
    expect(cdf(phi(15, 0, 10))).toBeCloseTo(0.9332, 3)
    expect(cdf(phi(20, 0, 10))).toBeCloseTo(0.97725, 3)
    expect(cdf(phi(25, 0, 10))).toBeCloseTo(0.99379, 3)
    expect(cdf(phi(35, 0, 10))).toBeCloseTo(0.99977, 3)
    expect(cdf(phi(-6, 0, 10))).toBeCloseTo(1 - 0.7257, 3)
  })

  it('is within 2% of the exact φ of a normal distribution up to 3σ, and above it further out', () => {
    // Akka's logistic approximation overestimates the far tail: at φ = 8 it sits at 5.2σ where
    // the exact model says 5.6σ, so it suspects somewhat earlier than the pure normal model.
    for (let y = 0.5; y <= 3; y += 0.25) {
      const exact = exactPhi(1000 + y * 100, 1000, 100)
      expect(Math.abs(phi(1000 + y * 100, 1000, 100) - exact) / exact).toBeLessThan(0.02)
    }
    for (let y = 3.25; y <= 6; y += 0.25) {
      expect(phi(1000 + y * 100, 1000, 100)).toBeGreaterThan(exactPhi(1000 + y * 100, 1000, 100))
    }
  })

  it('phiDelay inverts phi', () => {
    for (const threshold of [0.5, 1, 3, 8, 12, 16]) {
      const elapsed = phiDelay(threshold, 4000, 100)
      expect(phi(elapsed, 4000, 100)).toBeCloseTo(threshold, 6)
    }
    expect(phiDelay(8, 4000, 100)).toBeCloseTo(4522.6, 1)
  })
})

describe('phiAccrual detector', () => {
  it('φ is 0 before the first beat, and follows the bootstrap guess after it (Akka spec values)', () => {
    // Akka's spec: first-heartbeat-estimate 1 s, min std-dev 10 ms, no acceptable pause.
    const detector = phiAccrual({ minStdDeviation: 10, acceptableHeartbeatPause: 0, expectedInterval: 1000 }).create()
    expect(detector.phi(5_000)).toBe(0)
    detector.heartbeat(0)
    expect(detector.phi(1000)).toBeCloseTo(0.3, 1)
    expect(detector.phi(2000)).toBeGreaterThan(4.2)
    expect(detector.phi(2000)).toBeLessThan(4.8)
    expect(detector.phi(3000)).toBeGreaterThan(15)
  })

  it('matches the formula on a known inter-arrival history, bootstrap samples included', () => {
    const factory = phiAccrual({ expectedInterval: 1000, acceptableHeartbeatPause: 3000, minStdDeviation: 100 })
    const detector = factory.create()
    const intervals = [1000, 1100, 900, 1050, 950, 1200, 800, 1000, 1000, 1300, 700]
    let now = 10_000
    detector.heartbeat(now)
    for (const interval of intervals) {
      now += interval
      detector.heartbeat(now)
    }
    // Akka bootstraps the history with mean ± mean/4.
    const { mean, std } = meanAndStd([750, 1250, ...intervals], 100)
    for (const elapsed of [0, 500, 1000, 3000, 4000, 4300, 4600, 5000]) {
      const expected = akkaPhi(elapsed, mean + 3000, std)
      expect(detector.phi(now + elapsed)).toBeCloseTo(expected, 6)
    }
    expect(detector.suspectAfter()).toBeCloseTo(phiDelay(8, mean + 3000, std), 6)
  })

  it('floors the standard deviation at minStdDeviation for very regular beats', () => {
    const detector = phiAccrual({ acceptableHeartbeatPause: 0 }).create()
    let now = 0
    for (let i = 0; i <= 1000; i += 1) {
      detector.heartbeat(now)
      now += 1000
    }
    now -= 1000
    // 1000 samples of exactly 1000 ms: the bootstrap samples are gone, the real deviation is 0.
    expect(detector.phi(now + 1100)).toBeCloseTo(akkaPhi(1100, 1000, 100), 9)
    expect(detector.phi(now + 1100)).toBeLessThan(1)
  })

  it('keeps at most maxSampleSize intervals (a ring)', () => {
    const detector = phiAccrual({ maxSampleSize: 3, acceptableHeartbeatPause: 0, minStdDeviation: 1 }).create()
    let now = 0
    detector.heartbeat(now)
    for (const interval of [100, 200, 300, 400]) {
      now += interval
      detector.heartbeat(now)
    }
    // The last three: 200, 300, 400.
    const { mean, std } = meanAndStd([200, 300, 400], 1)
    expect(detector.phi(now + 350)).toBeCloseTo(akkaPhi(350, mean, std), 9)
  })

  it('does not add the first interval after a suspicion to the history (Akka)', () => {
    const detector = phiAccrual({ acceptableHeartbeatPause: 0 }).create()
    detector.heartbeat(0)
    detector.heartbeat(1000)
    const before = detector.suspectAfter()
    detector.heartbeat(60_000) // long after the threshold: not a sample of the normal interval
    expect(detector.suspectAfter()).toBeCloseTo(before, 9)
    detector.heartbeat(61_000)
    expect(detector.suspectAfter()).not.toBeCloseTo(before, 3)
  })

  it('rebase moves the reference of the silence and skips that interval', () => {
    const detector = phiAccrual().create()
    detector.heartbeat(0)
    detector.heartbeat(1000)
    const before = detector.suspectAfter()
    detector.rebase(30_000)
    expect(detector.phi(30_000)).toBeLessThan(0.01)
    detector.heartbeat(30_500)
    expect(detector.suspectAfter()).toBeCloseTo(before, 9)
  })

  it('jittered but regular beats never cross the threshold over a long run (2 × 500,000 beats)', () => {
    // Deterministic pseudo-random jitter: ±10% of the interval plus 0–50 ms of network delay.
    const run = (acceptableHeartbeatPause: number, pauseEvery: number, pauseUpTo: number): number => {
      const detector = phiAccrual({ acceptableHeartbeatPause }).create()
      let seed = 42
      const random = (): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
        return seed / 2 ** 31
      }
      let sentAt = 0
      let now = 0
      let maxPhi = 0
      for (let i = 0; i < 500_000; i += 1) {
        sentAt += 1000 * (1 + 0.1 * (2 * random() - 1))
        let arrival = sentAt + 50 * random()
        if (i % pauseEvery === pauseEvery - 1) arrival += pauseUpTo * random()
        arrival = Math.max(arrival, now)
        // φ is highest just before a beat arrives.
        if (i > 0) maxPhi = Math.max(maxPhi, detector.phi(arrival - 0.001))
        detector.heartbeat(arrival)
        now = arrival
      }
      return maxPhi
    }
    // No acceptable pause: φ moves (up to ~2–3 on the late beats) yet never reaches 8.
    const tight = run(0, Number.MAX_SAFE_INTEGER, 0)
    expect(tight).toBeGreaterThan(1)
    expect(tight).toBeLessThan(8)
    // Akka's defaults, with a stop-the-world pause of up to 2.5 s once every 5,000 beats.
    const paused = run(3000, 5000, 2500)
    expect(paused).toBeGreaterThan(0)
    expect(paused).toBeLessThan(8)
  })

  it('refuses bad options with INVALID_OPTION and says what is wrong', () => {
    for (const options of [{ threshold: 0 }, { threshold: Number.NaN }, { maxSampleSize: 1.5 }, { minStdDeviation: -1 }, { acceptableHeartbeatPause: -1 }, { expectedInterval: 0 }]) {
      let caught: unknown
      try {
        phiAccrual(options)
      } catch (error) {
        caught = error
      }
      expect(isHealthzError(caught) && caught.code === 'INVALID_OPTION').toBe(true)
      expect((caught as Error).message).toMatch(/phiAccrual\.\w+ must be/)
    }
  })
})

describe('deadline detector', () => {
  it('suspects after exactly the timeout, φ being the fraction of it', () => {
    const factory = deadline({ timeout: 5000 })
    expect(factory.threshold).toBe(1)
    expect(factory.acceptablePause).toBe(4000)
    const detector = factory.create()
    detector.heartbeat(1000)
    expect(detector.phi(3500)).toBeCloseTo(0.5, 9)
    expect(detector.isAvailable(5999)).toBe(true)
    expect(detector.isAvailable(6000)).toBe(false)
    expect(detector.suspectAfter()).toBe(5000)
  })

  it('refuses a timeout not longer than the interval', () => {
    expect(() => deadline({ timeout: 1000, expectedInterval: 1000 })).toThrow(/must be longer than expectedInterval/)
  })
})
