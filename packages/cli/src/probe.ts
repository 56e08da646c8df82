// `healthz probe`: one HTTP GET with a hard deadline and a one-line verdict, for Docker
// HEALTHCHECK and Kubernetes exec probes in images that ship no curl. Only node:http (and
// node:https when the URL asks for it) is loaded, so the command starts fast; a `grpc:` URL makes
// one grpc.health.v1 Check call instead (grpc-probe.ts, loaded only then).
import type { IncomingMessage } from 'node:http'
import { request as httpRequest } from 'node:http'
import { formatDuration } from './duration.js'
import { usage } from './errors.js'
import { echo, LONG_ECHO } from './escape.js'
import { connectionFailure } from './network-error.js'
import { assertKnownOptions, describeValue, durationOption } from './options.js'

/** An inclusive range of HTTP status codes. */
export interface StatusRange {
  readonly min: number
  readonly max: number
}

/** Options of {@link probe}. */
export interface ProbeOptions {
  /**
   * The URL to GET: `http:` or `https:`; or `grpc://host:port[/service]` for one
   * `grpc.health.v1.Health/Check` call (plaintext, as the kubelet's grpc probe), healthy when
   * the answer is `SERVING`. No service asks for the server as a whole (`''`).
   */
  url: string
  /**
   * The deadline for the whole exchange (connect, response head, body), in ms. Keep it below the
   * exec probe's `timeoutSeconds`, or Docker's `--timeout`, so the verdict is ours and readable.
   * @default 2000
   */
  timeout?: number
  /**
   * Status codes that count as healthy, as ranges and codes: `"200-399"`, `"200,204"`. Not for
   * `grpc:` URLs (only `SERVING` counts).
   * @default "200-399" (what the kubelet counts as success for an httpGet probe)
   */
  expect?: string | readonly StatusRange[]
  /** Extra request headers, e.g. `{ host: 'orders.internal' }`. @default {} */
  headers?: Readonly<Record<string, string>>
}

/** What {@link probe} resolves with. It never rejects for a network failure: that is `ok: false`. */
export interface ProbeResult {
  /** Whether the endpoint answered in time with an expected status. */
  ok: boolean
  /** The HTTP response status, when there was a response (undefined for `grpc:`). */
  status: number | undefined
  /** For `grpc:` URLs, the serving status the server answered (`SERVING`, `NOT_SERVING`, …). */
  servingStatus?: 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN' | undefined
  /** One line for a person: why it passed or failed. */
  reason: string
  /** How long the exchange took, in ms. */
  duration: number
}

/**
 * The default deadline of {@link probe}, in ms.
 * @default 2000
 * @example
 * ```ts
 * await probe({ url, timeout: DEFAULT_PROBE_TIMEOUT / 2 })
 * ```
 */
export const DEFAULT_PROBE_TIMEOUT = 2000
/**
 * The default expected statuses of {@link probe}: the kubelet's success range for `httpGet`.
 * @default '200-399'
 * @example
 * ```ts
 * parseExpect(DEFAULT_EXPECT) // [{ min: 200, max: 399 }]
 * ```
 */
export const DEFAULT_EXPECT = '200-399'
const MAX_BODY = 64 * 1024
/** How many failing checks a reason names before "and N more". */
const MAX_NAMES = 10
const PROBE_OPTIONS = ['url', 'timeout', 'expect', 'headers']

/**
 * Parses an expected-status list like `200-399` or `200,204,300-308`.
 *
 * @throws {CliError} `USAGE` when a part is not a status code or a range of them.
 * @example
 * ```ts
 * parseExpect('200-299,304') // [{ min: 200, max: 299 }, { min: 304, max: 304 }]
 * ```
 */
export function parseExpect(text: string): StatusRange[] {
  const ranges: StatusRange[] = []
  for (const part of text.split(',')) {
    const match = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(part)
    const min = Number(match?.[1])
    const max = match?.[2] === undefined ? min : Number(match[2])
    if (match === null || min < 100 || max > 599 || min > max) {
      throw usage(`--expect ${describeValue(text)} is not a list of status codes: use codes and ranges from 100 to 599, like 200-399 or 200,204.`)
    }
    ranges.push({ min, max })
  }
  return ranges
}

/**
 * Parses and checks a probe URL.
 *
 * @throws {CliError} `USAGE` when it is not an absolute `http:` or `https:` URL.
 */
function parseProbeUrl(text: string): URL {
  const bare = !text.includes('://') && /^[\w.-]+(:\d+)?(\/|$)/.test(text)
  if (bare) throw usage(`${describeValue(text)} has no scheme: use http://${echo(text)}.`)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw usage(`${describeValue(text)} is not a URL: give an absolute one, like http://127.0.0.1:8080/livez.`)
  }
  if (url.protocol === 'grpc:') {
    if (url.hostname === '' || url.port === '') throw usage(`${describeValue(text)} needs a host and a port, like grpc://127.0.0.1:50051 or grpc://127.0.0.1:50051/readiness.`)
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') throw usage(`${describeValue(text)}: a grpc: URL is grpc://host:port[/service], with no query, fragment or credentials.`)
    return url
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usage(`${describeValue(text)} uses ${echo(url.protocol)} — healthz probe speaks http:, https: and grpc: only, like http://127.0.0.1:8080/livez or grpc://127.0.0.1:50051.`)
  }
  return url
}

