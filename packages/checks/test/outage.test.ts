// The 3am outage (issue 6), as a test: a service using @healthz/http with a Postgres readiness
// check (postgresCheck) reached through a TCP proxy that stalls for a while, polled on the
// Kubernetes probe settings scaled down 5× (liveness every 3 s × 3, readiness every 1 s × 2,
// probe timeout 200 ms; check deadline 100 ms, cache 200 ms; a 12.45 s stall that starts and ends between probes). The same scenario
// runs at other scales, and against naive checks, in bench/outage.
import pg from 'pg'
import { expect, test } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import { createHealthListener } from '@healthz/http'
import { postgresCheck } from '@healthz/checks/pg'
import { SLACK } from './support/helpers.js'
import { runOutage } from './support/outage.mjs'

test('the 3am outage: liveness never fails, readiness follows the stall within a period, one query in flight, the pool untouched', async () => {
  const report = await runOutage({ libs: { pg, createHealth, defineCheck, createHealthListener, postgresCheck }, scale: 0.2 })
  const { settings, readiness, liveness, pool, queries } = report

  // Liveness never fails: a stalled database is not a reason to restart the process.
  expect(liveness.probes).toBeGreaterThanOrEqual(6)
  expect(liveness.failed).toBe(0)
  expect(liveness.restarts).toBe(0)

  // Readiness passes before the stall, fails within one period plus the check deadline of its start ...
  expect(readiness.failedBeforeStall).toBe(0)
  expect(readiness.firstFailAfterStallStart).toBeDefined()
  expect(readiness.firstFailAfterStallStart as number).toBeLessThanOrEqual(settings.readinessPeriod + settings.checkTimeout + SLACK)
  expect(readiness.passedDuringStall).toBe(0)
  // ... and every probe is answered before the kubelet's timeout: fail at the deadline, not a hang.
  expect(readiness.slowestAnswer).toBeLessThan(settings.probeTimeout)
  // The kubelet (failureThreshold 2) takes the pod out, and back in within a period of the stall ending.
  expect(readiness.unreadyAfterStallStart).toBeDefined()
  expect(readiness.firstPassAfterStallEnd).toBeDefined()
  expect(readiness.firstPassAfterStallEnd as number).toBeLessThanOrEqual(settings.readinessPeriod + SLACK)
  expect(readiness.readyAfterStallEnd as number).toBeLessThanOrEqual(settings.readinessPeriod + SLACK)
  expect(readiness.failedAfterRecovery).toBe(0)

  // At most one Postgres query from probes in flight, ever: checked out of the pool, and on the wire.
  expect(queries.maxInFlight).toBe(1)
  expect(queries.maxHeldOnWire).toBe(1)
  // The pool is not exhausted by probes: nobody ever waited, and at most two of its five
  // connections existed (the one in use and the one being opened after it was destroyed).
  expect(pool.maxWaiting).toBe(0)
  expect(pool.maxTotal).toBeLessThanOrEqual(2)
  // A stuck query's connection is destroyed at the deadline, not held for the whole stall.
  expect(pool.longestCheckout).toBeLessThanOrEqual(settings.checkTimeout + SLACK)
}, 40_000)
