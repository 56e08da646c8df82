// The shutdown rules. Kubernetes takes a terminating pod out of the endpoints when the pod is
// deleted, at the same moment the preStop hook starts (SIGTERM follows the hook); kube-proxy,
// ingress controllers and cloud load balancers catch up a few seconds later. So a server must
// keep serving a few seconds after that moment (a preStop sleep, or its own drain delay), then
// finish what is in flight, all before terminationGracePeriodSeconds ends in SIGKILL.
import { formatDuration } from '../../duration.js'
import { echo } from '../../escape.js'
import { isRecord } from '../load.js'
import type { NodePath } from '../load.js'
import { positive } from '../probes.js'
import type { Rule, RuleContext, RuleFinding } from '../rule.js'

/**
 * In-flight allowance assumed without a config: healthz's default `shutdown.gracePeriod`, in seconds.
 * @default 10
 * @example
 * ```ts
 * const needed = preStopSleep + drainDelay + ASSUMED_GRACE_PERIOD
 * ```
 */
export const ASSUMED_GRACE_PERIOD = 10

/**
 * The shortest wait, in seconds, between a pod's deletion and its server closing the listener
 * (preStop sleep plus drain delay) that lets kube-proxy, ingress controllers and cloud load
 * balancers stop routing to it: endpoint removal reaches them in about 1 to 5 s.
 * @default 5
 * @example
 * ```ts
 * const enough = preStopSleep + drainDelay >= MIN_DRAIN_DELAY
 * ```
 */
export const MIN_DRAIN_DELAY = 5

/** `shutdown-drain-budget`. @internal */
export const shutdownDrainBudget = {
  id: 'shutdown-drain-budget',
  severity: 'warning',
  summary: 'preStop sleep, drain delay and in-flight requests do not fit in terminationGracePeriodSeconds.',
  description:
    'The preStop hook runs inside terminationGracePeriodSeconds: a sleep as long as the grace period leaves no time after SIGTERM (and a native sleep action longer than it is refused by the API server). For a healthz service the whole shutdown is known — preStop sleep, drainDelay, gracePeriod for requests in flight, shutdown hooks — and must fit before SIGKILL.',
  check: drainBudget,
} as const satisfies Rule

/** `shutdown-no-drain`. @internal */
export const shutdownNoDrain = {
  id: 'shutdown-no-drain',
  severity: 'warning',
  summary: 'An HTTP server behind a Service has no preStop delay: requests are dropped on every deploy.',
  description:
    'Kubernetes sends SIGTERM as it starts taking the pod out of the endpoints; kube-proxy, ingress controllers and load balancers keep routing to it for a few more seconds. A server that exits, or closes its listener, at SIGTERM refuses those requests. A preStop sleep of a few seconds (or a server that keeps serving that long after SIGTERM, as healthz does) closes the gap.',
  check: noDrain,
} as const satisfies Rule

interface PreStop {
  /** Seconds the hook sleeps (0: it does something else). */
  readonly sleep: number
  /** A `sleep` action (Kubernetes 1.30+), which the API server validates against the grace period. */
  readonly native: boolean
}

