// @healthz/checks/ioredis: a Redis readiness check over the application's own ioredis client
// (a single node or a Cluster). Never imports `ioredis`.
import type { CheckDefinition } from '@healthz/core'
import { optionKeys } from '@healthz/core'
import type { Attempt, SharedCheckOptions } from './internal.js'
import { buildCheck, deadlineRun, hasMethod, invalidOption, optionsObject, redisPing, SHARED_KEYS } from './internal.js'

/** The part of an ioredis `Redis` or `Cluster` client the check uses. */
export interface IoredisLike {
  /** `'ready'` once connected; `'connecting'`, `'reconnecting'`, `'close'`, `'end'`… otherwise. */
  readonly status: string
  ping(): Promise<unknown>
}

/** Options of {@link ioredisCheck}. */
export interface IoredisCheckOptions extends SharedCheckOptions {
  /** The application's ioredis client. The check sends `PING` on it and opens no connection. */
  client: IoredisLike
}

const OWN = ['client'] as const
const KEYS = optionKeys<IoredisCheckOptions>({ ...SHARED_KEYS, client: true })

/**
 * A Redis check (`kind: 'dependency'`, `componentType: 'datastore'`, reported as
 * `redis:responseTime` in ms) over an ioredis client: `PING`, expecting `PONG`.
 *
 * A client that is not `ready` (connecting, reconnecting, closed) fails at once, without
 * queuing a command in ioredis's offline queue. A `PING` still unanswered at the deadline is
 * left to finish (the connection is shared with the application, so it is never destroyed), and
 * the next run waits on it instead of sending another: at most one `PING` from this check is in
 * flight however long Redis stalls.
 *
 * @throws {HealthzError} `INVALID_OPTION` when `client` is not an ioredis client.
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * import { ioredisCheck } from '@healthz/checks/ioredis'
 *
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
 * createHealth({ readiness: [ioredisCheck({ client: redis })] })
 * ```
 */
export function ioredisCheck(options: IoredisCheckOptions): CheckDefinition {
  const { client } = optionsObject(options, 'ioredisCheck', '{ client: redis }', KEYS)
  if (!hasMethod(client, 'ping') || typeof (client as { status?: unknown }).status !== 'string') {
    throw invalidOption('ioredisCheck: client must be an ioredis client (pass { client: redis }, where redis = new Redis(...)).')
  }
  return buildCheck(
    { name: 'redis', kind: 'dependency', componentType: 'datastore' },
    options,
    deadlineRun(() => ping(client)),
    OWN,
  )
}

function ping(client: IoredisLike): Attempt<void> {
  return redisPing(client.status === 'ready' ? undefined : `client status is '${client.status}'`, () => client.ping())
}
