// Issue 13, items 4, 6 and 7 for @healthz/express: the shared options contract (test-utils).
import express from 'express'
import { createHealth } from '@healthz/core'
import { createHealthMiddleware, listen } from '@healthz/express'
import { describeOptionsContract } from '../../../test-utils/options-contract.js'

describeOptionsContract({ name: '@healthz/express', createHealthMiddleware, listen, app: () => express(), health: () => createHealth({ runtime: false, shutdown: { signals: false } }) })
