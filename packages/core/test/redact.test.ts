import { describe, expect, it } from 'vitest'
import { redact } from '@healthz/core'

describe('redact', () => {
  it.each([
    ['postgres://user:secret@host/db', 'postgres://user:[redacted]@host/db'],
    ['error at mysql://root:p%40ss@10.0.0.1:3306/app: refused', 'error at mysql://root:[redacted]@10.0.0.1:3306/app: refused'],
    ['redis://:onlypass@cache:6379', 'redis://:[redacted]@cache:6379'],
    ['amqp://guest:guest@localhost', 'amqp://guest:[redacted]@localhost'],
    ['host=db user=app password=hunter2 dbname=x', 'host=db user=app password=[redacted] dbname=x'],
    ['PASSWORD: "with spaces"', 'PASSWORD: "[redacted]"'],
    ['{"user":"a","password":"b\\"c"}', '{"user":"a","password":"[redacted]"}'],
    ['api_key=abc123&x=1', 'api_key=[redacted]&x=1'],
    ['Authorization: Bearer eyJhbGciOi.payload.sig', 'Authorization: Bearer [redacted]'],
    ['token=xyz', 'token=[redacted]'],
  ])('redacts %j', (input, expected) => {
    expect(redact(input)).toBe(expected)
  })

  it('leaves text without credentials alone', () => {
    const text = 'connect ECONNREFUSED 127.0.0.1:5432 (https://example.com/docs)'
    expect(redact(text)).toBe(text)
  })
})
