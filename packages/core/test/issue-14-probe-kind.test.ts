// Found while splitting health.ts (issue 14): probe() looked the kind up on a plain object, so a
// name from Object.prototype was taken for a probe and resolved with a report.
import { describe, expect, it } from 'vitest'
import { createHealth } from '@healthz/core'
import type { ProbeKind } from '@healthz/core'

describe('issue 14: probe() knows exactly three probe kinds', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])('rejects %s as an unknown probe', async (kind) => {
    const health = createHealth({ runtime: false })
    const events: unknown[] = []
    health.on('change', (event) => events.push(event))
    await expect(health.probe(kind as ProbeKind)).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('Unknown probe') })
    expect(events).toEqual([])
    health.close()
  })
})
