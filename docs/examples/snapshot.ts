// Reading the state at any moment, without running a check: what a metrics collector does at scrape time.
import { health } from './health.js'

const snapshot = health.snapshot()
for (const check of snapshot.checks) {
  // status is undefined until the check's first result; result.duration is in ms.
  console.log(check.name, check.probes.join(','), check.status ?? 'no result yet', check.result?.duration)
}
console.log('readiness', snapshot.probes.readiness.status, 'phase', snapshot.phase, 'started', snapshot.started)
