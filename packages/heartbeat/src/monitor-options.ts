// The options of createHeartbeatMonitor: what each one means, its default and why, and the one
// place they are validated and resolved into the settings the monitor runs with.
import type { Clock, RuntimeMonitor } from '@healthz/core'
import { assertKnownOptions, countOption, createRuntimeMonitor, durationOption, HealthzError, optionKeys, systemClock } from '@healthz/core'
import type { FailureDetectorFactory } from './detector.js'
import { phiAccrual } from './detector.js'
import type { MembershipSettings } from './membership.js'
import type { HeartbeatWarning } from './monitor.js'
import type { HeartbeatVerification, Verifier } from './signing.js'
import { verifier } from './signing.js'
import type { HeartbeatTransport } from './types.js'

/** Options of {@link createHeartbeatMonitor}. */
export interface HeartbeatMonitorOptions {
  /** Where beats come from; needs `listen`. */
  transport: HeartbeatTransport
  /** The failure detector. @default phiAccrual() (Akka's defaults) */
  detector?: FailureDetectorFactory
  /**
   * How long a member stays `suspect` before it is `dead`, in ms. A beat in the meantime
   * makes it `alive` again.
   * @default 10000
   */
  deadAfter?: number
  /** How often suspicion is evaluated, in ms: the resolution of detection times. @default 100 */
  checkInterval?: number
  /**
   * The local-pause guard: when the monitor's own timer runs more than this many ms late (a GC
   * or event-loop stall, a suspended VM), no beat could have been processed meanwhile, so every
   * member's silence is counted again from that moment and nobody is convicted before fresh
   * beats had a chance to arrive (Cassandra's `MAX_LOCAL_PAUSE`, 5 s there).
   * @default 1000
   */
  pauseBound?: number
  /**
   * How long `dead` and `left` members stay in the view before they are forgotten, in ms, up
   * to 2^31 − 1 (about 24.8 days).
   * @default 3600000 (1 hour)
   */
  forgetAfter?: number
  /**
   * The runtime monitor whose worst pause is compared with the detector's acceptable pause
   * (pass `health.runtime` to share it); `false` for no comparison.
   * @default a monitor of its own, stopped by `close()`
   */
  runtime?: RuntimeMonitor | false
  /** Called with each warning. @default process.emitWarning */
  onWarning?: (warning: HeartbeatWarning) => void
  /** Called when subscribing failed or an event listener threw. @default console.error */
  onError?: (error: Error) => void
  /**
   * Verify signed beats: only beats signed with one of `keys` are accepted (see
   * {@link HeartbeatVerification}). Without it the monitor accepts signed and unsigned beats
   * alike, and believes any well-formed beat on the bus.
   * @default no verification
   */
  signing?: HeartbeatVerification
  /**
   * The most members the view holds, whatever their state: a beat of a new node beyond it is
   * dropped (`stats().overCapacity`, and one `onError`). It bounds the memory a flood of
   * made-up node ids can take: about 1.2 KB a member normally, up to about 40 KB for one built
   * to be large (a 256-character id, 8 KB of metadata in hundreds of keys), so some 4 GB at the
   * default. Set it near twice your fleet on a bus you do not trust, or sign beats.
   * @default 100000
   */
  maxMembers?: number
  /**
   * How far an incarnation may be ahead of the monitor's own clock (ms since the epoch) before
   * its beats are dropped (`stats().tooFarAhead`). The emitter's default incarnation is its
   * start time in ms, so a real restart is never ahead by more than the clock skew between the
   * two machines; the bound is against the clock rather than the last incarnation seen, because
   * a start time is ahead of the previous one by the whole uptime. A restart counter stays far
   * below it. It stops a forged beat from taking a node to an incarnation its real beats never
   * reach; only signing stops a forged beat altogether.
   * @default 86400000 (24 hours)
   */
  maxIncarnationLead?: number
  /** The name of the monitor's readiness check. @default 'heartbeat-monitor' */
  checkName?: string
  /** The source of time. @default systemClock */
  clock?: Clock
}

