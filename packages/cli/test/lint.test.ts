// `healthz lint` over the corpus in fixtures/: one bad and one good manifest per rule, the
// classic broken Deployment and its fix, every workload kind, Helm output on stdin, annotations,
// the three output formats, exit statuses, and clear errors for input that is not a manifest.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { DEFAULT_TIMEOUT } from '@healthz/core'
import { DEFAULT_CHECK_TIMEOUT, RULES, lint, parseHealthzConfig, renderManifest } from '../src/index.js'
import type { Finding, LintOptions } from '../src/index.js'
import { cli, fixture } from './helpers.js'

async function lintFile(path: string, options: LintOptions = {}): Promise<Finding[]> {
  const report = await lint([{ file: path, text: await readFile(fixture(path), 'utf8') }], options)
  return report.findings
}

const rules = (findings: readonly Finding[]): string[] => findings.map((finding) => `${finding.rule}@${finding.container}:${finding.line}`)

async function config(path: string): Promise<NonNullable<LintOptions['config']>> {
  return parseHealthzConfig(await readFile(fixture(path), 'utf8'), path)
}

describe('the classic broken Deployment', () => {
  it('reports liveness on the /readyz it shares with readiness as one error, at the liveness path', async () => {
    const findings = await lintFile('bad/classic-readyz.yaml')
    // One finding: the shared endpoint is reported as the dependency check it is, not twice.
    // The drain arithmetic is healthz's, and this container is not a healthz service (no /livez).
    expect(rules(findings)).toEqual(['liveness-dependency-endpoint@orders:24'])
    const same = findings.find((finding) => finding.rule === 'liveness-dependency-endpoint')
    expect(same).toMatchObject({
      file: 'bad/classic-readyz.yaml',
      document: 1,
      column: 21,
      severity: 'error',
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders', namespace: 'shop' },
      container: 'orders',
      initContainer: false,
    })
    // `port: http` and `port: 8080` are the same port once the name is resolved.
    expect(same?.message).toContain('livenessProbe GETs /readyz, which looks like a readiness or dependency endpoint ("readyz")')
    expect(same?.fix).toContain('/livez')
  })

  it('passes once fixed', async () => {
    expect(await lintFile('good/classic-readyz-fixed.yaml')).toEqual([])
  })
})

