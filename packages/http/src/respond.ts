// The one function that answers a probe on a node:http request/response pair: the listener,
// attachHealth, and the Express, Koa and Nest adapters all answer through it, so HEAD, 405, errors and
// `Connection: close` while draining behave the same on every way in, and the drain sees
// every response it writes. It serves the status page and its event stream too, when the
// health object has one (`createHealth({ statusPage })`).
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { Health, HealthResponse } from '@healthz/core'
import { assertHealth, assertKnownOptions, functionOption, guardOnError, optionKeys, reportToConsole } from '@healthz/core'
import type { AnyServer } from './drain.js'
import { isDraining, seeResponse } from './drain.js'

/** What a {@link ProbeResponder} reads of a request: node's `IncomingMessage`, or a framework's request that carries the same fields. */
export interface ProbeRequest {
  readonly method?: string | undefined
  readonly url?: string | undefined
  readonly headers?: IncomingHttpHeaders | undefined
}

/**
 * Answers the request when `path` (default `req.url`) is a probe path, and returns true; the
 * response may be written later (a check is running). Returns false, having written nothing,
 * for any other path: pass the request on.
 */
export type ProbeResponder = (req: ProbeRequest, res: ServerResponse, path?: string) => boolean

/** Options of {@link createProbeResponder}. */
export interface ProbeResponderOptions {
  /** Called when answering a probe failed unexpectedly (the request gets a 500). @default console.error */
  onError?: (error: Error) => void
}

/**
 * Creates the function that answers a probe on a node:http request/response pair: an unchanged
 * answer straight from memory (`health.handleCached`), else `health.handle()`; HEAD and 405 as
 * the health object answers them; an unexpected error to `onError` and a 500. Framework
 * adapters build on it with the path the framework routed (a mount path or global prefix
 * taken off). Responses written inside the server's `request` event are seen by its drain
 * (`drainOnShutdown`, `trackConnections`) like any other.
 *
 * @example
 * ```ts
 * const respond = createProbeResponder(health)
 * const server = createServer((req, res) => {
 *   if (!respond(req, res)) app(req, res)
 * })
 * ```
 * @see createHealthListener, which is this plus passing other requests on.
 */
export function createProbeResponder(health: Health, options: ProbeResponderOptions = {}): ProbeResponder {
  assertHealth(health, 'createProbeResponder')
  assertKnownOptions(options, RESPONDER_KEYS, 'createProbeResponder')
  return probeResponder(health, functionOption(options.onError, 'onError', '(error) => void') ?? reportToConsole, undefined)
}

const RESPONDER_KEYS = optionKeys<ProbeResponderOptions>({ onError: true })

/**
 * {@link createProbeResponder}, and, given `server`, for answers written outside its `request`
 * event (`attachHealth` answers at `emit`): the server's drains see them there, because they
 * cannot see them at `request`.
 *
 * @internal
 */
export function probeResponder(health: Health, givenOnError: (error: Error) => void, server: AnyServer | undefined): ProbeResponder {
  const onError = guardOnError(givenOnError)
  // While the server drains, a response closes its connection after it (a keep-alive balancer
  // would otherwise hold an idle connection the drain waits for until its grace period ends).
  const closeWhileDraining = (res: ServerResponse): void => {
    if (server !== undefined && !res.headersSent && isDraining(server)) res.setHeader('connection', 'close')
  }
  const fail = (res: ServerResponse, error: unknown): void => {
    onError(error instanceof Error ? error : new Error(String(error)))
    if (!res.headersSent) {
      closeWhileDraining(res)
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
    }
    res.end('internal error while probing\n')
  }
  return function respondToProbe(req, res, path = req.url ?? '/') {
    let probe: Promise<HealthResponse | undefined>
    try {
      // The fast path: an unchanged probe answer straight from memory, no promise, no rendering.
      const cached = health.handleCached({ method: req.method, path })
      if (cached !== undefined) {
        closeWhileDraining(res)
        sendHealthResponse(res, cached)
        return true
      }
      if (!health.matches(path)) return false
      probe = health.handle({ method: req.method, path, headers: req.headers })
    } catch (error) {
      fail(res, error)
      return true
    }
    // In flight until the checks answer: a drain that begins meanwhile must know of it.
    if (server !== undefined) seeResponse(server, res)
    probe
      .then((response) => {
        if (response === undefined) throw new Error(`no probe answers ${path}`)
        closeWhileDraining(res)
        sendHealthResponse(res, response)
      })
      .catch((error: unknown) => fail(res, error))
    return true
  }
}

/**
 * Writes a framework-neutral {@link HealthResponse} to a node:http response.
 *
 * @example
 * ```ts
 * const response = await health.handle({ method: req.method, path: req.url ?? '/' })
 * if (response) sendHealthResponse(res, response)
 * ```
 */
export function sendHealthResponse(res: ServerResponse, response: HealthResponse): void {
  res.writeHead(response.status, rawHeaders(response))
  if (response.stream !== undefined) openStream(res, response.stream)
  else res.end(response.body)
}

/**
 * The status page's event stream on a node:http response: headers out at once, each event
 * written as it comes, the response ended when the health object ends the stream (shutdown
 * reached `closing`, so no drain waits on it), and the subscription dropped when the client goes.
 */
function openStream(res: ServerResponse, stream: NonNullable<HealthResponse['stream']>): void {
  res.flushHeaders()
  // Events are small and must not wait for Nagle's algorithm.
  res.socket?.setNoDelay(true)
  const stop = stream({
    write: (chunk) => {
      if (!res.writableEnded && !res.destroyed) res.write(chunk)
    },
    end: () => {
      if (!res.writableEnded) res.end()
    },
  })
  if (res.writableEnded || res.destroyed) stop()
  else res.once('close', stop)
}

/**
 * The headers as node:http's flat `[name, value, name, value, …]` list, which `writeHead` takes
 * without walking an object. Cached per response object: the core hands out the same object for
 * an unchanged probe answer, so the fast path flattens each answer once.
 */
const flattened = new WeakMap<HealthResponse, string[]>()
function rawHeaders(response: HealthResponse): string[] {
  let raw = flattened.get(response)
  if (raw === undefined) {
    raw = []
    for (const [name, value] of Object.entries(response.headers)) raw.push(name, value)
    flattened.set(response, raw)
  }
  return raw
}
