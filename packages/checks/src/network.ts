// Checks that need no client library: an HTTP endpoint (fetch), a TCP port, and a DNS name.
import { Resolver } from 'node:dns/promises'
import { connect } from 'node:net'
import type { CheckDefinition } from '@healthz/core'
import { countOption, describeValue, optionKeys } from '@healthz/core'
import type { Attempt, SharedCheckOptions } from './internal.js'
import { buildCheck, checkFailed, deadlineRun, invalidOption, optionsObject, SHARED_KEYS } from './internal.js'

/** Which HTTP statuses count as healthy: one status, a list, or a predicate. */
export type ExpectedStatus = number | readonly number[] | ((status: number) => boolean)

/** Options of {@link httpCheck}. */
export interface HttpCheckOptions extends SharedCheckOptions {
  /** The endpoint, e.g. `http://payments:8080/readyz`. Credentials go in `headers`, never in the URL. */
  url: string | URL
  /** @default 'GET' */
  method?: 'GET' | 'HEAD'
  /** Request headers, e.g. `{ authorization: \`Bearer ${token}\` }`. */
  headers?: Readonly<Record<string, string>>
  /**
   * The statuses that pass. Redirects are not followed, so a 3xx is judged as it is.
   * @default 200–399 (what the kubelet's httpGet probe accepts)
   */
  expectedStatus?: ExpectedStatus
}

const HTTP_KEYS = optionKeys<HttpCheckOptions>({ ...SHARED_KEYS, url: true, method: true, headers: true, expectedStatus: true })

/**
 * An HTTP endpoint check (`kind: 'dependency'`, `componentType: 'component'`, reported as
 * `http:responseTime` in ms) built on `fetch`: the request gets the run's `AbortSignal`, so at
 * the deadline the request is aborted and its connection closed. The response body is read to
 * the end so the keep-alive connection is reused: probes do not open a connection each.
 *
 * @throws {HealthzError} `INVALID_OPTION` for a URL that is not http(s), carries credentials, or a wrong `expectedStatus`.
 * @example
 * ```ts
 * const payments = httpCheck({ name: 'payments-api', url: 'http://payments:8080/readyz', expectedStatus: 200 })
 * ```
 */
export function httpCheck(options: HttpCheckOptions): CheckDefinition {
  const { url, method = 'GET', headers = {}, expectedStatus } = optionsObject(options, 'httpCheck', "{ url: 'http://payments:8080/readyz' }", HTTP_KEYS)
  let target: URL
  try {
    target = new URL(url)
  } catch {
    throw invalidOption(`httpCheck: url must be an absolute http(s) URL, got ${describeValue(url)}.`)
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw invalidOption(`httpCheck: url must use http: or https:, got ${target.protocol}`)
  }
  if (target.username !== '' || target.password !== '') {
    throw invalidOption('httpCheck: url must not carry credentials (fetch refuses them, and they would show in outputs); send them in headers, e.g. { authorization: `Basic …` }.')
  }
  if (method !== 'GET' && method !== 'HEAD') throw invalidOption(`httpCheck: method must be 'GET' or 'HEAD', got ${describeValue(method)}.`)
  const accepts = statusMatcher(expectedStatus)
  const href = target.href
  const attempt = (signal: AbortSignal): Attempt<void> => ({
    promise: (async () => {
      let response: Response
      try {
        response = await fetch(href, { method, headers, signal, redirect: 'manual' })
        // Read the body to the end: an unread body keeps the connection from being reused.
        await response.arrayBuffer()
      } catch (error) {
        throw checkFailed(`${method} ${href} failed`, error)
      }
      if (!accepts(response.status)) throw checkFailed(`${method} ${href}`, `answered ${response.status}, expected ${describeExpected(expectedStatus)}`)
    })(),
    // Nothing to let go of: fetch was aborted with the run's signal.
    endsOnAbandon: true,
  })
  return buildCheck(
    { name: 'http', kind: 'dependency', componentType: 'component' },
    options,
    deadlineRun((_flight, { signal }) => attempt(signal)),
    ['url', 'method', 'headers', 'expectedStatus'],
  )
}

function statusMatcher(expected: ExpectedStatus | undefined): (status: number) => boolean {
  if (expected === undefined) return (status) => status >= 200 && status < 400
  if (typeof expected === 'function') return expected
  const list = typeof expected === 'number' ? [expected] : expected
  if (!Array.isArray(list) || list.length === 0 || !list.every((status) => Number.isInteger(status) && status >= 100 && status <= 599)) {
    throw invalidOption(`httpCheck: expectedStatus must be a status (100–599), a non-empty list of them, or a function, got ${describeValue(expected)}.`)
  }
  return (status) => list.includes(status)
}

function describeExpected(expected: ExpectedStatus | undefined): string {
  if (expected === undefined) return '200–399'
  if (typeof expected === 'function') return 'a status accepted by expectedStatus'
  return typeof expected === 'number' ? String(expected) : expected.join(' or ')
}

/** Options of {@link tcpCheck}. */
export interface TcpCheckOptions extends SharedCheckOptions {
  /** @default '127.0.0.1' */
  host?: string
  port: number
}

const TCP_KEYS = optionKeys<TcpCheckOptions>({ ...SHARED_KEYS, host: true, port: true })

