// The module's own options (what Nest needs to know before any provider exists), validated at
// `forRoot` / `forRootAsync` so that a mistake fails at the import, with what to change.
import { assertKnownOptions, describeValue, HealthzError, isHealthzError, optionKeys, resolveProbePaths } from '@healthz/core'
import type { ProbePaths } from '@healthz/core'
import { VERSION_NEUTRAL } from '@nestjs/common'
import type { Type } from '@nestjs/common'
import type { JsonSchema } from './openapi.js'
import type { ApplicationConfigLike } from './routing.js'

/**
 * A version of Nest's versioning, as `@Controller({ version })` takes it: a version such as
 * `'1'`, `VERSION_NEUTRAL`, or a list of them.
 *
 * @example
 * ```ts
 * const version: ProbeVersion = [VERSION_NEUTRAL, '1']
 * ```
 */
export type ProbeVersion = string | typeof VERSION_NEUTRAL | ReadonlyArray<string | typeof VERSION_NEUTRAL>

/**
 * How the probe routes of `serve: 'controller'` sit among the application's routes: Nest's
 * global prefix and versioning, and the OpenAPI document of `@nestjs/swagger`. By default the
 * probes stay at their own paths (`/livez`, …) whatever `app.setGlobalPrefix()` and
 * `app.enableVersioning()` say: the kubelet probes a fixed path, and a prefix added to the
 * application for its API must not silently move the probe (the pod would then fail its
 * liveness probe and be restarted in a loop).
 *
 * @example
 * ```ts
 * HealthModule.forRoot({ serve: 'controller', controller: { globalPrefix: true, version: '1', openapi: { tags: ['ops'] } } })
 * ```
 */
export interface HealthControllerOptions {
  /**
   * Put the probes under the global prefix of `app.setGlobalPrefix()` (`/api/livez`), as
   * every other route; the prefix's `exclude` list applies to them as to any route. With
   * `false`, the probes stay at their paths whatever the prefix.
   * @default false
   */
  globalPrefix?: boolean
  /**
   * The version of the probe routes once `app.enableVersioning()` is on. `VERSION_NEUTRAL`
   * (from `@nestjs/common`): the probes answer at their unversioned path under URI versioning,
   * and whatever version (or none) a request names under header, media-type or custom
   * versioning. A version (`'1'`, or a list) puts them where Nest puts that version's routes
   * (`/v1/livez`), and under header or media-type versioning they answer only a request that
   * names it (configure the probe's `httpHeaders` in Kubernetes).
   * @default VERSION_NEUTRAL
   */
  version?: ProbeVersion
  /**
   * The probe routes in the OpenAPI document of `SwaggerModule.createDocument`, when
   * `@nestjs/swagger` is installed: each probe with a summary, the `health` tag (or `tags`), and
   * the body of its `format` for 200 and 503 (`application/health+json` by default). `false`
   * leaves them out.
   * @default true
   */
  openapi?: boolean | HealthOpenApiOptions
}

/**
 * How the probes appear in the OpenAPI document.
 *
 * @example
 * ```ts
 * HealthModule.forRoot({ serve: 'controller', controller: { openapi: { tags: ['ops'] } } })
 * ```
 */
export interface HealthOpenApiOptions {
  /** The tags of the probe operations. @default ['health'] */
  tags?: readonly string[]
  /**
   * The answer of a format function (`format: (report, context) => …`), which the module cannot
   * know: without this, such a probe's operation has one `default` response that says the
   * status, content type and body are the function's, with no schema. One description for every
   * probe that has a format function, or one per probe (`{ readiness: { schema } }`); naming a
   * probe whose format is built in is refused when Nest creates the application.
   * @default undefined
   */
  response?: HealthOpenApiResponse | HealthOpenApiResponses
}

