// @healthz/grpc: the standard grpc.health.v1 Health service (Check, Watch, List) for grpc-js,
// answered by a healthz health object, and the server drained on shutdown.
export { addHealthService } from './service.js'
export { drainOnShutdown } from './drain.js'
export { HEALTH_SERVICE, SERVING_STATUS } from './proto.js'

export type { GrpcHealthService, HealthServiceOptions } from './service.js'
export type { GrpcServer } from './drain.js'
export type { ServiceTarget } from './names.js'
export type {
  HealthCheckRequest,
  HealthCheckResponse,
  HealthListResponse,
  HealthMethodDefinition,
  HealthServiceDefinition,
  ServingStatus,
} from './proto.js'
