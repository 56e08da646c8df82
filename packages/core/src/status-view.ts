// What the status page shows, as data: the page's server-rendered rows and every event of its
// stream are made from this view, and the view is made after the disclosure policy, so neither
// shows more than health+json would to the same request (error text redacted when disclosed,
// `reason withheld` for a check that did not pass when not, nothing for one that passed).
import type { CheckKind, CheckStatus } from './check.js'
import { redact } from './redact.js'
import type { ProbeKind } from './report.js'
import { WITHHELD } from './report.js'
import type { ShutdownPhase } from './shutdown.js'
import type { HealthSnapshot } from './snapshot.js'
import type { StatusHistory, StatusTransition } from './status-history.js'

/** A state as the page shows it: a check status, or `pending` before the first result. */
export type StatusState = CheckStatus | 'pending'

/** One probe on the status page. */
export interface StatusProbeView {
  readonly probe: ProbeKind
  /** A link to the probe's health+json answer, relative to the page. */
  readonly href: string
  /** What the probe would answer now, from memory (a probe request may differ only by running a check). */
  readonly state: StatusState
  /** When the probe's reported status last changed (a probe request saw it), if it has. */
  readonly since: number | undefined
  readonly checks: readonly string[]
}

/** One transition as the page shows it. */
export interface StatusEventView {
  readonly time: number
  readonly kind: 'check' | 'probe' | 'service'
  readonly subject: string
  readonly previous: string | undefined
  readonly current: string
  /** The check's output at the transition: only when the request may see details (redacted), else `reason withheld` for a failure. */
  readonly output: string | undefined
}

/** One check on the status page. */
export interface StatusCheckView {
  readonly name: string
  readonly kind: CheckKind
  readonly critical: boolean
  readonly probes: readonly ProbeKind[]
  readonly state: StatusState
  /** The check's deadline, in ms. */
  readonly timeout: number
  /** How long the last run took, in ms; undefined before the first. */
  readonly duration: number | undefined
  /** When the last result was observed; undefined before the first. */
  readonly time: number | undefined
  /** Whether a run is in flight. */
  readonly running: boolean
  /** The last result's output, after the disclosure policy (see {@link StatusEventView.output}). */
  readonly output: string | undefined
  /** The last transition. */
  readonly last: StatusEventView | undefined
  /** How long each recent run took, oldest first, in ms (to 0.1 ms): the sparkline. */
  readonly durations: readonly number[]
  /** The status of each of those runs, one letter a run: `p` pass, `w` warn, `f` fail (compact: every event carries it). */
  readonly outcomes: string
}

/** The data of the status page and of each event on its stream (`snapshot`, `change`). */
export interface StatusView {
  /** What health+json shows of the `service` option. */
  readonly service: { readonly name?: string; readonly version?: string; readonly releaseId?: string; readonly description?: string }
  /** When the view was made, in ms since the epoch (the health object's clock). */
  readonly time: number
  readonly phase: ShutdownPhase
  readonly started: boolean
  /** Whether error text is shown to this request (the `details` policy). */
  readonly disclosed: boolean
  /** How many samples and transitions the history keeps per check. */
  readonly capacity: number
  readonly probes: readonly StatusProbeView[]
  readonly checks: readonly StatusCheckView[]
  /** Every transition kept, newest first. */
  readonly timeline: readonly StatusEventView[]
}

const PROBES: readonly ProbeKind[] = ['liveness', 'readiness', 'startup']

/** @internal Builds the view of a snapshot and the history for one disclosure decision. */
export function buildStatusView(snapshot: HealthSnapshot, history: StatusHistory, disclose: boolean, hrefs: Readonly<Record<ProbeKind, string>>): StatusView {
  const { service } = snapshot
  const shown: { name?: string; version?: string; releaseId?: string; description?: string } = {}
  const name = service.id ?? service.name
  if (name !== undefined) shown.name = name
  if (service.version !== undefined) shown.version = service.version
  if (service.releaseId !== undefined) shown.releaseId = service.releaseId
  if (service.description !== undefined) shown.description = service.description
  const event = (transition: StatusTransition): StatusEventView => ({
    time: transition.time,
    kind: transition.kind,
    subject: transition.subject,
    previous: transition.previous,
    current: transition.current,
    output: transition.kind === 'check' ? disclosed(transition.output, transition.current, disclose, false) : undefined,
  })
  const probes = PROBES.map((probe): StatusProbeView => {
    const state = snapshot.probes[probe]
    return { probe, href: hrefs[probe], state: state.status ?? 'pending', since: history.probeTransitions(probe).at(-1)?.time, checks: state.checks }
  })
  const checks = snapshot.checks.map((check): StatusCheckView => {
    const { result } = check
    const last = history.lastTransitionOf(check.name)
    const samples = history.samplesOf(check.name)
    return {
      name: check.name,
      kind: check.kind,
      critical: check.critical,
      probes: check.probes,
      state: check.status ?? 'pending',
      timeout: check.timeout,
      duration: result === undefined ? undefined : tenth(result.duration),
      time: result?.time,
      running: check.running,
      output: result === undefined ? undefined : disclosed(result.output, check.status ?? result.status, disclose, true),
      last: last === undefined ? undefined : event(last),
      durations: samples.map((sample) => tenth(sample.duration)),
      outcomes: samples.map((sample) => sample.status[0]).join(''),
    }
  })
  return {
    service: shown,
    time: snapshot.time,
    phase: snapshot.phase,
    started: snapshot.started,
    disclosed: disclose,
    capacity: history.capacity,
    probes,
    checks,
    timeline: history.timeline().map(event),
  }
}

/**
 * A check's text as health+json would show it to this request: redacted when disclosed;
 * otherwise nothing for a pass and `reason withheld` for anything else. `raw`: the text is not
 * redacted yet (history entries are redacted when recorded).
 */
function disclosed(output: string | undefined, status: string, disclose: boolean, raw: boolean): string | undefined {
  if (output === undefined) return undefined
  if (disclose) return raw ? redact(output) : output
  return status === 'pass' ? undefined : WITHHELD
}

function tenth(ms: number): number {
  return Math.round(ms * 10) / 10
}
