// The emitter: a node says "I'm alive" every interval, keeps trying (with backoff) when the
// transport fails, never has two sends in flight, and says goodbye when it stops.
import type { Clock, Health } from '@healthz/core'
import { assertKnownOptions, countOption, describeValue, durationOption, HealthzError, MAX_DURATION_MS, optionKeys, systemClock } from '@healthz/core'
import { encodeHeartbeat, MAX_METADATA_BYTES, MAX_NODE_ID } from './codec.js'
import type { HeartbeatSigning } from './signing.js'
import { signingKey } from './signing.js'
import type { Heartbeat, HeartbeatMetadata, HeartbeatStatus, HeartbeatTransport } from './types.js'

/** The status of a node's beats: fixed, or read before every beat. */
export type StatusSource = Exclude<HeartbeatStatus, 'leaving'> | (() => Exclude<HeartbeatStatus, 'leaving'> | Promise<Exclude<HeartbeatStatus, 'leaving'>>)

/** Options of {@link startHeartbeat}. */
export interface HeartbeatOptions {
  /** This node's id, unique in the fleet. */
  nodeId: string
  /** How beats travel; needs `send`. */
  transport: HeartbeatTransport
  /** Time between beats, in ms. @default 1000 */
  interval?: number
  /**
   * Random spread of each interval, as a fraction: 0.1 sends every 900 to 1100 ms at the
   * default interval, so a fleet started together does not beat in lockstep.
   * @default 0.1
   */
  jitter?: number
  /**
   * Facts sent with every beat, or a function that returns them (read before every beat). At
   * most 8 KB of JSON: monitors drop beats with more, so larger metadata is left out of the beat
   * (with one warning) rather than silencing the node.
   * @default {}
   */
  metadata?: HeartbeatMetadata | (() => HeartbeatMetadata)
  /**
   * The status each beat carries. A function is called before every beat (it may be async; it
   * is cut at `sendTimeout`, and a throw or timeout sends `fail`).
   * @default the readiness of `health` when given, else 'pass'
   */
  status?: StatusSource
  /**
   * A health object: beats carry its readiness status (`health.probe('readiness')`), and the
   * `leaving` beat is sent when its shutdown starts (phase `draining`).
   */
  health?: Health
  /**
   * This life of the node: a whole number that must grow across restarts. A start time in ms
   * (the default) or a restart counter; monitors drop an incarnation further ahead of their own
   * clock than their `maxIncarnationLead` (24 h by default), so do not use µs or ns.
   * @default the clock's time at start, in ms
   */
  incarnation?: number
  /** How long one send may take before it counts as failed, in ms. @default the interval */
  sendTimeout?: number
  /**
   * The longest wait between attempts while sends fail, in ms. The wait doubles from the
   * interval on each failure up to this cap; keep it below the monitors' detection time, so
   * the node is heard again soon after the transport recovers.
   * @default 4 × interval
   */
  maxBackoff?: number
  /** Called on each failed send. @default logs the first failure of each run of failures */
  onError?: (error: Error) => void
  /**
   * Sign every beat with this key (HMAC-SHA256 over the encoded beat), for monitors that verify
   * (`createHeartbeatMonitor({ signing: { keys } })`): then nobody without the key can forge,
   * alter, or make up a node's beats on the bus.
   * @default unsigned
   */
  signing?: HeartbeatSigning
  /** The source of time. @default systemClock */
  clock?: Clock
}

const HEARTBEAT_OPTIONS = optionKeys<HeartbeatOptions>({
  nodeId: true,
  transport: true,
  interval: true,
  jitter: true,
  metadata: true,
  status: true,
  health: true,
  incarnation: true,
  sendTimeout: true,
  maxBackoff: true,
  onError: true,
  signing: true,
  clock: true,
})

