// The monitor at run time: it subscribes to a transport, decodes and verifies what arrives,
// feeds beats to the membership view (membership.ts) and ticks it, and refuses to convict while
// its own process was paused or its transport was down, because then it is the monitor that
// could not hear, not the nodes that went quiet. It also keeps the counters of stats(), the
// events, the readiness check, and the warning when this process pauses longer than the
// detector accepts.
import type { CheckDefinition, CheckOutcome } from '@healthz/core'
import { defineCheck, HealthzError } from '@healthz/core'
import { decodeHeartbeat } from './codec.js'
import { Membership } from './membership.js'
import type { Member, MemberChangeEvent, MemberState } from './membership.js'
import { resolveMonitorOptions } from './monitor-options.js'
import type { HeartbeatMonitorOptions, MonitorSettings } from './monitor-options.js'
import type { HeartbeatReceiver, HeartbeatSubscription } from './types.js'

/** Emitted on `pause` when the monitor's own process was paused longer than `pauseBound`. */
export interface LocalPauseEvent {
  /** When the monitor noticed it (monitor clock, ms). */
  at: number
  /** How much later than due the monitor's timer ran, in ms. */
  duration: number
}

/** Emitted on `warning`; also passed to `onWarning`. */
export interface HeartbeatWarning {
  /** `HEALTHZ_HEARTBEAT_PAUSE`: the process paused longer than the detector's acceptable pause. */
  code: 'HEALTHZ_HEARTBEAT_PAUSE'
  message: string
  /** The worst GC or event-loop pause measured in this process, in ms. */
  worstPause: number
  /** The detector's acceptable pause, in ms. */
  acceptablePause: number
}

/** Counters of a monitor. */
export interface HeartbeatMonitorStats {
  members: Record<MemberState, number>
  /** Beats accepted. */
  received: number
  /**
   * Messages dropped because they were not beats a real emitter sends: not JSON, over 64 KB, a
   * node id over 256 characters, an incarnation or seq that is not a whole number from 0, a bad
   * sentAt or status, metadata over 8 KB.
   */
  malformed: number
  /**
   * Unsigned beats received by a monitor with `signing` keys: dropped, or accepted with
   * `acceptUnsigned` (watch it stop growing before you turn `acceptUnsigned` off). 0 without keys.
   */
  unsigned: number
  /** Beats dropped because no key of `signing.keys` verifies their signature (a wrong key, or altered). */
  badSignature: number
  /** Beats dropped because their incarnation is further ahead of the monitor's clock than `maxIncarnationLead`. */
  tooFarAhead: number
  /** Beats of new nodes dropped because the view already holds `maxMembers` members. */
  overCapacity: number
  /** Beats dropped as duplicates, reordered, or from an older incarnation or a member that left (replays among them). */
  stale: number
  /** Pauses of the monitor's own process longer than `pauseBound`. */
  localPauses: number
  /** Whether the transport is connected. */
  connected: boolean
}

/** A running monitor, as returned by {@link createHeartbeatMonitor}. */
export interface HeartbeatMonitor {
  /** Resolves once the transport is subscribed; rejects when subscribing failed. */
  ready(): Promise<void>
  /** Every member, as snapshots. */
  members(): Member[]
  /** One member, or undefined. */
  member(nodeId: string): Member | undefined
  /** A member's suspicion level now, for dashboards; undefined for an unknown node. */
  phi(nodeId: string): number | undefined
  stats(): HeartbeatMonitorStats
  /**
   * A readiness check for the monitor itself: fails before it is subscribed, while its
   * transport is disconnected, and after `close()`. Put it in `readiness`.
   */
  readonly check: CheckDefinition
  /** Subscribes to member changes; returns the function that unsubscribes. */
  on(event: 'change', listener: (event: MemberChangeEvent) => void): () => void
  /** Subscribes to pauses of the monitor's own process. */
  on(event: 'pause', listener: (event: LocalPauseEvent) => void): () => void
  /** Subscribes to warnings (in addition to `onWarning`). */
  on(event: 'warning', listener: (warning: HeartbeatWarning) => void): () => void
  /** Stops listening and evaluating. Idempotent. */
  close(): Promise<void>
}

type Listeners = {
  change: Set<(event: MemberChangeEvent) => void>
  pause: Set<(event: LocalPauseEvent) => void>
  warning: Set<(warning: HeartbeatWarning) => void>
}

/** How often the worst pause is compared with the acceptable pause, in evaluations. */
const WARN_EVERY = 50

