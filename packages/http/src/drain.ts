// Server draining: stop accepting, close idle keep-alive sockets at once, ask in-flight
// responses to close their connection, wait up to the grace period, then destroy what is
// left. Resolves as soon as the last connection is gone.
import type { Server, ServerResponse } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { Socket } from 'node:net'
import { Server as TlsServer } from 'node:tls'
import type { Health } from '@healthz/core'
import { assertKnownOptions, durationOption, HealthzError, optionKeys } from '@healthz/core'

/** A node:http or node:https server. */
export type AnyServer = Server | HttpsServer

/** Options of {@link ServerDrainer.close}. */
export interface DrainOptions {
  /** How long in-flight requests may take before their connections are destroyed, in ms. @default 10000 */
  gracePeriod?: number
}

const DRAIN_KEYS = optionKeys<DrainOptions>({ gracePeriod: true })

/** What a drain did. */
export interface DrainResult {
  /** Connections that closed by themselves (idle, or after their last response). */
  closed: number
  /** Connections destroyed at the end of the grace period. */
  destroyed: number
}

/** Tracks a server's connections from the moment they open, and drains them on `close()`. */
export interface ServerDrainer {
  /** Connections open right now, across the tracked servers. */
  readonly connections: number
  /** Requests in flight right now, across the tracked servers. */
  readonly inFlight: number
  /** Drains every tracked server. Idempotent: later calls share the first drain. */
  close(options?: DrainOptions): Promise<DrainResult>
}

/**
 * The trackers of each server. A response written outside the server's `request` event (a
 * probe answered by `attachHealth` at `emit`) reaches them through here, whichever was set up first.
 */
interface Watcher {
  readonly draining: boolean
  see(res: ServerResponse): void
}
const watchers = new WeakMap<AnyServer, Watcher[]>()

/**
 * Whether a drain of the server has begun: a response written now must carry `Connection: close`.
 * Allocates nothing (the probe fast path asks it on every answer).
 *
 * @internal
 */
export function isDraining(server: AnyServer): boolean {
  const list = watchers.get(server)
  if (list === undefined) return false
  for (let index = 0; index < list.length; index += 1) if ((list[index] as Watcher).draining) return true
  return false
}

/**
 * Lets every drain of the server see a response that will be written outside its `request`
 * event: once draining, it is asked to close its connection, and its connection is closed when
 * idle after it. (Before the drain there is nothing to do: the drain finds the responses in
 * flight through their connections.)
 *
 * @internal
 */
export function seeResponse(server: AnyServer, res: ServerResponse): void {
  const list = watchers.get(server)
  if (list !== undefined) for (const watcher of list) watcher.see(res)
}

/**
 * Starts tracking the connections of one or more servers so that they can be drained without
 * dropping a request. Call it as soon as the server exists (before it listens): a connection
 * opened before tracking began is still drained, but only Node's own bookkeeping knows of it.
 *
 * @example
 * ```ts
 * const drainer = trackConnections(server)
 * process.once('SIGTERM', async () => { await drainer.close({ gracePeriod: 10_000 }); process.exit(0) })
 * ```
 */
