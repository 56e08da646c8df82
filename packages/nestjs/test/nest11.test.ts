// NestJS 11, the lower end of the peer range. Its packages come from one coherent install
// (test/nest11, a file: devDependency, so that Nest 11's packages resolve each other as peers),
// and the two mocks below only redirect this file's module graph, the package's source
// included, to those real Nest 11 modules: nothing of Nest is replaced by a stand-in.
import { describe, expect, it, vi } from 'vitest'
import nest11 from 'healthz-nestjs-test-nest11'
import { describeContract } from '../../../test-utils/contract.js'
import { nestAdapter } from './contract.js'
import { defineFormatsSuite } from './formats.js'
import { defineRoutingSuite } from './routing.js'
import type { Swagger } from './routing.js'
import { defineSuite } from './suite.js'
import type { NestKit } from './suite.js'

vi.mock('@nestjs/common', async () => (await import('healthz-nestjs-test-nest11')).default.common)
vi.mock('@nestjs/core', async () => (await import('healthz-nestjs-test-nest11')).default.core)
vi.mock('@nestjs/swagger', async () => (await import('healthz-nestjs-test-nest11')).default.swagger)

// Typed by the Nest 12 types the suite is written against; the APIs it uses are the same in 11.
const kit = nest11 as unknown as NestKit

it('runs on NestJS 11, and the package under test sees the same Nest 11 modules', async () => {
  expect(kit.version).toMatch(/^11\./)
  const [core, common] = [await import('@nestjs/core'), await import('@nestjs/common')]
  expect(core.HttpAdapterHost === kit.core.HttpAdapterHost).toBe(true)
  expect(common.Controller === kit.common.Controller).toBe(true)
  const swagger = await import('@nestjs/swagger')
  expect((swagger.SwaggerModule as unknown) === nest11.swagger.SwaggerModule).toBe(true)
  expect(nest11.swaggerVersion).toBe('11.0.0')
})

describe('NestJS 11', () => {
  defineSuite(kit)
  defineRoutingSuite(kit, nest11.swagger as unknown as Swagger)
  defineFormatsSuite(kit, nest11.swagger as unknown as Swagger)
})

describeContract([
  nestAdapter(kit, 'express', 'server'),
  nestAdapter(kit, 'express', 'controller'),
  nestAdapter(kit, 'fastify', 'server'),
  nestAdapter(kit, 'fastify', 'controller'),
])