/**
 * Creates a heartbeat monitor: it subscribes to `transport` at once and keeps a membership
 * view with transition events.
 *
 * @example
 * ```ts
 * import { createHeartbeatMonitor, phiAccrual } from '@healthz/heartbeat'
 * import { redisTransport } from '@healthz/heartbeat/redis'
 *
 * const monitor = createHeartbeatMonitor({
 *   transport: redisTransport({ subscriber: new Redis() }),
 *   detector: phiAccrual({ acceptableHeartbeatPause: 3_000 }),
 * })
 * monitor.on('change', (event) => console.log(event.nodeId, event.previous, '→', event.current))
 * await monitor.ready()
 * ```
 */
export function createHeartbeatMonitor(options: HeartbeatMonitorOptions): HeartbeatMonitor {
  return new Monitor(options)
}

class Monitor implements HeartbeatMonitor {
  readonly check: CheckDefinition
  private readonly settings: MonitorSettings
  private readonly view: Membership
  private readonly listeners: Listeners = { change: new Set(), pause: new Set(), warning: new Set() }
  private readonly subscribed: Promise<void>
  private subscription: HeartbeatSubscription | undefined
  private subscribeError: Error | undefined
  private connected = false
  private transportUp = true
  private disconnectedAt: number | undefined
  private closed = false
  private cancelTick: (() => void) | undefined
  private dueAt: number
  private ticks = 0
  private warnedAt = 0
  private reportedCapacity = false
  private readonly counts = { received: 0, malformed: 0, unsigned: 0, badSignature: 0, tooFarAhead: 0, overCapacity: 0, stale: 0, localPauses: 0 }

  constructor(options: HeartbeatMonitorOptions) {
    const settings = resolveMonitorOptions(options)
    this.settings = settings
    this.view = new Membership(settings.membership)
    this.check = this.createCheck(settings.checkName)

    const { transport, clock, checkInterval } = settings
    const receiver: HeartbeatReceiver = {
      deliver: (message) => this.deliver(message),
      connection: (up) => {
        this.transportUp = up
        if (this.subscription !== undefined) this.connection(up)
      },
    }
    let subscribing: Promise<HeartbeatSubscription>
    try {
      subscribing = Promise.resolve(transport.listen(receiver))
    } catch (error) {
      subscribing = Promise.reject(error)
    }
    this.subscribed = subscribing.then(
      (subscription) => {
        if (this.closed) {
          void subscription.close().catch(() => undefined)
          return
        }
        this.subscription = subscription
        this.connection(this.transportUp)
      },
      (error: unknown) => {
        this.subscribeError = asError(error, `subscribing to the ${transport.name} transport failed`)
        settings.onError(this.subscribeError)
        throw this.subscribeError
      },
    )
    this.subscribed.catch(() => undefined) // reported through onError, ready() and the check
    this.dueAt = clock.now() + checkInterval
    this.cancelTick = clock.schedule(() => this.tick(), checkInterval)
  }

  ready(): Promise<void> {
    return this.subscribed
  }

  members(): Member[] {
    return this.view.members(this.settings.clock.now())
  }

  member(nodeId: string): Member | undefined {
    return this.view.member(nodeId, this.settings.clock.now())
  }

  phi(nodeId: string): number | undefined {
    return this.view.phi(nodeId, this.settings.clock.now())
  }

  stats(): HeartbeatMonitorStats {
    return { members: this.view.counts(), ...this.counts, connected: this.connected }
  }

