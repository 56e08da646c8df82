// The membership view as pure logic: beats and the time in, transitions out. It owns each
// member's state (alive | suspect | dead | left), incarnation and sequence rules, the failure
// detector per member, conviction after `deadAfter` and forgetting after `forgetAfter`. It
// holds no timer, no clock and no transport: monitor.ts feeds it and ticks it, so every rule
// here is testable with plain numbers.
import type { FailureDetector, FailureDetectorFactory } from './detector.js'
import type { Heartbeat, HeartbeatMetadata, HeartbeatStatus } from './types.js'

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

/** The rules of a {@link Membership}, validated by the monitor's options. @internal */
export interface MembershipSettings {
  readonly detector: FailureDetectorFactory
  /** How long a member stays `suspect` before it is `dead`, in ms. */
  readonly deadAfter: number
  /** How long `dead` and `left` members stay in the view, in ms. */
  readonly forgetAfter: number
  /** The most members the view holds. */
  readonly maxMembers: number
  /** How far an incarnation may be ahead of `now` (ms since the epoch). */
  readonly maxIncarnationLead: number
}

/**
 * Why a beat was not accepted: a duplicate, reordered or older beat (`stale`), an incarnation
 * too far ahead of the clock (`tooFarAhead`), a new node beyond `maxMembers` (`overCapacity`).
 * @internal
 */
export type BeatDrop = 'stale' | 'tooFarAhead' | 'overCapacity'

/** What {@link Membership.beat} did with a beat. @internal */
export type BeatOutcome = { readonly drop: BeatDrop; readonly change?: undefined } | { readonly drop?: undefined; readonly change: MemberChangeEvent | undefined }

/** A member as the view keeps it: the snapshot's fields but those derived at read time (`phi`, `suspectAfter`), and its detector. */
interface MemberRecord extends Omit<Member, 'phi' | 'suspectAfter'> {
  readonly nodeId: string
  detector: FailureDetector
}

/**
 * The membership view. Times are the monitor's clock, in ms; every method takes `now`.
 *
 * @example
 * ```ts
 * const view = new Membership({ detector: deadline({ timeout: 3000 }), deadAfter: 10_000, forgetAfter: 3_600_000, maxMembers: 100, maxIncarnationLead: 86_400_000 })
 * view.beat({ nodeId: 'a', incarnation: 1, seq: 0, sentAt: 0, status: 'pass', metadata: {} }, 0) // { change: { reason: 'joined', … } }
 * view.evaluate(5000) // [{ nodeId: 'a', previous: 'alive', current: 'suspect', reason: 'suspected', … }]
 * ```
 * @internal
 */
export class Membership {
  private readonly records = new Map<string, MemberRecord>()

  constructor(private readonly settings: MembershipSettings) {}

  /** Takes a beat that arrived at `now`: accepts it (with the change it makes, if any) or says why not. */
  beat(beat: Heartbeat, now: number): BeatOutcome {
    let record = this.records.get(beat.nodeId)
    // A new incarnation (or a first beat) may not be further ahead of this clock than a real
    // start time could be, or one forged beat would make the node's real beats stale for good.
    if ((record === undefined || beat.incarnation > record.incarnation) && beat.incarnation > now + this.settings.maxIncarnationLead) {
      return { drop: 'tooFarAhead' }
    }
    if (record === undefined) {
      if (this.records.size >= this.settings.maxMembers) return { drop: 'overCapacity' }
      const detector = this.settings.detector.create()
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
      return { change: change(record, undefined, record.state === 'left' ? 'left' : 'joined', now) }
    }
    let reason: MemberChangeReason | undefined
    if (beat.incarnation < record.incarnation) return { drop: 'stale' }
    if (beat.incarnation > record.incarnation) {
      // A new process: its history continues, but the gap of the restart is not an interval.
      record.detector.rebase(now)
      record.incarnation = beat.incarnation
      record.restarts += 1
      reason = beat.status === 'leaving' ? 'left' : 'restarted'
    } else {
      if (beat.seq <= record.seq || record.state === 'left') return { drop: 'stale' }
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
    if (reason === undefined) return { change: undefined }
    const previous = record.state
    record.state = reason === 'left' ? 'left' : 'alive'
    if (previous !== record.state) record.since = now
    return { change: change(record, previous, reason, now) }
  }

  /**
   * Moves every member on at `now`: alive → suspect when its suspicion reaches the detector's
   * threshold, suspect → dead after `deadAfter`, and forgets `dead` and `left` members after
   * `forgetAfter`. Returns the transitions, in the view's order.
   */
  evaluate(now: number): MemberChangeEvent[] {
    const changes: MemberChangeEvent[] = []
    const { detector, deadAfter, forgetAfter } = this.settings
    for (const record of this.records.values()) {
      switch (record.state) {
        case 'alive':
          if (record.detector.phi(now) >= detector.threshold) {
            record.state = 'suspect'
            record.since = now
            changes.push(change(record, 'alive', 'suspected', now))
          }
          break
        case 'suspect':
          if (now - record.since >= deadAfter) {
            record.state = 'dead'
            record.since = now
            changes.push(change(record, 'suspect', 'convicted', now))
          }
          break
        default:
          if (now - record.since >= forgetAfter) this.records.delete(record.nodeId)
      }
    }
    return changes
  }

  /**
   * Counts every silence from `now`, for when no beat could have been heard (the monitor's
   * process was paused, or its transport was down): nobody is suspected or convicted before
   * fresh beats had a chance to arrive.
   */
  rebase(now: number): void {
    for (const record of this.records.values()) {
      record.detector.rebase(now)
      if (record.state === 'suspect') record.since = Math.max(record.since, now)
    }
  }

  /** Every member, as snapshots at `now`. */
  members(now: number): Member[] {
    return Array.from(this.records.values(), (record) => snapshot(record, now))
  }

  /** One member as a snapshot at `now`, or undefined. */
  member(nodeId: string, now: number): Member | undefined {
    const record = this.records.get(nodeId)
    return record === undefined ? undefined : snapshot(record, now)
  }

  /** A member's suspicion level at `now`; undefined for an unknown node. */
  phi(nodeId: string, now: number): number | undefined {
    return this.records.get(nodeId)?.detector.phi(now)
  }

  /** How many members are in each state. */
  counts(): Record<MemberState, number> {
    const members: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 }
    for (const record of this.records.values()) members[record.state] += 1
    return members
  }
}

function change(record: MemberRecord, previous: MemberState | undefined, reason: MemberChangeReason, now: number): MemberChangeEvent {
  return {
    nodeId: record.nodeId,
    previous,
    current: record.state,
    reason,
    incarnation: record.incarnation,
    status: record.status,
    at: now,
    phi: record.detector.phi(now),
  }
}

function snapshot(record: MemberRecord, now: number): Member {
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
