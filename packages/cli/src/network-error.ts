// The connection-level failures both probes (HTTP and gRPC) explain the same way.
import { echo, LONG_ECHO } from './escape.js'

/**
 * The message for a connection error both probes share (refused, reset, DNS, unreachable), or
 * undefined for any other code: each probe explains its own (TLS, HTTP/2) and the rest.
 *
 * @internal
 */
export function connectionFailure(error: NodeJS.ErrnoException, where: string, hostname: string): string | undefined {
  switch (error.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${where}: nothing listens there (is the server up, and on this port?)`
    case 'ECONNRESET':
      return `connection to ${where} was reset before an answer`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${echo(hostname, LONG_ECHO)} not found (DNS ${error.code})`
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} is unreachable (${error.code})`
    default:
      return undefined
  }
}
