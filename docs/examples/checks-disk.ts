import { tmpdir } from 'node:os'
import { createHealth } from '@healthz/core'
import { diskSpaceCheck } from '@healthz/checks'

// Warn at 20 % free, fail below 500 MiB: uploads are buffered to the temporary directory.
const disk = diskSpaceCheck({ path: tmpdir(), warnBelowRatio: 0.2, failBelowBytes: 500 * 2 ** 20 })

export const health = createHealth({ readiness: [disk] })
