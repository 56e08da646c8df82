// The rules of `healthz lint`: the probe settings that turn a dependency hiccup into a fleet-wide
// restart, a deploy into dropped requests, or a slow boot into a crash loop. This file owns the
// one table of rules (each a Rule from rules/, by family) and the one loop that runs them over
// every container of every workload.
import { LATEST_KUBERNETES, kubernetesMinor } from '../kubernetes.js'
import { assertKnownOptions } from '../options.js'
import type { HealthzConfig } from './config.js'
import { isRecord } from './load.js'
import type { KubeObject, LintResource } from './load.js'
import { readProbes } from './probes.js'
import type { Finding, Rule, RuleContext, RuleId, RuleInfo } from './rule.js'
import { execProbeMissingTool } from './rules/exec.js'
import { livenessDependencyEndpoint, livenessEqualsReadiness, livenessRestartTooFast } from './rules/liveness.js'
import { probePortUndeclared } from './rules/ports.js'
import { healthzService } from './healthz.js'
import { readinessProbeMissing } from './rules/readiness.js'
import { shutdownDrainBudget, shutdownNoDrain } from './rules/shutdown.js'
import { startupProbeMissing } from './rules/startup.js'
import { probeTimeoutBelowDeadline } from './rules/timeouts.js'
import { awsLbDeregistrationDelay, awsLbReadinessGateMissing } from './rules/aws.js'
import { grpcHealthProbeExec } from './rules/grpc.js'
import { istioTcpProbe } from './rules/mesh.js'
import { livenessProbeGracePeriod, readinessProbeGracePeriod } from './rules/probe-grace.js'
import { prestopSleepExec, prestopSleepNoShell } from './rules/prestop.js'
import { sidecarStartupProbeMissing } from './rules/sidecars.js'

/**
 * The annotation that turns rules off for one workload (on the resource or on its pod template):
 * a comma-separated list of rule ids, or `all`.
 *
 * @example
 * ```yaml
 * metadata:
 *   annotations:
 *     healthz/lint-disable: liveness-restart-too-fast, exec-probe-missing-tool
 * ```
 */
export const DISABLE_ANNOTATION = 'healthz/lint-disable'

/**
 * Every rule, in the order findings of one container are reported: the table `lintResources`
 * loops over.
 */
const TABLE = [
  livenessEqualsReadiness,
  livenessDependencyEndpoint,
  probePortUndeclared,
  startupProbeMissing,
  livenessRestartTooFast,
  shutdownDrainBudget,
  probeTimeoutBelowDeadline,
  execProbeMissingTool,
  readinessProbeMissing,
  shutdownNoDrain,
  prestopSleepNoShell,
  prestopSleepExec,
  readinessProbeGracePeriod,
  livenessProbeGracePeriod,
  grpcHealthProbeExec,
  sidecarStartupProbeMissing,
  istioTcpProbe,
  awsLbReadinessGateMissing,
  awsLbDeregistrationDelay,
] as const satisfies readonly Rule[]

// Every RuleId has its rule in the table: a compile error names the one missing.
;({}) satisfies Record<Exclude<RuleId, (typeof TABLE)[number]['id']>, never>

/**
 * Every rule, with its severity and description (what `--help`, the docs and SARIF show).
 *
 * @example
 * ```ts
 * for (const rule of RULES) console.log(rule.id, rule.severity, rule.summary)
 * ```
 */
export const RULES: readonly RuleInfo[] = Object.freeze<readonly Rule[]>(TABLE)

/** Options of {@link lintResources}. */
export interface LintOptions {
  /** The service's healthz config, for the rules that compare the manifest with it. */
  config?: HealthzConfig
  /** Rules to skip everywhere. @default [] */
  disable?: readonly RuleId[]
  /**
   * The Kubernetes version the manifests are for (`1.28`, `v1.28.3`): rules whose fix needs a
   * newer release (the `since` of {@link RULES}) are skipped.
   * @default '1.34'
   */
  kubernetesVersion?: string
  /**
   * The objects without a pod spec read with the workloads (Services, Ingresses, Namespaces:
   * `loadManifests().others`), for the rules that link them to workloads. `lint()` passes them.
   * @default []
   */
  objects?: readonly KubeObject[]
}

/** The keys of {@link LintOptions}. @internal */
export const LINT_OPTIONS: readonly string[] = ['config', 'disable', 'kubernetesVersion', 'objects']

/**
 * Runs every rule over every container and init container of `resources`.
 *
 * @example
 * ```ts
 * const { resources } = await loadManifests([{ file: 'deploy.yaml', text }])
 * const findings = lintResources(resources, { disable: ['exec-probe-missing-tool'] })
 * ```
 */
export function lintResources(resources: readonly LintResource[], options: LintOptions = {}): Finding[] {
  assertKnownOptions(options, LINT_OPTIONS, 'lintResources')
  const findings: Finding[] = []
  const globallyOff = new Set<string>(options.disable ?? [])
  const minor = kubernetesMinor(options.kubernetesVersion ?? LATEST_KUBERNETES, 'kubernetesVersion')
  for (const rule of TABLE) if ('since' in rule && kubernetesMinor(rule.since, rule.id) > minor) globallyOff.add(rule.id)
  const objects = options.objects ?? []
  for (const resource of resources) {
    const off = new Set(globallyOff)
    for (const id of (resource.annotations[DISABLE_ANNOTATION] ?? '').split(/[\s,]+/)) if (id !== '') off.add(id)
    if (off.has('all')) continue
    for (const list of ['initContainers', 'containers'] as const) {
      const containers = resource.podSpec[list]
      if (!Array.isArray(containers)) continue
      containers.forEach((container: unknown, index) => {
        if (!isRecord(container)) return
        const name = typeof container.name === 'string' ? container.name : `#${index + 1}`
        if (options.config?.container !== undefined && options.config.container !== name) return
        const probes = readProbes(container)
        const healthz = healthzService(resource, container, probes, options.config !== undefined)
        const context: RuleContext = { resource, container, probes, config: options.config, healthz, at: [list, index], objects }
        for (const rule of TABLE) {
          if (off.has(rule.id)) continue
          for (const finding of rule.check(context)) {
            const position = resource.locate(finding.path[0] === '..' ? finding.path.slice(1) : [...context.at, ...finding.path])
            findings.push({
              file: resource.file,
              document: resource.document,
              line: position.line,
              column: position.column,
              source: resource.source,
              resource: { apiVersion: resource.apiVersion, kind: resource.kind, name: resource.name, namespace: resource.namespace },
              container: name,
              initContainer: list === 'initContainers',
              rule: rule.id,
              severity: rule.severity,
              message: finding.message,
              fix: finding.fix,
            })
          }
        }
      })
    }
  }
  return findings
}
