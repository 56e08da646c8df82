// The metric instruments: observable status instruments read from the health object's last
// results at collection time (a collection never runs a check), and the counters and the
// histogram fed by core's diagnostics-channel events.
import type { Attributes, BatchObservableResult, Counter, Histogram, Meter, Observable, ObservableGauge, ObservableUpDownCounter } from '@opentelemetry/api'
import type { CheckCacheHitMessage, CheckRunMessage, Health, ProbeKind, ProbeResponseMessage } from '@healthz/core'
import { CHECK_STATUSES, SHUTDOWN_PHASES } from '@healthz/core'
import { ATTRIBUTES as A, METRICS as M } from './names.js'

/**
 * The default bucket boundaries of `healthz.check.duration`, in seconds: fine below 100 ms where
 * a healthy ping sits, and straddling the default deadline (500 ms) and the kubelet's default
 * probe `timeoutSeconds` (1 s), so "near its deadline" and "over it" fall in different buckets.
 */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = Object.freeze([0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.4, 0.5, 0.75, 1, 2.5, 5, 10])

const PROBES: readonly ProbeKind[] = ['liveness', 'readiness', 'startup']
const MS_PER_S = 1000
// Any other method becomes `_OTHER`, as the HTTP semantic conventions ask, so a scanner cannot mint series.
const KNOWN_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'])

/** @internal The event handlers and the collection callback of one registration. */
export interface MetricHandlers {
  /** A check run settled (the `asyncEnd` of the `healthz:check` tracing channel). */
  onRun(message: CheckRunMessage): void
  onCacheHit(message: CheckCacheHitMessage): void
  onProbeResponse(message: ProbeResponseMessage): void
  /** Removes the collection callback. */
  dispose(): void
}

/** @internal Creates the instruments on `meter` and the callback that reads `health` at collection time. */
export function createMetrics(meter: Meter, health: Health, buckets: readonly number[]): MetricHandlers {
  const duration: Histogram = meter.createHistogram(M.checkDuration, {
    description: 'How long each run of a check took (cache hits are not runs).',
    unit: 's',
    advice: { explicitBucketBoundaries: [...buckets] },
  })
  const runs: Counter = meter.createCounter(M.checkRuns, { description: 'Runs of each check, by the run’s own result.', unit: '{run}' })
  const timeouts: Counter = meter.createCounter(M.checkTimeouts, { description: 'Runs of each check that missed their deadline.', unit: '{timeout}' })
  const cacheHits: Counter = meter.createCounter(M.checkCacheHits, { description: 'Probe answers that used a check’s result from memory instead of running it.', unit: '{hit}' })
  const requests: Counter = meter.createCounter(M.probeRequests, { description: 'Probe requests answered, by status code.', unit: '{request}' })

  const checkStatus: ObservableUpDownCounter = meter.createObservableUpDownCounter(M.checkStatus, {
    description: 'The current state of each check, per probe it backs: 1 for the current state, 0 for the others.',
    unit: '1',
  })
  const probeStatus: ObservableUpDownCounter = meter.createObservableUpDownCounter(M.probeStatus, {
    description: 'The current state of each probe, as last answered: 1 for the current state, 0 for the others.',
    unit: '1',
  })
  const started: ObservableGauge = meter.createObservableGauge(M.started, { description: 'Whether the startup gate has opened (1) or not (0).', unit: '1' })
  const shutdown: ObservableUpDownCounter = meter.createObservableUpDownCounter(M.shutdownStatus, {
    description: 'The current phase of the shutdown sequence: 1 for the current phase, 0 for the others.',
    unit: '1',
  })
  const loopP99: ObservableGauge = meter.createObservableGauge(M.eventLoopDelayP99, { description: 'The 99th percentile of the event-loop delay over the runtime monitor’s window.', unit: 's' })
  const loopMax: ObservableGauge = meter.createObservableGauge(M.eventLoopDelayMax, { description: 'The longest event-loop delay over the runtime monitor’s window.', unit: 's' })
  const worstPause: ObservableGauge = meter.createObservableGauge(M.worstPause, {
    description: 'The longest stop-the-world pause (event-loop delay or GC pause) since the monitor started.',
    unit: 's',
  })

  const observables: Observable[] = [checkStatus, probeStatus, started, shutdown, loopP99, loopMax, worstPause]
  const collect = (result: BatchObservableResult): void => {
    // Memory only: health.snapshot() never runs a check.
    const snapshot = health.snapshot()
    for (const check of snapshot.checks) {
      if (check.status === undefined) continue
      for (const probe of check.probes) {
        for (const state of CHECK_STATUSES) {
          result.observe(checkStatus, state === check.status ? 1 : 0, { [A.checkName]: check.name, [A.probe]: probe, [A.checkState]: state })
        }
      }
    }
    for (const probe of PROBES) {
      const { status } = snapshot.probes[probe]
      if (status === undefined) continue
      for (const state of CHECK_STATUSES) result.observe(probeStatus, state === status ? 1 : 0, { [A.probe]: probe, [A.probeState]: state })
    }
    result.observe(started, snapshot.started ? 1 : 0)
    for (const phase of SHUTDOWN_PHASES) result.observe(shutdown, phase === snapshot.phase ? 1 : 0, { [A.shutdownPhase]: phase })
    const { runtime } = snapshot
    if (runtime !== undefined) {
      result.observe(loopP99, runtime.eventLoopDelay.p99 / MS_PER_S)
      result.observe(loopMax, runtime.eventLoopDelay.max / MS_PER_S)
      result.observe(worstPause, runtime.worstPause / MS_PER_S)
    }
  }
  meter.addBatchObservableCallback(collect, observables)

  return {
    onRun(message) {
      const attributes: Attributes = { [A.checkName]: message.name, [A.checkKind]: message.kind, [A.checkResult]: message.outcome ?? 'fail' }
      runs.add(1, attributes)
      if (message.duration !== undefined) duration.record(message.duration / MS_PER_S, attributes)
      if (message.timedOut === true) timeouts.add(1, { [A.checkName]: message.name, [A.checkKind]: message.kind })
    },
    onCacheHit(message) {
      cacheHits.add(1, { [A.checkName]: message.name, [A.probe]: message.probe })
    },
    onProbeResponse(message) {
      requests.add(1, {
        [A.probe]: message.probe,
        [A.httpMethod]: KNOWN_METHODS.has(message.method) ? message.method : '_OTHER',
        [A.httpStatusCode]: message.statusCode,
        [A.probeFastPath]: message.fastPath,
      })
    },
    dispose() {
      meter.removeBatchObservableCallback(collect, observables)
    },
  }
}
