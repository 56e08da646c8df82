// The status page's memory: a bounded history per check (recent run durations for the sparkline,
// and transitions) and per probe (transitions), plus the service's own events (startup, shutdown
// phases). Fed from what the health object already produces (each recorded check result, and its
// `change` events); it never runs a check. Every list is a ring of `capacity` entries, and
// transition text is cut to OUTPUT_LIMIT characters, so memory is bounded whatever happens.
import type { CheckStatus } from './check.js'
import type { HealthChangeEvent } from './health.js'
import { redact } from './redact.js'
import type { ProbeKind } from './report.js'
import type { CheckResult } from './run.js'
import { Ring } from './status-ring.js'

/** The longest check output a transition keeps, in characters (redacted first, then cut). */
export const OUTPUT_LIMIT = 160

/** One recorded run of a check: a point of the sparkline. */
export interface StatusSample {
  /** When the result was observed, in ms since the epoch (the health object's clock). */
  readonly time: number
  /** How long the run took, in ms. */
  readonly duration: number
  /** The status recorded (after the flap thresholds). */
  readonly status: CheckStatus
}

/** One transition in a status history. */
export interface StatusTransition {
  /** When it happened, in ms since the epoch (the health object's clock). */
  readonly time: number
  /** What changed: a check, a probe, or the service itself (startup gate, shutdown phase). */
  readonly kind: 'check' | 'probe' | 'service'
  /** The check's name, the probe (`readiness`…), or `started` / `phase` for the service. */
  readonly subject: string
  /** The state before (`undefined` for a check's first result). */
  readonly previous: string | undefined
  readonly current: string
  /** @internal A check's output at the transition, redacted and cut; shown only when the request may see details. */
  readonly output?: string | undefined
}

/** @internal The bounded history of one health object. */
export class StatusHistory {
  private readonly samples = new Map<string, Ring<StatusSample>>()
  private readonly checks = new Map<string, Ring<StatusTransition>>()
  private readonly probes = new Map<ProbeKind, Ring<StatusTransition>>()
  private readonly service: Ring<StatusTransition>

  constructor(
    /** How many samples and transitions each ring keeps. */
    readonly capacity: number,
    private readonly now: () => number,
  ) {
    this.service = new Ring(capacity)
  }

  /** A check recorded a result (a run, or a stalled run refused). */
  record(result: CheckResult): void {
    ring(this.samples, result.name, this.capacity).push({ time: result.time, duration: result.duration, status: result.status })
  }

  /** A `change` event of the health object. */
  change(event: HealthChangeEvent): void {
    if (event.type === 'check') {
      const { result } = event
      const output = result.output === undefined ? undefined : cut(redact(result.output))
      ring(this.checks, event.name, this.capacity).push({ time: result.time, kind: 'check', subject: event.name, previous: event.previous, current: event.current, output })
    } else if (event.type === 'probe') {
      ring(this.probes, event.probe, this.capacity).push({ time: this.now(), kind: 'probe', subject: event.probe, previous: event.previous, current: event.current })
    } else if (event.type === 'phase') {
      this.service.push({ time: this.now(), kind: 'service', subject: 'phase', previous: event.previous, current: event.current })
    } else {
      this.service.push({ time: this.now(), kind: 'service', subject: 'started', previous: undefined, current: `started (${event.by})` })
    }
  }

  /** Forgets the checks not in `names` (a watchdog that was stopped), so removed checks free their memory. */
  keep(names: ReadonlySet<string>): void {
    for (const map of [this.samples, this.checks]) for (const name of [...map.keys()]) if (!names.has(name)) map.delete(name)
  }

  samplesOf(name: string): readonly StatusSample[] {
    return this.samples.get(name)?.toArray() ?? []
  }

  transitionsOf(name: string): readonly StatusTransition[] {
    return this.checks.get(name)?.toArray() ?? []
  }

  lastTransitionOf(name: string): StatusTransition | undefined {
    return this.checks.get(name)?.last()
  }

  probeTransitions(probe: ProbeKind): readonly StatusTransition[] {
    return this.probes.get(probe)?.toArray() ?? []
  }

  /** Every transition kept, newest first, at most `capacity` of them. */
  timeline(): StatusTransition[] {
    const all: StatusTransition[] = [...this.service.toArray()]
    for (const ring of this.checks.values()) all.push(...ring.toArray())
    for (const ring of this.probes.values()) all.push(...ring.toArray())
    // Stable: entries of one time keep their order of arrival, reversed with the rest.
    return all
      .map((entry, index) => ({ entry, index }))
      .sort((a, b) => b.entry.time - a.entry.time || b.index - a.index)
      .slice(0, this.capacity)
      .map(({ entry }) => entry)
  }

  /** @internal How many entries are held, for the test that bounds memory. */
  size(): { rings: number; entries: number } {
    let rings = 1
    let entries = this.service.size
    for (const map of [this.samples, this.checks, this.probes] as const) {
      for (const ring of map.values()) {
        rings += 1
        entries += ring.size
      }
    }
    return { rings, entries }
  }
}

function ring<K, T>(map: Map<K, Ring<T>>, key: K, capacity: number): Ring<T> {
  let found = map.get(key)
  if (found === undefined) {
    found = new Ring<T>(capacity)
    map.set(key, found)
  }
  return found
}

function cut(text: string): string {
  return text.length <= OUTPUT_LIMIT ? text : `${text.slice(0, OUTPUT_LIMIT - 1)}…`
}
