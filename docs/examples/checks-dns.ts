import { createHealth } from '@healthz/core'
import { dnsCheck } from '@healthz/checks'

// Resolves with a resolver of its own; at the deadline the query is cancelled.
const dns = dnsCheck({ hostname: 'payments.default.svc.cluster.local', rrtype: 'A', critical: false })

export const health = createHealth({ readiness: [dns] })
