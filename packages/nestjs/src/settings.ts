// The module's own options (what Nest needs to know before any provider exists), validated at
// `forRoot` / `forRootAsync` so that a mistake fails at the import, with what to change.
import { describeValue, HealthzError, isHealthzError, resolveProbePaths } from '@healthz/core'
import type { ProbePaths } from '@healthz/core'
import type { Type } from '@nestjs/common'

/**
 * How the module serves the probes, and when it opens the startup gate: the options
 * `forRoot` and `forRootAsync` take besides the health options.
 *
 * @example
 * ```ts
 * HealthModule.forRoot({ serve: 'controller', started: 'manual', global: true })
 * ```
 */
export interface HealthModuleSettings {
  /**
   * Where the probes are answered.
   * - `'server'`: at the node:http server's `request` event, before Nest (and Express or
   *   Fastify) sees the request. Fastest, and no middleware, guard, interceptor, pipe or
   *   filter can reach the probes. Nest's global prefix and versioning do not apply.
   * - `'controller'`: a Nest controller declares the routes (under the global prefix), and a
   *   middleware bound to them answers; Nest runs middleware before guards, interceptors and
   *   pipes, so those still cannot block the probes, but `app.use()` middleware runs first.
   * @default 'server'
   */
  serve?: 'server' | 'controller'
  /**
   * When the startup gate opens.
   * - `'bootstrap'`: once the application has bootstrapped: every module's `onModuleInit` and
   *   `onApplicationBootstrap` hook has run and the HTTP server listens (for an application
   *   context without HTTP server: at the module's `onApplicationBootstrap`).
   * - `'manual'`: when you call `health.markStarted()`, or when every `startup` check has passed once.
   * @default 'bootstrap', or 'manual' when `startup` checks are given
   */
  started?: 'bootstrap' | 'manual'
  /**
   * Register the module globally, so that `@Inject(HEALTH)` works in every module.
   * @default true
   */
  global?: boolean
}

/** @internal */
export interface Settings {
  readonly serve: 'server' | 'controller'
  readonly started: 'bootstrap' | 'manual' | undefined
  readonly global: boolean
  /** The controller's routes: each probe path, and `<path>/:check`. */
  readonly routes: readonly string[]
  onError: (error: Error) => void
  /** The probe controller, with `serve: 'controller'`. */
  controller?: Type<unknown> | undefined
}

/** @internal */
export function toSettings(options: HealthModuleSettings & { paths?: ProbePaths | undefined; prefix?: string | undefined }, where: string): Settings {
  const { serve = 'server', started, global = true } = options
  // Nest declares the routes before createHealth runs: resolve the paths as core will serve
  // them (`health.paths`), and refuse a wrong one now.
  let paths: Readonly<Required<ProbePaths>>
  try {
    paths = resolveProbePaths({ prefix: options.prefix, paths: options.paths })
  } catch (error) {
    throw isHealthzError(error) ? new HealthzError(`${where}: ${error.message}`, { code: error.code, cause: error }) : error
  }
  if (serve !== 'server' && serve !== 'controller') {
    throw new HealthzError(`serve must be 'server' (probes answered ahead of Nest) or 'controller' (inside Nest, before guards); got ${describeValue(serve)}.`, { code: 'INVALID_OPTION' })
  }
  if (started !== undefined && started !== 'bootstrap' && started !== 'manual') {
    throw new HealthzError(`started must be 'bootstrap' (open the startup gate once Nest has bootstrapped) or 'manual' (call health.markStarted()); got ${describeValue(started)}.`, { code: 'INVALID_OPTION' })
  }
  if (typeof global !== 'boolean') {
    throw new HealthzError(`global must be true or false, got ${describeValue(global)}.`, { code: 'INVALID_OPTION' })
  }
  const routes = [paths.liveness, paths.readiness, paths.startup].flatMap((path) => [path, `${path}/:check`])
  return { serve, started, global, routes, onError: (error) => console.error('[healthz]', error) }
}
