// Issue 13, item 14: a probe on a port name the container does not declare. The kubelet looks the
// name up in the container's own `ports` (pkg/probe/util.go, findPortByName); when it is missing
// every probe fails, so the pod never becomes ready (or liveness restarts it forever). A gRPC
// probe takes a port number only (GRPCAction.port is an int32): a name is refused.
import { describe, expect, it } from 'vitest'
import { RULES, lint } from '../src/index.js'
import type { Finding } from '../src/index.js'
import { cli } from './helpers.js'

const pod = (container: string): string => `apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n${container}`
const findingsOf = async (text: string): Promise<Finding[]> => (await lint([{ file: 'p.yaml', text }])).findings.filter((f) => f.rule === 'probe-port-undeclared')

describe('issue-13 item 14: probe-port-undeclared', () => {
  it('issue-13 item 14: is a registered rule with severity error', () => {
    expect(RULES.find((rule) => rule.id === 'probe-port-undeclared')?.severity).toBe('error')
  })

  it('issue-13 item 14: an httpGet readiness probe on port: metrics with only http declared is an error at the port', async () => {
    const text = pod(
      [
        '    - name: api',
        '      ports: [{ name: http, containerPort: 8080 }]',
        '      readinessProbe:',
        '        httpGet: { path: /readyz, port: metrics }',
        '        periodSeconds: 5',
        '        failureThreshold: 2',
        '',
      ].join('\n'),
    )
    const [finding, ...rest] = await findingsOf(text)
    expect(rest).toEqual([])
    expect(finding).toMatchObject({ severity: 'error', container: 'api', line: 9 })
    expect(finding?.message).toContain('"metrics"')
    expect(finding?.message).toContain('declared: http')
    expect(finding?.message).toContain('never becomes ready')
    expect(finding?.fix).toContain('name: metrics')
  })

  it('issue-13 item 14: tcpSocket liveness and startup probes on an undeclared name are errors too, each with its consequence', async () => {
    const text = pod(
      [
        '    - name: db-proxy',
        '      livenessProbe: { tcpSocket: { port: pg } }',
        '      startupProbe: { tcpSocket: { port: pg }, periodSeconds: 2, failureThreshold: 31 }',
        '',
      ].join('\n'),
    )
    const findings = await findingsOf(text)
    expect(findings.map((f) => f.line)).toEqual([7, 8])
    expect(findings[0]?.message).toContain('declares no ports')
    expect(findings[0]?.message).toContain('restart')
    expect(findings[1]?.message).toContain('startupProbe')
  })

  it('issue-13 item 14: a declared name, a number and a probe without a port are not reported', async () => {
    const text = pod(
      [
        '    - name: ok',
        '      ports: [{ name: http, containerPort: 8080 }, { name: metrics, containerPort: 9090 }]',
        '      livenessProbe: { httpGet: { path: /livez, port: http } }',
        '      readinessProbe: { httpGet: { path: /readyz, port: metrics }, periodSeconds: 5, failureThreshold: 2 }',
        '      startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 2, failureThreshold: 31 }',
        '    - name: exec',
        '      livenessProbe: { exec: { command: [node, probe.js] } }',
        '',
      ].join('\n'),
    )
    expect(await findingsOf(text)).toEqual([])
  })

  it("issue-13 item 14: the name must be declared by the probe's own container, not by another one in the pod", async () => {
    const text = pod(
      [
        '    - name: sidecar',
        '      ports: [{ name: metrics, containerPort: 9090 }]',
        '    - name: app',
        '      ports: [{ name: http, containerPort: 8080 }]',
        '      readinessProbe: { httpGet: { path: /readyz, port: metrics }, periodSeconds: 5, failureThreshold: 2 }',
        '',
      ].join('\n'),
    )
    expect((await findingsOf(text)).map((f) => f.container)).toEqual(['app'])
  })

  it('issue-13 item 14: a gRPC probe with a port name is an error even when the name is declared (Kubernetes takes a number only)', async () => {
    const text = pod(
      [
        '    - name: grpc',
        '      ports: [{ name: grpc, containerPort: 9090 }]',
        '      livenessProbe: { grpc: { port: grpc, service: liveness } }',
        '',
      ].join('\n'),
    )
    const [finding] = await findingsOf(text)
    expect(finding?.message).toContain('gRPC')
    expect(finding?.message).toContain('number')
    expect(finding?.fix).toContain('port: 9090')
  })

  it('issue-13 item 14: healthz lint exits 1 on it, and --disable turns it off', async () => {
    const text = pod('    - name: api\n      ports: [{ name: http, containerPort: 8080 }]\n      readinessProbe: { httpGet: { path: /readyz, port: metrics }, periodSeconds: 5, failureThreshold: 2 }\n')
    const run = await cli(['lint', '-'], text)
    expect(run.status).toBe(1)
    expect(run.stdout).toContain('error  probe-port-undeclared')
    expect((await cli(['lint', '-', '--disable', 'probe-port-undeclared'], text)).status).toBe(0)
  })
})
