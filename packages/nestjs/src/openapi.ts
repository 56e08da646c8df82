// The probe routes in the OpenAPI document of @nestjs/swagger (an optional peer): the schema of
// each built-in response format (health+json, terminus, spring), written once, and the
// decorators applied to the probe controller when swagger is installed, each probe described in
// the format core resolved for it (`health.formats`). Swagger is loaded only then, with a
// dynamic import: without it nothing here runs and nothing is missing.
import type { Type } from '@nestjs/common'
import { HealthzError, SPRING_CONTENT_TYPE } from '@healthz/core'
import type { Health, ProbeKind, ResponseFormat, ResponseFormatName } from '@healthz/core'
import { probeRoutes } from './controller.js'
import type { OpenApiResponse, OpenApiSettings, Settings } from './settings.js'

/**
 * A JSON Schema object as OpenAPI 3 writes one (the subset this package uses).
 *
 * @example
 * ```ts
 * const status: JsonSchema = { type: 'string', enum: ['pass', 'warn', 'fail'] }
 * ```
 */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean'
  description?: string
  format?: string
  enum?: string[]
  /** OpenAPI 3.0: the value may also be null (with `type`). */
  nullable?: boolean
  required?: string[]
  properties?: Record<string, JsonSchema>
  additionalProperties?: JsonSchema | boolean
  items?: JsonSchema
  oneOf?: JsonSchema[]
  example?: unknown
}

/** A check's observedValue: a number, string, boolean or null (OpenAPI 3.0 has no null type: the boolean branch is nullable). */
const SCALAR: JsonSchema = { oneOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean', nullable: true }] }

const STATUS: JsonSchema = { type: 'string', enum: ['pass', 'warn', 'fail'], description: 'pass and warn answer 200, fail answers 503.' }

/**
 * The body of every probe answer, `application/health+json` after draft-inadarei-api-health-check,
 * as an OpenAPI schema: what the probe routes' 200 and 503 responses carry in the document, and
 * what you can reuse for your own (e.g. a gateway's aggregated health).
 *
 * @example
 * ```ts
 * const config = new DocumentBuilder().build()
 * const document = SwaggerModule.createDocument(app, config)
 * document.components = { ...document.components, schemas: { ...document.components?.schemas, HealthJson: HEALTH_JSON_SCHEMA } }
 * ```
 */
export const HEALTH_JSON_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'application/health+json (draft-inadarei-api-health-check). By default check output is withheld ("reason withheld").',
  required: ['status'],
  properties: {
    status: STATUS,
    version: { type: 'string', description: 'Public version of the service.' },
    releaseId: { type: 'string', description: 'Internal release of the service, e.g. a git sha.' },
    serviceId: { type: 'string' },
    description: { type: 'string' },
    notes: { type: 'array', items: { type: 'string' }, description: 'Short facts about the state, e.g. "starting", "draining".' },
    output: { type: 'string', description: 'Why the probe fails when that is not a check (e.g. still starting).' },
    checks: {
      type: 'object',
      description: 'Results by "component:measurement", e.g. "postgres:responseTime".',
      additionalProperties: {
        type: 'array',
        items: {
          type: 'object',
          required: ['status'],
          properties: {
            componentType: { type: 'string', example: 'datastore' },
            observedValue: SCALAR,
            observedUnit: { type: 'string', example: 'ms' },
            status: STATUS,
            time: { type: 'string', format: 'date-time' },
            output: { type: 'string' },
          },
        },
      },
    },
  },
  example: { status: 'pass', serviceId: 'orders', checks: { 'postgres:responseTime': [{ componentType: 'datastore', observedValue: 3, observedUnit: 'ms', status: 'pass', time: '2026-11-30T12:00:00.000Z' }] } },
}

const TERMINUS_INDICATOR: JsonSchema = {
  type: 'object',
  description: 'One check, as @nestjs/terminus 12 writes an indicator; a check that measures something else adds observedValue and observedUnit.',
  required: ['responseTime', 'status'],
  properties: {
    message: { type: 'string', description: 'The error text: "reason withheld" unless the details policy shows it (redacted).' },
    observedValue: SCALAR,
    observedUnit: { type: 'string' },
    responseTime: { type: 'number', description: 'How long the check took, in ms.' },
    status: { type: 'string', enum: ['up', 'degraded', 'down'], description: 'degraded: a non-critical check failed.' },
  },
  additionalProperties: true,
}

const TERMINUS_INDICATORS = (description: string): JsonSchema => ({ type: 'object', description, additionalProperties: TERMINUS_INDICATOR })

