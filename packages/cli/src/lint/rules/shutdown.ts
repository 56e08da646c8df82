// The drain rule: on shutdown, the readiness drain (or a preStop sleep), in-flight requests and
// shutdown hooks must all fit in terminationGracePeriodSeconds, and agree with the healthz config.
import { formatDuration } from '../../duration.js'
import { isRecord } from '../load.js'
import type { NodePath } from '../load.js'
import { positive } from '../probes.js'
import type { Rule, RuleContext, RuleFinding } from '../rule.js'

/**
 * In-flight allowance assumed without a config: healthz's default `shutdown.gracePeriod`, in seconds.
 * @default 10
 * @example
 * ```ts
 * const needed = preStopSleep + readinessWindow + ASSUMED_GRACE_PERIOD
 * ```
 */
export const ASSUMED_GRACE_PERIOD = 10

/** `shutdown-drain-budget`. @internal */
export const shutdownDrainBudget = {
  id: 'shutdown-drain-budget',
  severity: 'warning',
  summary: 'Readiness drain time, preStop sleep and terminationGracePeriodSeconds do not add up.',
  description:
    'On shutdown, readiness must fail for periodSeconds × failureThreshold before load balancers stop sending traffic (or a preStop sleep must buy that time), and in-flight requests need time to finish, all before terminationGracePeriodSeconds ends in SIGKILL.',
  check: drainBudget,
} as const satisfies Rule

function preStopSleep(container: Record<string, unknown>): number {
  const lifecycle = isRecord(container.lifecycle) ? container.lifecycle : undefined
  const preStop = lifecycle && isRecord(lifecycle.preStop) ? lifecycle.preStop : undefined
  if (preStop === undefined) return 0
  if (isRecord(preStop.sleep)) return positive(preStop.sleep.seconds, 0)
  if (isRecord(preStop.exec) && Array.isArray(preStop.exec.command)) {
    const match = /(?:^|[\s;&|/])sleep\s+(\d+(?:\.\d+)?)/.exec(preStop.exec.command.map(String).join(' '))
    if (match) return Number(match[1])
  }
  return 0
}

function drainBudget({ resource, container, probes, config }: RuleContext): RuleFinding[] {
  const readiness = probes.readiness
  if (readiness === undefined) return []
  const findings: RuleFinding[] = []
  const hasGrace = resource.podSpec.terminationGracePeriodSeconds !== undefined
  const grace = positive(resource.podSpec.terminationGracePeriodSeconds, 30)
  const gracePath: NodePath = hasGrace ? ['..', 'terminationGracePeriodSeconds'] : ['readinessProbe']
  const sleep = preStopSleep(container)
  const window = readiness.periodSeconds * readiness.failureThreshold
  const shutdown = config?.shutdown
  const graceText = `terminationGracePeriodSeconds ${grace}${hasGrace ? '' : ' (the default)'}`

  if (sleep > 0 && sleep >= grace) {
    return [
      {
        path: ['lifecycle', 'preStop'],
        message: `The preStop sleep (${sleep} s) takes all of ${graceText}: SIGTERM arrives with no time left, so in-flight requests are cut by SIGKILL.`,
        fix: `Raise terminationGracePeriodSeconds to at least ${sleep + ASSUMED_GRACE_PERIOD}, or shorten the sleep.`,
      },
    ]
  }

  // What the shutdown needs, as healthz runs it: the preStop sleep, then drainDelay (readiness
  // failing until load balancers notice), then gracePeriod for in-flight requests, then hooks.
  const drain = shutdown ? shutdown.drainDelay / 1000 : sleep > 0 ? 0 : window
  const inFlight = shutdown ? shutdown.gracePeriod / 1000 : ASSUMED_GRACE_PERIOD
  const hooks = shutdown ? shutdown.hookTimeouts.reduce((sum, t) => sum + t, 0) / 1000 : 0
  const needed = sleep + drain + inFlight + hooks
  if (needed > grace) {
    const parts = [
      sleep > 0 ? `preStop sleep ${sleep} s` : undefined,
      shutdown ? `drainDelay ${drain} s` : drain > 0 ? `readiness drain ${drain} s (periodSeconds ${readiness.periodSeconds} × failureThreshold ${readiness.failureThreshold})` : undefined,
      `${shutdown ? 'gracePeriod' : 'in-flight requests'} ${inFlight} s${shutdown ? '' : ' (healthz\'s default gracePeriod)'}`,
      hooks > 0 ? `shutdown hooks ${hooks} s` : undefined,
    ].filter((part) => part !== undefined)
    findings.push({
      path: gracePath,
      message: `Shutting down can take ${round(needed)} s: ${parts.join(' + ')}. That is longer than ${graceText}: the kubelet sends SIGKILL before the drain is over and drops the requests still in flight.`,
      fix: `Set terminationGracePeriodSeconds: ${Math.ceil(needed)} or more${shutdown ? '' : `, or shorten the readiness window (periodSeconds 5 × failureThreshold 2 = 10 s is healthz's recommendation)`}.`,
    })
  }

  if (shutdown && sleep === 0 && shutdown.drainDelay / 1000 < window) {
    findings.push({
      path: ['readinessProbe'],
      message: `drainDelay is ${formatDuration(shutdown.drainDelay)}, but readiness needs periodSeconds ${readiness.periodSeconds} × failureThreshold ${readiness.failureThreshold} = ${window} s of failures before load balancers that follow it stop sending traffic: the server closes while requests still arrive.`,
      fix: `Set shutdown.drainDelay to ${window * 1000} (ms), or shorten the readiness window to ${round(shutdown.drainDelay / 1000)} s, or add a preStop sleep.`,
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

function round(value: number): number {
  return Math.round(value * 10) / 10
}
