// @healthz/checks/mqtt: an MQTT readiness check over the application's own mqtt.js client.
// Never imports `mqtt`.
import type { CheckDefinition } from '@healthz/core'
import { describeValue, optionKeys } from '@healthz/core'
import type { Attempt, SharedCheckOptions } from './internal.js'
import { buildCheck, checkFailed, deadlineRun, hasMethod, invalidOption, optionsObject, SHARED_KEYS } from './internal.js'

/** The part of an mqtt.js v5 client the check uses. */
export interface MqttClientLike {
  readonly connected: boolean
  publish(topic: string, message: string, options: { qos: 1; retain: false }, callback: (error?: Error) => void): unknown
}

/** Options of {@link mqttCheck}. */
export interface MqttCheckOptions extends SharedCheckOptions {
  /** The application's mqtt.js client (`mqtt.connect(...)`). The check opens no connection. */
  client: MqttClientLike
  /**
   * Where the check publishes its empty QoS 1 message; the broker's PUBACK is the answer.
   * Pick a topic nobody subscribes to, and one the client may publish on.
   * @default 'healthz/ping'
   */
  topic?: string
}

const OWN = ['client', 'topic'] as const
const KEYS = optionKeys<MqttCheckOptions>({ ...SHARED_KEYS, client: true, topic: true })

/**
 * An MQTT check (`kind: 'dependency'`, `componentType: 'component'`, reported as
 * `mqtt:responseTime` in ms): an empty, non-retained QoS 1 publish on the application's
 * client, which passes when the broker acknowledges it (PUBACK). MQTT has no request/response
 * ping an application can await, and the acknowledgement goes to the publish callback: the
 * check attaches no listener to the client.
 *
 * A disconnected client fails at once, without queueing a message for later. A PUBACK still
 * missing at the deadline is left to arrive, and the next run waits on it instead of publishing
 * again: at most one message from this check is in flight.
 *
 * @throws {HealthzError} `INVALID_OPTION` when `client` is not an mqtt.js client or `topic` is not a topic name.
 * @example
 * ```ts
 * import mqtt from 'mqtt'
 * import { mqttCheck } from '@healthz/checks/mqtt'
 *
 * const client = mqtt.connect(process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883')
 * createHealth({ readiness: [mqttCheck({ client })] })
 * ```
 */
export function mqttCheck(options: MqttCheckOptions): CheckDefinition {
  const { client, topic = 'healthz/ping' } = optionsObject(options, 'mqttCheck', '{ client }', KEYS)
  if (!hasMethod(client, 'publish') || typeof (client as { connected?: unknown }).connected !== 'boolean') {
    throw invalidOption('mqttCheck: client must be an mqtt.js client (pass { client: mqtt.connect(url) }).')
  }
  if (typeof topic !== 'string' || topic === '' || /[#+\u0000]/.test(topic)) {
    throw invalidOption(`mqttCheck: topic must be a topic name without wildcards (# or +), got ${describeValue(topic)}.`)
  }
  const attempt = (): Attempt<void> => ({
    promise: new Promise<void>((resolve, reject) => {
      if (!client.connected) {
        reject(checkFailed('mqtt not connected', 'the client is disconnected or reconnecting'))
        return
      }
      client.publish(topic, '', { qos: 1, retain: false }, (error) => {
        if (error === undefined || error === null) resolve()
        else reject(checkFailed('mqtt publish failed', error))
      })
    }),
    waitingOn: 'no PUBACK yet; the next run waits on this message instead of publishing another',
  })
  return buildCheck({ name: 'mqtt', kind: 'dependency', componentType: 'component' }, options, deadlineRun(attempt), OWN)
}
