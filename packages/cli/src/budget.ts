// Probe budgets, counted the way the kubelet probes. The first probe is sent as soon as the
// container starts (before Node listens, for a startup probe), then one every periodSeconds; the
// action (restart, or out of the endpoints) comes at the failureThreshold-th failure in a row. So
// what a probe surely waits out is (failureThreshold − 1) × periodSeconds, and what may have to
// be waited for is failureThreshold × periodSeconds.

/**
 * The startup `failureThreshold` that guarantees `bootSeconds` of boot at `periodSeconds`:
 * (failureThreshold − 1) × periodSeconds ≥ bootSeconds, and never below 2 (with 1, a first probe
 * before Node listens restarts the container).
 *
 * @example
 * ```ts
 * startupFailureThreshold(60, 2) // 31: (31 − 1) × 2 s = 60 s
 * ```
 * @internal
 */
export function startupFailureThreshold(bootSeconds: number, periodSeconds: number): number {
  return Math.max(2, Math.ceil(bootSeconds / periodSeconds) + 1)
}

/**
 * How long a probe surely rides out failures before it acts, in seconds:
 * (failureThreshold − 1) × periodSeconds.
 * @internal
 */
export function guaranteedWindow(probe: { failureThreshold: number; periodSeconds: number }): number {
  return Math.max(0, probe.failureThreshold - 1) * probe.periodSeconds
}
