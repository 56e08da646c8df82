// Types of scenario.mjs, for the test that runs it (tests/liveness).
export interface ProbeCounts {
  probes: number
  failures: number
  timeouts: number
  restarts: number
}

export interface ScenarioSummary {
  /** ms from calling startLivenessWorker to its listening. */
  startupMs: number
  /** RSS growth over starting the worker, in MiB. */
  rssDeltaMb: number
  /** Event-loop utilization from the first burst to the last gap. */
  saturatedElu: number | undefined
  bursts: number
  main: ProbeCounts
  worker: (ProbeCounts & { burstProbes: number; burstOk: number; burstP50: number; burstP99: number; burstMax: number }) | undefined
  readiness: ProbeCounts & { unavailableDuringBursts: number; okBeforeBursts: number; lastStatus: number | 'timeout' | 'error' | undefined }
  /** Transitions of the overload check (not its first result), and the shortest time between two. */
  overload: { transitions: string[]; minGapMs: number | undefined }
  /** With a plan that ends in `forever`. */
  forever?: { firstFailureAfterMs: number | undefined; probesAfterFirstFailure: number; okAfterFirstFailure: number; workerRestarts: number }
}

export function runScenario(options?: {
  env?: Record<string, string>
  plan?: string
  foreverFor?: number
  prober?: { period?: number; timeout?: number; failureThreshold?: number }
}): Promise<ScenarioSummary>
