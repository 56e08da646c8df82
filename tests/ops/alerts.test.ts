// Issue 16: the Prometheus alert rules of the operations kit (ops/prometheus/) pass
// `promtool check rules`, and their unit tests (`promtool test rules`) fire each alert on a
// synthetic series and keep it silent on a healthy one. promtool comes from the Debian package
// `prometheus` (.ci/run installs it); without it these tests are skipped outside CI and fail in CI.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { IN_CI, LABELS, labelNames, metricNames, promtool, PROMTOOL_FOUND, PROMTOOL_MISSING, SERIES_NAMES } from './promql.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const OPS = join(ROOT, 'ops/prometheus')
const RULES = 'healthz-alerts.yml'
const TESTS = 'healthz-alerts.test.yml'

interface AlertRule {
  alert: string
  expr: string
  for?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}
interface RuleFile {
  groups: Array<{ name: string; rules: AlertRule[] }>
}
interface RuleTestFile {
  tests: Array<{ name: string; alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>
}

const rules = (parse(readFileSync(join(OPS, RULES), 'utf8')) as RuleFile).groups.flatMap((group) => group.rules)
const ruleTests = (parse(readFileSync(join(OPS, TESTS), 'utf8')) as RuleTestFile).tests.flatMap((test) => test.alert_rule_test ?? [])
const observing = readFileSync(join(ROOT, 'docs/observing.md'), 'utf8')

/** GitHub's anchor of a Markdown heading. */
const anchor = (heading: string): string => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')

describe('the alert rules (ops/prometheus/healthz-alerts.yml)', () => {
  it('are the alerts the docs describe', () => {
    expect(rules.map((rule) => rule.alert)).toEqual([
      'HealthzReadinessFailing',
      'HealthzNoReadyInstance',
      'HealthzReadinessFlapping',
      'HealthzLivenessFailing',
      'HealthzCheckNearDeadline',
      'HealthzShutdownOverrun',
    ])
  })

  it('each have a for:, a severity, a summary, a description and a runbook link to its section of docs/observing.md', () => {
    const anchors = new Set([...observing.matchAll(/^#{2,4} (.+)$/gm)].map(([, heading = '']) => anchor(heading)))
    for (const rule of rules) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/)
      expect(rule.labels?.severity, rule.alert).toMatch(/^(warning|critical)$/)
      expect(rule.annotations?.summary, rule.alert).toEqual(expect.stringContaining('{{ $labels.job }}'))
      expect(rule.annotations?.description?.length ?? 0, rule.alert).toBeGreaterThan(80)
      const url = rule.annotations?.runbook_url ?? ''
      expect(url, rule.alert).toBe(`https://github.com/healthz/healthz/blob/main/docs/observing.md#${rule.alert.toLowerCase()}`)
      expect(anchors, `docs/observing.md has no heading for ${rule.alert}`).toContain(rule.alert.toLowerCase())
    }
  })

  it('use only the metric names and labels @healthz/prometheus exports (tests/ops/promql.ts)', () => {
    for (const rule of rules) {
      const names = metricNames(rule.expr)
      expect(names.length, rule.alert).toBeGreaterThan(0)
      expect(names.filter((name) => !SERIES_NAMES.has(name)), rule.alert).toEqual([])
      expect(labelNames(rule.expr).filter((name) => !LABELS.has(name)), rule.alert).toEqual([])
    }
  })

  it('each have a unit test that fires them and one that keeps them silent', () => {
    for (const rule of rules) {
      const cases = ruleTests.filter((test) => test.alertname === rule.alert)
      expect(cases.some((test) => test.exp_alerts.length > 0), `${rule.alert} fires in a test`).toBe(true)
      expect(cases.some((test) => test.exp_alerts.length === 0), `${rule.alert} stays silent in a test`).toBe(true)
    }
  })
})

const skip = !PROMTOOL_FOUND && !IN_CI
if (skip) console.warn(`tests/ops/alerts.test.ts: skipping the promtool tests outside CI: ${PROMTOOL_MISSING}`)

describe.skipIf(skip)(`promtool on the alert rules${skip ? ` (skipped: ${PROMTOOL_MISSING})` : ''}`, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'healthz-alerts-'))
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  it('promtool check rules passes', () => {
    expect(PROMTOOL_FOUND, PROMTOOL_MISSING).toBe(true)
    const result = promtool(['check', 'rules', RULES], OPS)
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0)
    expect(result.stdout).toContain(`SUCCESS: ${rules.length} rules found`)
  })

  it('promtool test rules passes: every alert fires on its synthetic series and not on the healthy ones', () => {
    expect(PROMTOOL_FOUND, PROMTOOL_MISSING).toBe(true)
    const result = promtool(['test', 'rules', TESTS], OPS)
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0)
    expect(result.stdout).toContain('SUCCESS')
  })

  // The unit tests hold each rule: one that never fires, or one that always fires, fails them.
  it.each(rules.map((rule) => rule.alert))('promtool test rules fails when %s never fires, or always fires', (alert) => {
    expect(PROMTOOL_FOUND, PROMTOOL_MISSING).toBe(true)
    const text = readFileSync(join(OPS, RULES), 'utf8')
    const at = text.indexOf(`- alert: ${alert}\n`)
    const exprAt = text.indexOf('expr: |', at)
    const exprEnd = text.indexOf('\n        for:', exprAt)
    expect(at).toBeGreaterThan(-1)
    expect(exprAt).toBeGreaterThan(at)
    for (const expr of ['vector(1) == 0', 'vector(1)']) {
      const dir = mkdtempSync(join(scratch, 'mutant-'))
      writeFileSync(join(dir, RULES), `${text.slice(0, exprAt)}expr: ${expr}${text.slice(exprEnd)}`)
      copyFileSync(join(OPS, TESTS), join(dir, TESTS))
      expect(promtool(['check', 'rules', RULES], dir).status, `the mutant with ${expr} is a valid rule file`).toBe(0)
      const result = promtool(['test', 'rules', TESTS], dir)
      expect(result.status, `${alert} with expr ${expr}: the unit tests should fail\n${result.stdout}`).not.toBe(0)
      expect(result.stdout + result.stderr).toContain(alert)
    }
  })
})
