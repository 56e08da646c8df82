// @healthz/heartbeat/nats: beats over NATS subjects, with the connection the application
// already has (`nats` 2.x, or `@nats-io/transport-node` 3.x). This entry imports neither: the
// connection is typed structurally.
import { assertKnownOptions, describeValue, HealthzError, optionKeys } from '@healthz/core'
import { encodeHeartbeat } from './codec.js'
import type { HeartbeatTransport } from './types.js'

/** A received NATS message: its payload. */
export interface NatsMessageLike {
  readonly data: Uint8Array
}

/** A NATS subscription: what unsubscribing needs. */
export interface NatsSubscriptionLike {
  unsubscribe(): void
}

/** A NATS status event; `disconnect` and `reconnect` are the ones the monitor needs. */
export interface NatsStatusLike {
  readonly type: string
}

/** What the transport needs of a NATS connection (`await connect({ servers })`). */
export interface NatsConnectionLike {
  publish(subject: string, payload?: Uint8Array | string): void
  subscribe(subject: string, options: { callback: (error: Error | null, message: NatsMessageLike) => void }): NatsSubscriptionLike
  status(): AsyncIterable<NatsStatusLike>
  isClosed(): boolean
}

/** Options of {@link natsTransport}. */
export interface NatsTransportOptions {
  /** The connection. */
  connection: NatsConnectionLike
  /** The subject beats are published on. Emitters and monitors of one fleet share it. @default 'healthz.heartbeats' */
  subject?: string
}

const NATS_TRANSPORT_OPTIONS = optionKeys<NatsTransportOptions>({ connection: true, subject: true })

/**
 * A transport over NATS core subjects (no JetStream: a late beat is worth nothing).
 * Reconnection is the client's: it reconnects and resubscribes by itself, and the transport
 * tells the monitor when the connection drops and returns, so nobody is convicted for the
 * outage. While the connection is down, a beat fails at once (the emitter counts it and backs
 * off) instead of waiting in the client's reconnect buffer to arrive late, in a burst.
 *
 * @example
 * ```ts
 * import { connect } from 'nats'
 * import { natsTransport } from '@healthz/heartbeat/nats'
 *
 * const transport = natsTransport({ connection: await connect({ servers: '127.0.0.1:4222' }) })
 * ```
 */
export function natsTransport(options: NatsTransportOptions): HeartbeatTransport {
  assertKnownOptions(options, NATS_TRANSPORT_OPTIONS, 'natsTransport')
  const { connection, subject = 'healthz.heartbeats' } = options
  if (typeof connection !== 'object' || connection === null || typeof connection.publish !== 'function' || typeof connection.subscribe !== 'function') {
    invalid('natsTransport connection must be a NATS connection (the result of `await connect(...)` from nats).')
  }
  if (typeof subject !== 'string' || subject === '' || /[\s*>]/.test(subject)) {
    invalid(`natsTransport subject must be a plain subject without spaces or wildcards, got ${describeValue(subject)}.`)
  }
  // While the connection is down, publish() would buffer beats and send them all, stale, on
  // reconnect: a burst that tells a monitor nothing true. Watch the status and refuse instead.
  let down = false
  void (async () => {
    try {
      for await (const status of connection.status()) {
        if (status.type === 'disconnect') down = true
        else if (status.type === 'reconnect') down = false
      }
    } catch {
      // the status stream ends with the connection; isClosed() says so from then on
    }
  })()
  return {
    name: 'nats',
    send(beat, context) {
      if (down || connection.isClosed()) return Promise.reject(new Error('nats connection is down (reconnecting or closed): beat not sent'))
      connection.publish(subject, context?.message ?? encodeHeartbeat(beat))
      return Promise.resolve()
    },
    listen(receiver) {
      const subscription = connection.subscribe(subject, {
        callback: (error, message) => {
          if (error === null) receiver.deliver(message.data)
        },
      })
      let closed = false
      void (async () => {
        try {
          for await (const status of connection.status()) {
            if (closed) break
            if (status.type === 'disconnect') receiver.connection(false)
            else if (status.type === 'reconnect') receiver.connection(true)
          }
        } catch {
          // the status stream ends with the connection
        }
        if (!closed) receiver.connection(false) // the connection closed for good
      })()
      return Promise.resolve({
        close() {
          closed = true
          if (!connection.isClosed()) subscription.unsubscribe()
          return Promise.resolve()
        },
      })
    },
  }
}

function invalid(message: string): never {
  throw new HealthzError(message, { code: 'INVALID_OPTION' })
}
