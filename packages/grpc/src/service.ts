// The grpc.health.v1 Health service over a health object: Check and List answer what the HTTP
// probes answer (through `health.handleCached`/`handle`, so the same cache, single flight and
// deadlines), and Watch follows `health.on('change')` with one evaluation per watched name.
import type { Health, HealthRequest } from '@healthz/core'
import { assertKnownOptions, describeValue, durationOption, functionOption, HealthzError, optionKeys } from '@healthz/core'
import { drainOnShutdown } from './drain.js'
import type { GrpcServer } from './drain.js'
import type { ServiceTarget, Target } from './names.js'
import { ServiceNames, servicesOption } from './names.js'
import type { HealthCheckRequest, HealthCheckResponse, HealthListResponse, ServingStatus } from './proto.js'
import { HEALTH_SERVICE } from './proto.js'

/** Options of {@link addHealthService}. */
export interface HealthServiceOptions {
  /**
   * Your own service names, each mapped to a probe or one check, for clients that ask by the
   * fully qualified name of your gRPC service (grpc-go's client-side health checking, Envoy's
   * `service_name`). The names `''` (readiness), `'liveness'`, `'readiness'`, `'startup'` and
   * `'<probe>/<check>'` are always served.
   * @default {}
   * @example
   * ```ts
   * addHealthService(server, health, { services: { 'orders.v1.Orders': 'readiness' } })
   * ```
   */
  services?: Readonly<Record<string, ServiceTarget>>
  /**
   * While a Watch stream is open, how often its service is evaluated again besides on every
   * health transition, in ms: a dependency that fails while nothing probes shows up within this
   * time (plus the check's cache). One evaluation per watched name, whatever the number of
   * streams, through the checks' cache.
   * @default 1000
   */
  watchInterval?: number
  /**
   * Drain the server on shutdown: when the health object reaches `closing` (after
   * `drainDelay`), `server.tryShutdown()` lets in-flight calls finish, and `forceShutdown()`
   * cuts what is left at `shutdown.gracePeriod`. `false` when something else shuts the server down.
   * @default true
   */
  drain?: boolean
  /** Called with errors that have nowhere else to go (an evaluation that threw). @default console.error */
  onError?: (error: Error) => void
}

const SERVICE_KEYS = optionKeys<HealthServiceOptions>({ services: true, watchInterval: true, drain: true, onError: true })

/** What {@link addHealthService} returns. */
export interface GrpcHealthService {
  /** Every service name the server answers, in order: `''`, the probes, `'<probe>/<check>'`, your own names. */
  readonly names: readonly string[]
  /** Watch streams open right now. */
  readonly watchers: number
  /**
   * The status a Check of `service` answers now; `SERVICE_UNKNOWN` for a name the server does
   * not know. Goes through the same cache as every probe.
   */
  status(service: string): Promise<ServingStatus>
  /** Ends every Watch stream and stops following the health object (and the drain). Idempotent. */
  close(): void
}

/** The smallest part of a grpc-js call this service uses. */
interface UnaryCall<TRequest> {
  readonly request: TRequest
}
type UnaryCallback<TResponse> = (error: { code: number; details: string } | null, value?: TResponse) => void
interface StreamCall extends UnaryCall<HealthCheckRequest> {
  readonly cancelled: boolean
  write(value: HealthCheckResponse): boolean
  end(): void
  on(event: 'cancelled' | 'close' | 'error', listener: () => void): unknown
}

/** gRPC status codes (fixed by the gRPC spec; grpc-js's `status` enum has the same numbers). */
const NOT_FOUND = 5
const RESOURCE_EXHAUSTED = 8
/** At most this many names in a List answer, as grpc-go's and grpc-health-check's List. */
const MAX_LIST = 100

/** One watched name: its streams, and the evaluation rounds that feed them. */
interface Watched {
  readonly streams: Map<StreamCall, ServingStatus | undefined>
  running: boolean
  again: boolean
}

