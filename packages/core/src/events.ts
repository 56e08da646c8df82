// The diagnostics channels core publishes on (DESIGN §11, "Observability without cost"): their
// public names, the payload of each, and the channel objects the publishers share. Publishers
// read `hasSubscribers` before building a payload, so nothing is built while nobody listens.
import { channel, tracingChannel } from 'node:diagnostics_channel'
import type { CheckKind, CheckStatus } from './check.js'
import type { CheckChangeEvent, Health, PhaseChangeEvent, ProbeChangeEvent, StartedEvent } from './health.js'
import type { ProbeKind } from './report.js'
import type { CheckResult } from './run.js'

/**
 * The names of the `node:diagnostics_channel` channels healthz publishes on. Public API: a
 * rename is a breaking change. Every payload carries `health`, the health object it comes
 * from, so a subscriber can keep two health objects in one process apart.
 *
 * - `check`: a **tracing channel** (`tracing:healthz:check:start`, `:end`, `:asyncStart`,
 *   `:asyncEnd`, `:error`) around every run of a check; context {@link CheckRunMessage}.
 * - `cacheHit`: a probe used a check's result from memory instead of running it ({@link CheckCacheHitMessage}).
 * - `checkChange`: a check's status changed ({@link CheckChangeMessage}).
 * - `probeResponse`: a probe request was answered ({@link ProbeResponseMessage}).
 * - `probeChange`: a probe's overall status changed ({@link ProbeChangeMessage}).
 * - `started`: the startup gate opened ({@link StartedMessage}).
 * - `shutdown`: the shutdown sequence moved to another phase ({@link ShutdownPhaseMessage}).
 *
 * @see docs/metrics.md for every field and when it is published.
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel'
 * import { HEALTHZ_CHANNELS } from '@healthz/core'
 * import type { ProbeResponseMessage } from '@healthz/core'
 *
 * subscribe(HEALTHZ_CHANNELS.probeResponse, (message) => {
 *   const { probe, statusCode, fastPath } = message as ProbeResponseMessage
 *   console.log(probe, statusCode, fastPath)
 * })
 * ```
 */
export const HEALTHZ_CHANNELS = Object.freeze({
  check: 'healthz:check',
  cacheHit: 'healthz:check:cache-hit',
  checkChange: 'healthz:check:change',
  probeResponse: 'healthz:probe:response',
  probeChange: 'healthz:probe:change',
  started: 'healthz:started',
  shutdown: 'healthz:shutdown',
} as const)

/**
 * The context object of one check run on the `healthz:check` tracing channel. `start` and `end`
 * see the fields set when the run starts (`end` right after the check function returned, before
 * it settled); `asyncStart` and `asyncEnd` see the same object with the outcome added, once the
 * run settled or hit its deadline, and after its result was recorded. A failed run publishes
 * `error` (with `error` set) before `asyncStart`, as `TracingChannel.tracePromise` does for a
 * rejection. A probe that finds the previous run still unsettled past its deadline gets a
 * `CHECK_STALLED` failure without starting a run: nothing is published for it.
 */
export interface CheckRunMessage {
  readonly health: Health
  /** The check's name. */
  readonly name: string
  readonly kind: CheckKind
  readonly critical: boolean
  /** Every probe this check backs. */
  readonly probes: readonly ProbeKind[]
  /** What started the run: the probe whose request needed it, or `'interval'` for a background run. */
  readonly trigger: ProbeKind | 'interval'
  /** The check's deadline, in ms after the start. */
  readonly timeout: number
  /** When the run started, in ms since the epoch (the health object's clock). */
  readonly startTime: number
  /** `startTime + timeout`. */
  readonly deadline: number
  /** From `asyncStart` on: the result as recorded, after the flap thresholds (what probes report). */
  result?: CheckResult
  /** From `asyncStart` on: this run's own status, before the flap thresholds. */
  outcome?: CheckStatus
  /** From `asyncStart` on: how long the run took, in ms. */
  duration?: number
  /** From `asyncStart` on: whether the run missed its deadline (`CHECK_TIMEOUT`). */
  timedOut?: boolean
  /** On `error` and after: why the run failed. */
  error?: Error
}

/** Published on `healthz:check:cache-hit`: a probe used a check's result from memory. */
export interface CheckCacheHitMessage {
  readonly health: Health
  readonly name: string
  /** The probe that used it. */
  readonly probe: ProbeKind
  /** The result used (a background result older than `maxAge` reads as a `STALE_RESULT` fail). */
  readonly result: CheckResult
  /** Whether the whole answer came from the rendered-response memo (`handleCached`). */
  readonly fastPath: boolean
}

/** Published on `healthz:probe:response`: a probe request was answered. */
export interface ProbeResponseMessage {
  readonly health: Health
  readonly probe: ProbeKind
  /** The check of a per-check path (`/readyz/<check>`), else undefined. */
  readonly check: string | undefined
  readonly method: string
  /** The HTTP status code of the answer: 200, 503, 404 (unknown check) or 405. */
  readonly statusCode: number
  /** Whether it was served from the rendered-response memo without evaluating the probe. */
  readonly fastPath: boolean
}

/** Published on `healthz:check:change`: the `change` event of a check, with the health object. */
export type CheckChangeMessage = CheckChangeEvent & { readonly health: Health; readonly probes: readonly ProbeKind[] }
/** Published on `healthz:probe:change`: the `change` event of a probe, with the health object. */
export type ProbeChangeMessage = ProbeChangeEvent & { readonly health: Health }
/** Published on `healthz:started`, once per health object. */
export type StartedMessage = StartedEvent & { readonly health: Health }
/** Published on `healthz:shutdown` at each phase change (`draining`, `closing`, `stopped`). */
export type ShutdownPhaseMessage = PhaseChangeEvent & { readonly health: Health }

/** @internal The channel objects, held here so they live as long as the module. */
export const channels = {
  check: tracingChannel<unknown, CheckRunMessage>(HEALTHZ_CHANNELS.check),
  cacheHit: channel(HEALTHZ_CHANNELS.cacheHit),
  checkChange: channel(HEALTHZ_CHANNELS.checkChange),
  probeResponse: channel(HEALTHZ_CHANNELS.probeResponse),
  probeChange: channel(HEALTHZ_CHANNELS.probeChange),
  started: channel(HEALTHZ_CHANNELS.started),
  shutdown: channel(HEALTHZ_CHANNELS.shutdown),
} as const

/** @internal What a check runner needs to publish: its health object and the probes it backs. */
export interface RunnerEvents {
  readonly health: Health
  /** Filled in by the registry as it adds the runner to probes. */
  readonly probes: ProbeKind[]
  /** Called with every result the runner records (the status page's history), when set. */
  readonly onResult?: ((result: CheckResult) => void) | undefined
}
