// Test helpers: waiting on conditions, and event recorders. Outages go through the shared TCP
// proxy (test-utils/tcp-proxy.mjs): the shared Redis and NATS servers are never stopped.
import type { HeartbeatMonitor, MemberChangeEvent } from '@healthz/heartbeat'

/** Polls `condition` every 10 ms until it holds, or fails after `timeout` ms with `what`. */
export async function waitFor(condition: () => boolean, what: string, timeout = 5000): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Records a monitor's change events. */
export function recordChanges(monitor: HeartbeatMonitor): MemberChangeEvent[] {
  const events: MemberChangeEvent[] = []
  monitor.on('change', (event) => events.push(event))
  return events
}

/** A random suffix, so parallel runs on the shared servers never share a channel. */
export function randomSuffix(): string {
  return `${process.pid}-${Math.random().toString(36).slice(2, 10)}`
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
