// The URL side of the probes: resolving `prefix` and `paths` to full probe paths, matching a
// request target to a probe (and a per-check path), and reading query parameters.
import { HealthzError } from './errors.js'
import { assertKnownOptions, describeValue, optionKeys } from './options.js'
import type { ProbeKind } from './report.js'

/** The URL paths of the probes. */
export interface ProbePaths {
  /** @default '/livez' */
  liveness?: string
  /** @default '/readyz' */
  readiness?: string
  /** @default '/startupz' */
  startup?: string
}

/** @internal The request forms the router reads (a structural subset of `HealthRequest`). */
export interface RoutedRequest {
  readonly path: string
  readonly query?: string | URLSearchParams | Readonly<Record<string, string | readonly string[] | undefined>> | undefined
}

/** @internal A request target resolved to a probe, and to one of its checks for `<path>/<check>`. */
export interface Route {
  readonly probe: ProbeKind
  readonly check: string | undefined
}

const PATH_KEYS = optionKeys<ProbePaths>({ liveness: true, readiness: true, startup: true })
const PROBES: readonly ProbeKind[] = ['liveness', 'readiness', 'startup']
const DEFAULT_PATHS: Required<ProbePaths> = { liveness: '/livez', readiness: '/readyz', startup: '/startupz' }

/**
 * The full path of each probe, prefix included, as `createHealth` serves them (and as
 * `health.paths` reports them). For code that must know the paths before the health object
 * exists, such as a framework that declares its routes first.
 *
 * @throws {HealthzError} `INVALID_OPTION` for a wrong `prefix` or path, or two probes on one path.
 * @example
 * ```ts
 * resolveProbePaths({ prefix: '/health' })
 * // { liveness: '/health/livez', readiness: '/health/readyz', startup: '/health/startupz' }
 * ```
 */
export function resolveProbePaths(options: { prefix?: string | undefined; paths?: ProbePaths | undefined } = {}): Readonly<Required<ProbePaths>> {
  const { prefix = '', paths = {} } = options
  if (typeof prefix !== 'string' || (prefix !== '' && (!prefix.startsWith('/') || prefix.includes('?')))) {
    throw new HealthzError(`prefix must be '' or a path starting with '/', like '/health'; got ${describeValue(prefix)}.`, { code: 'INVALID_OPTION' })
  }
  assertKnownOptions(paths, PATH_KEYS, 'paths')
  const base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
  const resolved = {} as Required<ProbePaths>
  for (const probe of PROBES) {
    const path = paths[probe] ?? DEFAULT_PATHS[probe]
    if (typeof path !== 'string' || !/^\/[^?#\s]*$/.test(path) || path === '/') {
      throw new HealthzError(`paths.${probe} must be a path like '${DEFAULT_PATHS[probe]}', got ${describeValue(path)}.`, { code: 'INVALID_OPTION' })
    }
    const full = base + (path.endsWith('/') ? path.slice(0, -1) : path)
    const clash = PROBES.find((other) => resolved[other] === full)
    if (clash !== undefined) {
      throw new HealthzError(
        `paths.${probe} and paths.${clash} are both ${full}: liveness, readiness and startup need separate paths, or a dependency failure would restart the container.`,
        { code: 'INVALID_OPTION' },
      )
    }
    resolved[probe] = full
  }
  return Object.freeze(resolved)
}

/** @internal The probe of each full path. */
export function toRoutes(paths: Readonly<Required<ProbePaths>>): ReadonlyMap<string, ProbeKind> {
  return new Map(PROBES.map((probe) => [paths[probe], probe]))
}

/** @internal The probe a request target (with or without query) asks for, or undefined. */
export function route(routes: ReadonlyMap<string, ProbeKind>, target: string): Route | undefined {
  const query = target.indexOf('?')
  let path = query === -1 ? target : target.slice(0, query)
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
  const probe = routes.get(path)
  if (probe !== undefined) return { probe, check: undefined }
  const slash = path.lastIndexOf('/')
  if (slash <= 0) return undefined
  const parent = routes.get(path.slice(0, slash))
  if (parent === undefined) return undefined
  return { probe: parent, check: decodeSegment(path.slice(slash + 1)) }
}

/** @internal Whether the request carries a query, in its path or beside it. */
export function hasQuery(request: RoutedRequest): boolean {
  return request.path.includes('?') || (request.query !== undefined && request.query !== '')
}

/** @internal Every value of a query parameter, from whichever form the adapter passed the query in. */
export function queryValues(request: RoutedRequest, name: string): string[] {
  const { query } = request
  if (query === undefined) {
    const at = request.path.indexOf('?')
    return at === -1 ? [] : new URLSearchParams(request.path.slice(at + 1)).getAll(name)
  }
  if (typeof query === 'string') return new URLSearchParams(query.startsWith('?') ? query.slice(1) : query).getAll(name)
  if (query instanceof URLSearchParams) return query.getAll(name)
  const value = query[name]
  if (value === undefined) return []
  return typeof value === 'string' ? [value] : [...value]
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
