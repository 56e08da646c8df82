// Error text from drivers routinely carries connection strings. Whatever the disclosure
// policy, credentials never leave the process through a health response.
//
// The rules, in the order they run (docs/probes.md §9 lists them for users). URL userinfo
// runs first, so a `user:pass` inside a URL is never read as a key=value pair; a pair's value
// that already holds a redacted URL or key goes whole; Bearer/Basic run last, so prose before
// a pair (`basic client_auth=…`) cannot swallow the pair's key.
// 1. URL userinfo: `scheme://user:password@host` loses everything from the first `:` of the
//    userinfo to the last `@` of the authority (the authority ends at whitespace, `/`, `?` or
//    `#`), so a password holding `@` or `:` does not leak a tail. A userinfo without `:` is a
//    user name and stays.
// 2. Well-known key shapes, wherever they stand: AWS access key ids, GitHub tokens, Slack
//    tokens, Stripe secret and restricted keys, Google API keys, JWTs.
// 3. key=value pairs (`=`, `:`, `=>`; quoted keys as in JSON, Python or escaped JSON) whose key
//    names a secret, in any case and separator style (see isSecretKey). A quoted value is
//    redacted up to its closing quote (or the end of the line), a bare value up to whitespace
//    or one of & ; , " ' < > ) ] } `. Values that say nothing (yes, no, true, false, null,
//    nil, none, undefined, `***`) stay, so `(using password: YES)` keeps its meaning.
// 4. `Bearer`/`Basic` followed by something token-like (8+ characters with a digit, a symbol
//    or both cases, so `basic authentication` stays prose).
//
// Every pattern starts only where the character before it cannot continue the same run, and
// every value is scanned once, so the work is linear in the length of the text.

/** What credentials are replaced with. */
export const REDACTED = '[redacted]'

