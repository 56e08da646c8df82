// What a lint rule is: an id, a severity, the words `--help`, the docs and SARIF show, and a
// check that reads one container and returns what is wrong with it. The rule files under rules/
// hold one family each; rules.ts lists them in one table and runs them in one loop.
import type { HealthzConfig } from './config.js'
import type { KubeObject, LintResource, NodePath } from './load.js'
import type { ProbeType, ProbeView } from './probes.js'

/** How bad a finding is. `error` fails `healthz lint` by default (see `--fail-on`). */
export type Severity = 'error' | 'warning' | 'info'

/** The id of a rule, as printed, used in `--disable` and in the disable annotation. */
export type RuleId =
  | 'liveness-equals-readiness'
  | 'liveness-dependency-endpoint'
  | 'probe-port-undeclared'
  | 'startup-probe-missing'
  | 'liveness-restart-too-fast'
  | 'shutdown-drain-budget'
  | 'probe-timeout-below-deadline'
  | 'exec-probe-missing-tool'
  | 'prestop-sleep-exec'
  | 'prestop-sleep-no-shell'
  | 'readiness-probe-grace-period'
  | 'liveness-probe-grace-period'
  | 'grpc-health-probe-exec'
  | 'sidecar-startup-probe-missing'
  | 'istio-tcp-probe'
  | 'aws-lb-readiness-gate-missing'
  | 'aws-lb-deregistration-delay'
  | 'readiness-probe-missing'
  | 'shutdown-no-drain'

/** What a rule is about, for help, docs and SARIF. */
export interface RuleInfo {
  readonly id: RuleId
  readonly severity: Severity
  /** One line. */
  readonly summary: string
  /** Why it matters. */
  readonly description: string
  /**
   * The Kubernetes version (`major.minor`) the rule's fix needs, for rules that recommend a newer
   * API form: `healthz lint --kubernetes-version` below it skips the rule.
   */
  readonly since?: string
}

/** One problem in one container. */
export interface Finding {
  readonly file: string
  /** 1-based index of the YAML document in the file. */
  readonly document: number
  /** 1-based line and column of the setting the finding is about. */
  readonly line: number
  readonly column: number
  /** Helm's `# Source:` template path, when the input was rendered by Helm. */
  readonly source: string | undefined
  readonly resource: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly namespace: string | undefined }
  /** The container's name. */
  readonly container: string
  /** Whether the container is an init container (a sidecar, when it has probes). */
  readonly initContainer: boolean
  readonly rule: RuleId
  readonly severity: Severity
  /** What is wrong, and what it leads to. */
  readonly message: string
  /** What to change. */
  readonly fix: string
}

/** What a rule's check sees: one container of one workload. @internal */
export interface RuleContext {
  readonly resource: LintResource
  readonly container: Record<string, unknown>
  readonly probes: Partial<Record<ProbeType, ProbeView>>
  readonly config: HealthzConfig | undefined
  /**
   * Whether the container is a healthz service (see `healthzService`): the rules that assume
   * healthz's behaviour (its drain on SIGTERM, its paths) apply only to those.
   */
  readonly healthz: boolean
  /** Where the container is inside the pod spec. */
  readonly at: NodePath
  /** The objects without a pod spec read with the workloads (Services, Ingresses, Namespaces). */
  readonly objects: readonly KubeObject[]
}

/**
 * What a check returns: where the finding points (inside the container, or, starting with
 * `'..'`, inside the pod spec), what is wrong and the fix. The loop adds the rule's id and
 * severity, and the file, resource and container. @internal
 */
export interface RuleFinding {
  readonly path: NodePath
  readonly message: string
  readonly fix: string
}

/** A lint rule: its description and its check. @internal */
export interface Rule extends RuleInfo {
  readonly check: (context: RuleContext) => readonly RuleFinding[]
}
