// The service-mesh rule: under Istio's sidecar, every inbound port is redirected to Envoy, which
// accepts any TCP connection. Istio rewrites TCP (and HTTP, gRPC) probes so the agent checks the
// application itself; a pod that turns the rewrite off is left with TCP probes that always pass.
// Only what the manifest shows counts: the pod template's labels and annotations.
import type { Rule, RuleContext, RuleFinding } from '../rule.js'

/** `istio-tcp-probe`. @internal */
export const istioTcpProbe = {
  id: 'istio-tcp-probe',
  severity: 'warning',
  summary: 'A tcpSocket probe under Istio with probe rewriting turned off: it always passes.',
  description:
    'Istio redirects every inbound port to its Envoy sidecar, which accepts any TCP connection, so a tcpSocket probe succeeds as long as the sidecar runs, whether the application listens or not. Istio rewrites such probes (the agent then checks the port itself) unless the pod sets sidecar.istio.io/rewriteAppHTTPProbers: "false": then readiness sends traffic to a pod that is not listening, and liveness never restarts a dead one.',
  check: tcpUnderIstio,
} as const satisfies Rule

const INJECT = 'sidecar.istio.io/inject'
const REWRITE = 'sidecar.istio.io/rewriteAppHTTPProbers'

/** A port list annotation (`"8080,9090"`, `"*"`) holds `port`. */
function lists(value: string, port: number): boolean {
  return value.trim() === '*' || value.split(',').some((entry) => entry.trim() === String(port))
}

function tcpUnderIstio({ resource, container, probes }: RuleContext): RuleFinding[] {
  const { labels, annotations } = resource.pod
  // The rewrite switch is read from the pod (template) only; Istio ignores it on the Deployment.
  if (annotations[REWRITE] !== 'false') return []
  if (labels[INJECT] === 'false' || annotations[INJECT] === 'false') return []
  if (container.name === 'istio-proxy') return []
  const findings: RuleFinding[] = []
  for (const probe of Object.values(probes)) {
    if (probe.handler !== 'tcpSocket' || typeof probe.port !== 'number') continue
    // A port Envoy does not capture reaches the application itself.
    const exclude = annotations['traffic.sidecar.istio.io/excludeInboundPorts']
    const include = annotations['traffic.sidecar.istio.io/includeInboundPorts']
    if ((exclude !== undefined && lists(exclude, probe.port)) || (include !== undefined && !lists(include, probe.port))) continue
    const what =
      probe.type === 'readiness'
        ? 'the pod counts as ready while the application is not listening, and gets traffic it refuses'
        : probe.type === 'liveness'
          ? 'a dead or hung application is never restarted'
          : 'boot counts as done at once, and liveness starts probing a process that is still booting'
    findings.push({
      path: [probe.key, 'tcpSocket'],
      message: `${probe.key} connects to port ${probe.port}, but this pod turns Istio's probe rewrite off (${REWRITE}: "false"): the connection is redirected to the Envoy sidecar, which accepts it whether the application listens or not, so the probe always passes: ${what}.`,
      fix: `Remove ${REWRITE}: "false", so Istio's agent checks the port itself. If the rewrite must stay off, use an exec probe over loopback, e.g. exec: { command: ["node", "node_modules/@healthz/cli/dist/bin.js", "probe", "http://127.0.0.1:${probe.port}${probe.type === 'readiness' ? '/readyz' : probe.type === 'liveness' ? '/livez' : '/startupz'}"] }: exec probes are not rewritten and loopback traffic does not pass through Envoy (an httpGet probe without the rewrite goes through Envoy, and fails under STRICT mTLS).`,
    })
  }
  return findings
}
