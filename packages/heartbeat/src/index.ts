// @healthz/heartbeat: push heartbeats and failure detection. The main entry loads no client;
// the Redis, NATS and HTTP transports are the subpaths /redis, /nats and /http.
export { startHeartbeat } from './emitter.js'
export { createHeartbeatMonitor } from './monitor.js'
export { phiAccrual, deadline, phi, phiDelay } from './detector.js'
export { createMemoryTransport } from './memory.js'

export type { HeartbeatEmitter, HeartbeatEmitterStats, HeartbeatOptions, StatusSource, StopOptions } from './emitter.js'
export type { HeartbeatMonitor, HeartbeatMonitorStats, HeartbeatWarning, LocalPauseEvent } from './monitor.js'
export type { HeartbeatMonitorOptions } from './monitor-options.js'
export type { Member, MemberChangeEvent, MemberChangeReason, MemberState } from './membership.js'
export type { DeadlineOptions, FailureDetector, FailureDetectorFactory, PhiAccrualOptions } from './detector.js'
export type { MemoryTransport, MemoryTransportOptions } from './memory.js'
export type { HeartbeatKey, HeartbeatSigning, HeartbeatVerification } from './signing.js'
export type {
  Heartbeat,
  HeartbeatMetadata,
  HeartbeatReceiver,
  HeartbeatStatus,
  HeartbeatSubscription,
  HeartbeatTransport,
  SendContext,
} from './types.js'
