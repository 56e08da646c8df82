// Issue 15: `healthz lint` on real repositories. The model fixes behind the corpus test: merge
// keys, non-Kubernetes YAML skipped with a notice, the drain arithmetic for healthz services only
// (and the API's limit on a preStop sleep for everyone), a shared endpoint as style unless it is
// known to check a dependency, and the startup budget counted the way the kubelet counts it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { lint, parseHealthzConfig } from '../src/index.js'
import type { Finding, LintOptions } from '../src/index.js'
import { cli } from './helpers.js'

const pod = (container: string, spec = '', metadata = ''): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n${metadata}spec:\n${spec}  containers:\n    - name: app\n${container}`
const findings = async (text: string, options: LintOptions = {}): Promise<Finding[]> => (await lint([{ file: 'p.yaml', text }], options)).findings
const ids = (list: readonly Finding[]): string[] => list.map((finding) => `${finding.rule}:${finding.severity}`)

describe('issue-15: reading real repositories', () => {
  it('honours YAML merge keys, as kubectl does', async () => {
    const text = [
      'x-probe: &probe { httpGet: { path: /healthz, port: 8080 }, periodSeconds: 1, failureThreshold: 1 }',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: { name: p }',
      'spec:',
      '  containers:',
      '    - name: app',
      '      livenessProbe:',
      '        <<: *probe',
      '        timeoutSeconds: 1',
      '',
    ].join('\n')
    // Read as absent before: the probe's period and threshold came from the merge key.
    expect(ids(await findings(text))).toEqual(['liveness-restart-too-fast:warning'])
  })

  it('skips a values file and Chart.yaml in a directory with a notice, and lints the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healthz-lint-'))
    try {
      await writeFile(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: shop\nversion: 0.1.0\n')
      await writeFile(join(dir, 'values.yaml'), 'replicaCount: 2\nimage: { repository: shop }\n')
      await writeFile(join(dir, 'deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: shop\n          livenessProbe: { httpGet: { path: /healthz, port: 8080 }, periodSeconds: 2 }\n')
      await writeFile(join(dir, 'template.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    {{- include "shop.labels" . | nindent 4 }}\n')
      const run = await cli(['lint', dir])
      expect(run.status).toBe(0)
      expect(run.stdout).toContain('1 warning')
      const notices = run.stderr.trim().split('\n')
      expect(notices).toHaveLength(3)
      expect(run.stderr).toContain('Chart.yaml: document 1, line 1: is not a Kubernetes object: it has no kind')
      expect(run.stderr).toContain('values.yaml: document 1, line 1: is not a Kubernetes object: it has no apiVersion and no kind')
      expect(run.stderr).toContain('template.yaml: is a Helm template, not YAML yet (render it: helm template ./chart | healthz lint -).')
      // Given alone, a file with nothing to lint is still an input error.
      const alone = await cli(['lint', join(dir, 'values.yaml')])
      expect(alone.status).toBe(2)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('issue-15: the drain', () => {
  it('the API refuses a native preStop sleep longer than the grace period; a sleep as long leaves no time after SIGTERM', async () => {
    const longer = await findings(pod('      lifecycle: { preStop: { sleep: { seconds: 31 } } }\n'))
    expect(longer.map((f) => f.rule)).toEqual(['shutdown-drain-budget'])
    expect(longer[0]?.message).toContain('the API server refuses the pod')
    const equal = await findings(pod('      lifecycle: { preStop: { sleep: { seconds: 20 } } }\n', '  terminationGracePeriodSeconds: 20\n'))
    expect(equal[0]?.message).toContain('SIGTERM arrives with no time left')
    const exec = await findings(pod('      lifecycle: { preStop: { exec: { command: ["/bin/sh", "-c", "sleep 45"] } } }\n'))
    expect(exec[0]?.message).toContain('The preStop sleep (45 s) takes all of terminationGracePeriodSeconds 30 (the default)')
  })

  it("counts healthz's drain only for healthz services: a database or an HTTPS API server with long readiness windows is left alone", async () => {
    const slowReadiness = '      readinessProbe: { httpGet: { path: /readyz, port: 8443, scheme: HTTPS }, periodSeconds: 10, failureThreshold: 5 }\n'
    const apiServer = pod(`      livenessProbe: { httpGet: { path: /livez, port: 8443, scheme: HTTPS } }\n${slowReadiness}`)
    expect(await findings(apiServer)).toEqual([])
    const database = pod('      readinessProbe: { exec: { command: [pg_isready] }, periodSeconds: 10, failureThreshold: 6 }\n')
    expect(await findings(database)).toEqual([])
    // Marked as a healthz service, the same probes are healthz's drainDelay: 50 s + 10 s > 30 s.
    const marked = pod(slowReadiness, '', '  annotations: { healthz/service: app }\n')
    const [budget] = await findings(marked)
    expect(budget?.rule).toBe('shutdown-drain-budget')
    expect(budget?.message).toContain('drainDelay 50 s')
    expect(budget?.fix).toContain('Kubernetes takes the pod out of the endpoints when it is deleted')
  })
})

describe('issue-15: shared endpoints and the startup budget', () => {
  it('a shared endpoint is info while nothing says it checks a dependency, an error when something does', async () => {
    const shared = (path: string, image = 'registry.example.com/app:1'): string =>
      pod(`      image: ${image}\n      livenessProbe: { httpGet: { path: ${path}, port: 8080 } }\n      readinessProbe: { httpGet: { path: ${path}, port: 8080 }, periodSeconds: 5, failureThreshold: 2 }\n`)
    expect(ids(await findings(shared('/health')))).toEqual(['liveness-equals-readiness:info'])
    expect(ids(await findings(shared('/ready')))).toEqual(['liveness-equals-readiness:info'])
    expect(ids(await findings(pod('      livenessProbe: { grpc: { port: 9555 } }\n      readinessProbe: { grpc: { port: 9555 } }\n')))).toEqual(['liveness-equals-readiness:info'])
    expect(ids(await findings(shared('/actuator/health')))).toEqual(['liveness-dependency-endpoint:error'])
    expect(ids(await findings(shared('/api/health', 'docker.io/grafana/grafana:12.0.0')))).toEqual(['liveness-dependency-endpoint:error'])
    const config = await parseHealthzConfig('checks:\n  readiness: [postgres]\n')
    const withConfig = await findings(shared('/health'), { config })
    expect(ids(withConfig)).toEqual(['liveness-dependency-endpoint:error'])
    expect(withConfig[0]?.message).toContain('which runs postgres (the healthz config)')
  })

  it('startup-probe-missing counts initialDelaySeconds + (failureThreshold − 1) × periodSeconds, and keeps the liveness handler for a container with no ports', async () => {
    const list = await findings(pod('      livenessProbe: { exec: { command: [redis-cli, ping] }, initialDelaySeconds: 300, periodSeconds: 3 }\n'))
    const finding = list.find((f) => f.rule === 'startup-probe-missing')
    expect(finding?.message).toContain('initialDelaySeconds 300 + (failureThreshold 3 − 1) × periodSeconds 3 = 306 s')
    expect(finding?.fix).toContain('exec: { command: ["redis-cli", "ping"] }')
    expect(finding?.fix).not.toContain('/startupz')
  })
})