describe('one bad and one good manifest per rule', () => {
  const cases: Array<{ rule: string; bad: string; good: string; expected: string[]; config?: string }> = [
    { rule: 'liveness-dependency-endpoint', bad: 'bad/liveness-dependency.yaml', good: 'good/liveness-process.yaml', expected: ['liveness-dependency-endpoint@api:17', 'liveness-dependency-endpoint@worker:25'] },
    { rule: 'startup-probe-missing', bad: 'bad/initial-delay.yaml', good: 'good/startup-probe.yaml', expected: ['startup-probe-missing@search:20'] },
    { rule: 'liveness-restart-too-fast', bad: 'bad/liveness-eager.yaml', good: 'good/liveness-patient.yaml', expected: ['liveness-restart-too-fast@agent:17'] },
    { rule: 'shutdown-drain-budget', bad: 'bad/drain-budget.yaml', good: 'good/classic-readyz-fixed.yaml', expected: ['shutdown-drain-budget@checkout:20'] },
    { rule: 'shutdown-drain-budget', bad: 'bad/prestop-too-long.yaml', good: 'good/prestop.yaml', expected: ['shutdown-drain-budget@checkout:25', 'prestop-sleep-exec@checkout:25'] },
    { rule: 'exec-probe-missing-tool', bad: 'bad/exec-curl.yaml', good: 'good/exec-healthz-probe.yaml', expected: ['exec-probe-missing-tool@distroless:11', 'exec-probe-missing-tool@slim:15'] },
    { rule: 'probe-port-undeclared', bad: 'bad/port-undeclared.yaml', good: 'good/port-declared.yaml', expected: ['probe-port-undeclared@api:23'] },
    { rule: 'prestop-sleep-exec', bad: 'bad/prestop-exec-sleep.yaml', good: 'good/prestop-native-sleep.yaml', expected: ['prestop-sleep-exec@catalog:21'] },
    { rule: 'prestop-sleep-no-shell', bad: 'bad/prestop-distroless.yaml', good: 'good/prestop-distroless.yaml', expected: ['prestop-sleep-no-shell@payments:21'] },
    { rule: 'readiness-probe-grace-period', bad: 'bad/readiness-grace.yaml', good: 'good/liveness-grace.yaml', expected: ['readiness-probe-grace-period@search:20'] },
    { rule: 'liveness-probe-grace-period', bad: 'bad/liveness-grace.yaml', good: 'good/liveness-grace.yaml', expected: ['liveness-probe-grace-period@reports:18', 'liveness-probe-grace-period@exports:37'] },
    { rule: 'grpc-health-probe-exec', bad: 'bad/grpc-health-probe.yaml', good: 'good/grpc-native.yaml', expected: ['grpc-health-probe-exec@orders:19', 'grpc-health-probe-exec@orders:21'] },
    { rule: 'sidecar-startup-probe-missing', bad: 'bad/sidecar-no-startup.yaml', good: 'good/sidecar-startup.yaml', expected: ['sidecar-startup-probe-missing@pgbouncer:15', 'sidecar-startup-probe-missing@cloud-sql-proxy:48'] },
    { rule: 'istio-tcp-probe', bad: 'bad/istio-tcp.yaml', good: 'good/istio-tcp.yaml', expected: ['istio-tcp-probe@inventory:23', 'istio-tcp-probe@inventory:25'] },
    { rule: 'aws-lb-readiness-gate-missing', bad: 'bad/aws-readiness-gate.yaml', good: 'good/aws-readiness-gate.yaml', expected: ['aws-lb-readiness-gate-missing@api:34'] },
    { rule: 'aws-lb-deregistration-delay', bad: 'bad/aws-deregistration.yaml', good: 'good/aws-deregistration.yaml', expected: ['aws-lb-deregistration-delay@web:52'] },
    { rule: 'readiness-probe-missing', bad: 'bad/no-readiness.yaml', good: 'good/readiness.yaml', expected: ['readiness-probe-missing@catalog:26'] },
    { rule: 'shutdown-no-drain', bad: 'bad/no-drain.yaml', good: 'good/drain.yaml', expected: ['shutdown-no-drain@storefront:27'] },
    {
      rule: 'probe-timeout-below-deadline',
      bad: 'bad/timeout-budget.yaml',
      good: 'good/timeout-budget.yaml',
      config: 'config/slow-checks.yaml',
      expected: ['probe-timeout-below-deadline@reports:18', 'probe-timeout-below-deadline@reports:25'],
    },
  ]
  for (const { rule, bad, good, expected, config: configFile } of cases) {
    it(`${rule}: ${bad} is reported, ${good} is not`, async () => {
      const options = configFile === undefined ? {} : { config: await config(configFile) }
      expect(rules(await lintFile(bad, options))).toEqual(expected)
      expect(await lintFile(good, options)).toEqual([])
    })
  }

  it('every rule is covered by a bad manifest above or the classic Deployment', () => {
    const covered = new Set([...cases.map((c) => c.rule), 'liveness-equals-readiness'])
    expect([...covered].sort()).toEqual(RULES.map((rule) => rule.id).sort())
  })

  it('gives numbers a person can act on', async () => {
    const [delay] = await lintFile('bad/initial-delay.yaml')
    expect(delay?.message).toContain('initialDelaySeconds: 90')
    // The boot the container gets today: initialDelaySeconds 90 + (3 − 1) × 10 = 110 s, not 90.
    expect(delay?.message).toContain('initialDelaySeconds 90 + (failureThreshold 3 − 1) × periodSeconds 10 = 110 s')
    // Not a healthz service (no /readyz or /startupz): the startup probe asks liveness's question.
    expect(delay?.fix).toContain('startupProbe: { httpGet: { path: /livez, port: http }, periodSeconds: 2, failureThreshold: 56 }')
    expect(delay?.fix).not.toContain('healthz manifest')
    const [drain] = await lintFile('bad/drain-budget.yaml')
    expect(drain?.message).toContain('40 s')
    expect(drain?.message).toContain('periodSeconds 10 × failureThreshold 3')
    expect(drain?.fix).toContain('terminationGracePeriodSeconds: 40')
    const [exec] = await lintFile('bad/exec-curl.yaml')
    expect(exec?.severity).toBe('info')
    expect(exec?.message).toContain('no shell either')
    expect(exec?.fix).toContain('"probe", "http://127.0.0.1:8080/livez"')
    const timeouts = await lintFile('bad/timeout-budget.yaml', { config: await config('config/slow-checks.yaml') })
    expect(timeouts.map((finding) => finding.fix)).toEqual([
      'Set timeoutSeconds: 6, or lower the timeout of migrations below 900 ms.',
      'Set timeoutSeconds: 2, or lower the timeout of reports-api below 900 ms.',
    ])
  })

  it('checks drainDelay and the grace period against a config', async () => {
    const findings = await lintFile('good/classic-readyz-fixed.yaml', { config: await config('config/short-drain.yaml') })
    expect(findings.map((finding) => finding.rule)).toEqual(['shutdown-drain-budget', 'shutdown-drain-budget'])
    expect(findings[0]?.message).toContain('shutdown.terminationGracePeriodSeconds 60, but the pod leaves 30 s')
    // Kubernetes takes the pod out of the endpoints when it is deleted: the drain needs to cover
    // propagation (5 s), not the readiness window.
    expect(findings[1]?.message).toContain('drainDelay is 2s and there is no preStop sleep')
    expect(findings[1]?.fix).toContain('shutdown.drainDelay to 5000')
  })

  it('assumes the check deadline of @healthz/core when a config names a check without one', async () => {
    expect(DEFAULT_CHECK_TIMEOUT).toBe(DEFAULT_TIMEOUT)
    const parsed = await parseHealthzConfig('checks:\n  readiness: [postgres]\n')
    expect(parsed.checks.readiness).toEqual([{ name: 'postgres', timeout: DEFAULT_TIMEOUT }])
  })
})

