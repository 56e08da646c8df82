// @healthz/checks/amqplib: a RabbitMQ readiness check over the application's own amqplib
// connection or channel (promise API). Never imports `amqplib`.
import type { CheckDefinition } from '@healthz/core'
import { describeValue, optionKeys } from '@healthz/core'
import type { Attempt, SharedCheckOptions } from './internal.js'
import { buildCheck, checkFailed, deadlineRun, hasMethod, invalidOption, optionsObject, SHARED_KEYS } from './internal.js'

/** The part of an amqplib channel (promise API) the check uses. */
export interface AmqpChannelLike {
  checkExchange(exchange: string): Promise<unknown>
}

/** The part of an amqplib channel the check uses on the one channel it opens itself. */
export interface AmqpOwnChannelLike extends AmqpChannelLike {
  on(event: 'error' | 'close', listener: (error?: Error) => void): unknown
}

/** The part of an amqplib connection (`amqplib.connect()`, promise API) the check uses. */
export interface AmqpConnectionLike {
  createChannel(): Promise<AmqpOwnChannelLike>
}

/** Options of {@link amqpCheck}. */
export interface AmqpCheckOptions extends SharedCheckOptions {
  /**
   * The application's amqplib connection, or a channel of it. Given a connection, the check
   * opens one channel of its own on first use and keeps it (never one per probe); given a
   * channel, it uses that channel.
   */
  client: AmqpConnectionLike | AmqpChannelLike
  /**
   * The exchange whose existence is checked (a passive `exchange.declare`, answered by the
   * broker). The `amq.*` exchanges exist in every vhost and cannot be deleted.
   * @default 'amq.direct'
   */
  exchange?: string
}

const OWN = ['client', 'exchange'] as const
const KEYS = optionKeys<AmqpCheckOptions>({ ...SHARED_KEYS, client: true, exchange: true })

/**
 * A RabbitMQ check (`kind: 'dependency'`, `componentType: 'component'`, reported as
 * `rabbitmq:responseTime` in ms) over amqplib: a passive declare of `amq.direct`, a round trip
 * to the broker on a channel.
 *
 * A closed connection or channel fails at once. A declare still unanswered at the deadline is
 * left to finish (the connection is the application's), and the next run waits on it instead of
 * sending another: at most one request from this check is in flight however long the broker
 * stalls. Given a connection, the check's own channel is reopened on the next run if the
 * broker closed it.
 *
 * @throws {HealthzError} `INVALID_OPTION` when `client` is not an amqplib connection or channel.
 * @example
 * ```ts
 * import amqp from 'amqplib'
 * import { amqpCheck } from '@healthz/checks/amqplib'
 *
 * const connection = await amqp.connect(process.env.AMQP_URL ?? 'amqp://127.0.0.1')
 * createHealth({ readiness: [amqpCheck({ client: connection })] })
 * ```
 */
export function amqpCheck(options: AmqpCheckOptions): CheckDefinition {
  const { client, exchange = 'amq.direct' } = optionsObject(options, 'amqpCheck', '{ client: connection }', KEYS)
  const isChannel = hasMethod(client, 'checkExchange')
  if (!isChannel && !hasMethod(client, 'createChannel')) {
    throw invalidOption('amqpCheck: client must be an amqplib connection or channel from the promise API (pass { client: await amqp.connect(url) }).')
  }
  if (typeof exchange !== 'string' || exchange === '') throw invalidOption(`amqpCheck: exchange must be the name of an existing exchange, got ${describeValue(exchange)}.`)
  let own: Promise<AmqpChannelLike> | undefined
  const channel = (): Promise<AmqpChannelLike> => {
    if (isChannel) return Promise.resolve(client as AmqpChannelLike)
    if (own === undefined) {
      const opening = (client as AmqpConnectionLike).createChannel().then((created) => {
        // Listeners on the check's own channel, attached once: an 'error' event without a
        // listener would crash the process, and a closed channel is reopened next run.
        created.on('error', () => undefined)
        created.on('close', () => {
          if (own === opening) own = undefined
        })
        return created
      })
      opening.catch(() => {
        if (own === opening) own = undefined
      })
      own = opening
    }
    return own
  }
  const attempt = (): Attempt<void> => ({
    promise: (async () => {
      let opened: AmqpChannelLike
      try {
        opened = await channel()
      } catch (error) {
        throw checkFailed('rabbitmq channel could not be opened', error)
      }
      try {
        await opened.checkExchange(exchange)
      } catch (error) {
        throw checkFailed('rabbitmq check failed', error)
      }
    })(),
    waitingOn: 'no answer from the broker yet; the next run waits on this request instead of sending another',
  })
  return buildCheck({ name: 'rabbitmq', kind: 'dependency', componentType: 'component' }, options, deadlineRun(attempt), OWN)
}