const MONITOR_OPTIONS = optionKeys<HeartbeatMonitorOptions>({
  transport: true,
  detector: true,
  deadAfter: true,
  checkInterval: true,
  pauseBound: true,
  forgetAfter: true,
  runtime: true,
  onWarning: true,
  onError: true,
  checkName: true,
  signing: true,
  maxMembers: true,
  maxIncarnationLead: true,
  clock: true,
})

/** The options of a monitor, checked and with their defaults. @internal */
export interface MonitorSettings {
  /** A transport that can listen. */
  readonly transport: ListeningTransport
  readonly membership: MembershipSettings
  readonly checkInterval: number
  readonly pauseBound: number
  readonly verifier: Verifier | undefined
  readonly clock: Clock
  /** The runtime monitor to compare pauses with, and whether `close()` stops it. */
  readonly runtime: RuntimeMonitor | undefined
  readonly ownsRuntime: boolean
  readonly onWarning: (warning: HeartbeatWarning) => void
  readonly onError: (error: Error) => void
  readonly checkName: string
}

/**
 * Checks `options` and fills in the defaults.
 *
 * @throws {HealthzError} `INVALID_OPTION` naming the option and what it takes.
 * @internal
 */
export function resolveMonitorOptions(options: HeartbeatMonitorOptions): MonitorSettings {
  assertKnownOptions(options, MONITOR_OPTIONS, 'createHeartbeatMonitor')
  const { transport } = options
  if (!canListen(transport)) {
    invalid(
      'createHeartbeatMonitor needs a transport that can listen: createMemoryTransport(), or redisTransport / natsTransport / httpReceiver from @healthz/heartbeat/redis, /nats and /http.',
    )
  }
  const detector = options.detector ?? phiAccrual()
  if (typeof detector !== 'object' || detector === null || typeof detector.create !== 'function') {
    invalid('detector must be a failure detector factory: phiAccrual(), deadline(), or an object with create().')
  }
  const deadAfter = durationOption(options.deadAfter, 10_000, 'deadAfter', { zero: true })
  const checkInterval = durationOption(options.checkInterval, 100, 'checkInterval')
  const pauseBound = durationOption(options.pauseBound, 1000, 'pauseBound')
  const forgetAfter = durationOption(options.forgetAfter, 3_600_000, 'forgetAfter')
  if (pauseBound <= checkInterval) {
    invalid(`pauseBound (${pauseBound} ms) must be longer than checkInterval (${checkInterval} ms): an on-time evaluation would count as a pause.`)
  }
  const verify = options.signing === undefined ? undefined : verifier(options.signing)
  const maxMembers = countOption(options.maxMembers, 100_000, 'maxMembers')
  const maxIncarnationLead = countOption(options.maxIncarnationLead, 86_400_000, 'maxIncarnationLead', { min: 0 })
  const clock = options.clock ?? systemClock
  let runtime: RuntimeMonitor | undefined
  let ownsRuntime = false
  if (options.runtime === undefined) {
    runtime = createRuntimeMonitor({ clock })
    ownsRuntime = true
  } else if (options.runtime !== false) {
    if (typeof options.runtime !== 'object' || options.runtime === null || typeof options.runtime.stats !== 'function') invalid('runtime must be a runtime monitor (health.runtime) or false.')
    runtime = options.runtime
  }
  return {
    transport,
    membership: { detector, deadAfter, forgetAfter, maxMembers, maxIncarnationLead },
    checkInterval,
    pauseBound,
    verifier: verify,
    clock,
    runtime,
    ownsRuntime,
    onWarning: options.onWarning ?? ((warning) => process.emitWarning(warning.message, { code: warning.code })),
    onError: options.onError ?? ((error) => console.error('[healthz] heartbeat monitor:', error)),
    checkName: options.checkName ?? 'heartbeat-monitor',
  }
}

/** A transport with `listen`. @internal */
export type ListeningTransport = HeartbeatTransport & Required<Pick<HeartbeatTransport, 'listen'>>

function canListen(transport: HeartbeatTransport): transport is ListeningTransport {
  return typeof transport === 'object' && transport !== null && typeof transport.listen === 'function'
}

function invalid(message: string): never {
  throw new HealthzError(message, { code: 'INVALID_OPTION' })
}