describe('what is read', () => {
  it('walks every workload kind, List items, and init containers', async () => {
    const findings = await lintFile('input/kinds.yaml')
    expect(findings.map((f) => `${f.resource.kind}/${f.resource.name}/${f.container}${f.initContainer ? ' (init)' : ''}`)).toEqual([
      'ReplicaSet/rs/app',
      'Job/job/app',
      'CronJob/cron/app',
      'Pod/pod/proxy (init)',
      'Pod/pod/app',
      'DaemonSet/ds/app',
    ])
    expect(findings.map((f) => f.document)).toEqual([1, 2, 3, 4, 4, 5])
    const report = await lint([{ file: 'kinds.yaml', text: await readFile(fixture('input/kinds.yaml'), 'utf8') }])
    expect(report).toMatchObject({ resources: 5, objects: 6, files: 1 })
  })

  it('reads Helm-rendered output on stdin, skipping empty documents, and names the template', async () => {
    const text = await readFile(fixture('input/helm-rendered.yaml'), 'utf8')
    const run = await cli(['lint', '-', '--format', 'json'], text)
    expect(run.stderr).toBe('')
    expect(run.status).toBe(1)
    const { findings, summary } = JSON.parse(run.stdout) as { findings: Finding[]; summary: Record<string, number> }
    expect(findings.map((f) => [f.file, f.source, f.document, f.line, f.rule])).toEqual([
      ['<stdin>', 'shop/templates/deployment.yaml', 3, 42, 'shutdown-no-drain'], // the Service shop sends HTTP to it
      ['<stdin>', 'shop/templates/deployment.yaml', 3, 46, 'liveness-dependency-endpoint'],
    ])
    expect(summary).toEqual({ errors: 1, warnings: 1, info: 0, workloads: 2, objects: 4, files: 1 })
  })

  it('lints several files and stdin together', async () => {
    const text = await readFile(fixture('input/helm-rendered.yaml'), 'utf8')
    const run = await cli(['lint', fixture('bad/liveness-eager.yaml'), '-', fixture('good/prestop.yaml')], text)
    expect(run.stdout).toContain('healthz lint: 1 error, 2 warnings, 0 info in 4 workloads in 3 files.')
  })

  it('reads the .yaml and .yml files under a directory', async () => {
    const run = await cli(['lint', fixture('good'), '--format', 'json'])
    expect(run.status).toBe(0)
    expect((JSON.parse(run.stdout) as { summary: { files: number } }).summary.files).toBe(18)
    const bad = await cli(['lint', fixture('bad')])
    // One run links objects across its files: the Namespace of bad/aws-readiness-gate.yaml is the one of bad/aws-deregistration.yaml too.
    expect(bad.stdout).toContain('healthz lint: 5 errors, 14 warnings, 8 info in 22 workloads in 20 files.')
    const empty = await cli(['lint', fixture('../../src')])
    expect(empty.status).toBe(2)
    expect(empty.stderr).toContain('is a directory with no .yaml or .yml files in it.')
  })

  it('honours the disable annotation on the resource and on the pod template', async () => {
    expect(rules(await lintFile('input/disabled.yaml'))).toEqual(['liveness-restart-too-fast@legacy:16'])
  })

  it('honours --disable', async () => {
    const run = await cli(['lint', fixture('bad/classic-readyz.yaml'), '--disable', 'liveness-equals-readiness,shutdown-drain-budget', '--format', 'json'])
    expect((JSON.parse(run.stdout) as { findings: Finding[] }).findings.map((f) => f.rule)).toEqual(['liveness-dependency-endpoint'])
    const unknown = await cli(['lint', fixture('bad/classic-readyz.yaml'), '--disable', 'no-such-rule'])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain('"no-such-rule" is not a rule; the rules are liveness-equals-readiness,')
  })
})