  on(event: 'change', listener: (event: MemberChangeEvent) => void): () => void
  on(event: 'pause', listener: (event: LocalPauseEvent) => void): () => void
  on(event: 'warning', listener: (warning: HeartbeatWarning) => void): () => void
  on(event: keyof Listeners, listener: (value: never) => void): () => void {
    const set = this.listeners[event] as Set<(value: never) => void> | undefined
    if (set === undefined) throw new HealthzError(`unknown event ${String(event)}: use 'change', 'pause' or 'warning'.`, { code: 'INVALID_OPTION' })
    set.add(listener)
    return () => {
      set.delete(listener)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.cancelTick?.()
    if (this.settings.ownsRuntime) this.settings.runtime?.stop()
    const subscription = this.subscription
    this.subscription = undefined
    this.connected = false
    if (subscription !== undefined) await subscription.close()
  }

  private deliver(message: unknown): void {
    if (this.closed) return
    const { verifier, clock } = this.settings
    const decoded = decodeHeartbeat(message, verifier)
    if ('drop' in decoded) {
      this.counts[decoded.drop] += 1
      return
    }
    if (decoded.unsigned && verifier !== undefined) this.counts.unsigned += 1
    const outcome = this.view.beat(decoded.beat, clock.now())
    if (outcome.drop !== undefined) {
      this.counts[outcome.drop] += 1
      if (outcome.drop === 'overCapacity') this.reportCapacity()
      return
    }
    this.counts.received += 1
    if (outcome.change !== undefined) this.emit('change', outcome.change)
  }

  private reportCapacity(): void {
    if (this.reportedCapacity) return
    this.reportedCapacity = true
    this.settings.onError(
      new HealthzError(`heartbeat monitor: the view holds maxMembers (${this.settings.membership.maxMembers}) members; beats of new nodes are dropped (stats().overCapacity). Raise maxMembers if the fleet is larger, or sign beats if someone floods the bus.`, {
        code: 'CHECK_FAILED',
      }),
    )
  }

  private connection(up: boolean): void {
    if (this.closed || up === this.connected) return
    this.connected = up
    const now = this.settings.clock.now()
    if (!up) {
      this.disconnectedAt = now
      return
    }
    // Back: nobody could be heard meanwhile, so every silence counts from now.
    if (this.disconnectedAt !== undefined) this.view.rebase(now)
    this.disconnectedAt = undefined
  }

  private tick(): void {
    if (this.closed) return
    const { clock, checkInterval, pauseBound } = this.settings
    const now = clock.now()
    const late = now - this.dueAt
    this.dueAt = now + checkInterval
    this.cancelTick = clock.schedule(() => this.tick(), checkInterval)
    if (late > pauseBound) {
      // The local-pause guard: beats may be waiting unread in the socket; convict nobody now.
      this.counts.localPauses += 1
      this.view.rebase(now)
      this.emit('pause', { at: now, duration: late })
    } else if (this.connected) {
      for (const change of this.view.evaluate(now)) this.emit('change', change)
    }
    this.ticks += 1
    if (this.ticks % WARN_EVERY === 1) this.comparePauses()
  }

  private comparePauses(): void {
    const { runtime, membership, onWarning, onError } = this.settings
    if (runtime === undefined) return
    const worstPause = runtime.stats().worstPause
    const acceptablePause = membership.detector.acceptablePause
    // Warn once, and again each time the worst pause has grown by half.
    if (worstPause <= acceptablePause || worstPause < this.warnedAt * 1.5) return
    this.warnedAt = worstPause
    const warning: HeartbeatWarning = {
      code: 'HEALTHZ_HEARTBEAT_PAUSE',
      worstPause,
      acceptablePause,
      message:
        `this process paused for ${Math.round(worstPause)} ms (GC or event loop), longer than the heartbeat detector's acceptable pause of ${acceptablePause} ms. ` +
        `Emitters on processes like this one will be suspected during such pauses: raise the detector's acceptable pause (phiAccrual acceptableHeartbeatPause, or deadline timeout) above the worst pause with margin.`,
    }
    this.emit('warning', warning)
    try {
      onWarning(warning)
    } catch (error) {
      onError(asError(error, 'onWarning threw'))
    }
  }

  private emit(event: keyof Listeners, value: MemberChangeEvent | LocalPauseEvent | HeartbeatWarning): void {
    for (const listener of this.listeners[event] as Set<(value: unknown) => void>) {
      try {
        listener(value)
      } catch (error) {
        this.settings.onError(asError(error, `a '${event}' listener threw`))
      }
    }
  }

  private createCheck(name: string): CheckDefinition {
    const { transport, clock } = this.settings
    return defineCheck({
      name,
      kind: 'dependency',
      componentType: 'component',
      measurement: 'members',
      cache: 0,
      run: (): CheckOutcome => {
        if (this.closed) return { status: 'fail', output: 'heartbeat monitor closed' }
        if (this.subscribeError !== undefined) return { status: 'fail', output: this.subscribeError.message }
        if (this.subscription === undefined) return { status: 'fail', output: `not yet subscribed to the ${transport.name} transport` }
        if (!this.connected) {
          const since = this.disconnectedAt === undefined ? '' : ` for ${clock.now() - (this.disconnectedAt ?? 0)} ms`
          return { status: 'fail', output: `${transport.name} transport disconnected${since}; no node is convicted meanwhile` }
        }
        return { observedValue: this.view.counts().alive, observedUnit: 'alive members' }
      },
    })
  }
}

function asError(value: unknown, context: string): Error {
  if (value instanceof Error) return value
  return new HealthzError(`${context}: ${String(value)}`, { code: 'CHECK_FAILED', cause: value })
}
