import { redact } from '@healthz/core'

redact('connect ECONNREFUSED postgres://app:hunter2@db:5432/orders')
// 'connect ECONNREFUSED postgres://app:[redacted]@db:5432/orders'
redact('auth failed: password=hunter2 user=app')
// 'auth failed: password=[redacted] user=app'
redact('upstream said 401 to Bearer eyJhbGciOiJIUzI1NiJ9')
// 'upstream said 401 to Bearer [redacted]'
redact('DB_PASSWORD=hunter2 PGPASSWORD=s3cr3t ?access_token=ya29.a0Af&state=1')
// 'DB_PASSWORD=[redacted] PGPASSWORD=[redacted] ?access_token=[redacted]&state=1'
redact('{"user":"app","clientSecret":"abc123"}')
// '{"user":"app","clientSecret":"[redacted]"}'
redact('mysql://root:pa@ss@db:3306 refused key AKIAIOSFODNN7EXAMPLE')
// 'mysql://root:[redacted]@db:3306 refused key [redacted]'
redact('a token bucket refills 10 tokens a second (using password: YES)')
// 'a token bucket refills 10 tokens a second (using password: YES)'
