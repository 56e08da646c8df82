// The rules for Kubernetes 1.27–1.34 and what runs in front of it (issue 15): the native preStop
// sleep, probe-level grace periods, gRPC probes, sidecars, Istio's probe rewrite and the AWS Load
// Balancer Controller; what each leaves alone (precision), `--kubernetes-version`, and
// `healthz manifest` in its modern and older forms, each passing `healthz lint --fail-on info`.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { lint, parseHealthzConfig, renderManifest } from '../src/index.js'
import type { Finding, LintOptions } from '../src/index.js'
import { cli, fixture } from './helpers.js'

async function findings(text: string, options: LintOptions = {}): Promise<Finding[]> {
  return (await lint([{ file: 'k.yaml', text }], options)).findings
}
const ids = (list: readonly Finding[]): string[] => list.map((f) => `${f.rule}@${f.container}`)
const only = (list: readonly Finding[], rule: string): Finding[] => list.filter((f) => f.rule === rule)
async function lintFixture(path: string, options: LintOptions = {}): Promise<Finding[]> {
  return findings(await readFile(fixture(path), 'utf8'), options)
}

/** A Deployment around one container, with optional pod template metadata and pod spec fields. */
function deployment(container: string, extra: { podMeta?: string; pod?: string; name?: string; namespace?: string } = {}): string {
  const name = extra.name ?? 'app'
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: { name: ${name}${extra.namespace ? `, namespace: ${extra.namespace}` : ''} }`,
    'spec:',
    `  selector: { matchLabels: { app: ${name} } }`,
    '  template:',
    '    metadata:',
    `      labels: { app: ${name} }`,
    ...(extra.podMeta ? [extra.podMeta] : []),
    '    spec:',
    ...(extra.pod ? [extra.pod] : []),
    '      containers:',
    container,
  ].join('\n')
}
const READY = '          readinessProbe: { httpGet: { path: /readyz, port: 8080 }, periodSeconds: 5, failureThreshold: 2 }'

describe('preStop: the native sleep action', () => {
  it('names the sleep and the fix, and leaves scripts that do more than sleep alone', async () => {
    const [finding, ...rest] = await lintFixture('bad/prestop-exec-sleep.yaml')
    expect(rest).toEqual([])
    expect(finding).toMatchObject({ rule: 'prestop-sleep-exec', severity: 'info', container: 'catalog' })
    expect(finding?.fix).toContain('lifecycle: { preStop: { sleep: { seconds: 10 } } }')
    expect(finding?.fix).toContain('--kubernetes-version 1.29')
  })

  it('reads every exec form of a plain sleep, and no other command', async () => {
    const forms: Array<[string, boolean]> = [
      ['["sleep", "15"]', true],
      ['["/bin/sleep", "15s"]', true],
      ['["/bin/sh", "-c", "sleep 15"]', true],
      ['["bash", "-ec", "exec sleep 15;"]', true],
      ['["sleep", "0.5"]', false], // the native action takes whole seconds
      ['["sh", "-c", "nginx -s quit; sleep 15"]', false],
      ['["/app/drain", "--wait", "15"]', false],
    ]
    for (const [command, flagged] of forms) {
      const text = deployment(`        - name: web\n          image: nginx:1.27\n${READY}\n          lifecycle: { preStop: { exec: { command: ${command} } } }`)
      expect(ids(only(await findings(text), 'prestop-sleep-exec')), command).toEqual(flagged ? ['prestop-sleep-exec@web'] : [])
    }
  })

  it('is a warning in an image with no shell and no sleep, where the hook fails without waiting', async () => {
    const [finding] = await lintFixture('bad/prestop-distroless.yaml')
    expect(finding).toMatchObject({ rule: 'prestop-sleep-no-shell', severity: 'warning' })
    expect(finding?.message).toContain('distroless images ship neither a shell nor sleep')
    expect(finding?.fix).toContain('sleep: { seconds: 10 }')
    // A distroless :debug image has busybox: only the style rule speaks.
    const debug = deployment(`        - name: web\n          image: gcr.io/distroless/nodejs20-debian12:debug\n${READY}\n          lifecycle: { preStop: { exec: { command: ["sleep", "10"] } } }`)
    expect(ids(await findings(debug))).toEqual(['prestop-sleep-exec@web'])
    // Chainguard's wolfi-base has a shell; its other images do not.
    for (const [image, rule] of [['cgr.dev/chainguard/wolfi-base', 'prestop-sleep-exec'], ['cgr.dev/chainguard/node:latest', 'prestop-sleep-no-shell']]) {
      const text = deployment(`        - name: web\n          image: ${image}\n${READY}\n          lifecycle: { preStop: { exec: { command: ["sleep", "10"] } } }`)
      expect(ids(await findings(text)), image).toEqual([`${rule}@web`])
    }
  })

  it('is skipped for clusters before 1.30, which have no sleep action', async () => {
    const text = await readFile(fixture('bad/prestop-exec-sleep.yaml'), 'utf8')
    expect(await findings(text, { kubernetesVersion: '1.29' })).toEqual([])
    expect(ids(await findings(text, { kubernetesVersion: 'v1.30.2' }))).toEqual(['prestop-sleep-exec@catalog'])
    const run = await cli(['lint', fixture('bad/prestop-exec-sleep.yaml'), '--kubernetes-version', '1.28', '--fail-on', 'info'])
    expect(run).toMatchObject({ status: 0, stderr: '' })
  })

  it('refuses a version it cannot read, or one older than 1.27', async () => {
    expect((await cli(['lint', fixture('good/prestop.yaml'), '--kubernetes-version', 'latest'])).stderr).toBe(
      'healthz lint: --kubernetes-version must be a Kubernetes version like 1.30 (major.minor), got "latest".\n',
    )
    expect((await cli(['lint', fixture('good/prestop.yaml'), '--kubernetes-version', '1.26'])).stderr).toContain('--kubernetes-version "1.26" is older than 1.27')
    await expect(lint([], { kubernetesVersion: '2.0' })).rejects.toThrow(expect.objectContaining({ code: 'USAGE', message: expect.stringMatching(/^kubernetesVersion must be a Kubernetes version/) }))
  })
})

describe('probe-level terminationGracePeriodSeconds', () => {
  it('on readiness: an error, as the API server refuses it', async () => {
    const [finding] = await lintFixture('bad/readiness-grace.yaml')
    expect(finding).toMatchObject({ rule: 'readiness-probe-grace-period', severity: 'error', line: 20 })
    expect(finding?.message).toContain('must not be set for readinessProbes')
    expect(finding?.fix).toContain('on livenessProbe instead')
  })

  it('on liveness: suggested when the pod grace period is long, and refused when it shortens nothing', async () => {
    const [missing, same] = await lintFixture('bad/liveness-grace.yaml')
    expect(missing?.message).toContain("waits the pod's terminationGracePeriodSeconds 90 before SIGKILL")
    expect(missing?.fix).toContain('livenessProbe.terminationGracePeriodSeconds: 10')
    expect(same?.message).toContain('livenessProbe.terminationGracePeriodSeconds is 60, not shorter than the pod')
    expect(same?.fix).toContain('below 60, e.g. 10')
  })

  it('counts the preStop sleep, which runs before a liveness kill too, and leaves the default 30 s alone', async () => {
    const container = (grace: number, sleep: number): string =>
      deployment(`        - name: web\n          image: example/web:1\n          livenessProbe: { httpGet: { path: /livez, port: 8080 } }\n          lifecycle: { preStop: { sleep: { seconds: ${sleep} } } }`, { pod: `      terminationGracePeriodSeconds: ${grace}` })
    const [finding] = await findings(container(60, 15))
    expect(finding?.fix).toContain('terminationGracePeriodSeconds: 25 (the 15 s preStop sleep runs first')
    expect(await findings(container(30, 5))).toEqual([])
    // Nothing to gain when the suggestion is no shorter than the pod's own.
    expect(only(await findings(container(40, 30)), 'liveness-probe-grace-period')).toEqual([])
  })
})

describe('native gRPC probes', () => {
  it('suggests grpc: with the port and service read from the command line', async () => {
    const [liveness, readiness] = await lintFixture('bad/grpc-health-probe.yaml')
    expect(liveness?.fix).toBe('Replace exec with grpc: { port: 50051, service: "liveness" } (Kubernetes 1.27+; timeoutSeconds bounds the call, as -rpc-timeout did).')
    expect(readiness?.fix).toContain('grpc: { port: 50051, service: "readiness" }')
    expect(readiness?.message).toContain('every 5 s')
  })

  it('leaves alone what the kubelet cannot do: TLS, headers, another host, scripts', async () => {
    for (const command of [
      '["grpc_health_probe", "-addr=:50051", "-tls"]',
      '["grpc_health_probe", "-addr=:50051", "-rpc-header=authorization: token"]',
      '["grpc_health_probe", "-addr=orders.shop.svc:50051"]',
      '["sh", "-c", "grpc_health_probe -addr=:50051 || exit 1"]',
      '["grpc_health_probe"]',
    ]) {
      const text = deployment(`        - name: g\n          image: example/g:1\n          livenessProbe: { exec: { command: ${command} } }`)
      expect(await findings(text), command).toEqual([])
    }
  })
})

describe('sidecars (init containers with restartPolicy: Always)', () => {
  it('are linted with the probe rules of main containers', async () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  initContainers:\n    - name: proxy\n      image: example/proxy:1\n      restartPolicy: Always\n      livenessProbe: { httpGet: { path: /healthz, port: 15000 }, terminationGracePeriodSeconds: 10 }\n      readinessProbe: { httpGet: { path: /healthz, port: 15000 }, periodSeconds: 5, failureThreshold: 2, terminationGracePeriodSeconds: 10 }\n  containers:\n    - name: app\n      image: example/app:1\n`
    const list = await findings(text)
    expect(list.map((f) => `${f.rule}@${f.container}${f.initContainer ? ' (init)' : ''}`)).toEqual([
      'liveness-equals-readiness@proxy (init)',
      'readiness-probe-grace-period@proxy (init)',
    ])
  })

  it('flags one the app connects to without a startup probe, and says how the dependency shows', async () => {
    const [pgbouncer, proxy] = await lintFixture('bad/sidecar-no-startup.yaml')
    expect(pgbouncer?.message).toContain('ledger uses it (env DATABASE_URL names 127.0.0.1:6432)')
    expect(pgbouncer?.fix).toContain('startupProbe: { tcpSocket: { port: 6432 }, periodSeconds: 1, failureThreshold: 30 }')
    expect(pgbouncer?.initContainer).toBe(true)
    expect(proxy?.message).toContain('billing uses it (gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0 is a connection proxy)')
    expect(proxy?.fix).toContain('--health-check')
  })

  it('leaves alone sidecars nobody names, and plain init containers (they finish before the app starts)', async () => {
    const pod = (restart: string, env: string): string =>
      `apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  initContainers:\n    - name: side\n      image: example/side:1\n${restart}      ports: [{ containerPort: 6379 }]\n  containers:\n    - name: app\n      image: example/app:1\n      env: [${env}]\n`
    expect(ids(await findings(pod('      restartPolicy: Always\n', '{ name: REDIS_URL, value: "redis://localhost:6379" }')))).toEqual(['sidecar-startup-probe-missing@side'])
    expect(await findings(pod('      restartPolicy: Always\n', '{ name: REDIS_URL, value: "redis://redis.shop.svc:6379" }'))).toEqual([])
    expect(await findings(pod('      restartPolicy: Always\n', '{ name: PORT, value: "6379" }'))).toEqual([])
    expect(await findings(pod('', '{ name: REDIS_URL, value: "redis://localhost:6379" }'))).toEqual([])
    // Host and port in two variables.
    expect(ids(await findings(pod('      restartPolicy: Always\n', '{ name: REDIS_HOST, value: "127.0.0.1" }, { name: REDIS_PORT, value: "6379" }')))).toEqual(['sidecar-startup-probe-missing@side'])
  })
})

