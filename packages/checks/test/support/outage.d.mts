import type { TcpProxy } from '../../../../test-utils/tcp-proxy.mjs'

export declare const KUBERNETES: { livenessPeriod: number; livenessFailureThreshold: number; readinessPeriod: number; readinessFailureThreshold: number; probeTimeout: number }
export declare const VARIANTS: readonly ['healthz', 'naive-check', 'naive-handler']

export interface OutageProbe {
  t: number
  kind: 'liveness' | 'readiness'
  ok: boolean
  status: number
  ms: number
}

export interface OutageReport {
  variant: string
  settings: { scale: number; livenessPeriod: number; livenessFailureThreshold: number; readinessPeriod: number; readinessFailureThreshold: number; probeTimeout: number; checkTimeout: number; checkCache: number; before: number; stall: number; after: number; poolMax: number }
  stallStart: number
  stallEnd: number
  liveness: { probes: number; failed: number; restarts: number }
  readiness: {
    probes: number
    failedBeforeStall: number
    passedDuringStall: number
    failedAfterRecovery: number | undefined
    firstFailAfterStallStart: number | undefined
    firstPassAfterStallEnd: number | undefined
    slowestAnswer: number
    lastFailAt: number | undefined
    unreadyAfterStallStart: number | undefined
    readyAfterStallEnd: number | undefined
  }
  pool: { max: number; maxTotal: number; maxWaiting: number; maxCheckedOut: number; longestCheckout: number }
  queries: { maxInFlight: number; maxHeldOnWire: number }
  probes: OutageProbe[]
  samples: Array<{ t: number; total: number; idle: number; waiting: number; checkedOut: number; heldQueries: number }>
}

export declare function runOutage(options: {
  libs: { pg: unknown; createHealth: unknown; defineCheck: unknown; createHealthListener: unknown; postgresCheck: unknown }
  variant?: (typeof VARIANTS)[number]
  scale?: number
  checkTimeout?: number
  checkCache?: number
  before?: number
  stall?: number
  after?: number
  poolMax?: number
  sampleEvery?: number
  postgres?: { host?: string; port?: number; user?: string; database?: string }
}): Promise<OutageReport>

export declare function heldPgQueries(proxy: TcpProxy): number
