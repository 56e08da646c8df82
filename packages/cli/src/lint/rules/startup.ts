// The startup rule: a long liveness initialDelaySeconds is a guess at the boot time; a startup
// probe holds liveness off exactly until boot is done.
import { startupFailureThreshold } from '../../budget.js'
import { echo } from '../../escape.js'
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
    'initialDelaySeconds is a guess: a boot slower than it is killed and restarted in a loop, and a faster boot waits for nothing. A startup probe holds liveness off exactly until boot is done.',
  check: startupMissing,
} as const satisfies Rule

function startupMissing({ probes }: RuleContext): RuleFinding[] {
  const { liveness, startup } = probes
  if (liveness === undefined || startup !== undefined || liveness.initialDelaySeconds < LONG_INITIAL_DELAY) return []
  const delay = liveness.initialDelaySeconds
  const budget = 2 * delay
  const port = typeof liveness.rawPort === 'string' ? echo(liveness.rawPort) : (liveness.rawPort ?? 'http')
  return [
    {
      path: ['livenessProbe', 'initialDelaySeconds'],
      message: `livenessProbe has initialDelaySeconds: ${delay} and there is no startupProbe. A boot slower than ${delay} s is killed and restarted in a loop; a faster one leaves the container unwatched until ${delay} s have passed.`,
      // The threshold healthz manifest prints for the same budget: (failureThreshold − 1) × 2 s ≥ budget.
      fix: `Remove initialDelaySeconds and add a startupProbe: { httpGet: { path: /startupz, port: ${port} }, periodSeconds: 2, failureThreshold: ${startupFailureThreshold(budget, 2)} } (a ${budget} s boot budget; \`healthz manifest --boot-seconds ${budget}\` prints the whole block).`,
    },
  ]
}
