import { createHealth } from '@healthz/core'
import { postgres } from './health.js'

const health = createHealth({ readiness: [postgres], statusPage: true })

// The page is an ordinary response of handle(): HTML with its CSP nonce and security headers.
const page = await health.handle({ method: 'GET', path: '/statusz' })
console.log(page?.status, page?.headers['content-security-policy'])

// The stream's response carries `stream`: call it with where the text goes; it returns the
// function that unsubscribes. @healthz/http and @healthz/fetch do this for you.
const events = await health.handle({ method: 'GET', path: '/statusz/events' })
const stop = events?.stream?.({ write: (chunk) => process.stdout.write(chunk), end: () => console.log('stream ended') })
console.log(health.statusPage?.subscribers) // 1
stop?.()