describe('Istio', () => {
  it('flags TCP probes only where the pod turns the probe rewrite off', async () => {
    const [liveness, readiness] = await lintFixture('bad/istio-tcp.yaml')
    expect(liveness?.message).toContain('a dead or hung application is never restarted')
    expect(readiness?.message).toContain('counts as ready while the application is not listening')
    expect(readiness?.fix).toContain('"http://127.0.0.1:8080/readyz"')
    expect(readiness?.fix).toContain('exec probes are not rewritten')
  })

  it('leaves alone pods without injection, ports Envoy does not capture, and the switch on the Deployment', async () => {
    const tcp = `        - name: db\n          image: example/db:1\n          readinessProbe: { tcpSocket: { port: 5432 }, periodSeconds: 5, failureThreshold: 2 }`
    const rewriteOff = '        sidecar.istio.io/rewriteAppHTTPProbers: "false"'
    expect(ids(await findings(deployment(tcp, { podMeta: `      annotations:\n${rewriteOff}` })))).toEqual(['istio-tcp-probe@db'])
    expect(await findings(deployment(tcp, { podMeta: `      annotations:\n${rewriteOff}\n        sidecar.istio.io/inject: "false"` }))).toEqual([])
    expect(await findings(deployment(tcp, { podMeta: `      annotations:\n${rewriteOff}\n        traffic.sidecar.istio.io/excludeInboundPorts: "5432,9090"` }))).toEqual([])
    expect(await findings(deployment(tcp, { podMeta: `      annotations:\n${rewriteOff}\n        traffic.sidecar.istio.io/includeInboundPorts: "8080"` }))).toEqual([])
    // Istio reads the switch on the pod only; on the Deployment it is ignored, and probes are rewritten.
    const onDeployment = deployment(tcp).replace('metadata: { name: app }', `metadata:\n  name: app\n  annotations:\n${rewriteOff.slice(6)}`)
    expect(await findings(onDeployment)).toEqual([])
  })
})

