// The gRPC rule: an exec probe running grpc_health_probe, where the kubelet's own `grpc:` probe
// (GA in Kubernetes 1.27) makes the same grpc.health.v1 Check call without a binary in the image.
import { echo } from '../../escape.js'
import type { Rule, RuleContext, RuleFinding } from '../rule.js'

/** `grpc-health-probe-exec`. @internal */
export const grpcHealthProbeExec = {
  id: 'grpc-health-probe-exec',
  severity: 'info',
  summary: 'An exec probe runs grpc_health_probe where a native grpc probe does the same.',
  description:
    'grpc_health_probe has to be copied into the image, and the kubelet forks it in the container at every period. Since Kubernetes 1.27 (GA; on by default from 1.24) a grpc probe makes the same grpc.health.v1 Health/Check call from the kubelet. Probes that need TLS, ALTS, SPIFFE or extra headers are left alone: the native probe has none of them.',
  since: '1.27',
  check: grpcExec,
} as const satisfies Rule

const PROGRAMS = new Set(['grpc_health_probe', 'grpc-health-probe'])
/** Flags of grpc_health_probe the kubelet's probe cannot do. */
const UNSUPPORTED = /^(tls|alts|spiffe|rpc-header)/
/** Flags that take a value (as `-flag value` as well as `-flag=value`). */
const WITH_VALUE = new Set(['addr', 'service', 'connect-timeout', 'rpc-timeout', 'user-agent', 'rpc-header', 'tls-ca-cert', 'tls-client-cert', 'tls-client-key', 'tls-server-name'])
const LOCAL_HOSTS = new Set(['', 'localhost', '127.0.0.1', '[::1]', '0.0.0.0', '[::]'])

/** What a grpc_health_probe command line asks, when the native probe can ask the same. @internal */
export function grpcHealthProbeTarget(command: readonly string[]): { port: number; service: string } | undefined {
  let words = [...command]
  const program = (words[0] ?? '').split('/').pop() ?? ''
  if (['sh', 'bash', 'ash', 'dash'].includes(program) && words.length === 3 && /^-[a-z]*c$/.test(words[1] ?? '')) {
    const script = words[2] ?? ''
    if (/[;&|`$<>(){}]/.test(script)) return undefined // more than one simple command
    words = script.trim().split(/\s+/).map((word) => word.replace(/^(['"])(.*)\1$/, '$2'))
  }
  if (!PROGRAMS.has((words[0] ?? '').split('/').pop() ?? '')) return undefined
  let addr: string | undefined
  let service = ''
  for (let index = 1; index < words.length; index += 1) {
    const word = words[index] as string
    if (!word.startsWith('-')) return undefined
    const [name = '', inline] = word.replace(/^--?/, '').split(/=(.*)/s, 2)
    if (UNSUPPORTED.test(name)) return undefined
    const value = inline ?? (WITH_VALUE.has(name) ? words[++index] : undefined)
    if (name === 'addr') addr = value
    if (name === 'service') service = value ?? ''
  }
  const match = addr === undefined ? null : /^(.*):(\d{1,5})$/.exec(addr)
  if (match === null || !LOCAL_HOSTS.has(match[1] ?? '')) return undefined
  const port = Number(match[2])
  return port >= 1 && port <= 65535 ? { port, service } : undefined
}

function grpcExec({ probes }: RuleContext): RuleFinding[] {
  const findings: RuleFinding[] = []
  for (const probe of Object.values(probes)) {
    if (probe.handler !== 'exec') continue
    const target = grpcHealthProbeTarget(probe.command)
    if (target === undefined) continue
    const service = target.service === '' ? '' : `, service: ${JSON.stringify(echo(target.service))}`
    findings.push({
      path: [probe.key, 'exec', 'command'],
      message: `${probe.key} runs grpc_health_probe through exec: the binary has to be in the image, and the kubelet forks it in the container every ${probe.periodSeconds} s. The kubelet's own grpc probe makes the same Health/Check call on port ${target.port}.`,
      fix: `Replace exec with grpc: { port: ${target.port}${service} } (Kubernetes 1.27+; timeoutSeconds bounds the call, as -rpc-timeout did).`,
    })
  }
  return findings
}
