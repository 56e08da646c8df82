// Probe-level terminationGracePeriodSeconds (KEP-2238: on by default from 1.25, GA in 1.28): a
// liveness kill can have its own, short grace period while the pod's stays long enough to drain.
// The API server refuses one on readiness (validateReadinessProbe: "must not be set for
// readinessProbes"), since a readiness failure kills nothing.
import { positive } from '../probes.js'
import type { Rule, RuleContext, RuleFinding } from '../rule.js'
import { preStopSleep } from './prestop.js'

/**
 * The probe-level grace period suggested for liveness, in seconds, after any preStop sleep (the
 * kubelet runs the preStop hook before a liveness kill too): enough for a process that still
 * answers SIGTERM to close, short for one that is wedged and never will.
 * @default 10
 * @example
 * ```ts
 * const suggested = preStopSeconds + LIVENESS_GRACE_PERIOD
 * ```
 */
export const LIVENESS_GRACE_PERIOD = 10

/** The pod's default terminationGracePeriodSeconds; a longer one makes a liveness kill slow. */
const DEFAULT_POD_GRACE = 30

/** `readiness-probe-grace-period`. @internal */
export const readinessProbeGracePeriod = {
  id: 'readiness-probe-grace-period',
  severity: 'error',
  summary: 'A readinessProbe sets terminationGracePeriodSeconds, which the API server refuses.',
  description:
    'A readiness failure takes the pod out of the endpoints and kills nothing, so a grace period has no meaning there: the API server refuses the manifest ("must not be set for readinessProbes") and the rollout never starts.',
  check: onReadiness,
} as const satisfies Rule

/** `liveness-probe-grace-period`. @internal */
export const livenessProbeGracePeriod = {
  id: 'liveness-probe-grace-period',
  severity: 'info',
  summary: 'A liveness kill waits the pod\'s long grace period, or a probe-level one that is no shorter.',
  description:
    'A container restarted by liveness is usually wedged: it will not act on SIGTERM, and the kubelet waits the whole terminationGracePeriodSeconds before SIGKILL, with the container out of service. A probe-level terminationGracePeriodSeconds on livenessProbe (Kubernetes 1.25+) kills it sooner, while the pod-level one stays long enough for a drain on rollouts.',
  check: onLiveness,
} as const satisfies Rule

function onReadiness({ probes }: RuleContext): RuleFinding[] {
  const readiness = probes.readiness
  if (readiness === undefined || readiness.raw.terminationGracePeriodSeconds === undefined || readiness.raw.terminationGracePeriodSeconds === null) return []
  return [
    {
      path: ['readinessProbe', 'terminationGracePeriodSeconds'],
      message: `readinessProbe.terminationGracePeriodSeconds is set, but a readiness failure kills nothing: the API server refuses the manifest ("readinessProbe.terminationGracePeriodSeconds: must not be set for readinessProbes") and the rollout never starts.`,
      fix: 'Remove it. To kill a wedged container sooner, set terminationGracePeriodSeconds on livenessProbe instead.',
    },
  ]
}

function onLiveness({ resource, container, probes }: RuleContext): RuleFinding[] {
  const liveness = probes.liveness
  if (liveness === undefined) return []
  const explicitPod = resource.podSpec.terminationGracePeriodSeconds !== undefined
  const podGrace = positive(resource.podSpec.terminationGracePeriodSeconds, DEFAULT_POD_GRACE)
  const raw = liveness.raw.terminationGracePeriodSeconds
  const sleep = preStopSleep(container)?.seconds ?? 0
  const suggested = sleep + LIVENESS_GRACE_PERIOD
  const podText = `terminationGracePeriodSeconds ${podGrace}${explicitPod ? '' : ' (the default)'}`
  if (raw === undefined || raw === null) {
    if (podGrace <= DEFAULT_POD_GRACE || suggested >= podGrace) return []
    return [
      {
        path: ['livenessProbe'],
        message: `A container that fails livenessProbe waits the pod's ${podText} before SIGKILL: a wedged process never acts on SIGTERM, so it stays out of service that long before the restart.`,
        fix: `Set livenessProbe.terminationGracePeriodSeconds: ${suggested}${sleep > 0 ? ` (the ${sleep} s preStop sleep runs first on a liveness kill too)` : ''}; the pod-level value still governs rollouts and drains (Kubernetes 1.25+).`,
      },
    ]
  }
  const probeGrace = positive(raw, Number.NaN)
  if (!(probeGrace >= podGrace)) return []
  return [
    {
      path: ['livenessProbe', 'terminationGracePeriodSeconds'],
      message: `livenessProbe.terminationGracePeriodSeconds is ${probeGrace}, not shorter than the pod's ${podText}: a liveness kill waits ${probeGrace > podGrace ? 'longer than' : 'as long as'} a rollout's drain, for a process that is most likely wedged.`,
      fix: `Set it below ${podGrace}, e.g. ${Math.max(1, Math.min(suggested, podGrace - 1))}, or remove it.`,
    },
  ]
}
