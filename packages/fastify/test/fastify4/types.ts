// The plugin registers on a Fastify 4 instance, typed by Fastify 4's own declarations, with its options checked.
import Fastify from 'fastify'
import type { Health } from '@healthz/core'
import { healthz } from '@healthz/fastify'

declare const health: Health
const app = Fastify({ logger: true })
await app.register(healthz, { health })
await app.register(healthz, { health, serve: 'route', drain: false })
// @ts-expect-error health is required
await app.register(healthz, {})
// @ts-expect-error a misspelt option
await app.register(healthz, { health, serv: 'route' })
export const version: string = app.version
