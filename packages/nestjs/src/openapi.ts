// The probe routes in the OpenAPI document of @nestjs/swagger (an optional peer): the
// health+json schema, written once, and the decorators applied to the probe controller when
// swagger is installed. Swagger is loaded only then, with a dynamic import: without it nothing
// here runs and nothing is missing.
import type { Type } from '@nestjs/common'
import { probeRoutes } from './controller.js'
import type { Settings } from './settings.js'

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
  required?: string[]
  properties?: Record<string, JsonSchema>
  additionalProperties?: JsonSchema | boolean
  items?: JsonSchema
  oneOf?: JsonSchema[]
  example?: unknown
}

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
            observedValue: { oneOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }] },
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
  ApiResponse(options: { status: number; description: string; schema: JsonSchema }): MethodDecorator
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
 * installed (or leaves the controller out of the document with `openapi: false`). Runs while
 * Nest creates the application: `SwaggerModule.createDocument` reads the metadata after
 * `NestFactory.create` and before `app.init()`. Returns whether swagger was found.
 */
export async function describeForOpenApi(controller: Type<unknown>, settings: Settings, swagger: Swagger | undefined): Promise<boolean> {
  if (swagger === undefined) return false
  if (settings.openapi === false) {
    swagger.ApiExcludeController()(controller)
    return true
  }
  swagger.ApiTags(...settings.openapi)(controller)
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
    apply(swagger.ApiProduces('application/health+json'))
    if (route.perCheck === true) apply(swagger.ApiParam({ name: 'check', description: 'The name of one check of this probe.', type: String }))
    else apply(swagger.ApiQuery({ name: 'exclude', description: 'A check to leave out (repeatable), as in the Kubernetes API server.', required: false, type: String, isArray: true }))
    apply(swagger.ApiResponse({ status: 200, description: 'pass or warn', schema: HEALTH_JSON_SCHEMA }))
    apply(swagger.ApiResponse({ status: 503, description: 'fail', schema: HEALTH_JSON_SCHEMA }))
  }
  return true
}
