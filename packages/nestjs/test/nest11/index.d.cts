// The Nest 11 packages, typed by their own (Nest 11) declarations.
declare const nest11: {
  version: string
  common: typeof import('@nestjs/common')
  core: typeof import('@nestjs/core')
  platformExpress: typeof import('@nestjs/platform-express')
  platformFastify: typeof import('@nestjs/platform-fastify')
  swagger: typeof import('@nestjs/swagger')
  swaggerVersion: string
}
export = nest11
