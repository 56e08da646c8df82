// issue 13 item 11: redaction holds for the credential forms error text really carries, keeps
// ordinary text alone, and runs in linear time. Example tables, then properties over inputs
// from a small seeded generator (no dependency; a failure prints its seed and input).
import { describe, expect, it } from 'vitest'
import { redact, REDACTED } from '@healthz/core'

const R = REDACTED

describe('issue-13 item 11: the reported leaks are redacted', () => {
  it.each([
    ['DB_PASSWORD=hunter2', `DB_PASSWORD=${R}`],
    ['PGPASSWORD=s3cr3t psql -h db', `PGPASSWORD=${R} psql -h db`],
    ['client_secret=abc123&grant_type=client_credentials', `client_secret=${R}&grant_type=client_credentials`],
    ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `aws_secret_access_key=${R}`],
    ['GET /callback?access_token=ya29.a0AfH6SM&state=1', `GET /callback?access_token=${R}&state=1`],
    ['key id AKIAIOSFODNN7EXAMPLE is not authorised', `key id ${R} is not authorised`],
    ['connect mysql://root:pa@ss@db:3306/app failed', `connect mysql://root:${R}@db:3306/app failed`],
  ])('issue-13 item 11: redacts %j', (input, expected) => {
    expect(redact(input)).toBe(expected)
  })
})

describe('issue-13 item 11: key=value pairs whose key names a secret, in any case and separator style', () => {
  it.each([
    ['password=hunter2', `password=${R}`],
    ['Password = hunter2', `Password = ${R}`],
    ['db.password: hunter2', `db.password: ${R}`],
    ['dbPassword=hunter2', `dbPassword=${R}`],
    ['db-passwd=hunter2', `db-passwd=${R}`],
    ['MYSQL_PWD=hunter2', `MYSQL_PWD=${R}`],
    ['REDIS_PASS=hunter2', `REDIS_PASS=${R}`],
    ['ssh passphrase: hunter2', `ssh passphrase: ${R}`],
    ['clientSecret=abc', `clientSecret=${R}`],
    ['X-Api-Key: abc123', `X-Api-Key: ${R}`],
    ['apikey=abc123', `apikey=${R}`],
    ['API-KEY=abc123', `API-KEY=${R}`],
    ['accessKey=abc', `accessKey=${R}`],
    ['private_key=abc', `private_key=${R}`],
    ['GOOGLE_APPLICATION_CREDENTIALS=/run/secrets/sa.json', `GOOGLE_APPLICATION_CREDENTIALS=${R}`],
    ['refresh_token=abc&x=1', `refresh_token=${R}&x=1`],
    ['X-Auth-Token: abc', `X-Auth-Token: ${R}`],
    ['auth=abc', `auth=${R}`],
    ['oauth_signature=abc', `oauth_signature=${R}`],
    ['--password=hunter2', `--password=${R}`],
    ['Authorization: Basic dXNlcjpwYXNz', `Authorization: Basic ${R}`],
    ['Authorization: Token abc', `Authorization: Token ${R}`],
    ['Authorization: abc', `Authorization: ${R}`],
    ['{"password":"b\\"c","user":"a"}', `{"password":"${R}","user":"a"}`],
    ['{ "dbPassword" : "x y z" }', `{ "dbPassword" : "${R}" }`],
    ['{"apiKey":12345}', `{"apiKey":${R}}`],
    ['{\\"password\\":\\"hunter2\\"}', `{\\"password\\":\\"${R}\\"}`],
    ["{'password': 'hunter2'}", `{'password': '${R}'}`],
    [':password => "hunter2"', `:password => "${R}"`],
    ['password="with spaces"', `password="${R}"`],
    ['Server=db;User Id=app;Password=hunter2;', `Server=db;User Id=app;Password=${R};`],
    ['token=xyz', `token=${R}`],
  ])('issue-13 item 11: redacts %j', (input, expected) => {
    expect(redact(input)).toBe(expected)
  })
})

