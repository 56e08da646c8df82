// Process checks (`kind: 'process'`, so they may back liveness): heap used and resident set size
// against warn and fail levels, and free disk space on a path.
import { statfs } from 'node:fs/promises'
import { getHeapStatistics } from 'node:v8'
import type { CheckDefinition, CheckOutcome } from '@healthz/core'
import { countOption, describeValue, optionKeys } from '@healthz/core'
import type { Attempt, SharedCheckOptions } from './internal.js'
import { buildCheck, checkFailed, deadlineRun, invalidOption, optionsObject, SHARED_KEYS } from './internal.js'

const MIB = 2 ** 20
const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`

/** Options of {@link heapCheck} and {@link rssCheck}. */
export interface MemoryCheckOptions extends SharedCheckOptions {
  /** Report `fail` above this many bytes. */
  failAboveBytes: number
  /** Report `warn` above this many bytes (below `failAboveBytes`). Leave unset for no warn level. */
  warnAboveBytes?: number
}

const MEMORY_KEYS = optionKeys<MemoryCheckOptions>({ ...SHARED_KEYS, failAboveBytes: true, warnAboveBytes: true })

/**
 * Heap in use (`v8.getHeapStatistics().used_heap_size`) against warn and fail levels
 * (`kind: 'process'`, `componentType: 'system'`, reported as `heap:used` in bytes). In liveness,
 * a fail restarts a process that leaks before it dies of an out-of-memory error; size the fail
 * level below the heap limit (`--max-old-space-size`) with room for a GC.
 *
 * @throws {HealthzError} `INVALID_OPTION` for missing or inverted levels.
 * @example
 * ```ts
 * const heap = heapCheck({ warnAboveBytes: 384 * 2 ** 20, failAboveBytes: 480 * 2 ** 20 })
 * createHealth({ liveness: [heap], readiness: [heap] })
 * ```
 */
export function heapCheck(options: MemoryCheckOptions): CheckDefinition {
  return memoryCheck(options, 'heapCheck', 'heap', 'heap used', () => getHeapStatistics().used_heap_size)
}

/**
 * Resident set size (`process.memoryUsage.rss()`) against warn and fail levels (`kind: 'process'`,
 * `componentType: 'system'`, reported as `rss:used` in bytes): the memory the container's limit
 * counts, heap, buffers and native memory together.
 *
 * @throws {HealthzError} `INVALID_OPTION` for missing or inverted levels.
 * @example
 * ```ts
 * const rss = rssCheck({ warnAboveBytes: 700 * 2 ** 20, failAboveBytes: 900 * 2 ** 20 })
 * ```
 */
export function rssCheck(options: MemoryCheckOptions): CheckDefinition {
  return memoryCheck(options, 'rssCheck', 'rss', 'resident set size', () => process.memoryUsage.rss())
}

function memoryCheck(options: MemoryCheckOptions, factory: string, name: string, what: string, read: () => number): CheckDefinition {
  const { failAboveBytes, warnAboveBytes } = optionsObject(options, factory, '{ failAboveBytes: 512 * 2 ** 20 }', MEMORY_KEYS)
  if (failAboveBytes === undefined) throw invalidOption(`${factory}: failAboveBytes is required: the heap or RSS in bytes above which the check fails, e.g. 512 * 2 ** 20.`)
  const fail = countOption(failAboveBytes, 0, `${factory}: failAboveBytes`)
  const warn = warnAboveBytes === undefined ? undefined : countOption(warnAboveBytes, 0, `${factory}: warnAboveBytes`)
  if (warn !== undefined && warn >= fail) {
    throw invalidOption(`${factory}: warnAboveBytes (${warn}) must be below failAboveBytes (${fail}), so there is a warning before the failure.`)
  }
  return buildCheck(
    { name, kind: 'process', componentType: 'system', measurement: 'used' },
    options,
    (): CheckOutcome => {
      const used = read()
      const base = { observedValue: used, observedUnit: 'bytes' }
      if (used > fail) return { ...base, status: 'fail', output: `${what} ${mib(used)} is above the fail level ${mib(fail)}` }
      if (warn !== undefined && used > warn) return { ...base, status: 'warn', output: `${what} ${mib(used)} is above the warn level ${mib(warn)}` }
      return base
    },
    ['failAboveBytes', 'warnAboveBytes'],
  )
}

/** Options of {@link diskSpaceCheck}. Give at least one fail level. */
export interface DiskSpaceCheckOptions extends SharedCheckOptions {
  /** A path on the file system to watch, e.g. `/var/lib/app` or `os.tmpdir()`. */
  path: string
  /** Report `fail` when fewer bytes than this are free (available to the process). */
  failBelowBytes?: number
  /** Report `warn` when fewer bytes than this are free. */
  warnBelowBytes?: number
  /** Report `fail` when less than this fraction (0–1) of the file system is free. */
  failBelowRatio?: number
  /** Report `warn` when less than this fraction (0–1) of the file system is free. */
  warnBelowRatio?: number
}

const DISK_KEYS = optionKeys<DiskSpaceCheckOptions>({
  ...SHARED_KEYS,
  path: true,
  failBelowBytes: true,
  warnBelowBytes: true,
  failBelowRatio: true,
  warnBelowRatio: true,
})

/**
 * Free space on the file system holding `path` (`fs.statfs`; `kind: 'process'`,
 * `componentType: 'system'`, reported as `disk:free` in bytes available to the process). The
 * `statfs` call cannot be cancelled (a hung network file system would hold it), so while one is
 * unsettled the next run waits on it instead of starting another.
 *
 * @throws {HealthzError} `INVALID_OPTION` without a path or fail level, or with inverted levels.
 * @example
 * ```ts
 * const disk = diskSpaceCheck({ path: '/var/lib/orders', warnBelowRatio: 0.2, failBelowBytes: 500 * 2 ** 20 })
 * ```
 */
export function diskSpaceCheck(options: DiskSpaceCheckOptions): CheckDefinition {
  const { path, failBelowBytes, warnBelowBytes, failBelowRatio, warnBelowRatio } = optionsObject(options, 'diskSpaceCheck', "{ path: '/var/lib/app', failBelowBytes: 500 * 2 ** 20 }", DISK_KEYS)
  if (typeof path !== 'string' || path === '') throw invalidOption(`diskSpaceCheck: path must be a path on the file system to watch, got ${describeValue(path)}.`)
  if (failBelowBytes === undefined && failBelowRatio === undefined) {
    throw invalidOption('diskSpaceCheck: give a fail level, failBelowBytes (e.g. 500 * 2 ** 20) or failBelowRatio (e.g. 0.05).')
  }
  const failBytes = failBelowBytes === undefined ? undefined : countOption(failBelowBytes, 0, 'diskSpaceCheck: failBelowBytes')
  const warnBytes = warnBelowBytes === undefined ? undefined : countOption(warnBelowBytes, 0, 'diskSpaceCheck: warnBelowBytes')
  const failRatio = failBelowRatio === undefined ? undefined : ratio(failBelowRatio, 'failBelowRatio')
  const warnRatio = warnBelowRatio === undefined ? undefined : ratio(warnBelowRatio, 'warnBelowRatio')
  if (warnBytes !== undefined && failBytes !== undefined && warnBytes <= failBytes) {
    throw invalidOption(`diskSpaceCheck: warnBelowBytes (${warnBytes}) must be above failBelowBytes (${failBytes}), so there is a warning before the failure.`)
  }
  if (warnRatio !== undefined && failRatio !== undefined && warnRatio <= failRatio) {
    throw invalidOption(`diskSpaceCheck: warnBelowRatio (${warnRatio}) must be above failBelowRatio (${failRatio}).`)
  }
  const attempt = (): Attempt<CheckOutcome> => ({
    promise: statfs(path).then(
      (stats): CheckOutcome => {
        const free = stats.bavail * stats.bsize
        const share = stats.blocks > 0 ? stats.bavail / stats.blocks : 0
        const base = { observedValue: free, observedUnit: 'bytes' }
        const describe = `${mib(free)} free (${(share * 100).toFixed(1)} %) on ${path}`
        if ((failBytes !== undefined && free < failBytes) || (failRatio !== undefined && share < failRatio)) {
          return { ...base, status: 'fail', output: `${describe}, below the fail level` }
        }
        if ((warnBytes !== undefined && free < warnBytes) || (warnRatio !== undefined && share < warnRatio)) {
          return { ...base, status: 'warn', output: `${describe}, below the warn level` }
        }
        return base
      },
      (error: unknown) => {
        throw checkFailed(`statfs ${path} failed`, error)
      },
    ),
    waitingOn: 'statfs has not returned; the next run waits on it instead of starting another',
  })
  return buildCheck(
    { name: 'disk', kind: 'process', componentType: 'system', measurement: 'free' },
    options,
    deadlineRun(attempt, (outcome) => outcome),
    ['path', 'failBelowBytes', 'warnBelowBytes', 'failBelowRatio', 'warnBelowRatio'],
  )
}

function ratio(value: unknown, what: string): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) throw invalidOption(`diskSpaceCheck: ${what} must be a fraction between 0 and 1, got ${describeValue(value)}.`)
  return value
}
