// The in-memory transport: emitters and monitors in one process, for tests and simulations.
import { assertKnownOptions, describeValue, HealthzError, optionKeys } from '@healthz/core'
import { encodeHeartbeat } from './codec.js'
import type { Heartbeat, HeartbeatReceiver, HeartbeatSubscription, HeartbeatTransport, SendContext } from './types.js'

/** Options of {@link createMemoryTransport}. */
export interface MemoryTransportOptions {
  /**
   * Pass beats through JSON, as a real bus would (receivers get text and the monitor decodes
   * it); `false` hands over the object itself.
   * @default true
   */
  serialize?: boolean
}

const MEMORY_TRANSPORT_OPTIONS = optionKeys<MemoryTransportOptions>({ serialize: true })

/** An in-memory transport, with controls to simulate an outage. */
export interface MemoryTransport extends HeartbeatTransport {
  send(beat: Heartbeat, context: SendContext): Promise<void>
  listen(receiver: HeartbeatReceiver): Promise<HeartbeatSubscription>
  /** Simulates losing the bus: sends reject and receivers hear `connection(false)`. */
  disconnect(): void
  /** Ends a simulated outage: receivers hear `connection(true)`. */
  reconnect(): void
  /** Whether the simulated bus is up. */
  readonly connected: boolean
}

/**
 * Creates an in-memory transport: every beat sent is delivered, on the next microtask, to every
 * listening monitor. For tests, simulations and the benchmark's ceiling.
 *
 * @example
 * ```ts
 * const transport = createMemoryTransport()
 * const monitor = createHeartbeatMonitor({ transport })
 * const emitter = startHeartbeat({ nodeId: 'a', transport, interval: 100 })
 * ```
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  assertKnownOptions(options, MEMORY_TRANSPORT_OPTIONS, 'createMemoryTransport')
  const serialize = options.serialize ?? true
  if (typeof serialize !== 'boolean') {
    throw new HealthzError(`createMemoryTransport serialize must be true or false, got ${describeValue(serialize)}.`, { code: 'INVALID_OPTION' })
  }
  const receivers = new Set<HeartbeatReceiver>()
  let connected = true
  return {
    name: 'memory',
    get connected() {
      return connected
    },
    send(beat, context) {
      if (!connected) return Promise.reject(new HealthzError('memory transport is disconnected', { code: 'CHECK_FAILED' }))
      const encoded = context?.message
      const message = serialize ? (encoded ?? encodeHeartbeat(beat)) : encoded === undefined ? beat : (JSON.parse(encoded) as unknown)
      queueMicrotask(() => {
        for (const receiver of receivers) receiver.deliver(message)
      })
      return Promise.resolve()
    },
    listen(receiver) {
      receivers.add(receiver)
      if (!connected) receiver.connection(false)
      return Promise.resolve({
        close: () => {
          receivers.delete(receiver)
          return Promise.resolve()
        },
      })
    },
    disconnect() {
      if (!connected) return
      connected = false
      for (const receiver of receivers) receiver.connection(false)
    },
    reconnect() {
      if (connected) return
      connected = true
      for (const receiver of receivers) receiver.connection(true)
    },
  }
}