/**
 * What a format function answers, for the OpenAPI document: one `default` response (the
 * function chooses the status code) with this schema and content type.
 *
 * @example
 * ```ts
 * const response: HealthOpenApiResponse = { schema: { type: 'object', properties: { healthy: { type: 'boolean' } } } }
 * ```
 */
export interface HealthOpenApiResponse {
  /** The body's schema. */
  schema: JsonSchema
  /** The body's content type (a format function answers `application/json` for an object body unless its headers say otherwise). @default 'application/json' */
  contentType?: string
  /** The response's description. @default 'The answer of the format function.' */
  description?: string
}

/**
 * {@link HealthOpenApiResponse} per probe, for probes with different format functions.
 *
 * @example
 * ```ts
 * const response: HealthOpenApiResponses = { readiness: { schema: { type: 'string' }, contentType: 'text/plain' } }
 * ```
 */
export interface HealthOpenApiResponses {
  liveness?: HealthOpenApiResponse
  readiness?: HealthOpenApiResponse
  startup?: HealthOpenApiResponse
}

/** @internal {@link HealthOpenApiResponse}, checked, defaults filled in. */
export type OpenApiResponse = Readonly<Required<HealthOpenApiResponse>>

/** @internal The `openapi` option, checked. */
export interface OpenApiSettings {
  readonly tags: readonly string[]
  /** The descriptions of format functions' answers, by probe. */
  readonly response: Partial<Record<'liveness' | 'readiness' | 'startup', OpenApiResponse>>
  /** Whether the option named the probes, rather than giving one description for every probe with a format function. */
  readonly perProbe: boolean
}

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
  /**
   * With `serve: 'controller'`: whether the probes follow Nest's global prefix and versioning,
   * and whether they appear in the OpenAPI document. See {@link HealthControllerOptions}.
   * @default { globalPrefix: false, version: VERSION_NEUTRAL, openapi: true }
   */
  controller?: HealthControllerOptions
}

const CONTROLLER_KEYS = optionKeys<HealthControllerOptions>({ globalPrefix: true, version: true, openapi: true })
const OPENAPI_KEYS = optionKeys<HealthOpenApiOptions>({ tags: true, response: true })
const RESPONSE_KEYS = optionKeys<HealthOpenApiResponse>({ schema: true, contentType: true, description: true })
const PROBE_KEYS = optionKeys<HealthOpenApiResponses>({ liveness: true, readiness: true, startup: true })

/** @internal */
export interface Settings {
  readonly serve: 'server' | 'controller'
  readonly started: 'bootstrap' | 'manual' | undefined
  readonly global: boolean
  /** The probe paths, as core will serve them. */
  readonly paths: Readonly<Required<ProbePaths>>
  /** The controller's routes: each probe path, and `<path>/:check`. */
  readonly routes: readonly string[]
  /** Whether the probe routes take the global prefix. */
  readonly globalPrefix: boolean
  /** The probe routes' version. */
  readonly version: ProbeVersion
  /** The OpenAPI tags and descriptions of format functions' answers, or false to leave the probes out of the document. */
  readonly openapi: OpenApiSettings | false
  onError: (error: Error) => void
  /** Nest's application config, with `serve: 'controller'` (read by the middleware for versions). */
  appConfig?: ApplicationConfigLike | undefined
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
  const controller = controllerOptions(options.controller, serve, where)
  return { serve, started, global, paths, routes, ...controller, onError: (error) => console.error('[healthz]', error) }
}

