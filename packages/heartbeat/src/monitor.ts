// The monitor: ingests beats, keeps the membership view (alive | suspect | dead | left), and
// decides convictions with a failure detector, but never while its own process was paused or
// its transport was down, because then it is the monitor that could not hear, not the nodes
// that went quiet.
import type { CheckDefinition, CheckOutcome, Clock, RuntimeMonitor } from '@healthz/core'
import { assertKnownOptions, countOption, createRuntimeMonitor, defineCheck, durationOption, HealthzError, systemClock } from '@healthz/core'
import { decodeHeartbeat } from './codec.js'
import type { FailureDetector, FailureDetectorFactory } from './detector.js'
import { phiAccrual } from './detector.js'
import type { ListsEveryKey } from './options.js'
import type { HeartbeatVerification, Verifier } from './signing.js'
import { verifier } from './signing.js'
import type { HeartbeatMetadata, HeartbeatReceiver, HeartbeatStatus, HeartbeatSubscription, HeartbeatTransport } from './types.js'

/** Where a node stands in the monitor's view. */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left'

/**
 * Why a member changed:
 * - `joined`: its first beat;
 * - `suspected`: its silence crossed the detector's threshold (alive → suspect);
 * - `convicted`: it stayed suspected for `deadAfter` (suspect → dead);
 * - `recovered`: a beat of the same incarnation after a suspicion or conviction;
 * - `restarted`: a beat of a higher incarnation: a new process, not a resurrection;
 * - `left`: a `leaving` beat;
 * - `status`: its reported status (`pass | warn | fail`) changed, its state did not.
 */
export type MemberChangeReason = 'joined' | 'suspected' | 'convicted' | 'recovered' | 'restarted' | 'left' | 'status'

/** A snapshot of one member. */
export interface Member {
  nodeId: string
  state: MemberState
  /** The incarnation the monitor follows. */
  incarnation: number
  /** The last accepted beat's number. */
  seq: number
  /** The status of the last accepted beat. */
  status: HeartbeatStatus
  metadata: HeartbeatMetadata
  /** When the member entered its current state (monitor clock, ms). */
  since: number
  /** When its last accepted beat arrived (monitor clock, ms). */
  lastBeatAt: number
  /** The detector's suspicion level now (see {@link FailureDetector.phi}). */
  phi: number
  /**
   * How long after its last beat this member would be suspected, given its history so far,
   * in ms: the detection delay if it stopped now (see {@link FailureDetector.suspectAfter}).
   */
  suspectAfter: number
  /** Beats accepted from it. */
  beats: number
  /** Beats it numbered that never arrived (gaps in `seq`). */
  lost: number
  /** How often it came back with a new incarnation. */
  restarts: number
}

/** Emitted on `change` when a member changes state or status. */
export interface MemberChangeEvent {
  nodeId: string
  /** undefined for a node never seen before. */
  previous: MemberState | undefined
  current: MemberState
  reason: MemberChangeReason
  incarnation: number
  status: HeartbeatStatus
  /** Monitor clock, ms. */
  at: number
  /** The suspicion level when the change happened. */
  phi: number
}

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