describe('input that is not a manifest: one clear line, exit 2, no stack trace', () => {
  const cases: Array<[string, string]> = [
    ['input/malformed.yaml', 'malformed.yaml: document 2: YAML syntax error at line 10, column 1: All mapping items must start at the same column'],
    ['input/not-kubernetes.yaml', 'not-kubernetes.yaml: document 1, line 2: is not a Kubernetes object: it has no apiVersion and no kind (its keys: replicaCount, image, livenessProbe)'],
    ['input/scalar.yaml', 'scalar.yaml: document 1, line 1: is not a Kubernetes object but the text "just some text"'],
    ['input/no-such-file.yaml', 'cannot read'],
  ]
  for (const [path, message] of cases) {
    it(path, async () => {
      const run = await cli(['lint', fixture(path)])
      expect(run.status).toBe(2)
      expect(run.stdout).toBe('')
      expect(run.stderr).toContain(message)
      expect(run.stderr.trim().split('\n')).toHaveLength(1)
      expect(run.stderr).not.toMatch(/\n\s+at /)
    })
  }

  it('a bad config', async () => {
    const run = await cli(['lint', fixture('good/prestop.yaml'), '--config', fixture('config/invalid.yaml')])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('checks.readiness[0].timeout must be a number of milliseconds above 0 up to 2147483647 (about 24.8 days, the longest a Node timer holds), got "fast".')
  })

  it('malformed YAML on stdin', async () => {
    const run = await cli(['lint', '-'], 'kind: [unclosed\n')
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/^healthz lint: <stdin>: document 1: YAML syntax error at line \d+, column \d+: /)
  })

  it('usage errors', async () => {
    expect((await cli(['lint'])).stderr).toContain('expects manifest files, or -')
    expect((await cli(['lint', 'x.yaml', '--format', 'xml'])).stderr).toContain('--format "xml" is not one of text, json, sarif.')
    expect((await cli(['lint', 'x.yaml', '--fail-on', 'bad'])).status).toBe(2)
    expect((await cli(['lint', 'x.yaml', '--bogus'])).stderr).toContain('unknown option "--bogus"; known options: --format, --fail-on, --config, --disable, --kubernetes-version, --help.')
  })
})