export function trackConnections(servers: AnyServer | readonly AnyServer[]): ServerDrainer {
  const list: readonly AnyServer[] = Array.isArray(servers) ? servers : [servers as AnyServer]
  if (list.length === 0 || list.some((server) => typeof server?.close !== 'function' || typeof server.closeIdleConnections !== 'function')) {
    throw new HealthzError('trackConnections expects a node:http or node:https Server, or a list of them.', { code: 'INVALID_OPTION' })
  }
  // Each open connection, with its server. Tracked per connection, not per request: nothing
  // runs on a request until a drain begins (a request listener and a `close` listener per
  // response cost 3-4% of a keep-alive server's throughput, on every route of the application).
  const sockets = new Map<Socket, AnyServer>()
  let draining = false
  let closed = 0
  let drained: Promise<DrainResult> | undefined

  /** Once draining: the response closes its connection after it, or that connection closes once idle. */
  const closeAfter = (server: AnyServer, res: ServerResponse): void => {
    if (!res.headersSent) res.setHeader('connection', 'close') // served, then the connection closes
    // A response whose headers went out before the drain began keeps its connection alive:
    // close that connection as soon as it is idle.
    res.once('close', () => server.closeIdleConnections())
  }

  for (const server of list) {
    const onSocket = (socket: Socket): void => {
      sockets.set(socket, server)
      socket.once('close', () => {
        sockets.delete(socket)
        if (draining) closed += 1
      })
    }
    server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', onSocket)
    const watcher: Watcher = {
      get draining() {
        return draining
      },
      // Before the drain, nothing to do: the drain finds the response through its connection.
      see: (res) => {
        if (draining) closeAfter(server, res)
      },
    }
    const list = watchers.get(server)
    if (list === undefined) watchers.set(server, [watcher])
    else list.push(watcher)
  }

  const drain = async (gracePeriod: number): Promise<DrainResult> => {
    draining = true
    // Requests that arrive from now on (on a connection already open), and those in flight.
    for (const server of list) server.on('request', (_req, res: ServerResponse) => closeAfter(server, res))
    for (const [socket, server] of sockets) {
      const res = currentResponse(socket)
      if (res !== undefined) closeAfter(server, res)
    }
    // server.close() stops accepting and (Node >= 19) closes idle keep-alive connections at once.
    const allClosed = Promise.all(
      list.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (!server.listening) {
              server.closeIdleConnections()
              resolve()
              return
            }
            server.close(() => resolve())
            server.closeIdleConnections()
          }),
      ),
    )
    let destroyed = 0
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        destroyed = sockets.size
        for (const socket of sockets.keys()) socket.destroy()
        for (const server of list) server.closeAllConnections()
        resolve()
      }, gracePeriod)
    })
    await Promise.race([allClosed, deadline])
    clearTimeout(timer)
    await waitForSockets(sockets)
    // Counted once every socket has emitted `close`: destroyed ones close too.
    return { closed: Math.max(0, closed - destroyed), destroyed }
  }

  return {
    get connections() {
      return sockets.size
    },
    get inFlight() {
      let count = 0
      for (const socket of sockets.keys()) if (currentResponse(socket) !== undefined) count += 1
      return count
    },
    close(options = {}) {
      let gracePeriod: number
      try {
        assertKnownOptions(options, DRAIN_KEYS, 'drainer.close')
        gracePeriod = durationOption(options.gracePeriod, 10_000, 'gracePeriod', { zero: true })
      } catch (error) {
        return Promise.reject(error)
      }
      drained ??= drain(gracePeriod)
      return drained
    },
  }
}


/**
 * Drains servers as part of the health object's shutdown: when it reaches `closing` (after
 * `drainDelay`), the servers stop accepting and drain within `shutdown.gracePeriod`.
 * Returns a function that unregisters them.
 *
 * @example
 * ```ts
 * const server = createServer(createHealthListener(health, { next: app }))
 * drainOnShutdown(health, server)
 * server.listen(8080)
 * ```
 */
export function drainOnShutdown(health: Health, servers: AnyServer | readonly AnyServer[]): () => void {
  if (typeof health?.onClosing !== 'function') {
    throw new HealthzError('drainOnShutdown expects the object createHealth() returns as its first argument.', { code: 'INVALID_OPTION' })
  }
  const drainer = trackConnections(servers)
  return health.onClosing(async ({ gracePeriod }) => {
    const { destroyed } = await drainer.close({ gracePeriod })
    if (destroyed > 0) {
      // Requests were cut: the shutdown reports it (SERVER_CLOSE_FAILED) and exits 1.
      throw new HealthzError(
        `${destroyed} connection(s) still busy after gracePeriod ${gracePeriod} ms were destroyed; raise shutdown.gracePeriod if requests legitimately take longer`,
        { code: 'SERVER_CLOSE_FAILED' },
      )
    }
  })
}

/**
 * The response a connection is serving: node:http keeps it as the socket's `_httpMessage` from
 * the moment the response is given the socket until it finishes (the field http-terminator reads
 * too). A pipelined response waiting behind it is not there yet.
 */
function currentResponse(socket: Socket): ServerResponse | undefined {
  return (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined
}

/**
 * Waits until every tracked socket has emitted `close`. The set holds exactly those that have
 * not (they leave it on `close`); `socket.closed` turns true earlier, while `close` is pending.
 */
function waitForSockets(sockets: Map<Socket, AnyServer>): Promise<void> {
  // Not events.once: it would reject on a socket's 'error', which precedes its 'close'.
  return Promise.all([...sockets.keys()].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())))).then(() => undefined)
}
