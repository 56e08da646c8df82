// Kubernetes versions: which minor release brought the API forms `healthz manifest` prints and
// `healthz lint` recommends, and the `--kubernetes-version` flag both commands take.
import { usage } from './errors.js'
import { describeValue } from './options.js'

/**
 * The minor version (of 1.x) from which each feature is on by default in a cluster, from the
 * Kubernetes feature-gate table (`pkg/features/kube_features.go`):
 * - `sleepAction`: the `sleep` preStop action (KEP-3960; beta and on in 1.30, GA in 1.34);
 * - `sleepZero`: `sleep: { seconds: 0 }` (KEP-4818; beta and on in 1.33, GA in 1.34);
 * - `grpcProbe`: `grpc:` probes (KEP-2727; beta and on in 1.24, GA in 1.27);
 * - `probeGracePeriod`: a probe-level `terminationGracePeriodSeconds` (KEP-2238; beta and on in
 *   1.25, GA in 1.28);
 * - `sidecars`: init containers with `restartPolicy: Always` (KEP-753; beta and on in 1.29, GA in 1.33).
 *
 * @example
 * ```ts
 * if (minor >= KUBERNETES_FEATURES.sleepAction) console.log('preStop: { sleep: { seconds: 5 } }')
 * ```
 */
export const KUBERNETES_FEATURES = Object.freeze({ sleepAction: 30, sleepZero: 33, grpcProbe: 24, probeGracePeriod: 25, sidecars: 29 })

/**
 * The newest Kubernetes release these commands know: the default of `--kubernetes-version`.
 * @default '1.34'
 * @example
 * ```ts
 * renderManifest({ kubernetesVersion: LATEST_KUBERNETES }) // the same as renderManifest()
 * ```
 */
export const LATEST_KUBERNETES = '1.34'

/** The oldest release `--kubernetes-version` accepts: gRPC probes are GA from it, probe-level grace periods on by default. */
const OLDEST_MINOR = 27

/**
 * The minor version of a Kubernetes version written `1.28`, `v1.28` or `1.28.3`.
 *
 * @throws {CliError} `USAGE` for anything else, or a release before 1.27.
 * @internal
 */
export function kubernetesMinor(version: unknown, flag: string): number {
  const match = typeof version === 'string' ? /^v?1\.(\d{1,3})(?:\.\d{1,4})?$/.exec(version) : null
  if (match === null) throw usage(`${flag} must be a Kubernetes version like 1.30 (major.minor), got ${describeValue(version)}.`)
  const minor = Number(match[1])
  if (minor < OLDEST_MINOR) throw usage(`${flag} ${describeValue(version)} is older than 1.${OLDEST_MINOR}, the oldest release healthz knows (gRPC probes GA, probe-level grace periods on by default).`)
  return minor
}
