// Issue 13, items 4, 6 and 7 for @healthz/koa: the shared options contract (test-utils).
import Koa from 'koa'
import { createHealth } from '@healthz/core'
import { createHealthMiddleware, listen } from '@healthz/koa'
import { describeOptionsContract } from '../../../test-utils/options-contract.js'

describeOptionsContract({ name: '@healthz/koa', createHealthMiddleware, listen, app: () => new Koa(), health: () => createHealth({ runtime: false, shutdown: { signals: false } }) })
