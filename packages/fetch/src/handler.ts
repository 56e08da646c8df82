// The probes over the Fetch API: a `Request` in, a `Response` (or undefined: not a probe) out.
// Everything a probe means (HEAD, 405, per-check paths, `?exclude`, the details policy, the
// response formats, readiness 503 while draining) is the health object's `handle()`; this file
// only translates, as @healthz/http does for node:http.
import type { Health, HealthResponse } from '@healthz/core'
import { assertHealth, assertKnownOptions, functionOption, guardOnError, optionKeys, reportToConsole } from '@healthz/core'
import { closeConnectionIfClosing } from './closing.js'

/** Options of {@link createFetchHandler}. */
export interface FetchHandlerOptions {
  /** Called when answering a probe failed unexpectedly (the request gets a 500). @default console.error */
  onError?: (error: Error) => void
}

/**
 * Answers a probe request with a `Response`, or resolves `undefined` for a request that is not
 * a probe: pass it on to the application.
 */
export type FetchHealthHandler = (request: Request) => Promise<Response | undefined>

const HANDLER_KEYS = optionKeys<FetchHandlerOptions>({ onError: true })
const FAILED_BODY = 'internal error while probing\n'

/**
 * Creates the Fetch-API probe handler: `(request: Request) => Promise<Response | undefined>`.
 * It answers the probe paths of `health` (liveness, readiness, startup, per-check paths, HEAD,
 * 405 with `Allow` for other methods) and resolves `undefined` for every other request, so it
 * runs first in any runtime or framework that speaks `Request`/`Response`: Bun, Deno, Hono,
 * Next.js route handlers, h3, srvx, Cloudflare-style `fetch` exports. Once the shutdown has
 * reached `closing`, its answers say `Connection: close`.
 *
 * @example
 * ```ts
 * const probes = createFetchHandler(health)
 * Bun.serve({
 *   async fetch(request) {
 *     return (await probes(request)) ?? app.fetch(request)
 *   },
 * })
 * ```
 */
export function createFetchHandler(health: Health, options: FetchHandlerOptions = {}): FetchHealthHandler {
  assertHealth(health, 'createFetchHandler')
  assertKnownOptions(options, HANDLER_KEYS, 'createFetchHandler')
  const onError = guardOnError(functionOption(options.onError, 'onError', '(error) => void') ?? reportToConsole)
  return async function healthzFetch(request) {
    try {
      const method = request.method
      const path = pathOf(request.url)
      // The fast path: an unchanged answer straight from memory, no evaluation, no rendering.
      const cached = health.handleCached({ method, path })
      if (cached !== undefined) return answer(health, cached)
      if (!health.matches(path)) return undefined
      const response = await health.handle({ method, path, headers: headersOf(request.headers) })
      if (response === undefined) throw new Error(`no probe answers ${path}`)
      return answer(health, response)
    } catch (error) {
      onError(error instanceof Error ? error : new Error(String(error)))
      return new Response(FAILED_BODY, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } })
    }
  }
}

/**
 * Translates a framework-neutral {@link HealthResponse} to a Fetch-API `Response` (no body for
 * HEAD and for an empty body).
 *
 * @example
 * ```ts
 * const answer = await health.handle({ method: request.method, path: new URL(request.url).pathname })
 * if (answer) return toResponse(answer)
 * ```
 */
export function toResponse(response: HealthResponse): Response {
  if (response.stream !== undefined) return new Response(eventStream(response.stream), { status: response.status, headers: response.headers })
  return new Response(response.body === '' ? null : response.body, { status: response.status, headers: response.headers })
}

/**
 * The status page's event stream as a `ReadableStream` body: each event enqueued as it comes,
 * the stream closed when the health object ends it (shutdown reached `closing`), and the
 * subscription dropped when the runtime cancels the body (the client went away).
 */
function eventStream(stream: NonNullable<HealthResponse['stream']>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let stop: (() => void) | undefined
  let ended = false
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stop = stream({
        write: (chunk) => {
          if (!ended) controller.enqueue(encoder.encode(chunk))
        },
        end: () => {
          if (ended) return
          ended = true
          controller.close()
        },
      })
      if (ended) stop()
    },
    cancel() {
      ended = true
      stop?.()
    },
  })
}

/** The probe's answer; once the shutdown reaches `closing`, with `Connection: close`, as @healthz/http answers while its server drains. */
function answer(health: Health, response: HealthResponse): Response {
  return closeConnectionIfClosing(health, toResponse(response))
}

/** The path and query of an absolute request URL (`http://host:1/readyz?x` → `/readyz?x`), without building a URL object. */
export function pathOf(url: string): string {
  const scheme = url.indexOf('://')
  if (scheme === -1) return url.startsWith('/') ? url : `/${url}`
  const slash = url.indexOf('/', scheme + 3)
  const query = url.indexOf('?', scheme + 3)
  if (slash === -1 || (query !== -1 && query < slash)) return query === -1 ? '/' : `/${url.slice(query)}`
  const hash = url.indexOf('#', slash)
  return hash === -1 ? url.slice(slash) : url.slice(slash, hash)
}

/** Request headers as the core reads them (names are lower-case in `Headers`). */
function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {}
  headers.forEach((value, name) => {
    out[name] = value
  })
  return out
}
