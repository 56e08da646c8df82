// One scenario, run against every real transport: beats arrive, a stopped emitter is marked
// dead, a leaving beat marks it left at once, a restarted emitter is alive again, and a
// monitor whose connection to the server is cut (through a TCP proxy) convicts nobody
// meanwhile and picks up where it was once its client has reconnected.
import { expect } from 'vitest'
import { createHeartbeatMonitor, phiAccrual, startHeartbeat } from '@healthz/heartbeat'
import type { HeartbeatEmitter, HeartbeatMonitor, HeartbeatTransport } from '@healthz/heartbeat'
import { runCheck } from '@healthz/core'
import type { TcpProxy } from '../../../test-utils/tcp-proxy.mjs'
import { recordChanges, sleep, waitFor } from './helpers.js'

/** Fast settings for real time: beats every 100 ms, suspicion after ~0.6 s of silence. */
export const INTERVAL = 100
export const detector = phiAccrual({ expectedInterval: INTERVAL, acceptableHeartbeatPause: 200, minStdDeviation: 50 })

export interface ScenarioSetup {
  /** The transport emitters send with. */
  sender: HeartbeatTransport
  /** The transport the monitor listens with. */
  listener: HeartbeatTransport
  /**
   * The proxy that is cut: `monitor` when the monitor's client goes through it (Redis, NATS:
   * the monitor hears the outage and convicts nobody), `senders` when the emitters' requests
   * do (HTTP: the server is the monitor's own, so the emitters lose it and the monitor sees
   * them go quiet, then come back as the same incarnation).
   */
  proxy: TcpProxy
  cut: 'monitor' | 'senders'
}

export async function runTransportScenario(setup: ScenarioSetup): Promise<void> {
  const { sender, listener, proxy } = setup
  const emitters: HeartbeatEmitter[] = []
  const start = (nodeId: string, incarnation?: number): HeartbeatEmitter => {
    const emitter = startHeartbeat({ nodeId, transport: sender, interval: INTERVAL, sendTimeout: 1000, maxBackoff: 200, incarnation, metadata: { role: 'worker' } })
    emitters.push(emitter)
    return emitter
  }
  const monitor: HeartbeatMonitor = createHeartbeatMonitor({ transport: listener, detector, deadAfter: 300, checkInterval: 20, runtime: false })
  try {
    await monitor.ready()
    const events = recordChanges(monitor)
    const reasons = (nodeId: string): string[] => events.filter((event) => event.nodeId === nodeId).map((event) => event.reason)

    // Beats arrive.
    const a = start('a', 1)
    const b = start('b', 1)
    const c = start('c', 1)
    await waitFor(() => (monitor.member('a')?.beats ?? 0) >= 5 && (monitor.member('b')?.beats ?? 0) >= 5 && (monitor.member('c')?.beats ?? 0) >= 5, 'five beats of a, b and c')
    expect(monitor.member('a')).toMatchObject({ state: 'alive', incarnation: 1, status: 'pass', metadata: { role: 'worker' } })
    expect((await runCheck(monitor.check)).status).toBe('pass')

    // A stopped emitter (a crash: no leaving beat) is suspected, then dead.
    await a.stop({ leave: false })
    const stoppedAt = Date.now()
    await waitFor(() => monitor.member('a')?.state === 'dead', 'a marked dead', 5000)
    expect(reasons('a')).toEqual(['joined', 'suspected', 'convicted'])
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(300)

    // A leaving beat marks it left at once, without waiting for a timeout.
    await b.stop()
    await waitFor(() => monitor.member('b')?.state === 'left', 'b marked left', 1000)
    expect(reasons('b')).toEqual(['joined', 'left'])

    // A restarted emitter (a new incarnation) is alive again, as a restart.
    start('a', 2)
    await waitFor(() => monitor.member('a')?.state === 'alive', 'a alive again', 2000)
    expect(reasons('a').at(-1)).toBe('restarted')
    expect(monitor.member('a')).toMatchObject({ incarnation: 2, restarts: 1 })

    const beforeCut = monitor.member('c')!.beats
    const eventsBeforeCut = events.length
    proxy.cut()
    if (setup.cut === 'monitor') {
      // The monitor's connection to the server is cut for longer than the detection time.
      await waitFor(() => !monitor.stats().connected, 'the monitor to notice the disconnection', 3000)
      expect((await runCheck(monitor.check)).status).toBe('fail')
      await sleep(1500)
      expect(events.slice(eventsBeforeCut)).toEqual([]) // nobody convicted for the monitor's own outage
      proxy.restore()
      await waitFor(() => monitor.stats().connected && (monitor.member('c')?.beats ?? 0) > beforeCut + 5, 'beats after the reconnection', 10_000)
      await sleep(500)
      expect(events.slice(eventsBeforeCut)).toEqual([]) // nor after it
      expect(c.stats().failed).toBe(0)
    } else {
      // The emitters lose the server for longer than the detection time: the monitor, which
      // cannot tell, suspects them; once they are through again they have recovered, as the
      // same incarnation: not restarts.
      await sleep(1500)
      expect(c.stats().failed).toBeGreaterThan(0)
      expect(monitor.member('c')?.state).toBe('dead')
      proxy.restore()
      await waitFor(() => (monitor.member('c')?.beats ?? 0) > beforeCut + 5, 'beats after the reconnection', 10_000)
      expect(reasons('c').slice(-3)).toEqual(['suspected', 'convicted', 'recovered'])
      expect(monitor.member('c')?.restarts).toBe(0)
    }
    // The view survived: same members, same incarnations.
    expect(monitor.members().map((member) => [member.nodeId, member.state, member.incarnation]).sort()).toEqual([
      ['a', 'alive', 2],
      ['b', 'left', 1],
      ['c', 'alive', 1],
    ])
    expect((await runCheck(monitor.check)).status).toBe('pass')
  } finally {
    for (const emitter of emitters) await emitter.stop({ leave: false })
    await monitor.close()
  }
}
