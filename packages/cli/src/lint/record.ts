// The one type guard every reader of parsed YAML uses: a plain mapping (not null, not a list).

/** Whether `value` is a YAML mapping (a plain object): not null, not a list. @internal */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
