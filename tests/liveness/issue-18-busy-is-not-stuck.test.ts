// Issue 18's scenario as a test: a child-process service (bench/liveness/service.mjs, on the
// built packages) whose main thread runs CPU bursts of 1.2–4 s (~90% event-loop utilization),
// probed like the kubelet (period 1 s, timeout 1 s, failureThreshold 3) on the main port's
// /livez, on the liveness worker's port, and on /readyz. Counts are asserted, never speed:
// - the main port's liveness would have been restarted (> 0): today's failure;
// - the worker's liveness never would (0), and answered the probes sent during the bursts;
// - with overload-aware readiness, /readyz answers 503 while saturated and 200 after, with at
//   most one transition per hold window;
// - with `while (true) {}`, the worker's liveness fails after the tolerance, within tolerance +
//   one period, and keeps failing (a restart is counted). This run serves the main port with Express.
// The benchmark (bench/liveness/run.mjs) runs the same scenario for 60 s and reports latencies.
import { describe, expect, it } from 'vitest'
import { runScenario } from '../../bench/liveness/scenario.mjs'

const PERIOD = 1000
// Above the longest burst (4 s) plus a heartbeat interval, with room for a loaded machine.
const TOLERANCE = 6000
const HOLD = 3000
const ENV = { STALL_TOLERANCE: String(TOLERANCE), HEARTBEAT: '250', OVERLOAD_WINDOW: '2000', OVERLOAD_HOLD: String(HOLD) }

describe('issue 18: busy is not stuck', () => {
  it('bursts of 1–4 s: the main port would restart, the worker port never; readiness sheds load and comes back', async () => {
    const run = await runScenario({
      env: { ...ENV, FRAMEWORK: 'http' },
      plan: 'quiet:2000,burst:4000,gap:300,burst:1200,gap:300,burst:4000,gap:300,burst:1500,gap:300,quiet:7000',
    })
    // Two 4 s bursts: every probe sent in the first 3 s of each waits past its 1 s timeout.
    expect(run.main.restarts).toBeGreaterThanOrEqual(1)
    expect(run.main.timeouts).toBeGreaterThanOrEqual(3)
    const worker = run.worker
    expect(worker).toBeDefined()
    if (worker === undefined) return
    expect(worker.restarts).toBe(0)
    // Answered during the bursts (one lost answer allowed on a loaded machine; three in a row restart).
    expect(worker.burstProbes).toBeGreaterThanOrEqual(6)
    expect(worker.burstOk).toBeGreaterThanOrEqual(worker.burstProbes - 1)
    expect(worker.failures).toBeLessThanOrEqual(1)
    // Overload-aware readiness: ready before, 503 answers while saturated, ready again after.
    expect(run.readiness.okBeforeBursts).toBeGreaterThanOrEqual(1)
    expect(run.readiness.unavailableDuringBursts).toBeGreaterThanOrEqual(1)
    expect(run.readiness.lastStatus).toBe(200)
    expect(run.overload.transitions[0]).toBe('fail')
    expect(run.overload.transitions.at(-1)).toBe('pass')
    expect(run.overload.minGapMs).toBeGreaterThanOrEqual(HOLD)
  }, 60_000)

  it('while (true) {} (Express on the main port): the worker fails within tolerance + one period, and keeps failing', async () => {
    const run = await runScenario({
      env: { ...ENV, FRAMEWORK: 'express', OVERLOAD: '0' },
      plan: 'quiet:1000,burst:3000,gap:300,forever',
      foreverFor: TOLERANCE + PERIOD + 4000,
    })
    const forever = run.forever
    expect(forever).toBeDefined()
    if (forever === undefined) return
    // The 3 s burst before it was ridden out: no restart of the worker port until the loop stalled.
    expect((run.worker?.restarts ?? 0) - forever.workerRestarts).toBe(0)
    expect(run.main.restarts).toBeGreaterThanOrEqual(1)
    // Not before the tolerance (less the last heartbeat's age), within tolerance + one probe period (and the slack of a loaded machine).
    expect(forever.firstFailureAfterMs).toBeDefined()
    expect(forever.firstFailureAfterMs as number).toBeGreaterThanOrEqual(TOLERANCE - 500)
    expect(forever.firstFailureAfterMs as number).toBeLessThanOrEqual(TOLERANCE + PERIOD + 500)
    expect(forever.probesAfterFirstFailure).toBeGreaterThanOrEqual(3)
    expect(forever.okAfterFirstFailure).toBe(0)
    expect(forever.workerRestarts).toBeGreaterThanOrEqual(1)
  }, 60_000)
})
