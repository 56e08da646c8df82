import { createHealth } from '@healthz/core'
import { heapCheck, rssCheck } from '@healthz/checks'

const MiB = 2 ** 20

// Process checks may back liveness: a leak restarts the process before the OOM killer does.
const heap = heapCheck({ warnAboveBytes: 384 * MiB, failAboveBytes: 480 * MiB }) // --max-old-space-size=512
const rss = rssCheck({ warnAboveBytes: 700 * MiB, failAboveBytes: 900 * MiB }) // container limit 1 GiB

export const health = createHealth({ liveness: [heap, rss], readiness: [heap, rss] })
