// Which containers are healthz services. Rules that assume healthz's behaviour (readiness fails
// and the server keeps serving for drainDelay after SIGTERM, then gracePeriod for requests in
// flight) apply only to those; the general rules apply to every container.
import { isRecord } from './load.js'
import type { LintResource } from './load.js'
import type { ProbeType, ProbeView } from './probes.js'

/**
 * The annotation that marks containers as healthz services when their probe paths do not show
 * it (a custom prefix with other names): `"true"` for every container of the workload, or a
 * comma-separated list of container names. On the resource or on its pod template.
 *
 * @example
 * ```yaml
 * metadata:
 *   annotations:
 *     healthz/service: orders
 * ```
 */
export const SERVICE_ANNOTATION = 'healthz/service'

/** The last path segment healthz serves each probe on, under any prefix. */
const HEALTHZ_PATHS: Readonly<Record<ProbeType, string>> = { liveness: 'livez', readiness: 'readyz', startup: 'startupz' }

// Over plain HTTP: Kubernetes' own API servers (metrics-server, prometheus-adapter, any
// aggregated API server) serve /livez and /readyz too, over HTTPS, and do not drain like healthz.
const endsWith = (probe: ProbeView | undefined, type: ProbeType): boolean =>
  probe?.handler === 'httpGet' && probe.scheme === 'HTTP' && (probe.path ?? '').split('?', 1)[0]?.split('/').pop() === HEALTHZ_PATHS[type]

/**
 * Whether a container is a healthz service: the annotation names it; or `--config` describes it;
 * or its probes use healthz's paths over plain HTTP — a startup probe on `…/startupz`, or liveness
 * on `…/livez` together with readiness on `…/readyz` (one of the two alone is common elsewhere:
 * controller-runtime serves `/readyz`; Kubernetes' API servers serve both, over HTTPS).
 * @internal
 */
export function healthzService(
  resource: LintResource,
  container: Record<string, unknown>,
  probes: Partial<Record<ProbeType, ProbeView>>,
  configured: boolean,
): boolean {
  const marked = (resource.annotations[SERVICE_ANNOTATION] ?? '').split(/[\s,]+/).filter((name) => name !== '')
  const name = isRecord(container) && typeof container.name === 'string' ? container.name : ''
  if (marked.includes('true') || marked.includes(name)) return true
  if (configured) return true
  return endsWith(probes.startup, 'startup') || (endsWith(probes.liveness, 'liveness') && endsWith(probes.readiness, 'readiness'))
}
