// Text from outside (a server's answer, a manifest, the command line) on its way to a terminal or
// a log: control characters escaped, so a newline cannot forge a second line and an escape
// sequence cannot reach the terminal, and long values cut, so nothing outside can make a line
// unbounded.

/**
 * What a terminal acts on: C0 controls (newline and tab included), DEL, C1 controls (U+009B is
 * the 8-bit CSI), the Unicode line and paragraph separators, the bidirectional overrides and
 * isolates (they reorder what is printed after them), and lone surrogates.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** How many characters of an outside value a message echoes, as in `@healthz/core`. @internal */
export const ECHO_LIMIT = 60
/** How much of a URL or a network error a probe reason echoes. @internal */
export const LONG_ECHO = 200

/**
 * Escapes control characters as `\n`, `\x1b`, `\u202e`, leaving everything else as it is.
 * Idempotent on its own output (it adds backslashes, never control characters).
 *
 * @example
 * ```ts
 * escapeControl('db\nok') // 'db\\nok'
 * ```
 * @internal
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (char) => {
    const named = NAMED[char]
    if (named !== undefined) return named
    const code = char.charCodeAt(0)
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

/**
 * An outside value as a message shows it: control characters escaped, and cut after `limit`
 * characters with a note of its full length (`xxxx… (100000 characters)`).
 *
 * @example
 * ```ts
 * echo('x'.repeat(100_000)) // 'xxxx…(60 x)… (100000 characters)'
 * ```
 * @internal
 */
export function echo(text: string, limit = ECHO_LIMIT): string {
  if (text.length <= limit) return escapeControl(text)
  // Never cut a surrogate pair in two.
  const cut = /[\ud800-\udbff]/.test(text.charAt(limit - 1)) ? limit - 1 : limit
  return `${escapeControl(text.slice(0, cut))}… (${text.length} characters)`
}

/**
 * JSON text with the controls JSON.stringify leaves raw (DEL, C1, the line separators and the
 * bidirectional controls) written as `\uXXXX` escapes: the same JSON value, safe in a terminal.
 * @internal
 */
export function escapeJson(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
