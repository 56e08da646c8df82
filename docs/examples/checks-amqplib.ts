import amqp from 'amqplib'
import { createHealth } from '@healthz/core'
import { amqpCheck } from '@healthz/checks/amqplib'

// Given the connection, the check opens one channel of its own on first use and keeps it.
const connection = await amqp.connect(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672')

export const health = createHealth({
  readiness: [amqpCheck({ client: connection })],
})
