import { toHealthJson } from '@healthz/core'
import { health } from './health.js'

// The framework-neutral answer of one probe, e.g. for a message-queue worker without HTTP.
const report = await health.probe('readiness', { exclude: ['redis'] })
console.log(report.status, report.checks.map((check) => `${check.name}: ${check.status}`))

// The same rendering as the HTTP responses (error text withheld unless disclose is true).
const body = toHealthJson(report, { service: { name: 'orders' }, disclose: false })
console.log(JSON.stringify(body))
