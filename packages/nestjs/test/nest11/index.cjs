// NestJS 11, loaded from this package's own dependencies.
require('reflect-metadata')
module.exports = {
  common: require('@nestjs/common'),
  core: require('@nestjs/core'),
  platformExpress: require('@nestjs/platform-express'),
  platformFastify: require('@nestjs/platform-fastify'),
  swagger: require('@nestjs/swagger'),
  version: require('@nestjs/core/package.json').version,
  swaggerVersion: require('@nestjs/swagger/package.json').version,
}
