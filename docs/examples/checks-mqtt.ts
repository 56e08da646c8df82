import mqtt from 'mqtt'
import { createHealth } from '@healthz/core'
import { mqttCheck } from '@healthz/checks/mqtt'

const client = mqtt.connect(process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883')

// Passes on the broker's PUBACK for an empty QoS 1 message on a topic nobody reads.
export const health = createHealth({
  readiness: [mqttCheck({ client, topic: 'healthz/ping/orders' })],
})
