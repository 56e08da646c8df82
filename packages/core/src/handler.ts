// The framework-neutral request handler: a request to a probe path becomes a response (the
// 405 rule, per-check paths, `?exclude=`/`?verbose`, disclosure, rendering in the probe's
// response format), and the memo of rendered answers behind the synchronous fast path. It
// publishes every answer on `healthz:probe:response` (events.ts).
import { HealthzError, toError } from './errors.js'
import { channels } from './events.js'
import type { ProbeEvaluator } from './evaluate.js'
import { quote } from './evaluate.js'
import type { Rendered, ResolvedFormats } from './format.js'
import { disclosedReport, render } from './format.js'
import { describeValue } from './options.js'
import type { Health } from './health.js'
import type { ProbeRegistry } from './registry.js'
import type { ProbeKind, ServiceInfo } from './report.js'
import type { CheckResult } from './run.js'
import type { CheckRunner } from './runner.js'
import { hasQuery, queryValues, route } from './routes.js'
import type { ShutdownPhase } from './shutdown.js'

/** A request as adapters hand it to {@link Health.handle}; only what the probes need. */
export interface HealthRequest {
  /** @default 'GET' */
  method?: string | undefined
  /** The request target: a path, optionally with a query string (`/readyz?exclude=redis`). */
  path: string
  /** The query, when the adapter has already split it from the path. */
  query?: string | URLSearchParams | Readonly<Record<string, string | readonly string[] | undefined>> | undefined
  /** Request headers with lower-case names, for a `details` function that checks a token. */
  headers?: Readonly<Record<string, string | readonly string[] | undefined>> | undefined
}

/** A framework-neutral response: what an adapter writes back. */
export interface HealthResponse {
  status: number
  headers: Record<string, string>
  /** The body; empty for `HEAD`. */
  body: string
  /**
   * Set only on the answer to the status page's event stream (`GET <statusPage>/events`): the
   * body is an open-ended `text/event-stream`. Write `status` and `headers`, then call
   * `stream(sink)`: it writes the first event at once and the rest as results change, and calls
   * `sink.end()` when the stream is over (the shutdown reached `closing`). Call the function it
   * returns when the client goes away, so the subscription is dropped. `@healthz/http` and
   * `@healthz/fetch` do all of this.
   * @example
   * ```ts
   * const response = await health.handle({ method: req.method, path: req.url ?? '/' })
   * if (response?.stream) {
   *   res.writeHead(response.status, response.headers)
   *   const stop = response.stream({ write: (chunk) => res.write(chunk), end: () => res.end() })
   *   res.on('close', stop)
   * }
   * ```
   */
  readonly stream?: (sink: StatusSink) => () => void
}

/** Where a status stream's text goes: what a transport hands {@link HealthResponse.stream}. */
export interface StatusSink {
  /** Sends a chunk of the event stream (UTF-8 text, whole events). */
  write(chunk: string): void
  /** The stream is over: end the response. */
  end(): void
}

/**
 * Who may see check error text in probe responses.
 * - `'never'`: names and statuses only; error text reads `reason withheld`.
 * - `'always'`: error text shown (redacted of credentials).
 * - a function of the request: e.g. compare a header against a token.
 */
export type DetailsPolicy = 'never' | 'always' | ((request: HealthRequest) => boolean | Promise<boolean>)

/** @internal What the handler reads besides the registry and the evaluator. */
export interface HandlerContext {
  /** The health object, named in diagnostics-channel messages. */
  readonly health: Health
  readonly routes: ReadonlyMap<string, ProbeKind>
  readonly details: DetailsPolicy
  readonly service: ServiceInfo
  /** The response format of each probe. */
  readonly formats: ResolvedFormats
  /** The shutdown sequence; only its phase is read. */
  readonly lifecycle: { readonly phase: ShutdownPhase }
  readonly onError: (error: Error) => void
}

/** A rendered response, valid while its inputs are what they were when it was rendered. */
interface RenderedResponse {
  readonly probe: ProbeKind
  readonly check: string | undefined
  readonly phase: ShutdownPhase
  readonly started: boolean
  readonly basis: readonly CheckRunner[]
  readonly results: readonly CheckResult[]
  readonly get: HealthResponse
  readonly head: HealthResponse
}

const METHODS = 'GET, HEAD'
const NO_STORE = { 'cache-control': 'no-store' } as const
const { probeResponse, cacheHit } = channels

/** @internal Answers probe requests for one health object. */
export class RequestHandler {
  /** Rendered responses by request path, for {@link RequestHandler.handleCached}. */
  private readonly rendered = new Map<string, RenderedResponse>()
  /** Held directly (not through `context`): the fast path reads its phase on every call. */
  private readonly lifecycle: { readonly phase: ShutdownPhase }

  constructor(
    private readonly registry: ProbeRegistry,
    private readonly evaluator: ProbeEvaluator,
    private readonly context: HandlerContext,
  ) {
    this.lifecycle = context.lifecycle
  }