/**
 * The body of `format: 'terminus'` (`application/json`): what `@nestjs/terminus`'
 * `HealthCheckService.check()` answers, `{ status, info, error, details }`, each check an
 * indicator named after it. The schema of the probe routes whose format is `'terminus'`.
 *
 * @example
 * ```ts
 * document.components = { ...document.components, schemas: { ...document.components?.schemas, Terminus: TERMINUS_SCHEMA } }
 * ```
 * @see docs/formats.md
 */
export const TERMINUS_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'The body of @nestjs/terminus (format: \'terminus\'). Error text is "reason withheld" by default.',
  required: ['status', 'info', 'error', 'details'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'error', 'shutting_down'], description: 'ok and degraded answer 200, error and shutting_down 503.' },
    info: TERMINUS_INDICATORS('The checks that are up or degraded (and, on liveness with ?verbose, the runtime figures).'),
    error: TERMINUS_INDICATORS('The checks that are down.'),
    details: TERMINUS_INDICATORS('Every check: info, then error.'),
  },
  example: { status: 'ok', info: { postgres: { responseTime: 3, status: 'up' } }, error: {}, details: { postgres: { responseTime: 3, status: 'up' } } },
}

const SPRING_DETAILS: JsonSchema = {
  type: 'object',
  description: 'Shown only when the details policy allows it: responseTime (ms), observedValue and observedUnit, error.',
  additionalProperties: SCALAR,
}

/**
 * The body of `format: 'spring'` (`application/vnd.spring-boot.actuator.v3+json`, core's
 * `SPRING_CONTENT_TYPE`): Spring Boot Actuator's health endpoint, `{ status, components }`, or
 * on a per-check path the component alone, `{ status, details? }`. The schema of the probe
 * routes whose format is `'spring'`.
 *
 * @example
 * ```ts
 * document.components = { ...document.components, schemas: { ...document.components?.schemas, Actuator: SPRING_SCHEMA } }
 * ```
 * @see docs/formats.md
 */
export const SPRING_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'The body of Spring Boot Actuator\'s health endpoint, API v3 (format: \'spring\').',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['UP', 'DOWN', 'OUT_OF_SERVICE'], description: 'UP answers 200; DOWN and OUT_OF_SERVICE (starting, shutting down) 503.' },
    components: {
      type: 'object',
      description: 'Each check by name; left out when the probe has no checks, and on a per-check path.',
      additionalProperties: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['UP', 'DOWN'] }, details: SPRING_DETAILS } },
    },
    details: SPRING_DETAILS,
  },
  example: { status: 'UP', components: { postgres: { status: 'UP' } } },
}

/** How a built-in format answers: its content type, schema, and what 200 and 503 mean. */
const BUILT_IN: Readonly<Record<ResponseFormatName, { contentType: string; schema: JsonSchema; ok: string; fail: string }>> = {
  'health+json': { contentType: 'application/health+json', schema: HEALTH_JSON_SCHEMA, ok: 'pass or warn', fail: 'fail' },
  terminus: { contentType: 'application/json', schema: TERMINUS_SCHEMA, ok: 'ok or degraded', fail: 'error or shutting_down' },
  spring: { contentType: SPRING_CONTENT_TYPE, schema: SPRING_SCHEMA, ok: 'UP', fail: 'DOWN or OUT_OF_SERVICE' },
}

/** What the document says a format function answers when `openapi.response` does not describe it. */
const FUNCTION_RESPONSE = "The answer of this probe's format function: its status code, content type and body are the application's (describe them with controller.openapi.response)."

/** What the document says of one probe's answers. */
interface ProbeAnswer {
  readonly contentType: string | undefined
  readonly responses: ReadonlyArray<{ status: number | 'default'; description: string; schema?: JsonSchema }>
}

const PROBES = ['liveness', 'readiness', 'startup'] as const

/**
 * @internal The answers of each probe in the document, from the formats core resolved; refuses
 * an `openapi.response` that would describe no format function (whether or not swagger is
 * installed: the mistake is in the options either way).
 */
