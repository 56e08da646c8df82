// @healthz/nestjs: the probes for NestJS 11 and 12. Two ways in, one mechanism (@healthz/http):
// ahead of Nest at the HTTP server's `request` event (the default: fastest, and out of reach of
// guards, interceptors, pipes and middleware), or as a controller whose middleware answers
// before guards run. Shutdown runs from Nest's lifecycle hooks.
export { HealthModule } from './module.js'
export { HEALTH, HEALTHZ_PROBE } from './tokens.js'
export { HEALTH_JSON_SCHEMA, SPRING_SCHEMA, TERMINUS_SCHEMA } from './openapi.js'

export type { HealthFactoryOptions, HealthModuleAsyncOptions, HealthModuleOptions } from './module.js'
export type { HealthControllerOptions, HealthModuleSettings, HealthOpenApiOptions, HealthOpenApiResponse, HealthOpenApiResponses, ProbeVersion } from './settings.js'
export type { JsonSchema } from './openapi.js'
