// Liveness answered off the main thread (DESIGN §11, "Busy is not stuck"): a worker thread
// serves the liveness path on a port of its own from shared memory, where the main thread
// writes a heartbeat from its event loop and mirrors the liveness probe's status. A main
// thread busy for a few seconds still answers 200; one that stopped making progress answers 503.
import { Worker } from 'node:worker_threads'
import type { CheckStatus, Health, HealthChangeEvent, HealthReport } from '@healthz/core'
import { assertHealth, assertKnownOptions, countOption, describeValue, durationOption, functionOption, HealthzError, optionKeys, reportToConsole } from '@healthz/core'
import type { FromWorker, LivenessWorkerData, ToWorker } from './liveness-worker.js'
import { LIVENESS_WORKER_SOURCE, MAX_MIRRORED_CHECKS, PHASE_CODES, STATE_SLOTS, STATUS_CODES } from './liveness-worker.js'
import { hostOption } from './listen.js'

/** Options of {@link startLivenessWorker}. */
export interface LivenessWorkerOptions {
  /**
   * The port the worker listens on; 0 picks a free one. Point the `livenessProbe` here, and
   * readiness and startup at the application's port.
   * @default 9001
   */
  port?: number
  /**
   * The address to listen on. The kubelet probes the pod IP, so the default listens on every
   * address, IPv6 and IPv4 alike (Node's own default).
   * @default undefined (all addresses)
   */
  host?: string
  /** The liveness path the worker answers. @default health.paths.liveness ('/livez') */
  path?: string
  /**
   * How long the main thread may go without a heartbeat before liveness fails, in ms. Sized
   * against the kubelet's defaults (periodSeconds 10 × failureThreshold 3 = 30 s of failures
   * before a restart): 15 s rides out every busy spell that ends by itself (a large
   * `JSON.parse`, a sync crypto call, a GC storm, a CPU-bound burst of several seconds), and a
   * main thread that is really stuck is restarted within 15 s + 30 s.
   * @default 15000
   */
  stallTolerance?: number
  /**
   * How often the main thread writes its heartbeat and re-evaluates liveness (its checks and
   * watchdogs) for the worker to report, in ms. At most half of `stallTolerance`.
   * @default 1000
   */
  heartbeatInterval?: number
  /** Called when the worker fails after it started. @default console.error */
  onError?: (error: Error) => void
}

const WORKER_KEYS = optionKeys<LivenessWorkerOptions>({ port: true, host: true, path: true, stallTolerance: true, heartbeatInterval: true, onError: true })

/** A running liveness worker, as returned by {@link startLivenessWorker}. */
export interface LivenessWorker {
  /** The port it listens on (the one picked, with `port: 0`). */
  readonly port: number
  /** The worker thread's id. */
  readonly threadId: number
  /**
   * Stops the heartbeat and the worker. Called by the health object's shutdown once it has
   * stopped; liveness answers 200 through the whole drain until then. Idempotent.
   */
  close(): Promise<void>
}

/**
 * Starts a worker thread that answers the liveness probe on a port of its own, so that a main
 * thread busy for a few seconds (a large `JSON.parse`, a sync crypto call, a burst of CPU-bound
 * requests) is not restarted by the kubelet, while one that is stuck (`while (true) {}`, a
 * deadlock) still is, once it has made no progress for `stallTolerance`. Liveness checks and
 * watchdogs still count: their status is mirrored to the worker. Works whatever serves the
 * application (Express, Koa, Nest, node:http): the worker depends on the health object only.
 * Never keeps the process alive; closes when the health object's shutdown stops. The options
 * are checked at once; resolves once the worker listens, rejects if it cannot (a port in use).
 *
 * @example
 * ```ts
 * const liveness = await startLivenessWorker(health, { port: 9001 })
 * // livenessProbe: { httpGet: { path: /livez, port: 9001 } }
 * ```
 */