describe('AWS Load Balancer Controller, IP targets', () => {
  it('flags a visible Namespace without the readiness gate label, at the pod spec', async () => {
    const [finding] = await lintFixture('bad/aws-readiness-gate.yaml')
    expect(finding?.message).toContain('Service shop/api sends traffic to these pods as IP targets, and Namespace shop has no elbv2.k8s.aws/pod-readiness-gate-inject: enabled label')
    expect(finding?.fix).toContain('kubectl label namespace shop elbv2.k8s.aws/pod-readiness-gate-inject=enabled')
  })

  it('says nothing about what the files do not show: a Namespace applied elsewhere, instance targets, no LoadBalancer', async () => {
    const text = await readFile(fixture('bad/aws-readiness-gate.yaml'), 'utf8')
    const withoutNamespace = text.split('---\n').slice(1).join('---\n')
    expect(await findings(withoutNamespace)).toEqual([])
    expect(await findings(text.replace('nlb-target-type: ip', 'nlb-target-type: instance'))).toEqual([])
    expect(await findings(text.replace('type: LoadBalancer', 'type: ClusterIP'))).toEqual([])
    expect(await findings(text.replace('selector: { app: api }', 'selector: { app: other }'))).toEqual([])
    // A readiness gate written into the template is the same as an injected one.
    expect(await findings(text.replace('      containers:', '      readinessGates: [{ conditionType: target-health.elbv2.k8s.aws/k8s-shop-api-0123456789 }]\n      containers:'))).toEqual([])
  })

  it('compares the deregistration delay with the preStop sleep, plus drainDelay with --config', async () => {
    const [finding] = await lintFixture('bad/aws-deregistration.yaml')
    expect(finding?.message).toContain('Ingress shop/web (through Service shop/web) sends traffic to these pods as IP targets with deregistration_delay.timeout_seconds=30')
    expect(finding?.message).toContain('stops accepting connections 10 s after termination starts (a preStop sleep of 10 s')
    expect(finding?.fix).toContain('sleep: { seconds: 30 }')
    const config = await parseHealthzConfig('shutdown: { drainDelay: 20000 }\n')
    expect(only(await lintFixture('bad/aws-deregistration.yaml', { config }), 'aws-lb-deregistration-delay')).toEqual([])
    const text = await readFile(fixture('bad/aws-deregistration.yaml'), 'utf8')
    // The Service's annotation wins over the Ingress's, as in the controller.
    expect(await findings(text.replace('  name: web\n  namespace: shop\nspec:\n  selector', '  name: web\n  namespace: shop\n  annotations: { alb.ingress.kubernetes.io/target-type: instance }\nspec:\n  selector'))).toEqual([])
    expect(await findings(text.replace(/\n\s+alb\.ingress\.kubernetes\.io\/target-group-attributes: .*/, ''))).toEqual([])
  })
})

