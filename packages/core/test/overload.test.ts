// Overload-aware readiness (issue 18): the `overload` readiness check enters on sustained
// saturation, leaves under the lower thresholds (hysteresis), changes at most once per hold,
// and never touches liveness. The state machine runs on a scripted meter and fake timers; one
// test drives it with a real busy loop and node:perf_hooks.
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createHealth, systemClock } from '@healthz/core'
import type { Health } from '@healthz/core'
import type { LoadMeter, LoadSample } from '../src/overload.js'
import { OverloadDetector } from '../src/overload.js'
import { expectInvalidOption } from '../../../test-utils/options-contract.js'

const detectors: OverloadDetector[] = []
let health: Health | undefined
afterEach(() => {
  for (const detector of detectors.splice(0)) detector.stop()
  health?.close()
  health = undefined
  vi.useRealTimers()
})

/** A meter that reports whatever utilisation and delay the test sets, per 500 ms sample. */
function scripted(): { meter: () => LoadMeter; set(utilization: number, delay?: number): void } {
  let current: LoadSample = { active: 0, idle: 500, delay: 0 }
  return {
    meter: () => ({ read: () => current, stop: () => undefined }),
    set(utilization, delay = 0) {
      current = { active: 500 * utilization, idle: 500 * (1 - utilization), delay }
    },
  }
}

function detector(options: ConstructorParameters<typeof OverloadDetector>[1], meter: () => LoadMeter): OverloadDetector {
  const created = new OverloadDetector(systemClock, options, 'overload', meter).start()
  detectors.push(created)
  return created
}

describe('the overload state machine', () => {
  it('enters only after a full window of saturation, stays through the hysteresis band, leaves under the recover thresholds', async () => {
    vi.useFakeTimers()
    const load = scripted()
    const overload = detector({}, load.meter) // defaults: 0.9 / 0.7, 500 / 100 ms, window 3 s, hold 5 s, samples every 500 ms
    load.set(0.95)
    await vi.advanceTimersByTimeAsync(2500) // five samples: not a full window yet
    expect(overload.state().overloaded).toBe(false)
    await vi.advanceTimersByTimeAsync(500)
    expect(overload.state()).toMatchObject({ overloaded: true, transitions: 1 })
    expect(overload.state().utilization).toBeCloseTo(0.95)
    // Between the thresholds: still overloaded, long after the hold.
    load.set(0.8)
    await vi.advanceTimersByTimeAsync(20_000)
    expect(overload.state()).toMatchObject({ overloaded: true, transitions: 1 })
    // Under 0.7 and 100 ms: ready again once a window of it is measured.
    load.set(0.3, 20)
    await vi.advanceTimersByTimeAsync(3000)
    expect(overload.state()).toMatchObject({ overloaded: false, transitions: 2 })
  })

  it('enters on delay alone: the mean worst delay per sample over the window', async () => {
    vi.useFakeTimers()
    const load = scripted()
    const overload = detector({}, load.meter)
    load.set(0.5, 600)
    await vi.advanceTimersByTimeAsync(3000)
    expect(overload.state().overloaded).toBe(true)
    // One slow tick in a quiet window is not saturation.
    const quiet = scripted()
    const other = detector({}, quiet.meter)
    await vi.advanceTimersByTimeAsync(2500)
    quiet.set(0.5, 1500) // one sample with a 1.5 s delay: mean 250 ms over six samples
    await vi.advanceTimersByTimeAsync(500)
    quiet.set(0.2, 0)
    await vi.advanceTimersByTimeAsync(5000)
    expect(other.state()).toMatchObject({ overloaded: false, transitions: 0 })
  })

  it('flapping load changes readiness at most once per hold', async () => {
    vi.useFakeTimers()
    const load = scripted()
    const overload = detector({ hold: 5000, window: 1000 }, load.meter)
    // Saturated and idle in alternating 1.5 s stretches for a minute.
    for (let step = 0; step < 40; step += 1) {
      load.set(step % 2 === 0 ? 1 : 0)
      await vi.advanceTimersByTimeAsync(1500)
    }
    const { transitions } = overload.state()
    expect(transitions).toBeGreaterThan(0)
    expect(transitions).toBeLessThanOrEqual(Math.floor(60_000 / 5000) + 1)
    // The same input without a hold flaps far more: the hold is what bounds it.
    const unheld = scripted()
    const flappy = detector({ hold: 0, window: 1000 }, unheld.meter)
    for (let step = 0; step < 40; step += 1) {
      unheld.set(step % 2 === 0 ? 1 : 0)
      await vi.advanceTimersByTimeAsync(1500)
    }
    expect(flappy.state().transitions).toBeGreaterThan(transitions * 2)
  })
})

describe('createHealth({ runtime: { overload } })', () => {
  it('adds the `overload` check to readiness only; liveness never has it', async () => {
    health = createHealth({ runtime: { overload: true }, shutdown: { signals: false } })
    health.markStarted()
    const readiness = await health.probe('readiness')
    expect(readiness.checks.map((check) => check.name)).toEqual(['overload'])
    expect(readiness.checks[0]).toMatchObject({ status: 'pass', componentType: 'system', measurement: 'utilization', observedUnit: '%' })
    expect((await health.probe('liveness')).checks.map((check) => check.name)).toEqual([])
  })

  it('refuses bad options at construction, with what to change', () => {
    expectInvalidOption(() => createHealth({ runtime: { overload: { utilisation: 0.9 } as never } }), /runtime\.overload: unknown option "utilisation"; did you mean "utilization"\?/)
    expectInvalidOption(() => createHealth({ runtime: { overload: { utilization: 90 } } }), /runtime\.overload\.utilization must be a fraction above 0 and up to 1/)
    expectInvalidOption(() => createHealth({ runtime: { overload: { utilization: 0.6, recoverUtilization: 0.8 } } }), /recoverUtilization \(0\.8\) must not be above utilization \(0\.6\)/)
    expectInvalidOption(() => createHealth({ runtime: { overload: { delay: 100, recoverDelay: 200 } } }), /recoverDelay \(200 ms\) must not be above delay \(100 ms\)/)
    expectInvalidOption(() => createHealth({ runtime: { overload: { window: 400, sampleInterval: 500 } } }), /sampleInterval \(500 ms\) must not be above window \(400 ms\)/)
    expectInvalidOption(() => createHealth({ runtime: { overload: 'on' as never } }), /runtime\.overload must be true, false or an options object/)
  })

  it('a real saturated loop fails readiness and recovers after it, liveness passing throughout (perf_hooks, real timers)', async () => {
    health = createHealth({ runtime: { overload: { window: 600, sampleInterval: 100, hold: 600 } }, shutdown: { signals: false } })
    health.markStarted()
    const readiness = async (): Promise<number | undefined> => (await health?.handle({ path: '/readyz' }))?.status
    const liveness: number[] = []
    expect(await readiness()).toBe(200)
    // 1.5 s of CPU work in 50 ms slices: the loop still turns (timers sample) but is ~95% busy.
    const statuses: number[] = []
    const end = performance.now() + 1500
    while (performance.now() < end) {
      const slice = performance.now() + 50
      while (performance.now() < slice);
      await yieldToLoop()
      statuses.push((await readiness()) as number)
      liveness.push((await health.handle({ path: '/livez' }))?.status as number)
    }
    expect(statuses).toContain(503)
    await vi.waitFor(async () => expect(await readiness()).toBe(200), { timeout: 5000, interval: 100 })
    expect(new Set(liveness)).toEqual(new Set([200]))
  })
})