describe('issue-13 item 11: URL userinfo, bearer and basic tokens, well-known key shapes', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
  it.each([
    ['postgres://user:secret@host/db', `postgres://user:${R}@host/db`],
    ['redis://:onlypass@cache:6379', `redis://:${R}@cache:6379`],
    ['amqp://guest:g:u@e@st@localhost', `amqp://guest:${R}@localhost`],
    ['see "mongodb+srv://app:p%40ss@cluster0.example.net/?retryWrites=true"', `see "mongodb+srv://app:${R}@cluster0.example.net/?retryWrites=true"`],
    ['upstream said 401 to Bearer abc.def-123', `upstream said 401 to Bearer ${R}`],
    ['basic dXNlcjpwYXNzd29yZA== rejected', `basic ${R} rejected`],
    [`token ${jwt} expired`, `token ${R} expired`],
    ['ASIAY34FZKBOKMUTVV7A', R],
    ['clone with ghp_0123456789abcdefghijABCDEFGHIJ012345 failed', `clone with ${R} failed`],
    ['gho_0123456789abcdefghijABCDEFGHIJ012345', R],
    ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ', R],
    ['slack said invalid_auth for xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', `slack said invalid_auth for ${R}`],
    ['stripe: sk_live_4eC39HqLyjWDarjtT1zdp7dc', `stripe: ${R}`],
    ['rk_live_51H8abcdefghijklmnop', R],
    ['maps key AIzaSyA1234567890abcdefghijklmnopqrstuv', `maps key ${R}`],
  ])('issue-13 item 11: redacts %j', (input, expected) => {
    expect(redact(input)).toBe(expected)
  })
})

describe('issue-13 item 11: ordinary text stays as it is', () => {
  it.each([
    'a token bucket refills 10 tokens a second',
    'connect ECONNREFUSED 127.0.0.1:5432 (https://example.com/docs)',
    'password authentication failed for user "app"',
    "Access denied for user 'root'@'172.18.0.1' (using password: YES)",
    'WRONGPASS invalid username-password pair or user is disabled.',
    'NOAUTH Authentication required.',
    'author: Jane Doe, authority=internal',
    'max_tokens=512 tokens_used: 100',
    'passport office at 10:30:00; bypass=false',
    'basic authentication is not configured',
    'ssh://git@github.com:org/repo.git',
    'https://example.com:8443/api/v1/users?id=42#top',
    'user=app host=db port=5432 dbname=orders sslmode=require',
    'the secret of a good check is a short deadline',
    'Token::parse failed at line 3',
    'auth: null, token: undefined, password: ***',
  ])('issue-13 item 11: leaves %j unchanged', (text) => {
    expect(redact(text)).toBe(text)
  })
})

// ---------------------------------------------------------------------------------------------
// Properties over generated inputs.

/** mulberry32: a tiny seeded PRNG, so every run checks the same inputs and a failure replays. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SEEDS = 300
const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
const int = (next: () => number, min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
const chars = (next: () => number, alphabet: string, length: number): string =>
  Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('')

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
/** What a password may hold in a bare value: no whitespace or the characters that end one. */
const PASSWORD_CHARS = `${ALNUM}!#$%*+-./:=?@^_|~`
const WORDS = ['connect', 'failed', 'to', 'the', 'database', 'at', 'host', 'db', 'port', '5432', 'timeout', 'after', '500', 'ms', 'user', 'app', 'error', 'ECONNREFUSED', 'retrying', 'pool', 'exhausted', 'token', 'bucket', 'secret', 'sauce', 'password', 'authentication', 'author', 'basic', 'bearer']
const SECRET_WORDS = ['password', 'passwd', 'pwd', 'pass', 'passphrase', 'secret', 'token', 'api_key', 'apikey', 'access_key', 'private_key', 'credential', 'credentials', 'auth', 'authorization', 'client_secret', 'secret_access_key']
const PREFIXES = ['', 'db', 'pg', 'mysql', 'aws', 'client', 'x', 'app', 'redis', 'github', 'refresh', 'access']

