// The liveness rules: a liveness probe restarts the container, so it must fail only when a
// restart helps. Not on the readiness endpoint, not on a dependency, not faster than a pause.
import { guaranteedWindow } from '../../budget.js'
import { echo } from '../../escape.js'
import { describeEndpoint } from '../probes.js'
import type { ProbeView } from '../probes.js'
import type { Rule, RuleContext, RuleFinding } from '../rule.js'

/**
 * The shortest pause a liveness probe must surely ride out, `(failureThreshold − 1) ×
 * periodSeconds`, in seconds: a full GC of a large heap, CPU throttling at the container's limit,
 * a node under memory pressure. (A pause that starts as a probe is sent fails that probe, so
 * only the failureThreshold − 1 periods after it are sure.)
 * @default 10
 * @example
 * ```ts
 * const tooFast = (failureThreshold - 1) * periodSeconds < MIN_LIVENESS_WINDOW
 * ```
 */
export const MIN_LIVENESS_WINDOW = 10

/** `liveness-equals-readiness`. @internal */
export const livenessEqualsReadiness = {
  id: 'liveness-equals-readiness',
  severity: 'error',
  summary: 'Liveness and readiness probe the same HTTP endpoint.',
  description:
    'Readiness checks dependencies; when one fails the pod should leave the endpoints and nothing more. A liveness probe on the same endpoint restarts the container too, and since every replica shares the dependency, every replica restarts together.',
  check: sameEndpoint,
} as const satisfies Rule

/** `liveness-dependency-endpoint`. @internal */
export const livenessDependencyEndpoint = {
  id: 'liveness-dependency-endpoint',
  severity: 'error',
  summary: 'Liveness probes an endpoint that looks like a readiness or dependency check.',
  description:
    'A liveness probe must only fail when a restart fixes the problem. A path like /ready, /readyz, /health/ready or /db checks things outside the process, and a restart cannot fix a database outage: it only restarts the whole fleet.',
  check: dependencyEndpoint,
} as const satisfies Rule

/** `liveness-restart-too-fast`. @internal */
export const livenessRestartTooFast = {
  id: 'liveness-restart-too-fast',
  severity: 'warning',
  summary: 'Liveness restarts after fewer seconds of failure than a plausible pause.',
  description:
    'A pause that starts as a liveness probe is sent fails that probe, and the container is restarted at the failureThreshold-th failure in a row: a pause of just over (failureThreshold − 1) × periodSeconds can restart it. Shorter than a garbage-collection pause or a spell of CPU throttling, it restarts healthy containers under load, which adds load.',
  check: restartTooFast,
} as const satisfies Rule

function sameEndpoint({ probes }: RuleContext): RuleFinding[] {
  const { liveness, readiness } = probes
  if (liveness === undefined || readiness === undefined) return []
  const comparable = (p: ProbeView): boolean => p.handler === 'httpGet' || p.handler === 'grpc'
  if (!comparable(liveness) || liveness.handler !== readiness.handler) return []
  if (liveness.path !== readiness.path || liveness.port !== readiness.port || liveness.host !== readiness.host || liveness.scheme !== readiness.scheme) return []
  const field = liveness.handler === 'httpGet' ? 'path' : 'service'
  return [
    {
      path: ['livenessProbe', liveness.handler, field],
      message: `livenessProbe and readinessProbe both probe ${describeEndpoint(liveness)}. When a dependency fails, readiness takes the pod out of the endpoints (right), and liveness restarts it as well (wrong): every replica sees the same dependency, so every replica restarts at once.`,
      fix:
        liveness.handler === 'httpGet'
          ? `Serve a liveness endpoint that checks only the process (healthz: /livez) and set livenessProbe.httpGet.path to it; keep readinessProbe on ${echo(readiness.path ?? '/')}.`
          : 'Give liveness its own gRPC service name that reports only the process, and keep dependency checks on the readiness service.',
    },
  ]
}

const DEPENDENCY_SEGMENTS = new Set([
  'ready', 'readyz', 'readiness', 'health-ready', 'dependencies', 'dependency', 'deps', 'db', 'database', 'datastore',
  'postgres', 'postgresql', 'pg', 'mysql', 'mariadb', 'mongo', 'mongodb', 'redis', 'kafka', 'rabbitmq', 'amqp', 'nats',
  'elasticsearch', 'upstream', 'upstreams', 'downstream',
])

function dependencyEndpoint({ probes }: RuleContext): RuleFinding[] {
  const liveness = probes.liveness
  if (liveness?.handler !== 'httpGet' || liveness.path === undefined) return []
  const [pathname = ''] = liveness.path.split('?', 1)
  const hit = pathname
    .toLowerCase()
    .split('/')
    .find((segment) => DEPENDENCY_SEGMENTS.has(segment))
  if (hit === undefined) return []
  return [
    {
      path: ['livenessProbe', 'httpGet', 'path'],
      message: `livenessProbe GETs ${echo(liveness.path)}, which looks like a readiness or dependency endpoint ("${hit}"). If it fails when a dependency does, the kubelet restarts the container, and a restart cannot fix a dependency: every replica restarts together while it is down.`,
      fix: 'Point livenessProbe at an endpoint that checks only the process (healthz: /livez); dependency checks belong in readiness (/readyz).',
    },
  ]
}

function restartTooFast({ probes }: RuleContext): RuleFinding[] {
  const liveness = probes.liveness
  if (liveness === undefined) return []
  const window = guaranteedWindow(liveness)
  if (window >= MIN_LIVENESS_WINDOW) return []
  const { failureThreshold, periodSeconds } = liveness
  return [
    {
      path: ['livenessProbe'],
      message: `livenessProbe restarts the container at failure ${failureThreshold} in a row, ${periodSeconds} s apart: a pause that starts as a probe is sent fails it, so a pause of just over (failureThreshold ${failureThreshold} − 1) × periodSeconds ${periodSeconds} = ${window} s can restart it. A garbage-collection pause, CPU throttling at the container's limit or a burst of synchronous work can last that long, and restarting under load adds load.`,
      fix: `Ride out at least ${MIN_LIVENESS_WINDOW} s: periodSeconds: 10 and failureThreshold: 3 ((3 − 1) × 10 = 20 s; a wedged process is restarted within 30 s) is the Kubernetes default and healthz's recommendation.`,
    },
  ]
}