export function probeAnswers(formats: Health['formats'], openapi: OpenApiSettings): Record<ProbeKind, ProbeAnswer> {
  const refuse = (why: string): never => {
    throw new HealthzError(`HealthModule controller openapi: response describes the answer of a format function, but ${why}; remove it, or give that probe format: (report, context) => ({ status, body }).`, { code: 'INVALID_OPTION' })
  }
  const given = openapi.response
  if (openapi.perProbe) {
    for (const probe of PROBES) {
      const format = formats[probe]
      if (given[probe] !== undefined && typeof format === 'string') refuse(`${probe} answers '${format}', whose body the document describes already`)
    }
  } else if (given.liveness !== undefined && PROBES.every((probe) => typeof formats[probe] === 'string')) {
    // One description for all fills every probe; it must describe at least one function.
    refuse('no probe has one')
  }
  const answer = (format: ResponseFormat, custom: OpenApiResponse | undefined): ProbeAnswer => {
    if (typeof format === 'string') {
      const { contentType, schema, ok, fail } = BUILT_IN[format]
      return { contentType, responses: [{ status: 200, description: ok, schema }, { status: 503, description: fail, schema }] }
    }
    if (custom === undefined) return { contentType: undefined, responses: [{ status: 'default', description: FUNCTION_RESPONSE }] }
    return { contentType: custom.contentType, responses: [{ status: 'default', description: custom.description, schema: custom.schema }] }
  }
  return {
    liveness: answer(formats.liveness, given.liveness),
    readiness: answer(formats.readiness, given.readiness),
    startup: answer(formats.startup, given.startup),
  }
}

const SUMMARIES = {
  liveness: 'Liveness probe: fails only when the process is wedged (never on a dependency)',
  readiness: 'Readiness probe: fails while starting, draining, or when a critical dependency fails',
  startup: 'Startup probe: 503 until the application has started, then 200 for good',
} as const

/** What this file uses of @nestjs/swagger (11 and 12): decorators, applied as functions. */
interface Swagger {
  ApiExcludeController(): ClassDecorator
  ApiExcludeEndpoint(): MethodDecorator
  ApiTags(...tags: string[]): ClassDecorator & MethodDecorator
  ApiProduces(...types: string[]): ClassDecorator & MethodDecorator
  ApiOperation(options: { summary: string; description?: string }): MethodDecorator
  ApiParam(options: { name: string; description: string; type: StringConstructor }): MethodDecorator
  ApiQuery(options: { name: string; description: string; required: boolean; type: StringConstructor; isArray: boolean }): MethodDecorator
  ApiResponse(options: { status: number | 'default'; description: string; schema?: JsonSchema }): MethodDecorator
}

/** @internal `@nestjs/swagger`, or undefined when it is not installed. */
export async function loadSwagger(): Promise<Swagger | undefined> {
  try {
    return (await import('@nestjs/swagger')) as unknown as Swagger
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes('@nestjs/swagger')) return undefined
    throw error
  }
}

/**
 * @internal Describes the probe controller's routes for OpenAPI when `@nestjs/swagger` is
 * installed (or leaves the controller out of the document with `openapi: false`), each probe in
 * its format. Runs while Nest creates the application, once the health object exists:
 * `SwaggerModule.createDocument` reads the metadata after `NestFactory.create` and before
 * `app.init()`. Returns whether swagger was found.
 */
export async function describeForOpenApi(controller: Type<unknown>, settings: Settings, formats: Health['formats'], swagger: Swagger | undefined): Promise<boolean> {
  const openapi = settings.openapi
  const answers = openapi === false ? undefined : probeAnswers(formats, openapi)
  if (swagger === undefined) return false
  if (answers === undefined || openapi === false) {
    swagger.ApiExcludeController()(controller)
    return true
  }
  swagger.ApiTags(...openapi.tags)(controller)
  const prototype = controller.prototype as Record<string, unknown>
  for (const route of probeRoutes(settings.paths)) {
    const apply = (decorator: MethodDecorator): void => {
      decorator(prototype, route.name, Object.getOwnPropertyDescriptor(prototype, route.name) as PropertyDescriptor)
    }
    if (route.probe === undefined) {
      apply(swagger.ApiExcludeEndpoint()) // other methods: 405, nothing to document
      continue
    }
    const summary = route.perCheck === true ? `${SUMMARIES[route.probe]} (one check)` : SUMMARIES[route.probe]
    apply(swagger.ApiOperation({ summary }))
    const { contentType, responses } = answers[route.probe]
    if (contentType !== undefined) apply(swagger.ApiProduces(contentType))
    if (route.perCheck === true) apply(swagger.ApiParam({ name: 'check', description: 'The name of one check of this probe.', type: String }))
    else apply(swagger.ApiQuery({ name: 'exclude', description: 'A check to leave out (repeatable), as in the Kubernetes API server.', required: false, type: String, isArray: true }))
    for (const response of responses) apply(swagger.ApiResponse(response))
  }
  return true
}
