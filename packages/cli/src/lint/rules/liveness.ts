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
  severity: 'info',
  summary: 'Liveness and readiness probe the same endpoint (style, while it checks only the process).',
  description:
    'One endpoint cannot tell "restart me" from "send me no traffic". While it checks only the process this costs nothing; the day it checks a dependency, every replica restarts together during that dependency\'s outage. When the endpoint is known to check a dependency, liveness-dependency-endpoint reports it as an error instead.',
  check: sameEndpoint,
} as const satisfies Rule

/** `liveness-dependency-endpoint`. @internal */
export const livenessDependencyEndpoint = {
  id: 'liveness-dependency-endpoint',
  severity: 'error',
  summary: 'Liveness probes an endpoint that checks dependencies.',
  description:
    'A liveness probe must only fail when a restart fixes the problem. A path like /ready, /readyz, /health/ready or /db, an endpoint known to check dependencies (Spring Boot\'s /actuator/health, Grafana\'s /api/health), or the readiness endpoint of a service whose healthz config gives readiness checks, checks things outside the process: a restart cannot fix a database outage, it only restarts the whole fleet.',
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

/** Whether liveness and readiness probe one HTTP or gRPC endpoint. */
function shared({ liveness, readiness }: RuleContext['probes']): boolean {
  if (liveness === undefined || readiness === undefined) return false
  const comparable = (p: ProbeView): boolean => p.handler === 'httpGet' || p.handler === 'grpc'
  if (!comparable(liveness) || liveness.handler !== readiness.handler) return false
  return liveness.path === readiness.path && liveness.port === readiness.port && liveness.host === readiness.host && liveness.scheme === readiness.scheme
}

function sameEndpoint(context: RuleContext): RuleFinding[] {
  const { liveness, readiness } = context.probes
  if (liveness === undefined || readiness === undefined || !shared(context.probes)) return []
  if (dependencyReason(context) !== undefined) return [] // liveness-dependency-endpoint reports it, as an error
  const field = liveness.handler === 'httpGet' ? 'path' : 'service'
  return [
    {
      path: ['livenessProbe', liveness.handler, field],
      message: `livenessProbe and readinessProbe both probe ${describeEndpoint(liveness)}. Harmless while it checks only the process; if it ever checks a dependency, every replica restarts together while that dependency is down.`,
      fix:
        liveness.handler === 'httpGet'
          ? `Nothing is needed while ${echo(liveness.path ?? '/')} checks only the process. To be safe when it grows dependency checks, give liveness its own process-only endpoint (healthz: /livez).`
          : 'Nothing is needed while the service reports only the process. To be safe when it grows dependency checks, give liveness its own gRPC service name that reports only the process.',
    },
  ]
}

const DEPENDENCY_SEGMENTS = new Set([
  'ready', 'readyz', 'readiness', 'health-ready', 'dependencies', 'dependency', 'deps', 'db', 'database', 'datastore',
  'postgres', 'postgresql', 'pg', 'mysql', 'mariadb', 'mongo', 'mongodb', 'redis', 'kafka', 'rabbitmq', 'amqp', 'nats',
  'elasticsearch', 'upstream', 'upstreams', 'downstream',
])

/**
 * Endpoints that check dependencies by default, with the reason: Spring Boot's aggregate health
 * includes every HealthIndicator (DataSource, Redis, Mongo, …); Grafana's /api/health fails when
 * its database does.
 */
const KNOWN_DEPENDENCY_ENDPOINTS: ReadonlyArray<{ readonly path: string; readonly image?: RegExp; readonly why: string }> = [
  { path: '/actuator/health', why: "Spring Boot's /actuator/health aggregates every health indicator, the database's and the broker's included" },
  { path: '/api/health', image: /grafana/, why: "Grafana's /api/health fails when its database does" },
]

/** Why the liveness endpoint checks a dependency, or undefined when nothing says it does. */
function dependencyReason({ probes, container, config }: RuleContext): string | undefined {
  const liveness = probes.liveness
  if (liveness?.handler !== 'httpGet' || liveness.path === undefined) return undefined
  const [pathname = ''] = liveness.path.split('?', 1)
  const hit = pathname
    .toLowerCase()
    .split('/')
    .find((segment) => DEPENDENCY_SEGMENTS.has(segment))
  // "ready" alone is a generic name: shared with readiness it says nothing about what is checked.
  if (hit !== undefined && !(hit === 'ready' && shared(probes))) return `looks like a readiness or dependency endpoint ("${hit}")`
  const image = typeof container.image === 'string' ? container.image : ''
  const known = KNOWN_DEPENDENCY_ENDPOINTS.find((entry) => entry.path === pathname && (entry.image === undefined || entry.image.test(image)))
  if (known !== undefined) return `is a dependency check: ${known.why}`
  if (config !== undefined && config.checks.readiness.length > 0 && shared(probes)) {
    return `is the readiness endpoint, which runs ${config.checks.readiness.map((check) => echo(check.name)).join(', ')} (the healthz config)`
  }
  return undefined
}

function dependencyEndpoint(context: RuleContext): RuleFinding[] {
  const liveness = context.probes.liveness
  const why = dependencyReason(context)
  if (liveness === undefined || why === undefined) return []
  return [
    {
      path: ['livenessProbe', 'httpGet', 'path'],
      message: `livenessProbe GETs ${echo(liveness.path ?? '/')}, which ${why}. When a dependency fails, the kubelet restarts the container, and a restart cannot fix a dependency: every replica restarts together while it is down.`,
      fix: liveness.path?.split('?', 1)[0] === '/actuator/health'
        ? 'Point livenessProbe at /actuator/health/liveness and readinessProbe at /actuator/health/readiness (Spring Boot 2.3+: management.endpoint.health.probes.enabled).'
        : 'Point livenessProbe at an endpoint that checks only the process (healthz: /livez); dependency checks belong in readiness (/readyz).',
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
