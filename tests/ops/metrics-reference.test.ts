// The ops kit and the metric reference name the same metrics: every metric the alert rules and
// the dashboard read (tests/ops/promql.ts) is listed in docs/metrics.md, the reference that
// @healthz/prometheus documents. Until that page exists, this is skipped.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { METRICS } from './promql.ts'

const REFERENCE = fileURLToPath(new URL('../../docs/metrics.md', import.meta.url))
const missing = !existsSync(REFERENCE)

describe('the metrics the ops kit reads', () => {
  it.skipIf(missing)(`are each named in docs/metrics.md${missing ? ' (skipped: docs/metrics.md does not exist yet)' : ''}`, () => {
    const reference = readFileSync(REFERENCE, 'utf8')
    expect(Object.keys(METRICS).filter((name) => !new RegExp(`\\b${name}\\b`).test(reference))).toEqual([])
  })
})
