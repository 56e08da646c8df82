// Starting a server and resolving once it listens: the standalone health server and every
// adapter's `listen()` (Express, Koa) go through here, so the options are checked, and a failed
// listen rejects, the same way everywhere.
import { createServer } from 'node:http'
import type { RequestListener, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Health } from '@healthz/core'
import { assertHealth, assertKnownOptions, countOption, describeValue, functionOption, HealthzError, optionKeys } from '@healthz/core'
import type { AttachHealthOptions } from './attach.js'
import { attachHealth } from './attach.js'
import type { AnyServer } from './drain.js'

/** Options of {@link listen}: where to listen, and those of {@link attachHealth}. */
export interface ListenOptions extends AttachHealthOptions {
  /** The port; 0 picks a free one. @default 0 */
  port?: number
  /**
   * The address. The kubelet probes the pod IP, so the default listens on every address,
   * IPv6 and IPv4 alike (Node's own default).
   * @default undefined (all addresses)
   */
  host?: string
}

const LISTEN_KEYS = optionKeys<ListenOptions>({ port: true, host: true, onError: true, drain: true })

/**
 * `createServer(listener).listen()` with the probes answered at the server's `request` event,
 * before the listener (your Express app, Koa's `app.callback()`, any handler) runs, and the
 * server drained on shutdown: the fast path. The options are checked before anything listens;
 * resolves with the server once it listens, rejects if it cannot (a port in use).
 *
 * @example
 * ```ts
 * const server = await listen(app, health, { port: 8080 })
 * health.markStarted()
 * ```
 * @see attachHealth, for a server you create and start yourself.
 */
export function listen(listener: RequestListener, health: Health, options: ListenOptions = {}): Promise<Server> {
  assertKnownOptions(options, LISTEN_KEYS, 'listen')
  const port = countOption(options.port, 0, 'listen port', { min: 0, max: 65_535 })
  const host = hostOption(options.host, 'listen host')
  functionOption(options.onError, 'listen onError', '(error) => void')
  if (options.drain !== undefined && typeof options.drain !== 'boolean') {
    throw new HealthzError(`listen drain must be true or false, got ${describeValue(options.drain)}.`, { code: 'INVALID_OPTION' })
  }
  assertHealth(health, 'listen')
  if (typeof listener !== 'function') {
    throw new HealthzError(`listen expects a request handler (req, res) as its first argument (an Express app, Koa's app.callback()), got ${describeValue(listener)}.`, { code: 'INVALID_OPTION' })
  }
  const { port: _port, host: _host, ...attachOptions } = options
  const server = createServer(listener)
  // Attached before listening: no request can arrive before it.
  attachHealth(server, health, attachOptions)
  return startListening(server, port, host).then(() => server)
}

/**
 * Starts `server` listening and resolves with its address once it listens; rejects with the
 * server's error (a port in use) instead.
 *
 * @internal
 */
export function startListening(server: AnyServer, port: number, host: string | undefined): Promise<AddressInfo> {
  return new Promise<AddressInfo>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening)
      reject(error)
    }
    const onListening = (): void => {
      server.off('error', onError)
      resolve(server.address() as AddressInfo)
    }
    server.once('error', onError)
    server.once('listening', onListening)
    if (host === undefined) server.listen(port)
    else server.listen(port, host)
  })
}

/** @internal The `host` option: a host name or address, or undefined for every address. */
export function hostOption(host: unknown, what: string): string | undefined {
  if (host === undefined || (typeof host === 'string' && host !== '')) return host
  throw new HealthzError(`${what} must be a host name or address, got ${describeValue(host)}.`, { code: 'INVALID_OPTION' })
}