function preStopOf(container: Record<string, unknown>): PreStop | undefined {
  const lifecycle = isRecord(container.lifecycle) ? container.lifecycle : undefined
  const preStop = lifecycle && isRecord(lifecycle.preStop) ? lifecycle.preStop : undefined
  if (preStop === undefined) return undefined
  if (isRecord(preStop.sleep)) return { sleep: positive(preStop.sleep.seconds, 0), native: true }
  if (isRecord(preStop.exec) && Array.isArray(preStop.exec.command)) {
    const match = /(?:^|[\s;&|/"'])sleep\s+(\d+(?:\.\d+)?)/.exec(preStop.exec.command.map(String).join(' '))
    if (match) return { sleep: Number(match[1]), native: false }
  }
  return { sleep: 0, native: false }
}

function drainBudget({ resource, container, probes, config, healthz }: RuleContext): RuleFinding[] {
  const hasGrace = resource.podSpec.terminationGracePeriodSeconds !== undefined
  const grace = positive(resource.podSpec.terminationGracePeriodSeconds, 30)
  const gracePath: NodePath = hasGrace ? ['..', 'terminationGracePeriodSeconds'] : probes.readiness !== undefined ? ['readinessProbe'] : ['lifecycle', 'preStop']
  const sleep = preStopOf(container)?.sleep ?? 0
  const native = preStopOf(container)?.native === true
  const graceText = `terminationGracePeriodSeconds ${grace}${hasGrace ? '' : ' (the default)'}`

  // Every container: the sleep is spent inside the grace period.
  if (sleep > 0 && native && sleep > grace) {
    return [
      {
        path: ['lifecycle', 'preStop', 'sleep', 'seconds'],
        message: `The preStop sleep action (${sleep} s) is longer than ${graceText}: the API server refuses the pod ("must be … less than terminationGracePeriodSeconds"), so the workload never rolls out.`,
        fix: `Raise terminationGracePeriodSeconds to at least ${sleep + ASSUMED_GRACE_PERIOD}, or shorten the sleep (5 s is enough for endpoint removal to propagate).`,
      },
    ]
  }
  if (sleep > 0 && sleep >= grace) {
    return [
      {
        path: ['lifecycle', 'preStop'],
        message: `The preStop sleep (${sleep} s) takes all of ${graceText}: SIGTERM arrives with no time left, so requests in flight are cut by SIGKILL.`,
        fix: `Raise terminationGracePeriodSeconds to at least ${sleep + ASSUMED_GRACE_PERIOD}, or shorten the sleep (5 s is enough for endpoint removal to propagate).`,
      },
    ]
  }
  // The rest is healthz's own shutdown; for other servers the drain and longest request are unknown.
  if (!healthz) return []
  const readiness = probes.readiness
  const findings: RuleFinding[] = []
  const shutdown = config?.shutdown
  // healthz's drainDelay defaults to the readiness window on Kubernetes (10 s with its manifest).
  const window = readiness === undefined ? 10 : readiness.periodSeconds * readiness.failureThreshold
  const drain = shutdown ? shutdown.drainDelay / 1000 : sleep > 0 ? 0 : window
  const inFlight = shutdown ? shutdown.gracePeriod / 1000 : ASSUMED_GRACE_PERIOD
  const hooks = shutdown ? shutdown.hookTimeouts.reduce((sum, t) => sum + t, 0) / 1000 : 0
  const needed = sleep + drain + inFlight + hooks
  if (needed > grace) {
    const parts = [
      sleep > 0 ? `preStop sleep ${sleep} s` : undefined,
      shutdown ? `drainDelay ${drain} s` : drain > 0 ? `drainDelay ${drain} s (healthz's default: readiness periodSeconds ${readiness?.periodSeconds ?? 10} × failureThreshold ${readiness?.failureThreshold ?? 1})` : undefined,
      `${shutdown ? 'gracePeriod' : 'in-flight requests'} ${inFlight} s${shutdown ? '' : " (healthz's default gracePeriod)"}`,
      hooks > 0 ? `shutdown hooks ${hooks} s` : undefined,
    ].filter((part) => part !== undefined)
    findings.push({
      path: gracePath,
      message: `This healthz service can take ${round(needed)} s to shut down: ${parts.join(' + ')}. That is longer than ${graceText}: the kubelet sends SIGKILL before the drain is over and drops the requests still in flight.`,
      fix: `Set terminationGracePeriodSeconds: ${Math.ceil(needed)} or more${shutdown ? '' : `, or set healthz's shutdown.drainDelay to 5000: Kubernetes takes the pod out of the endpoints when it is deleted, so a few seconds for load balancers to catch up is enough`}.`,
    })
  }
  if (shutdown && sleep + shutdown.drainDelay / 1000 < MIN_DRAIN_DELAY) {
    findings.push({
      path: readiness === undefined ? gracePath : ['readinessProbe'],
      message: `drainDelay is ${formatDuration(shutdown.drainDelay)}${sleep > 0 ? ` after a ${sleep} s preStop sleep` : ' and there is no preStop sleep'}: the server closes its listener ${round(sleep + shutdown.drainDelay / 1000)} s after the pod is deleted, before kube-proxy and load balancers (about ${MIN_DRAIN_DELAY} s) stop sending it requests, which are refused.`,
      fix: `Set shutdown.drainDelay to ${(MIN_DRAIN_DELAY - sleep) * 1000} (ms) or more, or add a preStop sleep of ${MIN_DRAIN_DELAY} s.`,
    })
  }
  if (shutdown?.terminationGracePeriodSeconds !== undefined && shutdown.terminationGracePeriodSeconds !== grace - sleep) {
    findings.push({
      path: gracePath,
      message: `The config says shutdown.terminationGracePeriodSeconds ${shutdown.terminationGracePeriodSeconds}, but the pod leaves ${grace - sleep} s after ${sleep > 0 ? `the ${sleep} s preStop sleep` : 'SIGTERM'} (${graceText}): healthz's start-up budget warning checks against the wrong number.`,
      fix: `Set shutdown.terminationGracePeriodSeconds to ${grace - sleep}.`,
    })
  }
  return findings
}

/** Servers that keep serving after SIGTERM on their own (their drain is built in). */
const SELF_DRAINING = [/(^|\/)envoy(proxy)?\/envoy[:@]/, /(^|\/)istio\/proxyv2[:@]/, /(^|\/)linkerd\/proxy[:@]/, /(^|\/)ingress-nginx\/controller[:@]/]

const HTTP_PORT_NAME = /^(https?|web|www|http-.*|https-.*|.*-https?|ui|frontend)$/

/**
 * What serves no user request, so a refused one costs nothing but a retry or a scrape: a main
 * process that only sleeps (a client pod kept for `kubectl exec`), and kube-rbac-proxy, which
 * guards metrics endpoints.
 * @internal
 */
export function servesNoRequests(container: Record<string, unknown>): boolean {
  const image = typeof container.image === 'string' ? container.image : ''
  const command = [...(Array.isArray(container.command) ? container.command : []), ...(Array.isArray(container.args) ? container.args : [])].map(String)
  return /(^|\/)kube-rbac-proxy[:@]/.test(image) || /(^|\/)sleep$/.test(command[0] ?? '') || (command[0] === 'sleep')
}

/** The container ports a Service sends traffic to, that speak HTTP, and those Services. */
function httpPortsServed({ resource, container, probes }: RuleContext): { ports: number[]; services: string[] } {
  const ports = (Array.isArray(container.ports) ? container.ports : []).filter(isRecord)
  const probed = new Set(Object.values(probes).filter((p) => p.handler === 'httpGet').map((p) => p.port))
  const out: number[] = []
  const services = new Set<string>()
  for (const port of ports) {
    if (typeof port.containerPort !== 'number') continue
    const name = typeof port.name === 'string' ? port.name.toLowerCase() : ''
    const targeting = resource.services.filter((s) => !s.publishNotReady && s.targetPorts.some((t) => t === port.containerPort || (name !== '' && t === port.name)))
    if (targeting.length === 0 || name.includes('metrics')) continue
    const http = HTTP_PORT_NAME.test(name) || port.appProtocol === 'http' || port.appProtocol === 'https' || probed.has(port.containerPort) || (name !== '' && probed.has(name))
    if (!http) continue
    out.push(port.containerPort)
    for (const service of targeting) services.add(echo(service.name))
  }
  return { ports: out, services: [...services] }
}

function noDrain(context: RuleContext): RuleFinding[] {
  const { resource, container, healthz, at } = context
  if (healthz || at[0] !== 'containers' || resource.kind === 'Job' || resource.kind === 'CronJob') return []
  if (preStopOf(container) !== undefined) return []
  const image = typeof container.image === 'string' ? container.image : ''
  if (SELF_DRAINING.some((pattern) => pattern.test(image)) || servesNoRequests(container)) return []
  const served = httpPortsServed(context)
  const ports = served.ports
  if (ports.length === 0) return []
  const services = served.services.join(', ')
  return [
    {
      path: ['ports'],
      message: `The Service ${services} sends HTTP to port ${ports.join(', ')} of this container, which has no preStop hook. On every rollout, scale-down or node drain, Kubernetes sends SIGTERM as it starts removing the pod from the endpoints; for a few seconds kube-proxy and load balancers still route to it, and a server that exits or closes its listener at SIGTERM refuses those requests.`,
      fix: `Add lifecycle: { preStop: { sleep: { seconds: ${MIN_DRAIN_DELAY} } } } (Kubernetes 1.30+; before: exec: { command: ["sleep", "${MIN_DRAIN_DELAY}"] }), keeping terminationGracePeriodSeconds above the sleep plus the longest request; or make the server keep serving ${MIN_DRAIN_DELAY} s after SIGTERM (healthz does: drainDelay) and mark it healthz/service.`,
    },
  ]
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}