/** Counters of an emitter. */
export interface HeartbeatEmitterStats {
  /** Beats sent successfully. */
  sent: number
  /** Sends that failed or timed out. */
  failed: number
  /** Beats not started because the previous send was still in flight. */
  skipped: number
  /** Failures since the last successful send. */
  consecutiveFailures: number
}

/** Options of {@link HeartbeatEmitter.stop}. */
export interface StopOptions {
  /** Send the final `leaving` beat. @default true */
  leave?: boolean
}

/** A running emitter, as returned by {@link startHeartbeat}. */
export interface HeartbeatEmitter {
  readonly nodeId: string
  readonly incarnation: number
  /** The number of the last beat built. */
  readonly seq: number
  stats(): HeartbeatEmitterStats
  /**
   * Stops beating and sends the final `leaving` beat (unless `leave: false`), so monitors
   * mark the node `left` at once. Resolves when it was sent or failed. Idempotent.
   */
  stop(options?: StopOptions): Promise<void>
}

/**
 * Starts beating: the first beat goes out at once, then one every `interval` (± `jitter`).
 *
 * @example
 * ```ts
 * import { startHeartbeat } from '@healthz/heartbeat'
 * import { redisTransport } from '@healthz/heartbeat/redis'
 *
 * const heartbeat = startHeartbeat({
 *   nodeId: `worker-${process.pid}`,
 *   transport: redisTransport({ publisher: redis }),
 *   health, // beats carry readiness; `leaving` is sent when shutdown starts
 *   metadata: { version: '2.14.0' },
 * })
 * ```
 */
export function startHeartbeat(options: HeartbeatOptions): HeartbeatEmitter {
  return new Emitter(options)
}

class Emitter implements HeartbeatEmitter {
  readonly nodeId: string
  readonly incarnation: number
  seq = -1
  private readonly transport: HeartbeatTransport & Required<Pick<HeartbeatTransport, 'send'>>
  private readonly interval: number
  private readonly jitter: number
  private readonly sendTimeout: number
  private readonly maxBackoff: number
  private readonly clock: Clock
  private readonly metadata: () => HeartbeatMetadata
  private readonly status: () => Promise<Exclude<HeartbeatStatus, 'leaving'>>
  private readonly onError: (error: Error) => void
  private readonly key: Buffer | undefined
  private warnedMetadata = false
  private readonly counters: HeartbeatEmitterStats = { sent: 0, failed: 0, skipped: 0, consecutiveFailures: 0 }
  private inFlight: Promise<void> | undefined
  /** The transport's own promise of the last send, until it settles (it may outlive the timeout). */
  private unsettled: Promise<void> | undefined
  private cancelNext: (() => void) | undefined
  private stopping: Promise<void> | undefined
  private unwatch: (() => void) | undefined

