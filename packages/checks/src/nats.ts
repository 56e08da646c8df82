// @healthz/checks/nats: a NATS readiness check over the application's own `nats` connection.
// Never imports `nats`.
import type { CheckDefinition } from '@healthz/core'
import { optionKeys } from '@healthz/core'
import type { Attempt, SharedCheckOptions } from './internal.js'
import { buildCheck, checkFailed, deadlineRun, hasMethod, invalidOption, optionsObject, SHARED_KEYS } from './internal.js'

/** The part of a `nats` (nats.js v2) connection the check uses. */
export interface NatsConnectionLike {
  /** Round trip to the server (PING/PONG) in ms; rejects at once while disconnected or closed. */
  rtt(): Promise<number>
  isClosed(): boolean
}

/** Options of {@link natsCheck}. */
export interface NatsCheckOptions extends SharedCheckOptions {
  /** The application's NATS connection (`await connect(...)`). The check opens none of its own. */
  client: NatsConnectionLike
}

const OWN = ['client'] as const
const KEYS = optionKeys<NatsCheckOptions>({ ...SHARED_KEYS, client: true })

/**
 * A NATS check (`kind: 'dependency'`, `componentType: 'component'`, reported as
 * `nats:responseTime` in ms): a PING/PONG round trip (`nc.rtt()`) on the application's
 * connection.
 *
 * A closed or disconnected (reconnecting) connection fails at once. A PONG still missing at the
 * deadline is left to arrive (the connection is the application's), and the next run waits on it
 * instead of sending another PING: at most one PING from this check is in flight.
 *
 * @throws {HealthzError} `INVALID_OPTION` when `client` is not a nats connection.
 * @example
 * ```ts
 * import { connect } from 'nats'
 * import { natsCheck } from '@healthz/checks/nats'
 *
 * const nc = await connect({ servers: process.env.NATS_URL ?? '127.0.0.1:4222' })
 * createHealth({ readiness: [natsCheck({ client: nc })] })
 * ```
 */
export function natsCheck(options: NatsCheckOptions): CheckDefinition {
  const { client } = optionsObject(options, 'natsCheck', '{ client: nc }', KEYS)
  if (!hasMethod(client, 'rtt') || !hasMethod(client, 'isClosed')) {
    throw invalidOption('natsCheck: client must be a connection from the nats package (pass { client: await connect(...) }).')
  }
  const attempt = (): Attempt<void> => ({
    promise: (async () => {
      if (client.isClosed()) throw checkFailed('nats connection closed', 'the connection was closed and will not reconnect')
      try {
        await client.rtt()
      } catch (error) {
        throw checkFailed('nats ping failed', error)
      }
    })(),
    waitingOn: 'no PONG yet; the next run waits on this PING instead of sending another',
  })
  return buildCheck({ name: 'nats', kind: 'dependency', componentType: 'component' }, options, deadlineRun(attempt), OWN)
}