/** A key that names a secret, in a random case and separator style. */
function secretKey(next: () => number): string {
  const parts = [pick(next, PREFIXES), ...pick(next, SECRET_WORDS).split('_')].filter((part) => part !== '')
  const style = int(next, 0, 5)
  if (style === 0) return parts.join('_').toUpperCase() // DB_PASSWORD
  if (style === 1) return parts.map((part, at) => (at === 0 ? part : part[0]?.toUpperCase() + part.slice(1))).join('') // dbPassword
  if (style === 2) return parts.join('-') // db-password
  if (style === 3) return parts.join('.') // db.password
  if (style === 4) return parts.join('').toUpperCase() // PGPASSWORD
  return parts.map((part) => part[0]?.toUpperCase() + part.slice(1)).join('-') // X-Api-Key
}

function prose(next: () => number, count: number): string {
  return Array.from({ length: count }, () => pick(next, WORDS)).join(' ')
}

/** A text with one secret in one of the forms error text carries, and the secret itself. */
function withSecret(next: () => number): { text: string; secret: string; form: string } {
  const form = pick(next, ['pair', 'colon', 'json', 'quoted', 'url', 'bearer', 'shape', 'query'])
  let secret = chars(next, PASSWORD_CHARS, int(next, 6, 24))
  let middle: string
  switch (form) {
    case 'pair':
      middle = `${secretKey(next)}=${secret}`
      break
    case 'colon':
      middle = `${secretKey(next)}: ${secret}`
      break
    case 'json':
      secret = chars(next, `${PASSWORD_CHARS} "\\'`, int(next, 6, 24))
      middle = JSON.stringify({ user: 'app', [secretKey(next)]: secret }).slice(1, -1)
      secret = JSON.stringify(secret).slice(1, -1)
      break
    case 'quoted':
      secret = chars(next, `${ALNUM} ;,&`, int(next, 6, 24))
      middle = `${secretKey(next)}='${secret}'`
      break
    case 'url': {
      secret = chars(next, `${ALNUM}:@!$*+%~`, int(next, 6, 24))
      middle = `${pick(next, ['postgres', 'mysql', 'redis', 'amqp', 'mongodb+srv', 'https'])}://${chars(next, ALNUM, int(next, 0, 8))}:${secret}@${pick(next, ['db', 'cache.internal', '10.0.0.1'])}:${int(next, 1, 65535)}/app`
      break
    }
    case 'bearer':
      secret = `${chars(next, ALNUM, int(next, 8, 30))}${pick(next, ['.', '-', '_', '=', '1'])}${chars(next, ALNUM, int(next, 0, 10))}`
      middle = `${pick(next, ['Bearer', 'bearer', 'Basic', 'BASIC'])} ${secret}`
      break
    case 'shape':
      secret = pick(next, [
        () => `AKIA${chars(next, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
        () => `ghp_${chars(next, ALNUM, 36)}`,
        () => `github_pat_${chars(next, `${ALNUM}_`, 60)}`,
        () => `xoxb-${chars(next, '0123456789', 12)}-${chars(next, ALNUM, 24)}`,
        () => `sk_live_${chars(next, ALNUM, 24)}`,
        () => `eyJ${chars(next, ALNUM, 20)}.eyJ${chars(next, ALNUM, 30)}.${chars(next, `${ALNUM}-_`, 43)}`,
      ])()
      middle = secret
      break
    default:
      secret = chars(next, ALNUM, int(next, 6, 24))
      middle = `https://api.example.com/v1?${pick(next, ['a=1&', ''])}${secretKey(next).replace(/[.]/g, '_')}=${secret}&b=2`
  }
  const before = prose(next, int(next, 0, 6))
  const after = prose(next, int(next, 0, 6))
  return { text: [before, middle, after].filter((part) => part !== '').join(pick(next, [' ', ', ', ' (', '; ', '\n'])), secret, form }
}

/** Every 4-character window of the secret that the rest of the text does not contain by chance. */
function telltales(text: string, secret: string): string[] {
  const rest = text.replace(secret, '\u0000')
  const windows: string[] = []
  for (let at = 0; at + 4 <= secret.length; at += 1) {
    const window = secret.slice(at, at + 4)
    if (!rest.includes(window) && !REDACTED.includes(window)) windows.push(window)
  }
  return windows
}

describe('issue-13 item 11: properties over generated inputs', () => {
  it(`issue-13 item 11: no part of a generated secret survives, in any form (${SEEDS} seeds)`, () => {
    for (let seed = 1; seed <= SEEDS; seed += 1) {
      const next = random(seed)
      for (let round = 0; round < 10; round += 1) {
        const { text, secret, form } = withSecret(next)
        const output = redact(text)
        const leaked = telltales(text, secret).filter((window) => output.includes(window))
        expect(leaked, `seed ${seed} round ${round} (${form}): ${JSON.stringify(text)} -> ${JSON.stringify(output)}`).toEqual([])
      }
    }
  })

  it(`issue-13 item 11: redaction is idempotent (${SEEDS} seeds)`, () => {
    for (let seed = 1; seed <= SEEDS; seed += 1) {
      const next = random(seed)
      const { text } = withSecret(next)
      const once = redact(text)
      expect(redact(once), `seed ${seed}: ${JSON.stringify(text)}`).toBe(once)
    }
  })

  it(`issue-13 item 11: a JSON object stays valid JSON, secret fields read ${R} and the others are untouched (${SEEDS} seeds)`, () => {
    for (let seed = 1; seed <= SEEDS; seed += 1) {
      const next = random(seed)
      const object: Record<string, unknown> = {}
      const secrets = new Set<string>()
      for (let field = int(next, 1, 6); field > 0; field -= 1) {
        if (next() < 0.5) {
          const key = secretKey(next)
          secrets.add(key)
          // Starts with a letter or digit: `***`, `yes` and the like are left alone on purpose.
          object[key] = chars(next, ALNUM, 1) + chars(next, `${PASSWORD_CHARS} "\\'{}[],;&`, int(next, 3, 24))
        } else {
          object[pick(next, ['host', 'port', 'user', 'database', 'timeout', 'message', 'code'])] = next() < 0.5 ? prose(next, int(next, 1, 4)) : int(next, 0, 9999)
        }
      }
      const text = JSON.stringify(object, null, next() < 0.5 ? 2 : undefined)
      const parsed = JSON.parse(redact(text)) as Record<string, unknown>
      for (const [key, value] of Object.entries(object)) {
        expect(parsed[key], `seed ${seed} key ${key}: ${text}`).toBe(secrets.has(key) ? R : value)
      }
    }
  })

  it(`issue-13 item 11: text without credentials comes back unchanged (${SEEDS} seeds)`, () => {
    const benign = [
      () => prose(random(1), 1),
      (next: () => number) => `${pick(next, ['host', 'user', 'port', 'dbname', 'timeout', 'retries', 'max_tokens', 'author'])}=${chars(next, ALNUM, int(next, 1, 10))}`,
      (next: () => number) => `https://${pick(next, ['example.com', 'db.internal:5432', '10.0.0.1:8080'])}/${chars(next, ALNUM, int(next, 0, 12))}?id=${int(next, 0, 999)}`,
      (next: () => number) => `${int(next, 0, 23)}:${int(next, 10, 59)}:${int(next, 10, 59)}`,
      (next: () => number) => `user ${chars(next, 'abcdefghijklmnopqrstuvwxyz', int(next, 2, 8))}@${pick(next, ['db', 'localhost'])}`,
      (next: () => number) => pick(next, ['a token bucket', 'the secret of it', 'basic setup', 'bearer of bad news', 'password authentication failed', '(using password: YES)', 'tokens left: 3']),
    ]
    for (let seed = 1; seed <= SEEDS; seed += 1) {
      const next = random(seed)
      const text = Array.from({ length: int(next, 1, 8) }, () => pick(next, benign)(next)).join(pick(next, [' ', ', ', '; ', '\n']))
      expect(redact(text), `seed ${seed}`).toBe(text)
    }
  })

  it(`issue-13 item 11: never throws, for any string (${SEEDS} seeds)`, () => {
    for (let seed = 1; seed <= SEEDS; seed += 1) {
      const next = random(seed)
      const alphabet = `${ALNUM} \t\n:=@/?#&;,"'\\{}[]<>()._-+%\u00e9\u4e2d\ud83d\ude00`
      const text = chars(next, alphabet, int(next, 0, 200))
      expect(() => redact(text), `seed ${seed}`).not.toThrow()
    }
  })
})

describe('issue-13 item 11: redaction runs in linear time', () => {
  const inputs: Array<[string, string]> = [
    ['dotted words', 'a.'.repeat(50_000)],
    ['scheme-like runs', 'a://'.repeat(25_000)],
    ['userinfo without a host', `postgres://u:${'p'.repeat(100_000)}`],
    ['many colons', 'a:b:'.repeat(25_000)],
    ['JWT-like segments', 'eyJ-'.repeat(25_000)],
    ['JWT-like dots', 'eyJabcd.'.repeat(12_500)],
    ['unterminated quoted values', 'password="'.repeat(10_000)],
    ['repeated pairs', 'password=x '.repeat(9_000)],
    ['keys without values', 'password:'.repeat(10_000)],
    ['long key runs', 'x'.repeat(100_000)],
    ['bearer words', 'Bearer '.repeat(14_000)],
    ['at signs', '@'.repeat(100_000)],
    ['slack-like', 'xoxb-'.repeat(20_000)],
  ]
  it.each(inputs)('issue-13 item 11: a 100 kB input of %s is redacted within a generous bound', (_what, text) => {
    const started = performance.now()
    redact(text)
    expect(performance.now() - started).toBeLessThan(1000)
  })
})

describe('issue-13 item 11: redact takes any value', () => {
  it('issue-13 item 11: a non-string is turned into text rather than throwing', () => {
    expect(redact(42 as never)).toBe('42')
    expect(redact({ toString: () => 'password=x' } as never)).toBe(`password=${R}`)
    expect(() => redact(Symbol('s') as never)).not.toThrow()
  })
})

describe('issue-13 item 11: the documented examples hold', () => {
  it('issue-13 item 11: every redact() line in docs/examples/redact.ts gives the output its comment says', async () => {
    const { readFileSync } = await import('node:fs')
    const source = readFileSync(new URL('../../../docs/examples/redact.ts', import.meta.url), 'utf8')
    const pairs = [...source.matchAll(/^redact\('(.*)'\)\n\/\/ '(.*)'$/gm)]
    expect(pairs.length).toBeGreaterThanOrEqual(7)
    for (const [, input, output] of pairs) expect(redact(input as string)).toBe(output)
  })
})

describe('issue-13 item 11: the documented limits (docs/probes.md §9), so the page stays true', () => {
  it.each([
    ['prose', 'the password is hunter2'],
    ['a flag with a space', '--password hunter2'],
    ['a URL-encoded pair', 'q=password%3Dhunter2'],
    ['a key in other words', 'key=abc123 sid=abc123'],
  ])('issue-13 item 11: %s is not redacted', (_what, text) => {
    expect(redact(text)).toBe(text)
  })

  it('issue-13 item 11: a bare value ends at whitespace, and an unencoded / in a URL password ends the authority', () => {
    expect(redact('password=hunter 2')).toBe(`password=${R} 2`)
    expect(redact('postgres://app:pa/ss@db')).toBe('postgres://app:pa/ss@db')
  })
})
