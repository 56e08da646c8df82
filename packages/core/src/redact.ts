// Error text from drivers routinely carries connection strings. Whatever the disclosure
// policy, credentials never leave the process through a health response.

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/?#@]*):([^\s/?#@]*)@/gi
const KEY_VALUE =
  /\b(password|passwd|pwd|pass|secret|token|api[_-]?key|access[_-]?key|auth|authorization|credentials?)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&'"]+)/gi
const JSON_FIELD =
  /("(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|authorization|credentials?)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi
const BEARER = /\b(bearer|basic)\s+[a-z0-9._~+/=-]{6,}/gi

/** What credentials are replaced with. */
export const REDACTED = '[redacted]'

/**
 * Removes credentials from a text: the password in URLs (`postgres://user:secret@host`),
 * `password=…`-style pairs, JSON fields such as `"password": "…"`, and bearer or basic tokens.
 * Applied to every check output before it is shown, whatever the disclosure setting.
 *
 * @example
 * ```ts
 * redact('connect ECONNREFUSED postgres://app:hunter2@db:5432/orders')
 * // -> 'connect ECONNREFUSED postgres://app:[redacted]@db:5432/orders'
 * ```
 */
export function redact(text: string): string {
  return text
    .replace(URL_CREDENTIALS, (_match, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`)
    .replace(JSON_FIELD, (_match, head: string) => `${head}"${REDACTED}"`)
    .replace(BEARER, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(KEY_VALUE, (_match, key: string, separator: string) => `${key}${separator}${REDACTED}`)
}
