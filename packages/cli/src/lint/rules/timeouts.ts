// The timeout rule: a probe's timeoutSeconds must cover the deadline of the slowest check behind
// it (from the healthz config), or a slow but passing check becomes a failed probe.
import { echo } from '../../escape.js'
import type { ConfigCheck } from '../config.js'
import type { Rule, RuleContext, RuleFinding } from '../rule.js'

/**
 * What a probe needs beyond its slowest check's deadline (network, event loop, rendering), in ms.
 * @default 100
 * @example
 * ```ts
 * const enough = timeoutSeconds * 1000 >= slowestCheckTimeout + PROBE_OVERHEAD
 * ```
 */
export const PROBE_OVERHEAD = 100

/** `probe-timeout-below-deadline`. @internal */
export const probeTimeoutBelowDeadline = {
  id: 'probe-timeout-below-deadline',
  severity: 'warning',
  summary: 'A probe timeoutSeconds below the deadline of the checks behind it (needs --config).',
  description:
    'healthz answers a probe within its slowest check\'s deadline. When the kubelet gives up sooner, a slow but passing check becomes a failed probe, and the answer that names the failing check is never read.',
  check: timeoutBelowDeadline,
} as const satisfies Rule

function timeoutBelowDeadline({ probes, config }: RuleContext): RuleFinding[] {
  if (config === undefined) return []
  const findings: RuleFinding[] = []
  for (const probe of Object.values(probes)) {
    const checks: readonly ConfigCheck[] = config.checks[probe.type]
    const slowest = checks.reduce<ConfigCheck | undefined>((max, check) => (max === undefined || check.timeout > max.timeout ? check : max), undefined)
    if (slowest === undefined) continue
    const needed = slowest.timeout + PROBE_OVERHEAD
    if (probe.timeoutSeconds * 1000 >= needed) continue
    findings.push({
      path: [probe.key, probe.raw.timeoutSeconds === undefined ? undefined : 'timeoutSeconds'].filter((part) => part !== undefined),
      message: `${probe.key}.timeoutSeconds is ${probe.timeoutSeconds}${probe.raw.timeoutSeconds === undefined ? ' (the default)' : ''}, but its slowest check, ${echo(slowest.name)}, may take ${slowest.timeout} ms, plus about ${PROBE_OVERHEAD} ms for the request: a slow but passing check becomes a failed probe, and the answer that names the failing check is never read.`,
      fix: `Set timeoutSeconds: ${Math.ceil(needed / 1000)}, or lower the timeout of ${echo(slowest.name)} below ${probe.timeoutSeconds * 1000 - PROBE_OVERHEAD} ms.`,
    })
  }
  return findings
}
