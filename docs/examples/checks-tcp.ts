import { createHealth } from '@healthz/core'
import { tcpCheck } from '@healthz/checks'

// For a dependency with no client in the process: passes when the port accepts a connection.
const smtp = tcpCheck({ name: 'smtp', host: 'mail.internal', port: 25, cache: 5000 })

export const health = createHealth({ readiness: [smtp] })