/** Options of {@link createHeartbeatMonitor}. */
export interface HeartbeatMonitorOptions {
  /** Where beats come from; needs `listen`. */
  transport: HeartbeatTransport
  /** The failure detector. @default phiAccrual() (Akka's defaults) */
  detector?: FailureDetectorFactory
  /**
   * How long a member stays `suspect` before it is `dead`, in ms. A beat in the meantime
   * makes it `alive` again.
   * @default 10000
   */
  deadAfter?: number
  /** How often suspicion is evaluated, in ms: the resolution of detection times. @default 100 */
  checkInterval?: number
  /**
   * The local-pause guard: when the monitor's own timer runs more than this many ms late (a GC
   * or event-loop stall, a suspended VM), no beat could have been processed meanwhile, so every
   * member's silence is counted again from that moment and nobody is convicted before fresh
   * beats had a chance to arrive (Cassandra's `MAX_LOCAL_PAUSE`, 5 s there).
   * @default 1000
   */
  pauseBound?: number
  /**
   * How long `dead` and `left` members stay in the view before they are forgotten, in ms, up
   * to 2^31 − 1 (about 24.8 days).
   * @default 3600000 (1 hour)
   */
  forgetAfter?: number
  /**
   * The runtime monitor whose worst pause is compared with the detector's acceptable pause
   * (pass `health.runtime` to share it); `false` for no comparison.
   * @default a monitor of its own, stopped by `close()`
   */
  runtime?: RuntimeMonitor | false
  /** Called with each warning. @default process.emitWarning */
  onWarning?: (warning: HeartbeatWarning) => void
  /** Called when subscribing failed or an event listener threw. @default console.error */
  onError?: (error: Error) => void
  /**
   * Verify signed beats: only beats signed with one of `keys` are accepted (see
   * {@link HeartbeatVerification}). Without it the monitor accepts signed and unsigned beats
   * alike, and believes any well-formed beat on the bus.
   * @default no verification
   */
  signing?: HeartbeatVerification
  /**
   * The most members the view holds, whatever their state: a beat of a new node beyond it is
   * dropped (`stats().overCapacity`, and one `onError`). It bounds the memory a flood of
   * made-up node ids can take: about 1.2 KB a member normally, up to about 40 KB for one built
   * to be large (a 256-character id, 8 KB of metadata in hundreds of keys), so some 4 GB at the
   * default. Set it near twice your fleet on a bus you do not trust, or sign beats.
   * @default 100000
   */
  maxMembers?: number
  /**
   * How far an incarnation may be ahead of the monitor's own clock (ms since the epoch) before
   * its beats are dropped (`stats().tooFarAhead`). The emitter's default incarnation is its
   * start time in ms, so a real restart is never ahead by more than the clock skew between the
   * two machines; the bound is against the clock rather than the last incarnation seen, because
   * a start time is ahead of the previous one by the whole uptime. A restart counter stays far
   * below it. It stops a forged beat from taking a node to an incarnation its real beats never
   * reach; only signing stops a forged beat altogether.
   * @default 86400000 (24 hours)
   */
  maxIncarnationLead?: number
  /** The name of the monitor's readiness check. @default 'heartbeat-monitor' */
  checkName?: string
  /** The source of time. @default systemClock */
  clock?: Clock
}

const MONITOR_OPTIONS = [
  'transport',
  'detector',
  'deadAfter',
  'checkInterval',
  'pauseBound',
  'forgetAfter',
  'runtime',
  'onWarning',
  'onError',
  'checkName',
  'signing',
  'maxMembers',
  'maxIncarnationLead',
  'clock',
] as const satisfies readonly (keyof HeartbeatMonitorOptions)[]
true satisfies ListsEveryKey<HeartbeatMonitorOptions, typeof MONITOR_OPTIONS>

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

interface Record_ {
  readonly nodeId: string
  state: MemberState
  incarnation: number
  seq: number
  status: HeartbeatStatus
  metadata: HeartbeatMetadata
  since: number
  lastBeatAt: number
  beats: number
  lost: number
  restarts: number
  detector: FailureDetector
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
  private readonly transport: HeartbeatTransport
  private readonly detector: FailureDetectorFactory
  private readonly deadAfter: number
  private readonly checkInterval: number
  private readonly pauseBound: number
  private readonly forgetAfter: number
  private readonly verifier: Verifier | undefined
  private readonly maxMembers: number
  private readonly maxIncarnationLead: number
  private readonly clock: Clock
  private readonly runtime: RuntimeMonitor | undefined
  private readonly ownsRuntime: boolean
  private readonly onWarning: (warning: HeartbeatWarning) => void
  private readonly onError: (error: Error) => void
  private readonly records = new Map<string, Record_>()
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
  private received = 0
  private malformed = 0
  private unsigned = 0
  private badSignature = 0
  private tooFarAhead = 0
  private overCapacity = 0
  private reportedCapacity = false
  private stale = 0
  private localPauses = 0

