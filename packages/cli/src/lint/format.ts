// The three outputs of `healthz lint`: text for people, JSON for scripts, SARIF 2.1.0 for
// code-scanning dashboards (GitHub code scanning and others).
import { isAbsolute, relative } from 'node:path'
import { echo, escapeControl, escapeJson } from '../escape.js'
import { RULES } from './rules.js'
import type { SkippedDocument } from './load.js'
import type { Finding, Severity } from './rule.js'

/** What one lint run looked at and found. */
export interface LintReport {
  findings: Finding[]
  /** Workloads with a pod spec that were checked. */
  resources: number
  /** Kubernetes objects read in all. */
  objects: number
  /** Files read (stdin counts as one). */
  files: number
  /** Documents left out because they are not Kubernetes objects (`healthz lint` prints a notice for each on stderr). */
  skipped: SkippedDocument[]
}

/** An output format of `healthz lint`. */
export type LintFormat = 'text' | 'json' | 'sarif'

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 }
/** The longest Kubernetes name (a DNS subdomain): names from a manifest are echoed up to it. */
const NAME_LIMIT = 253

/** `deploy.yaml:21:9`, or `<stdin>:21:9 (chart/templates/deployment.yaml)` for Helm output. */
function where(finding: Finding): string {
  const helm = finding.source !== undefined && finding.source !== finding.file ? ` (${echo(finding.source, NAME_LIMIT)})` : ''
  return `${escapeControl(finding.file)}:${finding.line}:${finding.column}${helm}`
}

function resourceName(finding: Finding): string {
  const ns = finding.resource.namespace === undefined ? '' : `${echo(finding.resource.namespace, NAME_LIMIT)}/`
  return `${echo(finding.resource.kind, NAME_LIMIT)} ${ns}${echo(finding.resource.name, NAME_LIMIT)}`
}

function counts(findings: readonly Finding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { error: 0, warning: 0, info: 0 }
  for (const finding of findings) out[finding.severity] += 1
  return out
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`
}

/**
 * Readable text: one block per finding (where, severity, rule, resource, container, what, fix)
 * and a summary line. What comes from the manifest is printed with its control characters
 * escaped and names cut at 253 characters, so a manifest cannot forge a line or reach the
 * terminal.
 *
 * @example
 * ```ts
 * process.stdout.write(formatText(report))
 * ```
 */
export function formatText(report: LintReport): string {
  const lines: string[] = []
  for (const finding of report.findings) {
    const container = `${finding.initContainer ? 'init container' : 'container'} ${echo(finding.container, NAME_LIMIT)}`
    lines.push(`${where(finding)}  ${finding.severity}  ${finding.rule}`)
    lines.push(`  ${resourceName(finding)}, ${container} (document ${finding.document})`)
    lines.push(`  ${escapeControl(finding.message)}`)
    lines.push(`  fix: ${escapeControl(finding.fix)}`)
    lines.push('')
  }
  const c = counts(report.findings)
  const checked = `${plural(report.resources, 'workload')} in ${plural(report.files, 'file')}`
  lines.push(
    report.findings.length === 0
      ? `healthz lint: no findings in ${checked}.`
      : `healthz lint: ${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${c.info} info in ${checked}.`,
  )
  return `${lines.join('\n')}\n`
}

/**
 * JSON: `{ findings: [...], summary: { errors, warnings, info, workloads, objects, files } }`.
 * Values are the manifest's as they are; every control character is written as a JSON escape.
 *
 * @example
 * ```ts
 * const { findings } = JSON.parse(formatJson(report))
 * ```
 */
export function formatJson(report: LintReport): string {
  const c = counts(report.findings)
  return `${escapeJson(JSON.stringify(
    {
      findings: report.findings,
      summary: { errors: c.error, warnings: c.warning, info: c.info, workloads: report.resources, objects: report.objects, files: report.files },
    },
    null,
    2,
  ))}\n`
}

/**
 * The documentation page of the rules, linked from SARIF (`#<rule id>` for each rule).
 *
 * @example
 * ```ts
 * const help = `${RULES_URL}#liveness-equals-readiness`
 * ```
 */
export const RULES_URL = 'https://github.com/healthz/healthz/blob/main/docs/cli.md'

/**
 * SARIF 2.1.0, for code scanning (`github/codeql-action/upload-sarif` and other viewers).
 * Findings from stdin are placed at their Helm template path when the input says it.
 *
 * @param version the version reported as the tool's. @default '0.0.0'
 * @example
 * ```ts
 * await writeFile('healthz.sarif', formatSarif(report))
 * ```
 */
export function formatSarif(report: LintReport, version = '0.0.0'): string {
  const level = { error: 'error', warning: 'warning', info: 'note' } as const
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'healthz lint',
            informationUri: RULES_URL,
            version,
            rules: RULES.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.summary },
              fullDescription: { text: rule.description },
              helpUri: `${RULES_URL}#${rule.id}`,
              defaultConfiguration: { level: level[rule.severity] },
            })),
          },
        },
        results: report.findings.map((finding) => ({
          ruleId: finding.rule,
          ruleIndex: RULES.findIndex((rule) => rule.id === finding.rule),
          level: level[finding.severity],
          message: { text: `${resourceName(finding)}, container ${echo(finding.container, NAME_LIMIT)}: ${finding.message} Fix: ${finding.fix}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(finding) },
                region: { startLine: finding.line, startColumn: finding.column },
              },
              logicalLocations: [{ name: `${finding.resource.kind}/${finding.resource.name}/${finding.container}`, kind: 'object' }],
            },
          ],
        })),
      },
    ],
  }
  return `${escapeJson(JSON.stringify(sarif, null, 2))}\n`
}

function artifactUri(finding: Finding): string {
  const file = finding.file === '<stdin>' && finding.source !== undefined ? finding.source : finding.file
  // Code scanning places results by paths relative to the repository: make absolute paths relative to the working directory.
  const relativeFile = isAbsolute(file) ? relative(process.cwd(), file) : file
  return relativeFile.split('\\').join('/').replace(/^\.\//, '')
}

/** Sorts findings by file, document, line, then severity. @internal */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) => a.file.localeCompare(b.file) || a.document - b.document || a.line - b.line || ORDER[a.severity] - ORDER[b.severity] || a.rule.localeCompare(b.rule),
  )
}
