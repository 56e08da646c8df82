// NestJS 12, the upper end of the peer range: the package's own devDependencies.
import 'reflect-metadata'
import * as common from '@nestjs/common'
import * as core from '@nestjs/core'
import * as platformExpress from '@nestjs/platform-express'
import * as platformFastify from '@nestjs/platform-fastify'
import * as swagger from '@nestjs/swagger'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { describeContract } from '../../../test-utils/contract.js'
import { nestAdapter } from './contract.js'
import { defineFormatsSuite } from './formats.js'
import { defineRoutingSuite } from './routing.js'
import { defineSuite } from './suite.js'

const version = (createRequire(import.meta.url)('@nestjs/core/package.json') as { version: string }).version

it('runs on NestJS 12', () => {
  expect(version).toMatch(/^12\./)
})

const kit = { version, common, core, platformExpress, platformFastify }

describe('NestJS 12', () => {
  defineSuite(kit)
  defineRoutingSuite(kit, swagger)
  defineFormatsSuite(kit, swagger)
})

describeContract([
  nestAdapter(kit, 'express', 'server'),
  nestAdapter(kit, 'express', 'controller'),
  nestAdapter(kit, 'fastify', 'server'),
  nestAdapter(kit, 'fastify', 'controller'),
])
