// The fleet page's model of the membership: one row per member, kept up to date from the
// monitor's change events and a cheap periodic sweep, each row serialised once when it changes.
// It turns what happened since the last flush into one diff (upserts, removals, counts, new
// transitions), so a page's stream costs O(changes), never O(fleet), per update. It holds no
// timer and no socket: fleet-page.ts drives it.
import type { Member, MemberChangeEvent, MemberChangeReason, MemberState } from './membership.js'

/** What the view reads from the monitor: a {@link HeartbeatMonitor} has all of it. @internal */
export interface FleetSource {
  members(): Member[]
  member(nodeId: string): Member | undefined
  phi(nodeId: string): number | undefined
  on(event: 'change', listener: (event: MemberChangeEvent) => void): () => void
}

/**
 * A row as it travels and as the page shows it:
 * `[nodeId, state, status, reason, incarnation, since, lastBeatAt, phi, metadata]`.
 * Times are the monitor's clock (ms); `phi` is shown rounded to a tenth, 0 below 1 (the page
 * says "< 1"), capped at 100; `reason` is the last transition ('' when the page has not seen
 * one); `metadata` is `key=value` text cut at {@link META_CHARS} characters.
 * @internal
 */
export type FleetRow = [string, MemberState, string, MemberChangeReason | '', number, number, number, number, string]

/** A transition as it travels: `[at, nodeId, previous, current, reason]`. @internal */
export type FleetTransition = [number, string, MemberState | '', MemberState, MemberChangeReason]

/** How many characters of a member's metadata a row carries. @internal */
export const META_CHARS = 160

/** The order of the states on the page: trouble first. @internal */
export const STATE_ORDER: readonly MemberState[] = ['suspect', 'dead', 'alive', 'left']

interface Entry {
  row: FleetRow
  /** The row's JSON text: serialised once per change of the row, reused by every snapshot. */
  json: string
}

/** What changed since the previous flush. @internal */
export interface FleetDiff {
  upsert: string[]
  remove: string[]
  transitions: FleetTransition[]
}

/** @internal */
export class FleetView {
  private readonly entries = new Map<string, Entry>()
  private readonly dirty = new Set<string>()
  private readonly recent: FleetTransition[] = []
  private pendingTransitions: FleetTransition[] = []
  private readonly removed = new Set<string>()
  private readonly reasons = new Map<string, MemberChangeReason>()
  private readonly counts: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 }
  private readonly unsubscribe: () => void
  /** Rows serialised since the view was created: a snapshot reuses them, only changes add. */
  serialised = 0

  constructor(
    private readonly source: FleetSource,
    private readonly history: number,
    private readonly onDirty: () => void,
  ) {
    for (const member of source.members()) this.store(member)
    this.unsubscribe = source.on('change', (event) => this.change(event))
  }

  /** Stops listening to the monitor. */
  close(): void {
    this.unsubscribe()
  }

  get size(): number {
    return this.entries.size
  }

  stateCounts(): Record<MemberState, number> {
    return { ...this.counts }
  }

  transitions(): FleetTransition[] {
    return this.recent.slice()
  }

  /** The rows' JSON texts joined into a JSON array: no row is serialised again. */
  rowsJson(): string {
    let text = '['
    let first = true
    for (const entry of this.entries.values()) {
      text += first ? entry.json : `,${entry.json}`
      first = false
    }
    return `${text}]`
  }

  /** Up to `limit` rows in `state`, by node id, and how many there are. */
  rowsIn(state: MemberState, limit: number): { rows: FleetRow[]; total: number } {
    const rows: FleetRow[] = []
    for (const entry of this.entries.values()) if (entry.row[1] === state) rows.push(entry.row)
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    return { rows: rows.slice(0, limit), total: rows.length }
  }

  /**
   * Looks at every member once, without building snapshots: a row whose shown phi changed
   * (a late or suspected member; phi is not followed once dead or left) is marked dirty, and a
   * member the monitor has forgotten is removed. O(members), run on a timer, not per change.
   */
  sweep(): void {
    for (const [nodeId, entry] of this.entries) {
      const phi = this.source.phi(nodeId)
      if (phi === undefined) {
        this.dirty.add(nodeId)
        continue
      }
      const state = entry.row[1]
      if ((state === 'alive' || state === 'suspect') && shownPhi(phi) !== entry.row[7]) this.dirty.add(nodeId)
    }
  }

  /** Applies what changed into the rows and returns it, or undefined when nothing did. */
  flush(): FleetDiff | undefined {
    if (this.dirty.size === 0 && this.pendingTransitions.length === 0) return undefined
    const upsert: string[] = []
    for (const nodeId of this.dirty) {
      const member = this.source.member(nodeId)
      if (member === undefined) {
        this.drop(nodeId)
        continue
      }
      upsert.push(this.store(member).json)
    }
    this.dirty.clear()
    const remove = Array.from(this.removed)
    this.removed.clear()
    const transitions = this.pendingTransitions
    this.pendingTransitions = []
    return { upsert, remove, transitions }
  }

  private change(event: MemberChangeEvent): void {
    this.reasons.set(event.nodeId, event.reason)
    this.dirty.add(event.nodeId)
    const transition: FleetTransition = [event.at, event.nodeId, event.previous ?? '', event.current, event.reason]
    this.recent.push(transition)
    if (this.recent.length > this.history) this.recent.shift()
    this.pendingTransitions.push(transition)
    if (this.pendingTransitions.length > this.history) this.pendingTransitions.shift()
    this.onDirty()
  }

  private store(member: Member): Entry {
    const previous = this.entries.get(member.nodeId)
    if (previous !== undefined) this.counts[previous.row[1]] -= 1
    this.counts[member.state] += 1
    this.removed.delete(member.nodeId)
    const row: FleetRow = [
      member.nodeId,
      member.state,
      member.status,
      this.reasons.get(member.nodeId) ?? '',
      member.incarnation,
      member.since,
      member.lastBeatAt,
      shownPhi(member.phi),
      metadataText(member.metadata),
    ]
    const entry: Entry = { row, json: JSON.stringify(row) }
    this.serialised += 1
    this.entries.set(member.nodeId, entry)
    return entry
  }

  private drop(nodeId: string): void {
    const entry = this.entries.get(nodeId)
    if (entry === undefined) return
    this.counts[entry.row[1]] -= 1
    this.entries.delete(nodeId)
    this.reasons.delete(nodeId)
    this.removed.add(nodeId)
  }
}

/** phi as the page shows it: 0 below 1, else to a tenth, at most 100 (also for Infinity). @internal */
export function shownPhi(phi: number): number {
  if (!(phi >= 1)) return 0
  return phi >= 100 ? 100 : Math.round(phi * 10) / 10
}

/** `key=value` pairs of a member's metadata, cut at {@link META_CHARS} characters. @internal */
export function metadataText(metadata: Record<string, unknown>): string {
  let text = ''
  for (const key of Object.keys(metadata)) {
    const value = metadata[key]
    let shown: string
    try {
      shown = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
    } catch {
      shown = String(value)
    }
    text += `${text === '' ? '' : ' '}${key}=${shown}`
    if (text.length > META_CHARS) return `${text.slice(0, META_CHARS - 1)}…`
  }
  return text
}
