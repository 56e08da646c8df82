import { connect } from 'nats'
import { createHealth } from '@healthz/core'
import { natsCheck } from '@healthz/checks/nats'

const nc = await connect({ servers: process.env.NATS_URL ?? '127.0.0.1:4222' })

export const health = createHealth({
  readiness: [natsCheck({ client: nc })],
})