describe('healthz manifest: the modern form, and the older one', () => {
  const combinations: Array<{ args: string[]; version?: string }> = [
    { args: [] },
    { args: ['--grpc'] },
    { args: ['--pre-stop-seconds', '10'] },
    { args: ['--grpc', '--pre-stop-seconds', '5', '--port', '50051'] },
    { args: ['--kubernetes-version', '1.29', '--pre-stop-seconds', '10'], version: '1.29' },
    { args: ['--kubernetes-version', '1.27', '--grpc', '--pre-stop-seconds', '3'], version: '1.27' },
    { args: ['--kubernetes-version', '1.30', '--boot-seconds', '300', '--prefix', '/health'], version: '1.30' },
  ]
  for (const { args, version } of combinations) {
    it(`healthz manifest ${args.join(' ')} passes healthz lint --fail-on info${version ? ` --kubernetes-version ${version}` : ''}`, async () => {
      const printed = await cli(['manifest', ...args])
      expect(printed).toMatchObject({ status: 0, stderr: '' })
      const linted = await cli(['lint', '-', '--fail-on', 'info', ...(version ? ['--kubernetes-version', version] : [])], printed.stdout)
      expect(linted).toEqual({ status: 0, stdout: 'healthz lint: no findings in 1 workload in 1 file.\n', stderr: '' })
    })
  }

  it('prints the native sleep from 1.30, exec sleep before, and a short liveness grace period', () => {
    const modern = renderManifest({ preStopSeconds: 10 })
    expect(modern).toContain('              sleep:\n                seconds: 10')
    expect(modern).toContain('terminationGracePeriodSeconds: 20  # the preStop sleep, then 10 s from SIGTERM to SIGKILL after a liveness failure, not 30')
    expect(modern).toContain('      terminationGracePeriodSeconds: 40\n')
    const older = renderManifest({ preStopSeconds: 10, kubernetesVersion: '1.29' })
    expect(older).toContain('command: ["sleep", "10"]')
    expect(older).toContain('`healthz lint --kubernetes-version 1.29` passes this file.')
    expect(renderManifest()).toContain('terminationGracePeriodSeconds: 10  # 10 s from SIGTERM to SIGKILL after a liveness failure, not 30')
  })

  it('prints grpc probes on the port number, one service per probe', () => {
    const text = renderManifest({ grpc: true, port: 50051 })
    expect(text).toContain('            - name: grpc\n              containerPort: 50051')
    for (const service of ['startup', 'liveness', 'readiness']) expect(text).toContain(`            grpc:\n              port: 50051\n              service: ${service}\n`)
    expect(text).not.toContain('httpGet')
  })

  it('refuses what it cannot print', async () => {
    expect((await cli(['manifest', '--kubernetes-version', '1.29', '--pre-stop-seconds', '5', '--image', 'gcr.io/distroless/nodejs20-debian12'])).stderr).toContain(
      '--pre-stop-seconds before Kubernetes 1.30 needs exec: [sleep, 5], and "gcr.io/distroless/nodejs20-debian12" has no sleep binary',
    )
    expect((await cli(['manifest', '--kubernetes-version', '1.2x'])).stderr).toBe('healthz manifest: --kubernetes-version must be a Kubernetes version like 1.30 (major.minor), got "1.2x".\n')
    expect(() => renderManifest({ grpc: 'yes' as unknown as boolean })).toThrow('--grpc must be true or false, got "yes".')
  })
})
