// What the operations kit (ops/) may reference, and the helpers its tests share: the metric
// names @healthz/prometheus exports, the metric names inside a PromQL expression, and promtool.
//
// METRICS is the one list to reconcile with docs/metrics.md (the metric reference): every
// expression in the alert rules and the dashboard may use only these names.
import { spawnSync } from 'node:child_process'
import type { SpawnSyncReturns } from 'node:child_process'

/** Metric families the ops kit relies on, as @healthz/prometheus exports them. */
export const METRICS = {
  // Named in issue 16.
  healthz_check_status: 'gauge: state set {check, probe, service, state}, 1 for the current state of pass|warn|fail',
  healthz_check_duration_seconds: 'histogram {check}: run time of each check run',
  healthz_check_runs_total: 'counter {check, result}: check runs',
  healthz_check_timeouts_total: 'counter {check}: runs that reached their deadline',
  healthz_check_cache_hits_total: 'counter {check}: probes answered from a cached result',
  healthz_probe_requests_total: 'counter {probe, code}: probe answers by HTTP status code',
  healthz_probe_status: 'gauge {probe}: 1 pass, 0.5 warn (both answer 200), 0 fail (503)',
  healthz_started: 'gauge: 1 once startup is complete',
  healthz_shutdown_phase: 'gauge: state set {phase}, 1 for the current phase of running|draining|closing|stopped',
  // Assumed by the ops kit (not named in the issue): to be reconciled with @healthz/prometheus.
  healthz_check_deadline_seconds: 'gauge {check}: the check\'s deadline (its timeout), in seconds',
  healthz_shutdown_deadline_timestamp_seconds: 'gauge: Unix time by which the shutdown should be done (start + drainDelay + gracePeriod + hook timeouts); absent while running',
  healthz_runtime_event_loop_delay_seconds: 'gauge {stat}: event-loop delay over the runtime monitor\'s window, by statistic (min, mean, p50, p90, p99, max)',
} as const

const HISTOGRAMS = new Set(['healthz_check_duration_seconds'])

/** Every series name a query may select: the families, and a histogram's _bucket, _sum, _count. */
export const SERIES_NAMES: ReadonlySet<string> = new Set(
  Object.keys(METRICS).flatMap((name) => (HISTOGRAMS.has(name) ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name])),
)

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan'])
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile'])

/**
 * The metric names an expression selects. Label matchers (`{…}`), ranges (`[…]`), label lists
 * after by/without/on/ignoring/group_left/group_right, and strings are removed first; what is
 * left is functions (a name before `(`), keywords, numbers and durations, and metric names.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
  const names = new Set<string>()
  for (const match of stripped.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match
    if (name === undefined || call !== undefined || KEYWORDS.has(name.toLowerCase()) || AGGREGATIONS.has(name)) continue
    names.add(name)
  }
  return [...names].sort()
}

/** Replaces Grafana's variables with values Prometheus parses: a regex for `$service`, a range for `$__rate_interval`. */
export function withoutGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$(?:__rate_interval|__interval|__range)\b|\$\{(?:__rate_interval|__interval|__range)\}/g, '5m')
    .replace(/\$\{?(\w+)\}?/g, '.*')
}

/** Whether the environment says this is CI (`.ci/run` passes CI through; empty means unset). */
export const IN_CI = (process.env.CI ?? '') !== '' && process.env.CI !== 'false' && process.env.CI !== '0'

/** The promtool command: `$PROMTOOL`, or promtool on the PATH (Debian package `prometheus`). */
export const PROMTOOL = process.env.PROMTOOL ?? 'promtool'

/** Whether promtool runs here. */
export const PROMTOOL_FOUND = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' }).status === 0

/** Why the promtool tests are skipped (outside CI) or fail (in CI). */
export const PROMTOOL_MISSING = `promtool not found (${PROMTOOL}): install it with \`apt-get install -y prometheus\` (.ci/run does) or set PROMTOOL`

/** Runs promtool with these arguments, in `cwd`. */
export function promtool(args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8', timeout: 60_000 })
}

/** Labels a query may use: the ones @healthz/prometheus sets, Prometheus's target labels, and `le`. */
export const LABELS: ReadonlySet<string> = new Set(['check', 'probe', 'service', 'state', 'phase', 'code', 'result', 'stat', 'le', 'job', 'instance'])

/** The label names an expression matches on or groups by. */
export function labelNames(expr: string): string[] {
  const names = new Set<string>()
  const text = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')
  for (const [, matchers = ''] of text.matchAll(/\{([^}]*)\}/g)) {
    for (const [, name = ''] of matchers.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) names.add(name)
  }
  for (const [, list = ''] of text.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)) {
    for (const name of list.split(',').map((part) => part.trim())) if (name !== '') names.add(name)
  }
  return [...names].sort()
}