const URL_USERINFO = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/)([^\s:/?#@]*):[^\s/?#]*@/g

const SHAPES: readonly RegExp[] = [
  // AWS access key ids (long-term AKIA, temporary ASIA, and the other documented prefixes).
  /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
  // GitHub: personal, OAuth, user-to-server, server-to-server and refresh tokens; fine-grained PATs.
  /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g,
  // Slack bot, user, app, refresh and config tokens.
  /(?<![A-Za-z0-9_-])xox[abeoprs]-[A-Za-z0-9-]{10,}/g,
  // Stripe secret and restricted keys, live and test.
  /(?<![A-Za-z0-9_])[rs]k_(?:live|test)_[A-Za-z0-9]{10,}/g,
  // Google API keys.
  /(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}/g,
  // JWTs: a base64url JSON header (`eyJ`), a payload and an optional signature.
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
]

// The lookahead leaves `basic bearer <token>` to the second word. A token may hold what the
// pair rule already redacted (a token that looked like `key=value`), and must end where its
// run does.
const AUTH_SCHEME_TOKEN = /\b(bearer|basic)([ \t]+)(?!(?:bearer|basic)[ \t])((?:[A-Za-z0-9._~+/=-]|\[redacted\])+)(?![A-Za-z0-9._~+/=[-])/gi

// A key: an optional quote (also an escaped one, `\"`), an optional `--`, then a run of
// identifier characters, an optional closing quote, and the separator.
const PAIR_KEY = /(?<![A-Za-z0-9_.\-\\"'])(?:\\?["'])?-{0,2}([A-Za-z_][A-Za-z0-9_.-]{0,127})(?:\\?["'])?[ \t]{0,4}(?:=>|=|:(?![:=]))[ \t]{0,4}/g

const SECRET_IN_KEY = /password|passwd|passphrase|secret|apikey|accesskey|privatekey|privkey|credential|pwd|cookie|signature/
// `auth` but not `author`/`authority` (`authorization` is still a secret).
const AUTH_IN_KEY = /auth(?!or(?!iz))/
// `token` but not `tokens` (counts: `max_tokens`) or `tokenizer`.
const TOKEN_IN_KEY = /token(?!s|iz)/
const SCHEME_BEFORE_VALUE = /^(?:bearer|basic|digest|token|negotiate|ntlm)[ \t]+/i
const SAYS_NOTHING = /^(?:yes|no|true|false|null|nil|none|undefined|\*+)$/i
const VALUE_END = new Set([' ', '\t', '\n', '\r', '\f', '\v', '&', ';', ',', '"', "'", '<', '>', ')', ']', '}', '`'])

/**
 * Removes credentials from a text: the password in URLs (`postgres://user:secret@host`, up to
 * the last `@` of the authority), key=value pairs and JSON fields whose key names a secret in
 * any case and separator style (`DB_PASSWORD=…`, `clientSecret: …`, `"api_key": "…"`,
 * `?access_token=…`), `Bearer` and `Basic` tokens, and well-known key shapes (AWS access key
 * ids, GitHub, Slack and Stripe tokens, Google API keys, JWTs). Applied to every check output
 * before it is shown. Runs in time linear in the length of the text; a non-string is turned
 * into text first.
 *
 * @example
 * ```ts
 * redact('connect ECONNREFUSED postgres://app:hunter2@db:5432/orders')
 * // -> 'connect ECONNREFUSED postgres://app:[redacted]@db:5432/orders'
 * redact('DB_PASSWORD=hunter2')
 * // -> 'DB_PASSWORD=[redacted]'
 * ```
 */
export function redact(text: string): string {
  let out = typeof text === 'string' ? text : asText(text)
  out = out.replace(URL_USERINFO, (_match, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`)
  for (const shape of SHAPES) out = out.replace(shape, REDACTED)
  // Pairs after URLs and shapes: a value that already holds a redacted URL or token goes whole.
  out = redactPairs(out)
  return out.replace(AUTH_SCHEME_TOKEN, (match, scheme: string, space: string, token: string) =>
    tokenLike(token) ? `${scheme}${space}${REDACTED}` : match,
  )
}

/**
 * Whether a key names a secret: after lower-casing and dropping separators it contains
 * password, passwd, passphrase, pwd, secret, apikey, accesskey, privatekey, credential,
 * cookie, signature, auth (not author/authority) or token (not tokens/tokenizer), or ends in
 * `pass` (`dbPass`); or one of its words between separators is `pw` or ends in `pass`
 * (`REDIS_PASS_FILE`, `DB_PW`).
 */
function isSecretKey(key: string): boolean {
  const flat = key.toLowerCase().replace(/[^a-z0-9]/g, '')
  if (SECRET_IN_KEY.test(flat) || AUTH_IN_KEY.test(flat) || TOKEN_IN_KEY.test(flat)) return true
  if (flat.endsWith('pass')) return true
  return key.split(/[^A-Za-z0-9]+/).some((word) => {
    const lower = word.toLowerCase()
    return lower === 'pw' || lower.endsWith('pass')
  })
}

function redactPairs(text: string): string {
  PAIR_KEY.lastIndex = 0
  let out = ''
  let copied = 0
  for (let match = PAIR_KEY.exec(text); match !== null; match = PAIR_KEY.exec(text)) {
    if (!isSecretKey(match[1] as string)) continue
    const value = valueAt(text, PAIR_KEY.lastIndex)
    if (value === undefined) continue
    out += `${text.slice(copied, value.start)}${REDACTED}`
    copied = value.end
    PAIR_KEY.lastIndex = value.end
  }
  return copied === 0 ? text : out + text.slice(copied)
}

/** Where the value after a separator starts and ends, or undefined when there is none to redact. */
function valueAt(text: string, at: number): { start: number; end: number } | undefined {
  const first = text[at]
  if (first === undefined) return undefined
  const quote = first === '"' || first === "'" ? first : first === '\\' && (text[at + 1] === '"' || text[at + 1] === "'") ? `\\${text[at + 1]}` : undefined
  if (quote !== undefined) {
    const start = at + quote.length
    if (text.startsWith(REDACTED, start)) return undefined // checked before scanning, so no text is scanned twice
    let end = start
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r' && !text.startsWith(quote, end)) {
      end += quote.length === 1 && text[end] === '\\' ? 2 : 1
    }
    end = Math.min(end, text.length)
    return worthRedacting(text, start, end) ? { start, end } : undefined
  }
  if (first === '{' || first === '[') return undefined // a nested object or list, or already redacted
  const scheme = SCHEME_BEFORE_VALUE.exec(text.slice(at, at + 16))
  const start = scheme === null ? at : at + scheme[0].length
  if (text.startsWith(REDACTED, start)) return undefined
  let end = start
  while (end < text.length) {
    // Step over what an earlier rule redacted inside the value (`p:[redacted]@h`).
    if (text.startsWith(REDACTED, end)) end += REDACTED.length
    else if (VALUE_END.has(text[end] as string)) break
    else end += 1
  }
  return worthRedacting(text, start, end) ? { start, end } : undefined
}

function worthRedacting(text: string, start: number, end: number): boolean {
  if (end <= start) return false
  return !SAYS_NOTHING.test(text.slice(start, end))
}

/** A token after Bearer/Basic: 8+ characters with a digit, a symbol, or both cases. */
function tokenLike(token: string): boolean {
  if (token.length < 8) return false
  return /[0-9._~+/=-]/.test(token) || (/[a-z]/.test(token) && /[A-Z]/.test(token))
}

function asText(value: unknown): string {
  try {
    return String(value)
  } catch {
    return ''
  }
}
