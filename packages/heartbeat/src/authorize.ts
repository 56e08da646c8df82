// The `authorize` option of the receiver and the fleet page, applied the same way by both.
import type { IncomingMessage } from 'node:http'

/** Whether `authorize` lets the request in: only a literal `true` does, and a throwing function refuses. */
export function safeAuthorize(authorize: (req: IncomingMessage) => boolean, req: IncomingMessage): boolean {
  try {
    return authorize(req) === true
  } catch {
    return false
  }
}