/**
 * A TCP port check (`kind: 'dependency'`, `componentType: 'component'`, reported as
 * `tcp:responseTime` in ms): passes when a connection is accepted, then closes it. This is the
 * one check that opens a connection per run, because opening one is what it measures; the cache
 * window (1 s by default) bounds that to one per window however many probes arrive. At the
 * deadline the attempt is destroyed.
 *
 * @throws {HealthzError} `INVALID_OPTION` for a port outside 1–65535.
 * @example
 * ```ts
 * const smtp = tcpCheck({ name: 'smtp', host: 'mail.internal', port: 25 })
 * ```
 */
export function tcpCheck(options: TcpCheckOptions): CheckDefinition {
  const { host = '127.0.0.1', port: given } = optionsObject(options, 'tcpCheck', "{ host: 'mail.internal', port: 25 }", TCP_KEYS)
  if (given === undefined) throw invalidOption('tcpCheck: port is required, a whole number from 1 to 65535.')
  const port = countOption(given, 0, 'tcpCheck: port', { min: 1, max: 65_535 })
  if (typeof host !== 'string' || host === '') throw invalidOption(`tcpCheck: host must be a host name or address, got ${describeValue(host)}.`)
  const attempt = (): Attempt<void> => {
    const socket = connect({ host, port })
    return {
      promise: new Promise<void>((resolve, reject) => {
        socket.once('connect', () => {
          socket.destroy()
          resolve()
        })
        socket.once('error', (error) => {
          socket.destroy()
          reject(checkFailed(`tcp ${host}:${port}`, error))
        })
        socket.once('close', () => reject(checkFailed(`tcp ${host}:${port}`, 'connection attempt abandoned at the deadline')))
      }),
      // Shown only if the deadline passes first, and abandon() destroys the socket then.
      waitingOn: 'connection attempt still pending; it was destroyed',
      abandon() {
        socket.destroy()
      },
      endsOnAbandon: true,
    }
  }
  return buildCheck({ name: 'tcp', kind: 'dependency', componentType: 'component' }, options, deadlineRun(attempt), ['host', 'port'])
}

/** Record types {@link dnsCheck} can ask for. */
export type DnsRecordType = 'A' | 'AAAA' | 'CNAME' | 'MX' | 'NS' | 'SRV' | 'TXT'

/** Options of {@link dnsCheck}. */
export interface DnsCheckOptions extends SharedCheckOptions {
  /** The name to resolve, e.g. `payments.default.svc.cluster.local`. */
  hostname: string
  /** @default 'A' */
  rrtype?: DnsRecordType
  /**
   * DNS servers to ask (`'10.96.0.10'`, `'127.0.0.1:5353'`).
   * @default the system's (/etc/resolv.conf)
   */
  servers?: readonly string[]
}

const RRTYPES: ReadonlySet<string> = new Set(['A', 'AAAA', 'CNAME', 'MX', 'NS', 'SRV', 'TXT'])

const DNS_KEYS = optionKeys<DnsCheckOptions>({ ...SHARED_KEYS, hostname: true, rrtype: true, servers: true })

/**
 * A DNS check (`kind: 'dependency'`, `componentType: 'component'`, reported as
 * `dns:responseTime` in ms): resolves a name with a resolver of its own (c-ares, not the
 * libuv thread pool that `dns.lookup` would tie up), and fails when there is no record. At the
 * deadline the query is cancelled.
 *
 * @throws {HealthzError} `INVALID_OPTION` for an empty hostname, an unknown record type, or a bad server address.
 * @example
 * ```ts
 * const dns = dnsCheck({ hostname: 'payments.default.svc.cluster.local' })
 * ```
 */
export function dnsCheck(options: DnsCheckOptions): CheckDefinition {
  const { hostname, rrtype = 'A', servers } = optionsObject(options, 'dnsCheck', "{ hostname: 'payments.internal' }", DNS_KEYS)
  if (typeof hostname !== 'string' || hostname === '') throw invalidOption(`dnsCheck: hostname must be a non-empty name, got ${describeValue(hostname)}.`)
  if (!RRTYPES.has(rrtype)) throw invalidOption(`dnsCheck: rrtype must be one of ${[...RRTYPES].join(', ')}, got ${describeValue(rrtype)}.`)
  const resolver = new Resolver({ tries: 1 })
  if (servers !== undefined) {
    try {
      resolver.setServers([...servers])
    } catch {
      throw invalidOption(`dnsCheck: servers must be IP addresses with optional ports, e.g. ['10.96.0.10', '127.0.0.1:5353'], got ${describeValue(servers)}.`)
    }
  }
  const attempt = (): Attempt<void> => ({
    promise: resolver.resolve(hostname, rrtype).then(
      (records: unknown) => {
        if (Array.isArray(records) && records.length === 0) throw checkFailed(`dns ${rrtype} ${hostname}`, 'no records')
      },
      (error: unknown) => {
        throw checkFailed(`dns ${rrtype} ${hostname} failed`, error)
      },
    ),
    waitingOn: 'no answer from the DNS server; the query was cancelled',
    abandon() {
      // The resolver is this check's own, so cancelling it cancels only this check's query.
      resolver.cancel()
    },
    endsOnAbandon: true,
  })
  return buildCheck({ name: 'dns', kind: 'dependency', componentType: 'component' }, options, deadlineRun(attempt), ['hostname', 'rrtype', 'servers'])
}
