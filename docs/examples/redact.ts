import { redact } from '@healthz/core'

redact('connect ECONNREFUSED postgres://app:hunter2@db:5432/orders')
// 'connect ECONNREFUSED postgres://app:[redacted]@db:5432/orders'
redact('auth failed: password=hunter2 user=app')
// 'auth failed: password=[redacted] user=app'
redact('upstream said 401 to Bearer eyJhbGciOiJIUzI1NiJ9')
// 'upstream said 401 to Bearer [redacted]'
