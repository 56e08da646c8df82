import { createHealth } from '@healthz/core'
import type { FormatFunction } from '@healthz/core'
import { postgres } from './health.js'

// Anything else: a function of the report. It gets the report after the `details` policy
// (error text redacted, or `reason withheld`), and is called once per changed report.
const legacy: FormatFunction = (report, context) => ({
  status: report.status === 'fail' ? 503 : 200,
  body: {
    healthy: report.status !== 'fail',
    draining: context.phase !== 'running',
    failing: report.checks.filter((check) => check.status === 'fail').map((check) => check.name),
  },
})

const health = createHealth({ readiness: [postgres], format: legacy })

export { health }
