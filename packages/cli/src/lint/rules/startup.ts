// The startup rule: a long liveness initialDelaySeconds is a guess at the boot time; a startup
// probe holds liveness off exactly until boot is done.
import { guaranteedWindow, startupFailureThreshold } from '../../budget.js'
import { echo } from '../../escape.js'
import type { ProbeView } from '../probes.js'
import type { Rule, RuleContext, RuleFinding } from '../rule.js'

/**
 * A liveness `initialDelaySeconds` from which a startup probe is recommended instead, in seconds.
 * @default 30
 * @example
 * ```ts
 * if (delay >= LONG_INITIAL_DELAY) console.log('use a startupProbe')
 * ```
 */
export const LONG_INITIAL_DELAY = 30

/** `startup-probe-missing`. @internal */
export const startupProbeMissing = {
  id: 'startup-probe-missing',
  severity: 'warning',
  summary: 'A long liveness initialDelaySeconds instead of a startup probe.',
  description:
    'initialDelaySeconds is a guess: a boot slower than initialDelaySeconds + (failureThreshold − 1) × periodSeconds is killed and restarted in a loop, and a faster boot waits for nothing. A startup probe holds liveness off exactly until boot is done.',
  check: startupMissing,
} as const satisfies Rule

/** The probe's handler as YAML flow, for a startup probe that asks the same question. */
function sameHandler(probe: ProbeView): string {
  const port = typeof probe.rawPort === 'string' ? echo(probe.rawPort) : probe.rawPort
  if (probe.handler === 'httpGet') return `httpGet: { path: ${echo(probe.path ?? '/')}, port: ${port ?? '<port>'} }`
  if (probe.handler === 'tcpSocket') return `tcpSocket: { port: ${port ?? '<port>'} }`
  if (probe.handler === 'grpc') return `grpc: { port: ${port ?? '<port>'} }`
  if (probe.handler === 'exec') return `exec: { command: [${probe.command.map((part) => JSON.stringify(echo(part, 100))).join(', ')}] }`
  return '<the liveness handler>'
}

function startupMissing({ probes, healthz }: RuleContext): RuleFinding[] {
  const { liveness, startup } = probes
  if (liveness === undefined || startup !== undefined || liveness.initialDelaySeconds < LONG_INITIAL_DELAY) return []
  const delay = liveness.initialDelaySeconds
  // The kubelet probes first at initialDelaySeconds, then every periodSeconds, and restarts at the
  // failureThreshold-th failure in a row: a boot slower than this is killed.
  const killedAfter = delay + guaranteedWindow(liveness)
  const budget = killedAfter
  const port = typeof liveness.rawPort === 'string' ? echo(liveness.rawPort) : (liveness.rawPort ?? 'http')
  const handler = healthz ? `httpGet: { path: /startupz, port: ${port} }` : sameHandler(liveness)
  return [
    {
      path: ['livenessProbe', 'initialDelaySeconds'],
      message: `livenessProbe has initialDelaySeconds: ${delay} and there is no startupProbe. A boot slower than initialDelaySeconds ${delay} + (failureThreshold ${liveness.failureThreshold} − 1) × periodSeconds ${liveness.periodSeconds} = ${killedAfter} s is killed and restarted in a loop; a crash in the first ${delay} s goes unwatched, and a fast boot waits for nothing.`,
      // The threshold healthz manifest prints for the same budget: (failureThreshold − 1) × 2 s ≥ budget.
      fix: `Remove initialDelaySeconds and add a startupProbe: { ${handler}, periodSeconds: 2, failureThreshold: ${startupFailureThreshold(budget, 2)} } (the same ${budget} s boot budget, without the wait when boot is faster${healthz ? `; \`healthz manifest --boot-seconds ${budget}\` prints the whole block` : ''}).`,
    },
  ]
}
