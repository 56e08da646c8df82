// The one TCP proxy of the tests, between a client and a real server (the shared servers are
// never stopped): it forwards, stalls (stops forwarding in both directions without closing
// anything, as a wedged server or a black-holed link does), resumes (delivers what it held
// back), cuts (drops every connection and closes each new one at once until restored, as a
// flapping link does), and stops (closes its listener and resets every connection, as a crashed
// server does; new connections are refused). Shared by the check and heartbeat tests and
// bench/outage, so it is plain JavaScript.
import { createServer, connect } from 'node:net'

export class TcpProxy {
  /**
   * @param {{ host?: string, port: number }} target
   * @param {{ port?: number }} [options] port 0 (default) picks a free one
   * @returns {Promise<TcpProxy>}
   */
  static async start(target, options = {}) {
    const proxy = new TcpProxy(target)
    await proxy.listen(options.port ?? 0)
    return proxy
  }

  constructor(target) {
    this.target = { host: target.host ?? '127.0.0.1', port: target.port }
    this.port = 0
    this.stalled = false
    /** While cut, a new connection is closed as soon as it is accepted. */
    this.isCut = false
    /** Connections accepted since start. */
    this.accepted = 0
    /** @type {Set<{ client: import('node:net').Socket, upstream: import('node:net').Socket, held: Array<[import('node:net').Socket, Buffer]> }>} */
    this.pairs = new Set()
    this.server = undefined
  }

  /** Connections currently open through the proxy. */
  get open() {
    return this.pairs.size
  }

  listen(port) {
    const server = createServer((client) => this.accept(client))
    this.server = server
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        this.port = server.address().port
        resolve()
      })
    })
  }

  accept(client) {
    if (this.isCut) {
      client.destroy()
      return
    }
    this.accepted += 1
    const upstream = connect(this.target.port, this.target.host)
    const pair = { client, upstream, held: [] }
    this.pairs.add(pair)
    const forward = (from, to) => {
      from.on('data', (chunk) => {
        if (this.stalled) pair.held.push([to, chunk])
        else to.write(chunk)
      })
    }
    forward(client, upstream)
    forward(upstream, client)
    const close = () => {
      if (!this.pairs.delete(pair)) return
      client.destroy()
      upstream.destroy()
    }
    for (const socket of [client, upstream]) {
      socket.on('error', close)
      socket.on('close', close)
      socket.on('end', close)
    }
  }

  /** Stops forwarding in both directions; sockets stay open and data is held back. */
  stall() {
    this.stalled = true
  }

  /** Forwards again, delivering what was held back first. */
  resume() {
    this.stalled = false
    for (const pair of this.pairs) {
      for (const [to, chunk] of pair.held.splice(0)) if (!to.destroyed) to.write(chunk)
    }
  }

  /** Destroys every proxied connection, and closes each new one at once until {@link restore}. */
  cut() {
    this.isCut = true
    for (const pair of [...this.pairs]) {
      pair.client.destroy()
      pair.upstream.destroy()
      this.pairs.delete(pair)
    }
  }

  /** Accepts and forwards new connections again after {@link cut}. */
  restore() {
    this.isCut = false
  }

  /** Resets every connection and closes the listener: new connections are refused. */
  async stop() {
    for (const pair of [...this.pairs]) {
      pair.client.resetAndDestroy()
      pair.upstream.destroy()
      this.pairs.delete(pair)
    }
    const server = this.server
    this.server = undefined
    if (server !== undefined) await new Promise((resolve) => server.close(() => resolve()))
  }

  /** Listens again on the same port after {@link stop} (the server "came back"). */
  async restart() {
    this.stalled = false
    await this.listen(this.port)
  }
}

/**
 * A port on 127.0.0.1 where connection attempts hang, as with a host that is unreachable (SYNs
 * dropped): a child process listens with a backlog of one that a first connection fills, and
 * never accepts. Loopback only, so no traffic leaves the machine.
 *
 * @returns {Promise<{ port: number, close(): Promise<void> }>}
 */
export async function blackHole() {
  const { fork } = await import('node:child_process')
  const child = fork(
    '--input-type=module',
    [],
    {
      execArgv: [
        '--input-type=module',
        '-e',
        `import { createServer } from 'node:net'
const server = createServer()
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.send(server.address().port, () => {
    // Block the event loop: the listener never accepts, so its backlog stays full.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
  })
})`,
      ],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  )
  const port = await new Promise((resolve, reject) => {
    child.once('message', resolve)
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`black hole exited with ${code}`)))
  })
  // Fill the backlog: these connections complete in the kernel and are never accepted; once
  // one hangs, the queue is full and every later attempt hangs too.
  const fillers = []
  for (let i = 0; i < 16; i += 1) {
    const filler = connect(port, '127.0.0.1')
    filler.on('error', () => undefined)
    fillers.push(filler)
    const connected = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 200)
      filler.once('connect', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    if (!connected) break
  }
  return {
    port,
    async close() {
      for (const filler of fillers) filler.destroy()
      child.kill('SIGKILL')
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve)))
    },
  }
}
