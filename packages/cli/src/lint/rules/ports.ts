// The port rule: a probe's port name must be one the container declares (the kubelet looks it up
// there), and a gRPC probe takes a number only.
import { echo } from '../../escape.js'
import { isRecord } from '../load.js'
import type { ProbeType } from '../probes.js'
import type { Rule, RuleContext, RuleFinding } from '../rule.js'

/** `probe-port-undeclared`. @internal */
export const probePortUndeclared = {
  id: 'probe-port-undeclared',
  severity: 'error',
  summary: 'A probe names a port the container does not declare (or a gRPC probe names a port at all).',
  description:
    "The kubelet looks a probe's port name up in the container's own ports. When it is not there, every probe fails: readiness never lets the pod take traffic, liveness and startup restart the container in a loop. A gRPC probe takes a port number only; Kubernetes refuses a name.",
  check: undeclaredPort,
} as const satisfies Rule

/** What a probe that fails every time does, by probe. */
const ALWAYS_FAILING: Record<ProbeType, string> = {
  readiness: 'the pod never becomes ready and never receives traffic',
  liveness: 'the container is restarted over and over',
  startup: 'boot never completes: the container is restarted in a loop, and liveness and readiness never start',
}

function undeclaredPort({ container, probes }: RuleContext): RuleFinding[] {
  const ports = (Array.isArray(container.ports) ? container.ports : []).filter(isRecord)
  const declared = ports.map((port) => port.name).filter((name): name is string => typeof name === 'string' && name !== '')
  const findings: RuleFinding[] = []
  for (const probe of Object.values(probes)) {
    if (probe.handler !== 'httpGet' && probe.handler !== 'tcpSocket' && probe.handler !== 'grpc') continue
    const name = probe.rawPort
    // Numbers, and digits in quotes (read as the number elsewhere in lint), are not names.
    if (typeof name !== 'string' || /^\d+$/.test(name)) continue
    const at = `${probe.key}.${probe.handler}.port`
    if (probe.handler === 'grpc') {
      // GRPCAction.port is an int32 in the Kubernetes API: a name is not looked up, it is refused.
      const number = typeof probe.port === 'number' ? probe.port : undefined
      findings.push({
        path: [probe.key, 'grpc', 'port'],
        message: `${at} is the name "${echo(name)}", but a gRPC probe takes a port number only (GRPCAction.port is an integer): the API server refuses the manifest, and no name is ever looked up.`,
        fix: `Set ${at} to the port number${number === undefined ? '' : `: port: ${number}`}.`,
      })
      continue
    }
    if (declared.includes(name)) continue
    const ports = declared.length === 0 ? 'the container declares no ports' : `the container declares no port named "${echo(name)}" (declared: ${declared.map((d) => echo(d)).join(', ')})`
    findings.push({
      path: [probe.key, probe.handler, 'port'],
      message: `${at} is "${echo(name)}", but ${ports}. The kubelet looks the name up in the container's own ports, does not find it, and fails every probe: ${ALWAYS_FAILING[probe.type]}.`,
      fix: `Declare it in the container's ports (- name: ${echo(name)}, containerPort: <the port>), or point the probe at ${declared.length === 0 ? '' : `a declared name (${declared.map((d) => echo(d)).join(', ')}) or `}the port number.`,
    })
  }
  return findings
}