describe('output formats and exit statuses', () => {
  it('text names file, line, document, resource, container, rule, severity and fix', async () => {
    const run = await cli(['lint', fixture('bad/classic-readyz.yaml')])
    expect(run.status).toBe(1)
    const lines = run.stdout.split('\n')
    expect(lines[0]).toBe(`${fixture('bad/classic-readyz.yaml')}:24:21  error  liveness-dependency-endpoint`)
    expect(lines[1]).toBe('  Deployment shop/orders, container orders (document 1)')
    expect(lines[3]).toMatch(/^ {2}fix: Point livenessProbe at an endpoint that checks only the process/)
    expect(lines.at(-2)).toBe('healthz lint: 1 error, 0 warnings, 0 info in 1 workload in 1 file.')
  })

  it('SARIF 2.1.0 with rules and results', async () => {
    const run = await cli(['lint', '-', '--format', 'sarif'], await readFile(fixture('input/helm-rendered.yaml'), 'utf8'))
    const sarif = JSON.parse(run.stdout) as {
      version: string
      runs: Array<{ tool: { driver: { name: string; version: string; rules: Array<{ id: string; defaultConfiguration: { level: string } }> } }; results: Array<Record<string, unknown>> }>
    }
    expect(sarif.version).toBe('2.1.0')
    const [sarifRun] = sarif.runs
    expect(sarifRun?.tool.driver).toMatchObject({ name: 'healthz lint', version: '9.9.9' })
    expect(sarifRun?.tool.driver.rules.map((rule) => rule.id)).toEqual(RULES.map((rule) => rule.id))
    expect(sarifRun?.tool.driver.rules.find((rule) => rule.id === 'exec-probe-missing-tool')?.defaultConfiguration.level).toBe('note')
    expect(sarifRun?.results).toHaveLength(2)
    expect(sarifRun?.results[1]).toMatchObject({
      ruleId: 'liveness-dependency-endpoint',
      ruleIndex: 1,
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'shop/templates/deployment.yaml' }, region: { startLine: 46, startColumn: 21 } } }],
    })
  })

  it('--fail-on sets the threshold', async () => {
    const warningsOnly = fixture('bad/liveness-eager.yaml')
    expect((await cli(['lint', warningsOnly])).status).toBe(0)
    expect((await cli(['lint', warningsOnly, '--fail-on', 'warning'])).status).toBe(1)
    const infoOnly = fixture('bad/exec-curl.yaml')
    expect((await cli(['lint', infoOnly, '--fail-on', 'warning'])).status).toBe(0)
    expect((await cli(['lint', infoOnly, '--fail-on', 'info'])).status).toBe(1)
    expect((await cli(['lint', fixture('bad/classic-readyz.yaml'), '--fail-on', 'none'])).status).toBe(0)
  })

  it('a clean run says so and exits 0', async () => {
    const run = await cli(['lint', fixture('good/classic-readyz-fixed.yaml'), fixture('good/prestop.yaml')])
    expect(run).toEqual({ status: 0, stdout: 'healthz lint: no findings in 2 workloads in 2 files.\n', stderr: '' })
  })
})

describe('healthz manifest', () => {
  it('prints a Deployment that healthz lint passes, for several settings', async () => {
    for (const options of [{}, { port: 3000, bootSeconds: 300, prefix: '/health/' }, { preStopSeconds: 10, name: 'orders' }, { bootSeconds: 1 }]) {
      const text = renderManifest(options)
      const report = await lint([{ file: 'manifest.yaml', text }], { config: await parseHealthzConfig('shutdown: { hookTimeouts: [5000, 5000] }\n') })
      expect(report.findings).toEqual([])
      expect(report.resources).toBe(1)
    }
  })

  it('uses the options', async () => {
    const run = await cli(['manifest', '--port', '3000', '--boot-seconds', '120', '--prefix', '/health', '--name', 'orders', '--pre-stop-seconds', '5'])
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('containerPort: 3000')
    expect(run.stdout).toContain('path: /health/startupz')
    expect(run.stdout).toContain('path: /health/livez')
    expect(run.stdout).toContain('path: /health/readyz')
    expect(run.stdout).toContain('failureThreshold: 61  # (61 - 1) x 2 s = 120 s to boot')
    expect(run.stdout).toContain('terminationGracePeriodSeconds: 35')
    expect(run.stdout).toContain('seconds: 5')
    expect(run.stdout).toContain('name: orders')
    // And it lints clean through the command line too.
    expect(await cli(['lint', '-', '--fail-on', 'info'], run.stdout)).toMatchObject({ status: 0 })
  })

  it('refuses bad options with a clear line', async () => {
    expect((await cli(['manifest', '--port', 'http'])).stderr).toBe('healthz manifest: --port must be a whole number from 1 to 65535, got "http".\n')
    expect((await cli(['manifest', '--port', '70000'])).stderr).toContain('--port must be a whole number from 1 to 65535, got 70000.')
    expect((await cli(['manifest', '--boot-seconds', '0'])).stderr).toContain('--boot-seconds must be a whole number from 1 to 2147483647, got 0.')
    expect((await cli(['manifest', '--prefix', 'health'])).stderr).toContain("--prefix must be a path starting with '/'")
    expect((await cli(['manifest', '--name', 'Orders_1'])).status).toBe(2)
  })
})

