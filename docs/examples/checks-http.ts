import { createHealth } from '@healthz/core'
import { httpCheck } from '@healthz/checks'

// Another service's readiness endpoint; credentials go in headers, never in the URL.
const payments = httpCheck({
  name: 'payments-api',
  url: 'http://payments.default.svc.cluster.local:8080/readyz',
  headers: { authorization: `Bearer ${process.env.PAYMENTS_TOKEN ?? ''}` },
  expectedStatus: 200,
  timeout: 300,
})

export const health = createHealth({ readiness: [payments] })
