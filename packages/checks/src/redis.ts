// @healthz/checks/redis: a Redis readiness check over the application's own node-redis client
// (`redis` v4 and later). Never imports `redis`.
import type { CheckDefinition } from '@healthz/core'
import { optionKeys } from '@healthz/core'
import type { Attempt, SharedCheckOptions } from './internal.js'
import { buildCheck, deadlineRun, hasMethod, invalidOption, optionsObject, redisPing, SHARED_KEYS } from './internal.js'

/** The part of a node-redis client the check uses. */
export interface NodeRedisLike {
  /** Connected and ready for commands (node-redis 4.1 and later). */
  readonly isReady?: boolean
  /** Open: connected or reconnecting (what node-redis 4.0 has instead of `isReady`). */
  readonly isOpen: boolean
  ping(): Promise<unknown>
}

/** Options of {@link redisCheck}. */
export interface RedisCheckOptions extends SharedCheckOptions {
  /** The application's node-redis client (`createClient()`, connected). The check opens no connection. */
  client: NodeRedisLike
}

const OWN = ['client'] as const
const KEYS = optionKeys<RedisCheckOptions>({ ...SHARED_KEYS, client: true })

/**
 * A Redis check (`kind: 'dependency'`, `componentType: 'datastore'`, reported as
 * `redis:responseTime` in ms) over a node-redis v4+ client: `PING`, expecting `PONG`.
 *
 * A client that is not ready (connecting, reconnecting, closed) fails at once, without queuing
 * a command in node-redis's offline queue (node-redis 4.0, which cannot tell reconnecting from
 * ready, fails at the deadline instead). A `PING` still unanswered at the deadline is left to
 * finish (the connection is the application's), and the next run waits on it instead of sending
 * another: at most one `PING` from this check is in flight however long Redis stalls.
 *
 * @throws {HealthzError} `INVALID_OPTION` when `client` is not a node-redis client.
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { redisCheck } from '@healthz/checks/redis'
 *
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect()
 * createHealth({ readiness: [redisCheck({ client: redis })] })
 * ```
 */
export function redisCheck(options: RedisCheckOptions): CheckDefinition {
  const { client } = optionsObject(options, 'redisCheck', '{ client: redis }', KEYS)
  if (!hasMethod(client, 'ping') || typeof (client as { isOpen?: unknown }).isOpen !== 'boolean') {
    throw invalidOption('redisCheck: client must be a node-redis v4+ client (pass { client: redis }, where redis = createClient(...)); for ioredis use ioredisCheck from @healthz/checks/ioredis.')
  }
  return buildCheck(
    { name: 'redis', kind: 'dependency', componentType: 'datastore' },
    options,
    deadlineRun(() => ping(client)),
    OWN,
  )
}

function ping(client: NodeRedisLike): Attempt<void> {
  // node-redis 4.0 has no isReady: an open client may be reconnecting, and then the PING waits
  // in its offline queue until the deadline (still one at a time).
  const ready = client.isReady ?? client.isOpen
  return redisPing(ready ? undefined : 'client is not ready (connecting, reconnecting or closed)', () => client.ping())
}
