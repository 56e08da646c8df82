// The AWS Load Balancer Controller rules. With target-type ip, the ALB or NLB sends traffic to
// pod IPs and learns of pod changes through the controller, with a delay: a rolling update can
// leave the target group with only new targets not yet healthy (unless the pod readiness gate
// holds the rollout), and a draining target can still get requests until the deregistration
// delay ends (aws-load-balancer-controller#1064, #1719). Both rules act only on what the files
// show: the annotations on a Service or Ingress linked to the workload, and its Namespace.
import { echo } from '../../escape.js'
import { namespaceOf, routingIngresses, selectingServices } from '../link.js'
import type { KubeObject, LintResource } from '../load.js'
import { isRecord } from '../load.js'
import type { Rule, RuleContext, RuleFinding } from '../rule.js'
import { preStopSleep } from './prestop.js'

/** `aws-lb-readiness-gate-missing`. @internal */
export const awsLbReadinessGateMissing = {
  id: 'aws-lb-readiness-gate-missing',
  severity: 'warning',
  summary: 'IP targets of the AWS Load Balancer Controller, and a Namespace without the pod readiness gate label.',
  description:
    'A pod is Ready before the controller has registered it and the load balancer has found it healthy. A rolling update that goes faster than that can leave the target group with only initial and draining targets: the load balancer answers 502/503. The controller injects a readiness gate that holds each pod until its target is healthy, in namespaces labelled elbv2.k8s.aws/pod-readiness-gate-inject: enabled.',
  check: readinessGate,
} as const satisfies Rule

/** `aws-lb-deregistration-delay`. @internal */
export const awsLbDeregistrationDelay = {
  id: 'aws-lb-deregistration-delay',
  severity: 'warning',
  summary: 'The pod stops serving before the target group\'s deregistration delay is over.',
  description:
    'A target that is deregistering can still receive requests until the deregistration delay ends (aws-load-balancer-controller#1064). A pod that stops accepting connections before that (its preStop sleep, plus the drain of the healthz config) refuses them: 502s on every rolling update.',
  check: deregistration,
} as const satisfies Rule

const INJECT_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject'
const NLB_TARGET = 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'
const NLB_ATTRIBUTES = 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes'
const ALB_TARGET = 'alb.ingress.kubernetes.io/target-type'
const ALB_ATTRIBUTES = 'alb.ingress.kubernetes.io/target-group-attributes'

/** A load balancer that sends traffic to the workload's pod IPs. */
interface IpTarget {
  /** `Service shop/api`, `Ingress shop/web` */
  readonly via: string
  /** deregistration_delay.timeout_seconds, when an annotation sets it. */
  readonly delay: number | undefined
  readonly attribute: string
}

function describe(object: KubeObject): string {
  return `${object.kind} ${object.namespace === undefined ? '' : `${echo(object.namespace)}/`}${echo(object.name)}`
}

function delayOf(attributes: string | undefined): number | undefined {
  const match = /(?:^|,)\s*deregistration_delay\.timeout_seconds\s*=\s*(\d+)\s*(?:,|$)/.exec(attributes ?? '')
  return match ? Number(match[1]) : undefined
}

/** The IP-mode load balancers in front of `resource` that the files show. */
function ipTargets(resource: LintResource, objects: readonly KubeObject[]): IpTarget[] {
  const targets: IpTarget[] = []
  for (const service of selectingServices(resource, objects)) {
    const spec = isRecord(service.body.spec) ? service.body.spec : {}
    const nlbIp = service.annotations[NLB_TARGET] === 'ip' || service.annotations['service.beta.kubernetes.io/aws-load-balancer-type'] === 'nlb-ip'
    if (spec.type === 'LoadBalancer' && nlbIp) targets.push({ via: describe(service), delay: delayOf(service.annotations[NLB_ATTRIBUTES]), attribute: NLB_ATTRIBUTES })
    for (const ingress of routingIngresses(service, objects)) {
      // The controller reads these from the Service first, then the Ingress.
      const type = service.annotations[ALB_TARGET] ?? ingress.annotations[ALB_TARGET]
      if (type !== 'ip') continue
      const attributes = service.annotations[ALB_ATTRIBUTES] ?? ingress.annotations[ALB_ATTRIBUTES]
      targets.push({ via: `${describe(ingress)} (through ${describe(service)})`, delay: delayOf(attributes), attribute: ALB_ATTRIBUTES })
    }
  }
  return targets
}

