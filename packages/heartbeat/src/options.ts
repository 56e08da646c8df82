// The type check that keeps each factory's list of option keys (for assertKnownOptions) in step
// with its options interface: a key added to the interface but not to the list fails to compile.

/**
 * @internal `true` when `TKeys` lists every key of `TOptions`; otherwise an object type that
 * names the unlisted keys, so `true satisfies ListsEveryKey<…>` fails with their names.
 */
export type ListsEveryKey<TOptions, TKeys extends readonly PropertyKey[]> = [Exclude<keyof TOptions, TKeys[number]>] extends [never]
  ? true
  : { unlisted: Exclude<keyof TOptions, TKeys[number]> }