/**
 * Adds the standard `grpc.health.v1.Health` service (Check, Watch, List) to a grpc-js server,
 * answered by the health object's probes, and drains the server on shutdown.
 *
 * Service names: `''` is readiness (what the kubelet, grpc_health_probe and load balancers ask
 * by default), `'liveness'`, `'readiness'` and `'startup'` are the probes (what `healthz
 * manifest --grpc` prints), and `'<probe>/<check>'` one check (`'readiness/postgres'`).
 * SERVING is what HTTP answers with 200 (pass or warn), NOT_SERVING what it answers with 503.
 * At drain start readiness (and `''`) turns NOT_SERVING on every open Watch; liveness keeps
 * SERVING, as `/livez` does, so the kubelet does not restart the container mid-drain.
 *
 * @throws {HealthzError} `INVALID_OPTION` for an unknown option, a service name mapped to no
 * probe or check, or a server without `addService`.
 * @example
 * ```ts
 * const server = new Server()
 * server.addService(OrdersService, orders)
 * addHealthService(server, health) // and drains `server` on SIGTERM
 * server.bindAsync('0.0.0.0:50051', ServerCredentials.createInsecure(), () => health.markStarted())
 * ```
 */
export function addHealthService(server: GrpcServer, health: Health, options: HealthServiceOptions = {}): GrpcHealthService {
  if (typeof health?.handleCached !== 'function' || typeof health.on !== 'function') {
    throw new HealthzError('addHealthService expects the object createHealth() returns as its second argument: addHealthService(server, health).', { code: 'INVALID_OPTION' })
  }
  if (typeof server?.addService !== 'function') {
    throw new HealthzError('addHealthService expects a grpc-js Server as its first argument: addHealthService(server, health).', { code: 'INVALID_OPTION' })
  }
  assertKnownOptions(options, SERVICE_KEYS, 'addHealthService')
  const services = servicesOption(options.services)
  const watchInterval = durationOption(options.watchInterval, 1000, 'watchInterval')
  const drain = options.drain ?? true
  if (typeof drain !== 'boolean') throw new HealthzError(`drain must be true or false, got ${describeValue(drain)}.`, { code: 'INVALID_OPTION' })
  const onError = functionOption(options.onError, 'onError', '(error) => void') ?? ((error: Error) => console.error('[healthz]', error))
  const service = new HealthService(health, new ServiceNames(health, services), watchInterval, onError)
  server.addService(HEALTH_SERVICE, service.implementation)
  if (drain) service.stopDrain = drainOnShutdown(health, server)
  return service
}

class HealthService implements GrpcHealthService {
  stopDrain: (() => void) | undefined
  private readonly watched = new Map<string, Watched>()
  private timer: NodeJS.Timeout | undefined
  private unsubscribe: (() => void) | undefined
  private readonly stopClosing: () => void
  private closed = false

  readonly implementation = {
    Check: (call: UnaryCall<HealthCheckRequest>, callback: UnaryCallback<HealthCheckResponse>): void => {
      const name = call.request.service
      const target = this.resolver.resolve(name)
      if (target === undefined) {
        callback({ code: NOT_FOUND, details: this.unknown(name) })
        return
      }
      // The fast path: the answer rendered last time, when nothing it depends on has changed.
      const cached = this.health.handleCached(target.request)
      if (cached !== undefined) {
        callback(null, { status: cached.status < 400 ? 'SERVING' : 'NOT_SERVING' })
        return
      }
      void this.evaluate(target).then((status) => callback(null, { status }))
    },
    Watch: (call: StreamCall): void => this.watch(call),
    List: (_call: UnaryCall<unknown>, callback: UnaryCallback<HealthListResponse>): void => {
      const names = this.resolver.all()
      if (names.length > MAX_LIST) {
        callback({ code: RESOURCE_EXHAUSTED, details: `${names.length} services, more than the ${MAX_LIST} a List answers: ask for them one by one with Check.` })
        return
      }
      void Promise.all(names.map((name) => this.status(name))).then((statuses) => {
        // No prototype: a service name such as '__proto__' stays a key.
        const out: Record<string, HealthCheckResponse> = Object.create(null) as Record<string, HealthCheckResponse>
        names.forEach((name, index) => (out[name] = { status: statuses[index] as ServingStatus }))
        callback(null, { statuses: out })
      })
    },
  }

