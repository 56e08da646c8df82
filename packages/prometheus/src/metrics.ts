// The metrics of one prom-client registry: the gauges set from health.snapshot() at scrape time
// (never running a check), the counters and the histogram fed by core's diagnostics channels, and
// the health objects they describe, each under its own `service` label.
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { CHECK_STATUSES, HEALTHZ_CHANNELS, SHUTDOWN_PHASES } from '@healthz/core'
import type { CheckCacheHitMessage, CheckRunMessage, CheckStatus, Health, HealthSnapshot, ProbeResponseMessage } from '@healthz/core'
import { Counter, Gauge, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'

/** @internal The settings fixed by the first registration on a registry. */
export interface MetricSettings {
  readonly buckets: readonly number[]
  /** The name of the 0 / 0.5 / 1 gauge, or undefined when it is off. */
  readonly compatibilityGauge: string | undefined
}

/** What the channels counted for one health object; read into the counters at scrape time. */
interface Tally {
  readonly service: string
  /** `check` → runs by outcome: pass, warn, fail. */
  readonly runs: Map<string, [number, number, number]>
  readonly timeouts: Map<string, number>
  /** probe → check → hits. Nested maps, not a joined key: a fast-path answer counts one hit per check, and building a string per hit cost more than the answer. */
  readonly cacheHits: Map<string, Map<string, number>>
  /** probe → HTTP status code → answers. */
  readonly requests: Map<string, Map<number, number>>
}

const OUTCOME_INDEX: Readonly<Record<CheckStatus, 0 | 1 | 2>> = { pass: 0, warn: 1, fail: 2 }
const VALUE: Readonly<Record<CheckStatus, number>> = { pass: 1, warn: 0.5, fail: 0 }
/** @internal The names of the metrics always registered (the compatibility gauge is opt-in). */
export const METRIC_NAMES = Object.freeze([
  'healthz_check_status',
  'healthz_probe_status',
  'healthz_started',
  'healthz_shutdown_phase',
  'healthz_runtime_event_loop_delay_seconds',
  'healthz_runtime_worst_pause_seconds',
  'healthz_check_runs_total',
  'healthz_check_timeouts_total',
  'healthz_check_cache_hits_total',
  'healthz_probe_requests_total',
  'healthz_check_duration_seconds',
] as const)
const RUN_END = `tracing:${HEALTHZ_CHANNELS.check}:asyncEnd`

/** @internal Every healthz metric on one registry, for every health object registered there. */
export class RegistryMetrics {
  readonly tallies = new Map<Health, Tally>()
  private readonly names: string[] = []
  private snapshots: Map<Health, HealthSnapshot> | undefined
  private readonly duration: Histogram<'service' | 'check'>
  /** Histogram series per health object, removed with it. */
  private readonly durationSeries = new Map<Health, Set<string>>()

  constructor(
    private readonly registry: Registry,
    readonly settings: MetricSettings,
  ) {
    const registers = [registry]
    // Each metric is refilled at scrape time (collect): gauges from the snapshot, counters from the tallies.
    const gauge = <T extends string>(name: string, help: string, labelNames: readonly T[], fill: (gauge: Gauge<T>) => void): void => {
      this.names.push(name)
      new Gauge<T>({ name, help, labelNames, registers, collect() { this.reset(); fill(this) } })
    }
    const counter = <T extends string>(name: string, help: string, labelNames: readonly T[], fill: (counter: Counter<T>) => void): void => {
      this.names.push(name)
      new Counter<T>({ name, help, labelNames, registers, collect() { this.reset(); fill(this) } })
    }
    gauge('healthz_check_status', 'Whether the check is in this state (1) or not (0): a state set over pass, warn and fail, from its last result. No series before the first result.', ['service', 'check', 'probe', 'state'], (metric) => {
      this.eachCheck((service, check, status) => {
        for (const probe of check.probes) for (const state of CHECK_STATUSES) metric.set({ service, check: check.name, probe, state }, state === status ? 1 : 0)
      })
    })
    if (settings.compatibilityGauge !== undefined) {
      gauge(settings.compatibilityGauge, 'The check\'s last status as a number, in the style of aspnetcore_healthcheck_status: 1 pass, 0.5 warn, 0 fail.', ['service', 'name'], (metric) => {
        this.eachCheck((service, check, status) => metric.set({ service, name: check.name }, VALUE[status]))
      })
    }
    gauge('healthz_probe_status', 'The status the probe would answer now, from memory: 1 pass, 0.5 warn, 0 fail. No series while a check it needs has no result yet.', ['service', 'probe'], (metric) => {
      for (const [service, snapshot] of this.read()) {
        for (const probe of ['liveness', 'readiness', 'startup'] as const) {
          const status = snapshot.probes[probe].status
          if (status !== undefined) metric.set({ service, probe }, VALUE[status])
        }
      }
    })
    gauge('healthz_started', 'Whether the startup gate has opened (1) or not (0).', ['service'], (metric) => {
      for (const [service, snapshot] of this.read()) metric.set({ service }, snapshot.started ? 1 : 0)
    })
    gauge('healthz_shutdown_phase', 'Whether the shutdown sequence is in this phase (1) or not (0): a state set over running, draining, closing and stopped.', ['service', 'phase'], (metric) => {
      for (const [service, snapshot] of this.read()) for (const phase of SHUTDOWN_PHASES) metric.set({ service, phase }, snapshot.phase === phase ? 1 : 0)
    })
    gauge('healthz_shutdown_deadline_timestamp_seconds', 'When the shutdown sequence should be over at the latest (its start + drainDelay + gracePeriod + every onShutdown hook\'s timeout), in seconds since the epoch. No series until it begins.', ['service'], (metric) => {
      for (const [service, snapshot] of this.read()) if (snapshot.shutdown.deadline !== undefined) metric.set({ service }, snapshot.shutdown.deadline / 1000)
    })
    gauge('healthz_check_deadline_seconds', 'The check\'s deadline (its timeout), in seconds.', ['service', 'check'], (metric) => {
      for (const [service, snapshot] of this.read()) for (const check of snapshot.checks) metric.set({ service, check: check.name }, check.timeout / 1000)
    })
    gauge('healthz_runtime_event_loop_delay_seconds', 'Event-loop delay over the runtime monitor\'s current window, by statistic (min, mean, p50, p90, p99, max). Only with the runtime monitor on.', ['service', 'stat'], (metric) => {
      for (const [service, snapshot] of this.read()) {
        const delay = snapshot.runtime?.eventLoopDelay
        if (delay === undefined) continue
        for (const stat of ['min', 'mean', 'p50', 'p90', 'p99', 'max'] as const) metric.set({ service, stat }, delay[stat] / 1000)
      }
    })
    gauge('healthz_runtime_worst_pause_seconds', 'The longest stop-the-world pause (event-loop delay or GC pause) seen since the runtime monitor started. Only with the runtime monitor on.', ['service'], (metric) => {
      for (const [service, snapshot] of this.read()) if (snapshot.runtime !== undefined) metric.set({ service }, snapshot.runtime.worstPause / 1000)
    })
    counter('healthz_check_runs_total', 'Check runs, by the run\'s own outcome (pass, warn, fail; before the flap thresholds).', ['service', 'check', 'result'], (metric) => {
      for (const tally of this.tallies.values()) {
        for (const [check, counts] of tally.runs) CHECK_STATUSES.forEach((result, index) => metric.inc({ service: tally.service, check, result }, counts[index]))
      }
    })
    counter('healthz_check_timeouts_total', 'Check runs that missed their deadline (CHECK_TIMEOUT).', ['service', 'check'], (metric) => {
      for (const tally of this.tallies.values()) for (const [check, count] of tally.timeouts) metric.inc({ service: tally.service, check }, count)
    })
    counter('healthz_check_cache_hits_total', 'Times a probe used a check\'s result from memory instead of running it.', ['service', 'check', 'probe'], (metric) => {
      for (const tally of this.tallies.values()) {
        for (const [probe, byCheck] of tally.cacheHits) for (const [check, count] of byCheck) metric.inc({ service: tally.service, check, probe }, count)
      }
    })
    counter('healthz_probe_requests_total', 'Probe requests answered, by probe and HTTP status code.', ['service', 'probe', 'code'], (metric) => {
      for (const tally of this.tallies.values()) {
        for (const [probe, byCode] of tally.requests) for (const [code, count] of byCode) metric.inc({ service: tally.service, probe, code: String(code) }, count)
      }
    })
    this.names.push('healthz_check_duration_seconds')
    this.duration = new Histogram({
      name: 'healthz_check_duration_seconds',
      help: 'How long check runs took, in seconds (a run that missed its deadline counts its timeout).',
      labelNames: ['service', 'check'],
      buckets: [...settings.buckets],
      registers,
    })
    subscribe(RUN_END, this.onRun)
    subscribe(HEALTHZ_CHANNELS.cacheHit, this.onCacheHit)
    subscribe(HEALTHZ_CHANNELS.probeResponse, this.onResponse)
  }

  /** Adds a health object under its `service` label; its counters start at 0 for the checks it has now. */
  add(health: Health, service: string): void {
    const tally: Tally = { service, runs: new Map(), timeouts: new Map(), cacheHits: new Map(), requests: new Map() }
    for (const check of health.snapshot().checks) {
      tally.runs.set(check.name, [0, 0, 0])
      tally.timeouts.set(check.name, 0)
      for (const probe of check.probes) increment(tally.cacheHits, probe, check.name, 0)
    }
    this.tallies.set(health, tally)
    this.snapshots = undefined
  }

  /** Removes a health object and its series; true when none is left (the metrics can go). */
  remove(health: Health): boolean {
    const tally = this.tallies.get(health)
    if (tally === undefined) return this.tallies.size === 0
    this.tallies.delete(health)
    for (const check of this.durationSeries.get(health) ?? []) this.duration.remove({ service: tally.service, check })
    this.durationSeries.delete(health)
    this.snapshots = undefined
    return this.tallies.size === 0
  }

  /** Unsubscribes and takes every metric off the registry. */
  dispose(): void {
    unsubscribe(RUN_END, this.onRun)
    unsubscribe(HEALTHZ_CHANNELS.cacheHit, this.onCacheHit)
    unsubscribe(HEALTHZ_CHANNELS.probeResponse, this.onResponse)
    for (const name of this.names) this.registry.removeSingleMetric(name)
  }

  /**
   * The snapshot of every health object, taken once per scrape: prom-client's `metrics()` calls
   * every collect() synchronously, so the snapshots are dropped at the next microtask.
   */
  private readonly read = (): ReadonlyMap<string, HealthSnapshot> => {
    let snapshots = this.snapshots
    if (snapshots === undefined) {
      snapshots = new Map([...this.tallies.keys()].map((health) => [health, health.snapshot()]))
      this.snapshots = snapshots
      queueMicrotask(() => {
        this.snapshots = undefined
      })
    }
    const byService = new Map<string, HealthSnapshot>()
    for (const [health, snapshot] of snapshots) {
      const tally = this.tallies.get(health)
      if (tally !== undefined) byService.set(tally.service, snapshot)
    }
    return byService
  }

  private eachCheck(visit: (service: string, check: HealthSnapshot['checks'][number], status: CheckStatus) => void): void {
    for (const [service, snapshot] of this.read()) {
      for (const check of snapshot.checks) if (check.status !== undefined) visit(service, check, check.status)
    }
  }

  private readonly onRun = (message: unknown): void => {
    const run = message as CheckRunMessage
    const tally = this.tallies.get(run.health)
    if (tally === undefined || run.outcome === undefined) return
    const counts = tally.runs.get(run.name) ?? [0, 0, 0]
    counts[OUTCOME_INDEX[run.outcome]] += 1
    tally.runs.set(run.name, counts)
    if (run.timedOut === true) tally.timeouts.set(run.name, (tally.timeouts.get(run.name) ?? 0) + 1)
    else if (!tally.timeouts.has(run.name)) tally.timeouts.set(run.name, 0)
    this.duration.observe({ service: tally.service, check: run.name }, (run.duration ?? 0) / 1000)
    let series = this.durationSeries.get(run.health)
    if (series === undefined) this.durationSeries.set(run.health, (series = new Set()))
    series.add(run.name)
  }

  private readonly onCacheHit = (message: unknown): void => {
    const hit = message as CheckCacheHitMessage
    const tally = this.tallies.get(hit.health)
    if (tally === undefined) return
    increment(tally.cacheHits, hit.probe, hit.name, 1)
  }

  private readonly onResponse = (message: unknown): void => {
    const answer = message as ProbeResponseMessage
    const tally = this.tallies.get(answer.health)
    if (tally === undefined) return
    increment(tally.requests, answer.probe, answer.statusCode, 1)
  }
}

/** Adds `by` to the count under `outer` → `inner`, creating the entries on first use. */
function increment<T>(counts: Map<string, Map<T, number>>, outer: string, inner: T, by: number): void {
  let byInner = counts.get(outer)
  if (byInner === undefined) counts.set(outer, (byInner = new Map()))
  byInner.set(inner, (byInner.get(inner) ?? 0) + by)
}
