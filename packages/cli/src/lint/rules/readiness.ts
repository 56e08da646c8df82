// The readiness rule: a container a Service sends traffic to needs a readiness probe, or the
// Service sends requests to it before it listens and while it cannot answer.
import { echo } from '../../escape.js'
import { isRecord } from '../load.js'
import type { Rule, RuleContext, RuleFinding } from '../rule.js'
import { servesNoRequests } from './shutdown.js'

/** `readiness-probe-missing`. @internal */
export const readinessProbeMissing = {
  id: 'readiness-probe-missing',
  severity: 'warning',
  summary: 'A container a Service sends traffic to has no readiness probe.',
  description:
    'Without a readiness probe a pod counts as ready once its containers have started: the Service sends requests before the server listens (refused on every rollout and restart), and keeps sending them while it is overloaded or cannot reach what it needs.',
  check: readinessMissing,
} as const satisfies Rule

function readinessMissing({ resource, container, probes, at }: RuleContext): RuleFinding[] {
  if (probes.readiness !== undefined || at[0] !== 'containers' || resource.kind === 'Job' || resource.kind === 'CronJob') return []
  if (servesNoRequests(container)) return []
  const services = resource.services.filter((service) => !service.publishNotReady)
  if (services.length === 0) return []
  const ports = (Array.isArray(container.ports) ? container.ports : []).filter(isRecord)
  const containers = Array.isArray(resource.podSpec.containers) ? resource.podSpec.containers.filter(isRecord) : []
  // A target port is this container's when it declares it; an undeclared one, when it is the only container.
  const declaredAnywhere = (target: string | number): boolean =>
    containers.some((c) => (Array.isArray(c.ports) ? c.ports : []).filter(isRecord).some((p) => p.containerPort === target || p.name === target))
  const mine = (target: string | number): boolean =>
    ports.some((p) => p.containerPort === target || p.name === target) || (containers.length === 1 && !declaredAnywhere(target))
  const targeting = services.filter((service) => service.targetPorts.some(mine))
  if (targeting.length === 0) return []
  const names = targeting.map((service) => echo(service.name)).join(', ')
  const port = ports.find((p) => typeof p.containerPort === 'number')?.containerPort
  return [
    {
      path: ports.length > 0 ? ['ports'] : [],
      message: `The Service ${names} sends traffic to this container, which has no readinessProbe: the pod counts as ready as soon as it starts, so requests arrive before the server listens (refused on every rollout and restart) and keep arriving while it cannot answer.`,
      fix: `Add a readinessProbe on what the Service uses, e.g. readinessProbe: { ${port === undefined ? 'tcpSocket: { port: <the port> }' : `httpGet: { path: <a readiness path>, port: ${typeof port === 'number' ? port : 'http'} }`}, periodSeconds: 5, failureThreshold: 2 } (a TCP check when the port does not speak HTTP).`,
    },
  ]
}