  /**
   * The fast path: the response rendered for this path the last time, when its phase, the
   * startup gate and every result it was made from are unchanged. An arrow function, so the
   * facade hands it out as its own method with no extra call in between.
   */
  readonly handleCached = (request: HealthRequest): HealthResponse | undefined => {
    const entry = this.rendered.get(request.path)
    if (entry === undefined || (request.query !== undefined && request.query !== '')) return undefined
    if (entry.phase !== this.lifecycle.phase || entry.started !== this.registry.started) return undefined
    const { basis, results } = entry
    for (let index = 0; index < basis.length; index += 1) {
      if ((basis[index] as CheckRunner).peek() !== results[index]) return undefined
    }
    const method = request.method ?? 'GET'
    const response = method === 'GET' ? entry.get : method === 'HEAD' ? entry.head : undefined
    if (response !== undefined && (probeResponse.hasSubscribers || cacheHit.hasSubscribers)) this.publishCached(entry, method, response)
    return response
  }

  /** Forgets every rendered response (a probe's runners changed). */
  forget(): void {
    this.rendered.clear()
  }

  matches(path: string): boolean {
    return route(this.context.routes, path) !== undefined
  }

  async handle(request: HealthRequest): Promise<HealthResponse | undefined> {
    const cached = this.handleCached(request)
    if (cached !== undefined) return cached
    const target = route(this.context.routes, request.path)
    if (target === undefined) return undefined
    const method = request.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD') {
      const body = `method ${method} not allowed; probes answer GET and HEAD\n`
      return this.published(target.probe, target.check, method, {
        status: 405,
        headers: { allow: METHODS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)) },
        body,
      })
    }
    if (target.check !== undefined && !this.registry.probes[target.probe].byName.has(target.check)) {
      const body = JSON.stringify({ status: 'fail', output: `no ${target.probe} check named ${quote(target.check)}` })
      return this.published(target.probe, target.check, method, respond(method, { status: 404, headers: { 'content-type': 'application/health+json' }, body }))
    }
    const exclude = queryValues(request, 'exclude')
    const verbose = queryValues(request, 'verbose').some((value) => value !== 'false' && value !== '0')
    const { report, basis, phase } = await this.evaluator.evaluate(target.probe, { exclude, check: target.check, verbose })
    const { details, service } = this.context
    // Awaited only for a policy function: 'never' and 'always' add no microtask to the answer.
    const disclose = typeof details === 'function' ? await disclosure(details, request, this.context.onError) : details === 'always'
    // The phase or the gate moved after the evaluation settled: answer for the state of now
    // (issue 13: readiness answers 503 from the first moment of draining).
    if (phase !== this.lifecycle.phase || report.started !== this.registry.started) return this.handle(request)
    // Every format renders the disclosed report, so none shows more than health+json would.
    const rendered = render(this.context.formats[target.probe], disclosedReport(report, disclose), { service, phase, disclosed: disclose, check: target.check })
    const { probe, check } = target
    if (basis === undefined || hasQuery(request) || typeof details === 'function') return this.published(probe, check, method, respond(method, rendered))
    // Remember the rendered answer for as long as the results it was made from stay in memory
    // (a format function is called again only when they change).
    const results = basis.map((runner) => runner.peek())
    const get = respond('GET', rendered)
    if (results.every((result) => result !== undefined)) {
      const head = Object.freeze({ ...get, body: '' })
      this.rendered.set(request.path, { probe, check, phase, started: report.started, basis, results, get, head })
      return this.published(probe, check, method, method === 'HEAD' ? head : get)
    }
    return this.published(probe, check, method, method === 'HEAD' ? { ...get, body: '' } : get)
  }

  /** Publishes an evaluated answer (when someone listens) and passes it through. */
  private published(probe: ProbeKind, check: string | undefined, method: string, response: HealthResponse): HealthResponse {
    if (probeResponse.hasSubscribers) probeResponse.publish({ health: this.context.health, probe, check, method, statusCode: response.status, fastPath: false })
    return response
  }

  /** Publishes a fast-path answer and the cache hit of every result it was made from. */
  private publishCached(entry: RenderedResponse, method: string, response: HealthResponse): void {
    const { probe, check, basis, results } = entry
    if (cacheHit.hasSubscribers) basis.forEach((runner, index) => runner.hit(probe, results[index] as CheckResult, true))
    if (probeResponse.hasSubscribers) probeResponse.publish({ health: this.context.health, probe, check, method, statusCode: response.status, fastPath: true })
  }

}

/**
 * @internal Whether the `details` policy shows error text to this request: a function that
 * throws or rejects says no (and its error goes to `onError`). The probes and the status page
 * both decide through it.
 */
export async function disclosure(policy: DetailsPolicy, request: HealthRequest, onError: (error: Error) => void): Promise<boolean> {
  if (typeof policy !== 'function') return policy === 'always'
  try {
    return (await policy(request)) === true
  } catch (error) {
    onError(toError(error))
    return false
  }
}

/** @internal The `details` option, checked. */
export function detailsOption(details: unknown): DetailsPolicy {
  if (details === undefined) return 'never'
  if (details === 'never' || details === 'always' || typeof details === 'function') return details as DetailsPolicy
  throw new HealthzError(
    `details must be 'never', 'always' or a function (request) => boolean; got ${describeValue(details)}.`,
    { code: 'INVALID_OPTION' },
  )
}

function respond(method: string, rendered: Rendered): HealthResponse {
  const { status, body } = rendered
  return Object.freeze({
    status,
    headers: Object.freeze({ ...rendered.headers, ...NO_STORE, 'content-length': String(Buffer.byteLength(body)) }) as Record<string, string>,
    body: method === 'HEAD' ? '' : body,
  })
}