  constructor(options: HeartbeatOptions) {
    assertKnownOptions(options, HEARTBEAT_OPTIONS, 'startHeartbeat')
    const { nodeId, transport } = options
    if (typeof nodeId !== 'string' || nodeId === '' || nodeId.length > MAX_NODE_ID) {
      invalid(`nodeId must be a non-empty string of at most ${MAX_NODE_ID} characters, unique in the fleet (e.g. the pod name), got ${describeValue(nodeId)}.`)
    }
    if (typeof transport !== 'object' || transport === null || typeof transport.send !== 'function') {
      invalid('startHeartbeat needs a transport that can send: createMemoryTransport(), or redisTransport / natsTransport / httpTransport from @healthz/heartbeat/redis, /nats and /http.')
    }
    this.nodeId = nodeId
    this.transport = transport as typeof this.transport
    this.interval = durationOption(options.interval, 1000, 'interval')
    this.jitter = options.jitter ?? 0.1
    if (typeof this.jitter !== 'number' || !(this.jitter >= 0 && this.jitter < 1)) {
      invalid(`jitter must be a fraction from 0 (no spread) to below 1, got ${describeValue(options.jitter)}; 0.1 spreads each interval by ±10%.`)
    }
    this.sendTimeout = durationOption(options.sendTimeout, this.interval, 'sendTimeout')
    this.maxBackoff = durationOption(options.maxBackoff, 4 * this.interval, 'maxBackoff')
    this.clock = options.clock ?? systemClock
    // A whole number that grows across restarts: the start time in ms unless given (monitors
    // refuse one further ahead of their clock than their maxIncarnationLead, 24 h by default).
    this.incarnation = countOption(options.incarnation, Math.floor(this.clock.now()), 'incarnation', { min: 0 })
    this.key = options.signing === undefined ? undefined : signingKey(options.signing)
    const metadata = options.metadata ?? {}
    this.metadata = typeof metadata === 'function' ? metadata : () => metadata
    if (typeof metadata !== 'function' && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
      invalid('metadata must be a plain object of JSON values, or a function that returns one.')
    }
    this.status = this.statusReader(options.status, options.health)
    let failing = false
    this.onError =
      options.onError ??
      ((error) => {
        if (this.counters.consecutiveFailures > 1) return
        if (!failing) console.error(`[healthz] heartbeat of ${nodeId} could not be sent (retrying with backoff):`, error.message)
        failing = true
      })
    const health = options.health
    if (health !== undefined) {
      this.unwatch = health.on('change', (event) => {
        if (event.type === 'phase' && event.previous === 'running') void this.stop()
      })
    }
    this.schedule(0)
  }

  stats(): HeartbeatEmitterStats {
    return { ...this.counters }
  }

  stop(options: StopOptions = {}): Promise<void> {
    this.stopping ??= this.finish(options.leave !== false)
    return this.stopping
  }

  private async finish(leave: boolean): Promise<void> {
    this.cancelNext?.()
    this.cancelNext = undefined
    this.unwatch?.()
    // Someone awaits stop(): hold the process open for as long as it can take (the beat in
    // flight: status then send, each cut at sendTimeout; then the leaving send), so a script that
    // awaits it on a hung transport gets its timeout instead of Node's exit 13. The beat timers
    // themselves stay unref'd: a running emitter never keeps a process alive.
    const release = this.clock.schedule(noop, Math.min(MAX_DURATION_MS, 3 * this.sendTimeout + 1000), { keepAlive: true })
    try {
      if (this.inFlight !== undefined) await this.inFlight
      if (!leave) return
      this.seq += 1
      const beat: Heartbeat = { nodeId: this.nodeId, incarnation: this.incarnation, seq: this.seq, sentAt: this.clock.now(), status: 'leaving', metadata: this.safeMetadata() }
      await this.send(beat)
    } finally {
      release()
    }
  }

  private schedule(ms: number): void {
    if (this.stopping !== undefined) return
    this.cancelNext = this.clock.schedule(() => this.beat(), ms)
  }

  private beat(): void {
    if (this.stopping !== undefined) return
    if (this.inFlight !== undefined || this.unsettled !== undefined) {
      // The last send has not settled, even past its deadline: never pile sends up.
      this.counters.skipped += 1
      this.schedule(this.nextDelay())
      return
    }
    const startedAt = this.clock.now()
    const sending = this.buildAndSend()
    this.inFlight = sending
    // The pace is kept from the start of each beat, not from the end of its send.
    this.schedule(this.nextDelay())
    void sending.then(() => {
      this.inFlight = undefined
      if (this.counters.consecutiveFailures > 0 && this.stopping === undefined) {
        // Failed: wait the backoff (counted from this beat's start) instead of the interval.
        this.cancelNext?.()
        this.schedule(Math.max(0, this.nextDelay() - (this.clock.now() - startedAt)))
      }
    })
  }

  private async buildAndSend(): Promise<void> {
    const status = await this.withTimeout(this.status(), 'fail' as const)
    if (this.stopping !== undefined) return
    this.seq += 1
    await this.send({ nodeId: this.nodeId, incarnation: this.incarnation, seq: this.seq, sentAt: this.clock.now(), status, metadata: this.safeMetadata() })
  }

