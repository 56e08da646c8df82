// @healthz/heartbeat/redis: beats over Redis pub/sub, with the client the application already
// has (ioredis 5–6 or node-redis 4–6). This entry imports neither: the clients are typed
// structurally, so installing one is enough.
import { assertKnownOptions, describeValue, HealthzError, optionKeys } from '@healthz/core'
import { encodeHeartbeat } from './codec.js'
import type { HeartbeatReceiver, HeartbeatSubscription, HeartbeatTransport } from './types.js'

/** What sending needs of a Redis client: `publish` (ioredis and node-redis alike). */
export interface RedisPublisher {
  publish(channel: string, message: string): Promise<unknown>
  /** ioredis: `'ready'` once connected. Read so that a beat fails at once while disconnected. */
  readonly status?: string
  /** node-redis (4.1 and later): connected and ready for commands. Read like `status`. */
  readonly isReady?: boolean
}

/**
 * What listening needs of an ioredis client in subscriber mode (`new Redis()` or
 * `redis.duplicate()`): `subscribe`, `unsubscribe`, `on('message')`, and the connection events.
 */
export interface IoRedisSubscriber {
  readonly status: string
  subscribe(channel: string): Promise<unknown>
  unsubscribe(channel: string): Promise<unknown>
  on(event: 'message', listener: (channel: string, message: string) => void): unknown
  on(event: 'ready' | 'close' | 'end', listener: () => void): unknown
  off(event: string, listener: (...args: string[]) => void): unknown
}

/**
 * What listening needs of a node-redis client (`createClient()` then `.duplicate()`, connected):
 * `subscribe(channel, listener)` and the connection events.
 */
export interface NodeRedisSubscriber {
  readonly isReady: boolean
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>
  unsubscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>
  on(event: 'ready' | 'end' | 'reconnecting', listener: () => void): unknown
  off(event: string, listener: (...args: string[]) => void): unknown
}

/** Options of {@link redisTransport}. */
export interface RedisTransportOptions {
  /** The client beats are published with (emitters). Any connected client. */
  publisher?: RedisPublisher
  /**
   * The client the monitor subscribes with: a connection of its own, because a Redis
   * connection in subscriber mode can run no other command (ioredis: `redis.duplicate()`;
   * node-redis: `await client.duplicate().connect()`).
   */
  subscriber?: IoRedisSubscriber | NodeRedisSubscriber
  /** The pub/sub channel. Emitters and monitors of one fleet share it. @default 'healthz:heartbeats' */
  channel?: string
}

const REDIS_TRANSPORT_OPTIONS = optionKeys<RedisTransportOptions>({ publisher: true, subscriber: true, channel: true })

/**
 * A transport over Redis pub/sub. Reconnection is the client's: ioredis and node-redis both
 * reconnect and resubscribe by themselves; the transport tells the monitor when the
 * subscriber's connection drops and returns, so nobody is convicted for the outage.
 * Pub/sub keeps nothing: beats sent while the monitor is disconnected are lost, which is
 * what a heartbeat wants. Likewise a beat sent while the publisher is disconnected fails at once
 * instead of waiting in the client's offline queue to arrive late.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { redisTransport } from '@healthz/heartbeat/redis'
 *
 * const redis = new Redis()
 * const transport = redisTransport({ publisher: redis, subscriber: redis.duplicate() })
 * ```
 */
export function redisTransport(options: RedisTransportOptions): HeartbeatTransport {
  assertKnownOptions(options, REDIS_TRANSPORT_OPTIONS, 'redisTransport')
  const { publisher, subscriber, channel = 'healthz:heartbeats' } = options
  if (publisher === undefined && subscriber === undefined) {
    invalid('redisTransport needs a publisher (to send beats), a subscriber (to monitor them), or both.')
  }
  if (publisher !== undefined && (typeof publisher !== 'object' || publisher === null || typeof publisher.publish !== 'function')) {
    invalid('redisTransport publisher must be a Redis client with publish() (ioredis or node-redis).')
  }
  if (subscriber !== undefined && (typeof subscriber !== 'object' || subscriber === null || typeof subscriber.subscribe !== 'function' || typeof subscriber.on !== 'function')) {
    invalid('redisTransport subscriber must be a Redis client with subscribe() and on() (ioredis or node-redis).')
  }
  if (subscriber !== undefined && (subscriber as unknown) === publisher) {
    invalid('redisTransport subscriber must be a connection of its own, not the publisher: a subscribed connection can run no other command. Pass redis.duplicate().')
  }
  if (typeof channel !== 'string' || channel === '') invalid(`redisTransport channel must be a non-empty string, got ${describeValue(channel)}.`)
  const transport: HeartbeatTransport = { name: 'redis' }
  if (publisher !== undefined) {
    transport.send = async (beat, context) => {
      // A client that is not connected would hold the beat in its offline queue and publish it
      // late, stale, on reconnect; failing now lets the emitter count the failure and back off.
      if (publisher.status !== undefined ? publisher.status !== 'ready' : publisher.isReady === false) {
        throw new Error(`redis publisher not connected${publisher.status === undefined ? '' : ` (status '${publisher.status}')`}`)
      }
      await publisher.publish(channel, context?.message ?? encodeHeartbeat(beat))
    }
  }
  if (subscriber !== undefined) {
    transport.listen = (receiver) => (isIoRedis(subscriber) ? listenIoRedis(subscriber, channel, receiver) : listenNodeRedis(subscriber, channel, receiver))
  }
  return transport
}

function isIoRedis(client: IoRedisSubscriber | NodeRedisSubscriber): client is IoRedisSubscriber {
  return typeof (client as IoRedisSubscriber).status === 'string'
}

async function listenIoRedis(client: IoRedisSubscriber, channel: string, receiver: HeartbeatReceiver): Promise<HeartbeatSubscription> {
  const onMessage = (from: string, message: string): void => {
    if (from === channel) receiver.deliver(message)
  }
  const up = (): void => receiver.connection(true)
  const down = (): void => receiver.connection(false)
  client.on('message', onMessage)
  client.on('ready', up)
  client.on('close', down)
  client.on('end', down)
  try {
    await client.subscribe(channel)
  } catch (error) {
    detach()
    throw error
  }
  if (client.status !== 'ready') down()
  function detach(): void {
    client.off('message', onMessage)
    client.off('ready', up)
    client.off('close', down)
    client.off('end', down)
  }
  return {
    async close() {
      detach()
      if (client.status === 'ready') await client.unsubscribe(channel)
    },
  }
}

async function listenNodeRedis(client: NodeRedisSubscriber, channel: string, receiver: HeartbeatReceiver): Promise<HeartbeatSubscription> {
  const onMessage = (message: string): void => receiver.deliver(message)
  const up = (): void => receiver.connection(true)
  const down = (): void => receiver.connection(false)
  client.on('ready', up)
  client.on('reconnecting', down)
  client.on('end', down)
  const detach = (): void => {
    client.off('ready', up)
    client.off('reconnecting', down)
    client.off('end', down)
  }
  try {
    await client.subscribe(channel, onMessage)
  } catch (error) {
    detach()
    throw error
  }
  if (!client.isReady) down()
  return {
    async close() {
      detach()
      if (client.isReady) await client.unsubscribe(channel, onMessage)
    },
  }
}

function invalid(message: string): never {
  throw new HealthzError(message, { code: 'INVALID_OPTION' })
}
