// Issue 16: the Grafana dashboard of the operations kit (ops/grafana/healthz-dashboard.json).
// Every query uses only the metric names and labels @healthz/prometheus exports, and parses as
// PromQL: promtool validates a rule file with one recording rule per panel query (Grafana's
// variables replaced by values), which checks the queries offline, with no Prometheus running.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { IN_CI, LABELS, labelNames, metricNames, METRICS, promtool, PROMTOOL_FOUND, PROMTOOL_MISSING, SERIES_NAMES, withoutGrafanaVariables } from './promql.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

interface Target {
  refId: string
  expr: string
  legendFormat?: string
  datasource?: { type: string; uid: string }
}
interface Panel {
  id: number
  type: string
  title: string
  description?: string
  datasource?: { type: string; uid: string }
  gridPos: { h: number; w: number; x: number; y: number }
  targets?: Target[]
}
interface Variable {
  name: string
  type: string
  query: string | { query: string }
  includeAll?: boolean
  allValue?: string
}
interface Dashboard {
  uid: string
  title: string
  schemaVersion: number
  templating: { list: Variable[] }
  panels: Panel[]
}

const dashboard = JSON.parse(readFileSync(join(ROOT, 'ops/grafana/healthz-dashboard.json'), 'utf8')) as Dashboard
const panels = dashboard.panels.filter((panel) => panel.type !== 'row')
const queries = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, ...target })))
const variableQueries = dashboard.templating.list.flatMap((variable) =>
  variable.type === 'query' ? [{ panel: `variable ${variable.name}`, expr: typeof variable.query === 'string' ? variable.query : variable.query.query }] : [],
)
const observing = readFileSync(join(ROOT, 'docs/observing.md'), 'utf8')

describe('the Grafana dashboard (ops/grafana/healthz-dashboard.json)', () => {
  it('is a dashboard of a current Grafana (schemaVersion 39+, Grafana 11 and later) with a stable uid', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39)
    expect(dashboard.uid).toBe('healthz-overview')
  })

  it('has a Prometheus data source variable, and service and check variables that default to all', () => {
    const byName = new Map(dashboard.templating.list.map((variable) => [variable.name, variable]))
    expect(byName.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' })
    for (const name of ['service', 'check']) {
      expect(byName.get(name), name).toMatchObject({ type: 'query', includeAll: true, allValue: '.*' })
    }
  })

  it('has the panels docs/observing.md describes, each under its own heading', () => {
    expect(panels.map((panel) => panel.title)).toEqual([
      'Readiness by instance',
      'Liveness by instance',
      'Probe requests by code',
      'Check states (worst instance)',
      'Check duration p50 / p99 vs deadline',
      'Check runs by result',
      'Check timeouts',
      'Check cache hits',
      'Startup',
      'Shutdown phase',
      'Event-loop delay',
      'Event-loop stalls',
    ])
    const headings = new Set([...observing.matchAll(/^#{3,4} (.+)$/gm)].map(([, heading = '']) => heading.trim()))
    for (const panel of panels) expect(headings, `docs/observing.md has no heading "${panel.title}"`).toContain(panel.title)
  })

  it('queries the data source variable from every panel and target, with unique ids and a layout 24 columns wide', () => {
    const ids = dashboard.panels.map((panel) => panel.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' })
      expect(panel.description?.length ?? 0, panel.title).toBeGreaterThan(20)
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24)
      expect(panel.targets?.length ?? 0, panel.title).toBeGreaterThan(0)
      for (const target of panel.targets ?? []) expect(target.datasource, `${panel.title} ${target.refId}`).toEqual({ type: 'prometheus', uid: '${datasource}' })
    }
  })

  it('filters every panel query by $service, and every check query by $check (but a panel about one named check)', () => {
    for (const query of queries) {
      expect(query.expr, query.panel).toContain('service=~"$service"')
      const oneCheck = /check="[^"$]+"/.test(query.expr) // the event-loop stall panel: check="event-loop"
      if (!oneCheck && metricNames(query.expr).some((name) => name.startsWith('healthz_check_'))) expect(query.expr, query.panel).toContain('check=~"$check"')
    }
  })

  it('uses only the metric names and labels @healthz/prometheus exports (tests/ops/promql.ts)', () => {
    const used = new Set<string>()
    for (const query of [...queries, ...variableQueries]) {
      const names = metricNames(withoutGrafanaVariables(query.expr.replace(/^label_values\((.*), *\w+\)$/, '$1')))
      expect(names.length, query.panel).toBeGreaterThan(0)
      expect(names.filter((name) => !SERIES_NAMES.has(name)), query.panel).toEqual([])
      expect(labelNames(query.expr).filter((name) => !LABELS.has(name)), query.panel).toEqual([])
      for (const name of names) used.add(name.replace(/_(bucket|sum|count)$/, ''))
    }
    // Every metric family in the list has a panel, but the shutdown deadline: an alert's input
    // (HealthzShutdownOverrun), which shows here as a long band on the Shutdown phase panel.
    expect(Object.keys(METRICS).filter((name) => !used.has(name))).toEqual(['healthz_shutdown_deadline_timestamp_seconds'])
  })

  it('finds the metric names of an expression, and not its functions, keywords or labels', () => {
    expect(metricNames('histogram_quantile(0.99, sum by (check, le) (rate(a_bucket{check=~"x"}[5m]))) > on (check) 0.8 * max by (check) (b) unless c offset 5m')).toEqual(['a_bucket', 'b', 'c'])
    expect(labelNames('sum by (check, le) (a{probe="readiness", phase=~"a=b"}) and on (job, instance) b')).toEqual(['check', 'instance', 'job', 'le', 'phase', 'probe'])
  })
})

const skip = !PROMTOOL_FOUND && !IN_CI
if (skip) console.warn(`tests/ops/dashboard.test.ts: skipping the promtool tests outside CI: ${PROMTOOL_MISSING}`)

describe.skipIf(skip)(`promtool on the dashboard's queries${skip ? ` (skipped: ${PROMTOOL_MISSING})` : ''}`, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'healthz-dashboard-'))
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  /** A rule file with one recording rule per expression; promtool parses each expression. */
  const check = (exprs: string[]): { status: number | null; output: string } => {
    const file = join(scratch, `queries-${exprs.length}-${Math.random().toString(36).slice(2)}.yml`)
    const rules = exprs.map((expr, index) => ({ record: `healthz:dashboard_query:${index}`, expr }))
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }))
    const result = promtool(['check', 'rules', file], scratch)
    return { status: result.status, output: `${result.stdout}${result.stderr}` }
  }

  it('parses every panel query, with the variables replaced', () => {
    expect(PROMTOOL_FOUND, PROMTOOL_MISSING).toBe(true)
    const result = check(queries.map((query) => withoutGrafanaVariables(query.expr)))
    expect(result.status, result.output).toBe(0)
    expect(result.output).toContain(`SUCCESS: ${queries.length} rules found`)
  })

  it('refuses a query that is not PromQL (the check is not vacuous)', () => {
    expect(PROMTOOL_FOUND, PROMTOOL_MISSING).toBe(true)
    const result = check(['sum by (check (rate(healthz_check_runs_total[5m]))'])
    expect(result.status).not.toBe(0)
    expect(result.output).toMatch(/parse error/i)
  })
})