  constructor(
    private readonly health: Health,
    private readonly resolver: ServiceNames,
    private readonly watchInterval: number,
    private readonly onError: (error: Error) => void,
  ) {
    // Streams end when the servers close (after drainDelay), so tryShutdown() can finish: an open
    // Watch is an in-flight call. Their last message was NOT_SERVING, sent at drain start.
    this.stopClosing = health.onClosing(() => this.endStreams())
  }

  get watchers(): number {
    let count = 0
    for (const entry of this.watched.values()) count += entry.streams.size
    return count
  }

  get names(): readonly string[] {
    return this.resolver.all()
  }

  async status(service: string): Promise<ServingStatus> {
    const target = this.resolver.resolve(service)
    return target === undefined ? 'SERVICE_UNKNOWN' : this.evaluate(target)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.endStreams()
    this.stopClosing()
    this.stopDrain?.()
  }

  private unknown(name: string): string {
    const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name
    return `unknown service ${JSON.stringify(shown)}: this server answers ${this.resolver.describe()}`
  }

  private async evaluate(target: Target): Promise<ServingStatus> {
    const request: HealthRequest = target.request
    try {
      const response = this.health.handleCached(request) ?? (await this.health.handle(request))
      return response !== undefined && response.status < 400 ? 'SERVING' : 'NOT_SERVING'
    } catch (error) {
      this.onError(error instanceof Error ? error : new Error(String(error)))
      return 'NOT_SERVING'
    }
  }

  private watch(call: StreamCall): void {
    if (this.closed || this.health.phase === 'closing' || this.health.phase === 'stopped') {
      // The server is going away: say so, and end the call so the client retries elsewhere.
      call.write({ status: this.resolver.resolve(call.request.service) === undefined ? 'SERVICE_UNKNOWN' : 'NOT_SERVING' })
      call.end()
      return
    }
    const name = call.request.service
    let entry = this.watched.get(name)
    if (entry === undefined) {
      entry = { streams: new Map(), running: false, again: false }
      this.watched.set(name, entry)
    }
    entry.streams.set(call, undefined)
    const forget = (): void => {
      const current = this.watched.get(name)
      if (current === undefined || !current.streams.delete(call)) return
      if (current.streams.size === 0) this.watched.delete(name)
      if (this.watched.size === 0) this.idle()
    }
    call.on('cancelled', forget)
    call.on('close', forget)
    call.on('error', forget)
    this.follow()
    this.round(name)
  }

  /** Subscribes to transitions and starts the timer when the first stream opens. */
  private follow(): void {
    if (this.unsubscribe !== undefined) return
    this.unsubscribe = this.health.on('change', () => {
      for (const name of this.watched.keys()) this.round(name)
    })
    this.timer = setInterval(() => {
      for (const name of this.watched.keys()) this.round(name)
    }, this.watchInterval)
    this.timer.unref()
  }

  private idle(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** Evaluates a watched name once for all its streams; a round asked for meanwhile runs after. */
  private round(name: string): void {
    const entry = this.watched.get(name)
    if (entry === undefined) return
    if (entry.running) {
      entry.again = true
      return
    }
    entry.running = true
    void this.status(name).then((status) => {
      entry.running = false
      for (const [stream, last] of entry.streams) {
        if (last === status || stream.cancelled) continue
        entry.streams.set(stream, status)
        stream.write({ status })
      }
      if (entry.again) {
        entry.again = false
        this.round(name)
      }
    })
  }

  private endStreams(): void {
    const streams = [...this.watched.values()].flatMap((entry) => {
      const list = [...entry.streams.keys()]
      entry.streams.clear()
      return list
    })
    this.watched.clear()
    this.idle()
    for (const stream of streams) if (!stream.cancelled) stream.end()
  }
}