  private async send(beat: Heartbeat): Promise<void> {
    const controller = new AbortController()
    let cancel: (() => void) | undefined
    const timedOut = new Promise<never>((_, reject) => {
      cancel = this.clock.schedule(() => {
        const error = new HealthzError(`heartbeat send over ${this.transport.name} timed out after ${this.sendTimeout} ms`, { code: 'CHECK_TIMEOUT' })
        controller.abort(error)
        reject(error)
      }, this.sendTimeout)
    })
    const message = encodeHeartbeat(beat, this.key)
    const attempt = Promise.resolve().then(() => this.transport.send(beat, { signal: controller.signal, message }))
    this.unsettled = attempt
    const settled = (): void => {
      if (this.unsettled === attempt) this.unsettled = undefined
    }
    attempt.then(settled, settled)
    try {
      await Promise.race([attempt, timedOut])
      this.counters.sent += 1
      this.counters.consecutiveFailures = 0
    } catch (error) {
      this.counters.failed += 1
      this.counters.consecutiveFailures += 1
      try {
        this.onError(error instanceof Error ? error : new HealthzError(`heartbeat send failed: ${String(error)}`, { code: 'CHECK_FAILED', cause: error }))
      } catch {
        // an onError that throws must not stop the heartbeat
      }
    } finally {
      cancel?.()
    }
  }

  private nextDelay(): number {
    const failures = this.counters.consecutiveFailures
    const base = failures === 0 ? this.interval : Math.min(this.maxBackoff, this.interval * 2 ** Math.min(failures, 20))
    return base * (1 + this.jitter * (2 * Math.random() - 1))
  }

  private statusReader(status: StatusSource | undefined, health: Health | undefined): () => Promise<Exclude<HeartbeatStatus, 'leaving'>> {
    if (status === undefined && health !== undefined) {
      if (typeof health !== 'object' || health === null || typeof health.probe !== 'function') invalid('health must be the object createHealth() returns.')
      return async () => (await health.probe('readiness')).status
    }
    if (status === undefined) return () => Promise.resolve('pass')
    if (typeof status === 'function') {
      return async () => {
        const value = await status()
        return value === 'pass' || value === 'warn' || value === 'fail' ? value : 'fail'
      }
    }
    if (status !== 'pass' && status !== 'warn' && status !== 'fail') invalid(`status must be 'pass', 'warn', 'fail' or a function, got ${describeValue(status)}.`)
    return () => Promise.resolve(status)
  }

  /** Resolves with the value, or `fallback` when it rejects or takes longer than `sendTimeout`. */
  private withTimeout<T>(promise: Promise<T>, fallback: T): Promise<T> {
    return new Promise<T>((resolve) => {
      const cancel = this.clock.schedule(() => resolve(fallback), this.sendTimeout)
      promise.then(
        (value) => {
          cancel()
          resolve(value)
        },
        () => {
          cancel()
          resolve(fallback)
        },
      )
    })
  }

  private safeMetadata(): HeartbeatMetadata {
    let metadata: HeartbeatMetadata
    let bytes: number
    try {
      metadata = this.metadata()
      bytes = Buffer.byteLength(JSON.stringify(metadata) ?? '', 'utf8')
    } catch {
      return {}
    }
    if (bytes <= MAX_METADATA_BYTES) return metadata
    // Monitors would drop the whole beat: better a beat without metadata than a silent node.
    if (!this.warnedMetadata) {
      this.warnedMetadata = true
      process.emitWarning(`heartbeat metadata of ${this.nodeId} is ${bytes} bytes of JSON, more than the ${MAX_METADATA_BYTES} monitors accept: beats are sent without it.`, {
        code: 'HEALTHZ_HEARTBEAT_METADATA',
      })
    }
    return {}
  }
}

function invalid(message: string): never {
  throw new HealthzError(message, { code: 'INVALID_OPTION' })
}

function noop(): void {}