/** Both rules speak once per workload: at its first container with ports (or its first container). */
function reportsFor(resource: LintResource, at: RuleContext['at']): boolean {
  if (at[0] !== 'containers') return false
  const containers = Array.isArray(resource.podSpec.containers) ? resource.podSpec.containers : []
  const first = containers.findIndex((container) => isRecord(container) && Array.isArray(container.ports) && container.ports.length > 0)
  return at[1] === (first === -1 ? 0 : first)
}

function readinessGate({ resource, at, objects }: RuleContext): RuleFinding[] {
  if (!reportsFor(resource, at)) return []
  const targets = ipTargets(resource, objects)
  if (targets.length === 0) return []
  const gates = Array.isArray(resource.podSpec.readinessGates) ? resource.podSpec.readinessGates : []
  if (gates.some((gate) => isRecord(gate) && typeof gate.conditionType === 'string' && /^target-health\.(elbv2\.k8s\.aws|alb\.ingress\.k8s\.aws)\//.test(gate.conditionType))) return []
  // The label is on the Namespace: without the Namespace in the files there is nothing to see.
  const namespace = namespaceOf(resource, objects)
  if (namespace === undefined || namespace.labels[INJECT_LABEL] === 'enabled') return []
  return [
    {
      path: ['..'],
      message: `${targets[0]?.via} sends traffic to these pods as IP targets, and ${describe(namespace)} has no ${INJECT_LABEL}: enabled label: pods count as Ready before their targets are healthy, so a rolling update can remove the old pods while the new targets are still initial, and the load balancer answers 502/503.`,
      fix: `Label the namespace: ${INJECT_LABEL}: enabled (kubectl label namespace ${echo(namespace.name)} ${INJECT_LABEL}=enabled), then restart the pods so the controller injects the readiness gate.`,
    },
  ]
}

function deregistration({ resource, container, at, objects, config }: RuleContext): RuleFinding[] {
  if (!reportsFor(resource, at)) return []
  const target = ipTargets(resource, objects)
    .filter((candidate) => candidate.delay !== undefined)
    .sort((a, b) => (b.delay ?? 0) - (a.delay ?? 0))[0]
  if (target?.delay === undefined) return []
  const sleep = preStopSleep(container)?.seconds ?? 0
  const drain = config?.shutdown ? config.shutdown.drainDelay / 1000 : 0
  const serving = sleep + drain
  if (serving >= target.delay) return []
  const parts = [sleep > 0 ? `a preStop sleep of ${sleep} s` : 'no preStop sleep', config?.shutdown ? `a drainDelay of ${drain} s` : undefined].filter((part) => part !== undefined)
  return [
    {
      path: sleep > 0 ? ['lifecycle', 'preStop'] : [],
      message: `${target.via} sends traffic to these pods as IP targets with deregistration_delay.timeout_seconds=${target.delay}: a draining target can get requests until then, but the pod stops accepting connections ${serving} s after termination starts (${parts.join(' and ')}${config?.shutdown ? '' : '; with --config, healthz\'s drainDelay counts too'}), so requests in that gap are refused.`,
      fix: `Keep serving for the delay: lifecycle: { preStop: { sleep: { seconds: ${target.delay - drain} } } } with terminationGracePeriodSeconds above it by the in-flight time, or lower deregistration_delay.timeout_seconds in ${target.attribute} to ${serving}.`,
    },
  ]
}