function controllerOptions(given: unknown, serve: 'server' | 'controller', where: string): Pick<Settings, 'globalPrefix' | 'version' | 'openapi'> {
  const fallback: Pick<Settings, 'globalPrefix' | 'version' | 'openapi'> = { globalPrefix: false, version: VERSION_NEUTRAL, openapi: { tags: ['health'], response: {}, perProbe: false } }
  if (given === undefined) return fallback
  const what = `${where} controller`
  const options = assertKnownOptions(given, CONTROLLER_KEYS, what)
  if (serve !== 'controller') {
    throw new HealthzError(`${what}: these options apply only with serve: 'controller'; with serve: 'server' the probes are answered ahead of Nest, outside its global prefix, versioning and OpenAPI document.`, { code: 'INVALID_OPTION' })
  }
  const { globalPrefix = false, version = VERSION_NEUTRAL, openapi = true } = options
  if (typeof globalPrefix !== 'boolean') {
    throw new HealthzError(`${what}: globalPrefix must be true (the probes under app.setGlobalPrefix()) or false (at their own paths); got ${describeValue(globalPrefix)}.`, { code: 'INVALID_OPTION' })
  }
  const versions = Array.isArray(version) ? (version as unknown[]) : [version]
  if (versions.length === 0 || !versions.every((one) => one === VERSION_NEUTRAL || (typeof one === 'string' && one.length > 0))) {
    throw new HealthzError(`${what}: version must be VERSION_NEUTRAL (from @nestjs/common), a version such as '1', or a non-empty list of them; got ${describeValue(version)}.`, { code: 'INVALID_OPTION' })
  }
  return { globalPrefix, version: version as ProbeVersion, openapi: openapiOptions(openapi, `${what} openapi`) }
}

function openapiOptions(openapi: unknown, what: string): OpenApiSettings | false {
  if (openapi === false) return false
  if (openapi === true) return { tags: ['health'], response: {}, perProbe: false }
  const { tags = ['health'], response } = assertKnownOptions(openapi, OPENAPI_KEYS, what)
  if (!Array.isArray(tags) || tags.length === 0 || !tags.every((tag) => typeof tag === 'string' && tag.length > 0)) {
    throw new HealthzError(`${what}: tags must be a non-empty list of tag names, e.g. ['health']; got ${describeValue(tags)}.`, { code: 'INVALID_OPTION' })
  }
  if (response === undefined) return { tags: [...(tags as string[])], response: {}, perProbe: false }
  // Per probe when it names one ({ readiness: { schema } }), else one for every probe with a format function.
  const given = assertKnownOptions(response, [...RESPONSE_KEYS, ...PROBE_KEYS], `${what} response`)
  const perProbe = Object.keys(given).some((key) => PROBE_KEYS.includes(key))
  if (perProbe && Object.keys(given).some((key) => RESPONSE_KEYS.includes(key))) {
    throw new HealthzError(`${what} response: give either one { schema, contentType?, description? } for every probe with a format function, or one per probe ({ readiness: { schema } }), not both.`, { code: 'INVALID_OPTION' })
  }
  let responses: OpenApiSettings['response']
  if (perProbe) {
    const entries = (['liveness', 'readiness', 'startup'] as const).filter((probe) => given[probe] !== undefined).map((probe) => [probe, responseOption(given[probe], `${what} response.${probe}`)])
    responses = Object.fromEntries(entries) as OpenApiSettings['response']
  } else {
    const one = responseOption(response, `${what} response`)
    responses = { liveness: one, readiness: one, startup: one }
  }
  return { tags: [...(tags as string[])], response: responses, perProbe }
}

function responseOption(given: unknown, what: string): OpenApiResponse {
  const { schema, contentType = 'application/json', description = 'The answer of the format function.' } = assertKnownOptions(given, RESPONSE_KEYS, what)
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new HealthzError(`${what}: schema must be a JSON Schema object, e.g. { type: 'object', properties: { … } }; got ${describeValue(schema)}.`, { code: 'INVALID_OPTION' })
  }
  const text = (value: unknown, name: string): string => {
    if (typeof value === 'string' && value.length > 0) return value
    throw new HealthzError(`${what}: ${name} must be a non-empty string, got ${describeValue(value)}.`, { code: 'INVALID_OPTION' })
  }
  return { schema: schema as JsonSchema, contentType: text(contentType, 'contentType'), description: text(description, 'description') }
}