export function startLivenessWorker(health: Health, options: LivenessWorkerOptions = {}): Promise<LivenessWorker> {
  assertHealth(health, 'startLivenessWorker')
  assertKnownOptions(options, WORKER_KEYS, 'startLivenessWorker')
  const port = countOption(options.port, 9001, 'startLivenessWorker port', { min: 0, max: 65_535 })
  const host = hostOption(options.host, 'startLivenessWorker host')
  const path = options.path ?? health.paths.liveness
  if (typeof path !== 'string' || !path.startsWith('/') || /[?#\s]/.test(path)) {
    throw new HealthzError(`startLivenessWorker path must be a path starting with '/', like '/livez', got ${describeValue(path)}.`, { code: 'INVALID_OPTION' })
  }
  const stallTolerance = durationOption(options.stallTolerance, 15_000, 'startLivenessWorker stallTolerance')
  const heartbeatInterval = durationOption(options.heartbeatInterval, Math.min(1000, stallTolerance / 2), 'startLivenessWorker heartbeatInterval')
  if (heartbeatInterval * 2 > stallTolerance) {
    throw new HealthzError(
      `startLivenessWorker heartbeatInterval (${heartbeatInterval} ms) must be at most half of stallTolerance (${stallTolerance} ms), or a healthy main thread would look stalled between two beats; lower heartbeatInterval or raise stallTolerance.`,
      { code: 'INVALID_OPTION' },
    )
  }
  const onError = functionOption(options.onError, 'startLivenessWorker onError', '(error) => void') ?? reportToConsole
  const normalizedPath = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
  return new LivenessMirror(health, { port, host, path: normalizedPath, stallTolerance, heartbeatInterval, onError }).start()
}

interface Resolved {
  readonly port: number
  readonly host: string | undefined
  readonly path: string
  readonly stallTolerance: number
  readonly heartbeatInterval: number
  readonly onError: (error: Error) => void
}

/** The main thread's side: the heartbeat, the mirror of liveness into shared memory, and the worker's lifetime. */
class LivenessMirror {
  private readonly beat = new BigInt64Array(new SharedArrayBuffer(8))
  private readonly state = new Int32Array(new SharedArrayBuffer(4 * (STATE_SLOTS.checks + MAX_MIRRORED_CHECKS)))
  private worker: Worker | undefined
  private timer: NodeJS.Timeout | undefined
  private unsubscribe: (() => void) | undefined
  private evaluating = false
  private again = false
  private generation = 0
  private listed = ''
  private checkNames: string[] = []
  private closed: Promise<void> | undefined

  constructor(
    private readonly health: Health,
    private readonly options: Resolved,
  ) {}

  start(): Promise<LivenessWorker> {
    this.heartbeat()
    this.writePhase()
    Atomics.store(this.state, STATE_SLOTS.started, this.health.started ? 1 : 0)
    const snapshot = this.health.snapshot()
    const service = snapshot.service
    const data: LivenessWorkerData = {
      heartbeat: this.beat.buffer as SharedArrayBuffer,
      state: this.state.buffer as SharedArrayBuffer,
      port: this.options.port,
      host: this.options.host,
      path: this.options.path,
      stallTolerance: this.options.stallTolerance,
      service: withoutUndefined({ version: service.version, releaseId: service.releaseId, serviceId: service.id ?? service.name, description: service.description }),
    }
    const worker = new Worker(LIVENESS_WORKER_SOURCE, { eval: true, workerData: data, name: 'healthz-liveness' })
    this.worker = worker
    this.timer = setInterval(() => this.heartbeat(), this.options.heartbeatInterval)
    this.timer.unref()
    this.unsubscribe = this.health.on('change', (event) => this.onChange(event))
    this.evaluate()
    return new Promise<LivenessWorker>((resolve, reject) => {
      let listening = false
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'listening') {
          listening = true
          // From now on it never keeps the process alive: the application's own servers and
          // timers do that. (Unref'd after the listeners: adding a 'message' listener refs it again.)
          worker.unref()
          const port = message.port
          resolve({ port, threadId: worker.threadId, close: () => this.close() })
        } else if (message.type === 'listen-error') {
          const error = Object.assign(new Error(`liveness worker could not listen on port ${this.options.port}: ${message.message}`), { code: message.code })
          void this.close().finally(() => reject(error))
        }
      })
      worker.on('error', (error) => {
        if (!listening) void this.close().finally(() => reject(error))
        else this.options.onError(error)
      })
      worker.on('exit', (code) => {
        if (this.closed !== undefined) return
        const error = new Error(`the liveness worker exited unexpectedly (code ${code}); liveness on port ${this.options.port} no longer answers`)
        if (!listening) void this.close().finally(() => reject(error))
        else this.options.onError(error)
      })
    })
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      if (this.timer !== undefined) clearInterval(this.timer)
      this.unsubscribe?.()
      await this.worker?.terminate()
    })()
    return this.closed
  }

  /** Written on the main thread's event loop: it only moves on while that loop turns. */
  private heartbeat(): void {
    Atomics.store(this.beat, 0, process.hrtime.bigint())
    if (this.timer !== undefined) this.evaluate()
  }

  /**
   * Evaluates liveness (its checks and watchdogs run, or come from memory) so that they count
   * even when nobody probes the main port. One evaluation at a time; liveness checks are
   * process-only and answer in microseconds, so once a heartbeat costs next to nothing.
   */
  private evaluate(): void {
    if (this.evaluating) {
      this.again = true
      return
    }
    this.evaluating = true
    this.health
      .probe('liveness')
      .then(
        (report) => this.mirror(report),
        (error: unknown) => this.options.onError(error instanceof Error ? error : new Error(String(error))),
      )
      .finally(() => {
        this.evaluating = false
        if (this.again && this.closed === undefined) {
          this.again = false
          this.evaluate()
        }
      })
  }

  private mirror(report: HealthReport): void {
    const { state } = this
    const listed = report.checks.map((check) => `${check.name}:${check.measurement}:${check.componentType}`).join('\n')
    if (listed !== this.listed) {
      this.listed = listed
      this.generation += 1
      this.checkNames = report.checks.map((check) => check.name)
      const checks = report.checks.slice(0, MAX_MIRRORED_CHECKS).map(({ name, measurement, componentType }) => ({ name, measurement, componentType }))
      this.worker?.postMessage({ type: 'checks', generation: this.generation, checks } satisfies ToWorker)
    }
    report.checks.slice(0, MAX_MIRRORED_CHECKS).forEach((check, index) => Atomics.store(state, STATE_SLOTS.checks + index, STATUS_CODES[check.status]))
    Atomics.store(state, STATE_SLOTS.generation, this.generation)
    Atomics.store(state, STATE_SLOTS.started, report.started ? 1 : 0)
    this.writeStatus(report.status)
    this.writePhase()
  }

  private onChange(event: HealthChangeEvent): void {
    if (event.type === 'probe' && event.probe === 'liveness') this.writeStatus(event.current)
    else if (event.type === 'started') Atomics.store(this.state, STATE_SLOTS.started, 1)
    else if (event.type === 'phase') {
      this.writePhase()
      // Liveness answers through the whole drain, hooks included, and closes once the shutdown stopped.
      if (event.current === 'stopped') void this.close()
      else this.evaluate()
    } else if (event.type === 'check' && this.checkNames.includes(event.name)) this.evaluate()
  }

  private writeStatus(status: CheckStatus): void {
    Atomics.store(this.state, STATE_SLOTS.status, STATUS_CODES[status])
  }

  private writePhase(): void {
    Atomics.store(this.state, STATE_SLOTS.phase, PHASE_CODES[this.health.phase])
  }
}

function withoutUndefined<T extends Record<string, string | undefined>>(record: T): { [K in keyof T]?: string } {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value
  return out as { [K in keyof T]?: string }
}
