// `healthz lint` as a function: read manifests, run the rules, return a report.
import { loadManifests } from './load.js'
import type { ManifestInput } from './load.js'
import { sortFindings } from './format.js'
import type { LintReport } from './format.js'
import { assertKnownOptions } from '../options.js'
import { LINT_OPTIONS, lintResources } from './rules.js'
import type { LintOptions } from './rules.js'

/**
 * Lints Kubernetes manifests: every container and init container with probes, in every
 * workload of every document.
 *
 * @throws {CliError} `INPUT` for malformed YAML or YAML that is not Kubernetes objects.
 * @example
 * ```ts
 * const report = await lint([{ file: 'deploy.yaml', text: await readFile('deploy.yaml', 'utf8') }])
 * const failed = report.findings.some((finding) => finding.severity === 'error')
 * ```
 */
export async function lint(inputs: readonly ManifestInput[], options: LintOptions = {}): Promise<LintReport> {
  assertKnownOptions(options, LINT_OPTIONS, 'lint')
  const { resources, others, objects } = await loadManifests(inputs)
  const findings = lintResources(resources, { ...options, objects: [...(options.objects ?? []), ...others] })
  return { findings: sortFindings(findings), resources: resources.length, objects, files: inputs.length }
}

export { formatJson, formatSarif, formatText } from './format.js'
export { parseHealthzConfig } from './config.js'