/**
 * GETs `url` once and says whether it is healthy: an expected status within the deadline.
 * Network failures (refused, reset, unknown host, TLS, deadline) resolve with `ok: false` and a
 * one-line reason; only bad options throw.
 *
 * @throws {CliError} `USAGE` for a bad URL, timeout or expect list.
 * @example
 * ```ts
 * const result = await probe({ url: 'http://127.0.0.1:8080/readyz', timeout: 800 })
 * if (!result.ok) console.error(result.reason) // "HTTP 503 Service Unavailable … (failing: postgres)"
 * ```
 */
export async function probe(options: ProbeOptions): Promise<ProbeResult> {
  assertKnownOptions(options, PROBE_OPTIONS, 'probe')
  const url = parseProbeUrl(options.url)
  const timeout = durationOption(options.timeout, DEFAULT_PROBE_TIMEOUT, 'timeout')
  if (url.protocol === 'grpc:') {
    if (options.expect !== undefined) throw usage('--expect is for HTTP status codes: a grpc: probe passes on SERVING only.')
    const { grpcProbe } = await import('./grpc-probe.js')
    const result = await grpcProbe(url, timeout, options.headers ?? {})
    return { ok: result.ok, status: undefined, servingStatus: result.servingStatus, reason: result.reason, duration: result.duration }
  }
  const expect = typeof options.expect === 'string' || options.expect === undefined ? parseExpect(options.expect ?? DEFAULT_EXPECT) : options.expect
  const request = url.protocol === 'https:' ? (await import('node:https')).request : httpRequest
  const started = performance.now()
  const elapsed = (): number => Math.round(performance.now() - started)
  // Everything a reason says from the server (status text, check names, error text) and the URL
  // goes through echo(): escaped and cut, so the reason stays one bounded line.
  const href = echo(url.href, LONG_ECHO)
  let req: ReturnType<typeof httpRequest>
  try {
    req = request(url, { method: 'GET', headers: { accept: 'application/health+json, application/json;q=0.9, */*;q=0.1', 'user-agent': 'healthz-probe', ...options.headers } })
  } catch (error) {
    // A header node:http refuses (a newline in a value, a space in a name): bad input, not a network failure.
    throw usage(`--header: ${echo(error instanceof Error ? error.message : String(error), LONG_ECHO)}.`)
  }

  return new Promise<ProbeResult>((resolve) => {
    let settled = false
    const finish = (ok: boolean, status: number | undefined, reason: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req.destroy()
      resolve({ ok, status, reason, duration: elapsed() })
    }
    const timer = setTimeout(() => finish(false, undefined, `no answer from ${href} within ${formatDuration(timeout)} (--timeout)`), timeout)
    req.once('error', (error: NodeJS.ErrnoException) => finish(false, undefined, describeNetworkError(error, url)))
    req.once('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0
      const expected = expect.some((range) => status >= range.min && status <= range.max)
      const head = `HTTP ${status}${res.statusMessage ? ` ${echo(res.statusMessage)}` : ''} from ${href}`
      if (expected) {
        res.resume()
        finish(true, status, `${head} in ${elapsed()} ms`)
        return
      }
      // Read a little of the body: a health+json answer names the failing checks.
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size <= MAX_BODY) chunks.push(chunk)
      })
      res.once('error', () => finish(false, status, `${head}, expected ${formatExpect(expect)}`))
      res.once('end', () => {
        const failing = failingChecks(Buffer.concat(chunks).toString('utf8'))
        finish(false, status, `${head}, expected ${formatExpect(expect)}${failing}`)
      })
    })
    req.end()
  })
}

function formatExpect(ranges: readonly StatusRange[]): string {
  return ranges.map((range) => (range.min === range.max ? String(range.min) : `${range.min}-${range.max}`)).join(',')
}

function describeNetworkError(error: NodeJS.ErrnoException, url: URL): string {
  const where = `${echo(url.hostname, LONG_ECHO)}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`
  // TLS errors quote the server's certificate names: server text like any other.
  return connectionFailure(error, where, url.hostname) ?? `${echo(url.href, LONG_ECHO)} failed: ${echo(error.message, LONG_ECHO)}${error.code ? ` (${echo(error.code)})` : ''}`
}

/** From a health+json body, the checks that do not pass: ` (failing: postgres, redis)`. */
function failingChecks(body: string): string {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return ''
  }
  if (typeof parsed !== 'object' || parsed === null) return ''
  const { status, checks } = parsed as { status?: unknown; checks?: unknown }
  const names = new Set<string>()
  if (typeof checks === 'object' && checks !== null) {
    for (const [key, entries] of Object.entries(checks)) {
      if (!Array.isArray(entries)) continue
      if (entries.some((entry) => typeof entry === 'object' && entry !== null && (entry as { status?: unknown }).status === 'fail')) {
        names.add(key.split(':')[0] ?? key)
      }
    }
  }
  const parts: string[] = []
  if (typeof status === 'string') parts.push(`status ${echo(status)}`)
  if (names.size > 0) {
    const shown = [...names].slice(0, MAX_NAMES).map((name) => echo(name))
    parts.push(`failing: ${shown.join(', ')}${names.size > MAX_NAMES ? ` and ${names.size - MAX_NAMES} more` : ''}`)
  }
  return parts.length > 0 ? ` (${parts.join('; ')})` : ''
}