  constructor(options: HeartbeatMonitorOptions) {
    assertKnownOptions(options, MONITOR_OPTIONS, 'createHeartbeatMonitor')
    const { transport } = options
    if (typeof transport !== 'object' || transport === null || typeof transport.listen !== 'function') {
      invalid(
        'createHeartbeatMonitor needs a transport that can listen: createMemoryTransport(), or redisTransport / natsTransport / httpReceiver from @healthz/heartbeat/redis, /nats and /http.',
      )
    }
    this.transport = transport
    this.detector = options.detector ?? phiAccrual()
    if (typeof this.detector !== 'object' || this.detector === null || typeof this.detector.create !== 'function') {
      invalid('detector must be a failure detector factory: phiAccrual(), deadline(), or an object with create().')
    }
    this.deadAfter = durationOption(options.deadAfter, 10_000, 'deadAfter', { zero: true })
    this.checkInterval = durationOption(options.checkInterval, 100, 'checkInterval')
    this.pauseBound = durationOption(options.pauseBound, 1000, 'pauseBound')
    this.forgetAfter = durationOption(options.forgetAfter, 3_600_000, 'forgetAfter')
    if (this.pauseBound <= this.checkInterval) {
      invalid(`pauseBound (${this.pauseBound} ms) must be longer than checkInterval (${this.checkInterval} ms): an on-time evaluation would count as a pause.`)
    }
    this.verifier = options.signing === undefined ? undefined : verifier(options.signing)
    this.maxMembers = countOption(options.maxMembers, 100_000, 'maxMembers')
    this.maxIncarnationLead = countOption(options.maxIncarnationLead, 86_400_000, 'maxIncarnationLead', { min: 0 })
    this.clock = options.clock ?? systemClock
    if (options.runtime === false) {
      this.runtime = undefined
      this.ownsRuntime = false
    } else if (options.runtime === undefined) {
      this.runtime = createRuntimeMonitor({ clock: this.clock })
      this.ownsRuntime = true
    } else {
      if (typeof options.runtime !== 'object' || options.runtime === null || typeof options.runtime.stats !== 'function') invalid('runtime must be a runtime monitor (health.runtime) or false.')
      this.runtime = options.runtime
      this.ownsRuntime = false
    }
    this.onWarning = options.onWarning ?? ((warning) => process.emitWarning(warning.message, { code: warning.code }))
    this.onError = options.onError ?? ((error) => console.error('[healthz] heartbeat monitor:', error))
    this.check = this.createCheck(options.checkName ?? 'heartbeat-monitor')

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
        this.onError(this.subscribeError)
        throw this.subscribeError
      },
    )
    this.subscribed.catch(() => undefined) // reported through onError, ready() and the check
    this.dueAt = this.clock.now() + this.checkInterval
    this.cancelTick = this.clock.schedule(() => this.tick(), this.checkInterval)
  }

  ready(): Promise<void> {
    return this.subscribed
  }

  members(): Member[] {
    const now = this.clock.now()
    return Array.from(this.records.values(), (record) => snapshot(record, now))
  }

  member(nodeId: string): Member | undefined {
    const record = this.records.get(nodeId)
    return record === undefined ? undefined : snapshot(record, this.clock.now())
  }

  phi(nodeId: string): number | undefined {
    return this.records.get(nodeId)?.detector.phi(this.clock.now())
  }

  stats(): HeartbeatMonitorStats {
    const members: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 }
    for (const record of this.records.values()) members[record.state] += 1
    return {
      members,
      received: this.received,
      malformed: this.malformed,
      unsigned: this.unsigned,
      badSignature: this.badSignature,
      tooFarAhead: this.tooFarAhead,
      overCapacity: this.overCapacity,
      stale: this.stale,
      localPauses: this.localPauses,
      connected: this.connected,
    }
  }

  on(event: 'change', listener: (event: MemberChangeEvent) => void): () => void
  on(event: 'pause', listener: (event: LocalPauseEvent) => void): () => void
  on(event: 'warning', listener: (warning: HeartbeatWarning) => void): () => void
  on(event: keyof Listeners, listener: (value: never) => void): () => void {
    const set = this.listeners[event] as Set<(value: never) => void> | undefined
    if (set === undefined) invalid(`unknown event ${String(event)}: use 'change', 'pause' or 'warning'.`)
    set.add(listener)
    return () => {
      set.delete(listener)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.cancelTick?.()
    if (this.ownsRuntime) this.runtime?.stop()
    const subscription = this.subscription
    this.subscription = undefined
    this.connected = false
    if (subscription !== undefined) await subscription.close()
  }

  private deliver(message: unknown): void {
    if (this.closed) return
    const decoded = decodeHeartbeat(message, this.verifier)
    if ('drop' in decoded) {
      this[decoded.drop] += 1
      return
    }
    const beat = decoded.beat
    if (decoded.unsigned && this.verifier !== undefined) this.unsigned += 1
    const now = this.clock.now()
    let record = this.records.get(beat.nodeId)
    // A new incarnation (or a first beat) may not be further ahead of this clock than a real
    // start time could be, or one forged beat would make the node's real beats stale for good.
    if ((record === undefined || beat.incarnation > record.incarnation) && beat.incarnation > now + this.maxIncarnationLead) {
      this.tooFarAhead += 1
      return
    }
    if (record === undefined) {
      if (this.records.size >= this.maxMembers) {
        this.overCapacity += 1
        if (!this.reportedCapacity) {
          this.reportedCapacity = true
          this.onError(
            new HealthzError(`heartbeat monitor: the view holds maxMembers (${this.maxMembers}) members; beats of new nodes are dropped (stats().overCapacity). Raise maxMembers if the fleet is larger, or sign beats if someone floods the bus.`, {
              code: 'CHECK_FAILED',
            }),
          )
        }
        return
      }
      const detector = this.detector.create()
      detector.heartbeat(now)
      record = {
        nodeId: beat.nodeId,
        state: beat.status === 'leaving' ? 'left' : 'alive',
        incarnation: beat.incarnation,
        seq: beat.seq,
        status: beat.status,
        metadata: beat.metadata,
        since: now,
        lastBeatAt: now,
        beats: 1,
        lost: 0,
        restarts: 0,
        detector,
      }
      this.records.set(beat.nodeId, record)
      this.received += 1
      this.emitChange(record, undefined, record.state === 'left' ? 'left' : 'joined', now)
      return
    }
    let reason: MemberChangeReason | undefined
    if (beat.incarnation < record.incarnation) {
      this.stale += 1
      return
    }
    if (beat.incarnation > record.incarnation) {
      // A new process: its history continues, but the gap of the restart is not an interval.
      record.detector.rebase(now)
      record.incarnation = beat.incarnation
      record.restarts += 1
      reason = beat.status === 'leaving' ? 'left' : 'restarted'
    } else {
      if (beat.seq <= record.seq || record.state === 'left') {
        this.stale += 1
        return
      }
      record.lost += beat.seq - record.seq - 1
      if (beat.status === 'leaving') reason = 'left'
      else if (record.state === 'suspect' || record.state === 'dead') reason = 'recovered'
      else if (beat.status !== record.status) reason = 'status'
    }
    record.detector.heartbeat(now)
    record.seq = beat.seq
    record.status = beat.status
    record.metadata = beat.metadata
    record.lastBeatAt = now
    record.beats += 1
    this.received += 1
    if (reason !== undefined) {
      const previous = record.state
      record.state = reason === 'left' ? 'left' : 'alive'
      if (previous !== record.state) record.since = now
      this.emitChange(record, previous, reason, now)
    }
  }

  private connection(up: boolean): void {
    if (this.closed || up === this.connected) return
    this.connected = up
    const now = this.clock.now()
    if (!up) {
      this.disconnectedAt = now
      return
    }
    // Back: nobody could be heard meanwhile, so every silence counts from now.
    if (this.disconnectedAt !== undefined) this.rebaseAll(now)
    this.disconnectedAt = undefined
  }

  private tick(): void {
    if (this.closed) return
    const now = this.clock.now()
    const late = now - this.dueAt
    this.dueAt = now + this.checkInterval
    this.cancelTick = this.clock.schedule(() => this.tick(), this.checkInterval)
    if (late > this.pauseBound) {
      // The local-pause guard: beats may be waiting unread in the socket; convict nobody now.
      this.localPauses += 1
      this.rebaseAll(now)
      this.emit('pause', { at: now, duration: late })
    } else if (this.connected) {
      this.evaluate(now)
    }
    this.ticks += 1
    if (this.ticks % WARN_EVERY === 1) this.comparePauses()
  }

  private evaluate(now: number): void {
    const threshold = this.detector.threshold
    for (const record of this.records.values()) {
      switch (record.state) {
        case 'alive':
          if (record.detector.phi(now) >= threshold) {
            record.state = 'suspect'
            record.since = now
            this.emitChange(record, 'alive', 'suspected', now)
          }
          break
        case 'suspect':
          if (now - record.since >= this.deadAfter) {
            record.state = 'dead'
            record.since = now
            this.emitChange(record, 'suspect', 'convicted', now)
          }
          break
        default:
          if (now - record.since >= this.forgetAfter) this.records.delete(record.nodeId)
      }
    }
  }

  private rebaseAll(now: number): void {
    for (const record of this.records.values()) {
      record.detector.rebase(now)
      if (record.state === 'suspect') record.since = Math.max(record.since, now)
    }
  }

  private comparePauses(): void {
    if (this.runtime === undefined) return
    const worstPause = this.runtime.stats().worstPause
    const acceptablePause = this.detector.acceptablePause
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
      this.onWarning(warning)
    } catch (error) {
      this.onError(asError(error, 'onWarning threw'))
    }
  }

  private emitChange(record: Record_, previous: MemberState | undefined, reason: MemberChangeReason, now: number): void {
    if (this.listeners.change.size === 0) return
    this.emit('change', {
      nodeId: record.nodeId,
      previous,
      current: record.state,
      reason,
      incarnation: record.incarnation,
      status: record.status,
      at: now,
      phi: record.detector.phi(now),
    })
  }

  private emit(event: keyof Listeners, value: MemberChangeEvent | LocalPauseEvent | HeartbeatWarning): void {
    for (const listener of this.listeners[event] as Set<(value: unknown) => void>) {
      try {
        listener(value)
      } catch (error) {
        this.onError(asError(error, `a '${event}' listener threw`))
      }
    }
  }

  private createCheck(name: string): CheckDefinition {
    return defineCheck({
      name,
      kind: 'dependency',
      componentType: 'component',
      measurement: 'members',
      cache: 0,
      run: (): CheckOutcome => {
        if (this.closed) return { status: 'fail', output: 'heartbeat monitor closed' }
        if (this.subscribeError !== undefined) return { status: 'fail', output: this.subscribeError.message }
        if (this.subscription === undefined) return { status: 'fail', output: `not yet subscribed to the ${this.transport.name} transport` }
        if (!this.connected) {
          const since = this.disconnectedAt === undefined ? '' : ` for ${this.clock.now() - (this.disconnectedAt ?? 0)} ms`
          return { status: 'fail', output: `${this.transport.name} transport disconnected${since}; no node is convicted meanwhile` }
        }
        let alive = 0
        for (const record of this.records.values()) if (record.state === 'alive') alive += 1
        return { observedValue: alive, observedUnit: 'alive members' }
      },
    })
  }
}

function snapshot(record: Record_, now: number): Member {
  return {
    nodeId: record.nodeId,
    state: record.state,
    incarnation: record.incarnation,
    seq: record.seq,
    status: record.status,
    metadata: record.metadata,
    since: record.since,
    lastBeatAt: record.lastBeatAt,
    phi: record.detector.phi(now),
    suspectAfter: record.detector.suspectAfter(),
    beats: record.beats,
    lost: record.lost,
    restarts: record.restarts,
  }
}

function asError(value: unknown, context: string): Error {
  if (value instanceof Error) return value
  return new HealthzError(`${context}: ${String(value)}`, { code: 'CHECK_FAILED', cause: value })
}

function invalid(message: string): never {
  throw new HealthzError(message, { code: 'INVALID_OPTION' })
}
