// The issue-13 drain contract, shared by every adapter's tests: a keep-alive client's readiness
// probe is still running its check when `health.shutdown()` starts with no drain delay. The
// drain must see that probe's response like any other: 503 (written while draining) with
// `Connection: close`, the connection closed after it, and a clean, prompt end.
import { Agent } from 'node:http'
import { expect } from 'vitest'
import { call } from './client.js'

/** What the scenario uses of the health object (test-utils resolves no workspace package). */
interface ShutsDown {
  shutdown(): Promise<{ closeFailures: number; exitCode: number }>
}

/** The grace period of the scenario: the drain must end long before it. */
export const GRACE_PERIOD = 10_000

/** Options of a readiness check that takes `ms` on every probe (no cache), and says when a run starts. */
export function slowCheck(ms = 300): { check: { name: string; cache: number; run: () => Promise<void> }; running: () => Promise<void> } {
  const waiters: Array<() => void> = []
  const check = {
    name: 'db',
    cache: 0,
    run: () => {
      for (const resolve of waiters.splice(0)) resolve()
      return new Promise<void>((resolve) => setTimeout(resolve, ms))
    },
  }
  return {
    check,
    running: () => new Promise<void>((resolve) => void waiters.push(resolve)),
  }
}

/** Shutdown options of the scenario: no drain delay, so the listener closes mid-probe. */
export const drainNow = { signals: false, drainDelay: 0, gracePeriod: GRACE_PERIOD } as const

/**
 * Sends the probe over a keep-alive agent, starts the shutdown once its check runs, and
 * asserts what the drain must do. `shutdown` starts it the framework's way (default
 * `health.shutdown()`); the result is read from `health.shutdown()`, which returns the same run.
 */
export async function expectDrainSeesProbeInFlight(options: {
  port: number
  health: ShutsDown
  running: () => Promise<void>
  path?: string
  shutdown?: () => unknown
}): Promise<void> {
  const { port, health, running, path = '/readyz' } = options
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  try {
    const checkRuns = running()
    const inFlight = call(port, path, { agent })
    await checkRuns
    const began = Date.now()
    const started = options.shutdown?.()
    const result = await health.shutdown()
    const reply = await inFlight
    await started
    expect(reply.status).toBe(503)
    expect(reply.headers.connection).toBe('close')
    expect(result).toMatchObject({ closeFailures: 0, exitCode: 0 })
    // Ended by the last connection closing, not by the grace period cutting it.
    expect(Date.now() - began).toBeLessThan(GRACE_PERIOD / 2)
  } finally {
    agent.destroy()
  }
}