describe('the docs stay in step', () => {
  it('docs/kubernetes.md prints what healthz manifest prints', async () => {
    const page = await readFile(new URL('../../../docs/kubernetes.md', import.meta.url), 'utf8')
    const block = /```yaml\n([\s\S]*?)```/.exec(page)?.[1]
    const printed = renderManifest({ name: 'orders', image: 'registry.example.com/orders:2.14.0' }).split('\n').slice(2).join('\n')
    expect(block).toBe(printed)
  })

  it('docs/cli.md has a section for every rule, which SARIF links to', async () => {
    const page = await readFile(new URL('../../../docs/cli.md', import.meta.url), 'utf8')
    for (const rule of RULES) expect(page).toContain(`#### \`${rule.id}\``)
  })
})

describe('probe handlers', () => {
  const pod = (containers: string): string => `apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n${containers}`
  const lintText = async (text: string): Promise<string[]> => (await lint([{ file: 'p.yaml', text }])).findings.map((f) => `${f.rule}@${f.container}`)

  it('compares gRPC probes by port and service', async () => {
    expect(await lintText(pod('    - name: same\n      livenessProbe: { grpc: { port: 9090 } }\n      readinessProbe: { grpc: { port: 9090 }, periodSeconds: 5, failureThreshold: 2 }\n'))).toEqual(['liveness-equals-readiness@same'])
    expect(await lintText(pod('    - name: apart\n      livenessProbe: { grpc: { port: 9090, service: liveness } }\n      readinessProbe: { grpc: { port: 9090, service: readiness }, periodSeconds: 5, failureThreshold: 2 }\n'))).toEqual([])
  })

  it('leaves TCP probes on one port alone, and tells ports and hosts apart', async () => {
    expect(await lintText(pod('    - name: tcp\n      livenessProbe: { tcpSocket: { port: 5432 } }\n      readinessProbe: { tcpSocket: { port: 5432 }, periodSeconds: 5, failureThreshold: 2 }\n'))).toEqual([])
    expect(await lintText(pod('    - name: ports\n      livenessProbe: { httpGet: { path: /healthz, port: 9000 } }\n      readinessProbe: { httpGet: { path: /healthz, port: 8080 }, periodSeconds: 5, failureThreshold: 2 }\n'))).toEqual([])
    expect(await lintText(pod('    - name: named\n      ports: [{ name: web, containerPort: 8080 }]\n      livenessProbe: { httpGet: { path: /healthz/, port: "8080" } }\n      readinessProbe: { httpGet: { path: /healthz, port: web }, periodSeconds: 5, failureThreshold: 2 }\n'))).toEqual([
      'liveness-equals-readiness@named',
    ])
  })

  it('finds curl behind a shell in an exec probe', async () => {
    expect(await lintText(pod('    - name: alpine\n      image: node:20-alpine\n      livenessProbe: { exec: { command: [sh, -c, "curl -fsS http://127.0.0.1:8080/livez || exit 1"] } }\n'))).toEqual([
      'exec-probe-missing-tool@alpine',
    ])
  })
})
