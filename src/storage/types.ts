/**
 * An object store: flat keys ("a/b/c.bin", no leading slash, no "." or ".." segments) → immutable byte strings.
 * Both backends implement the same contract, so artifacts move between a laptop and a bucket unchanged.
 */
export interface ObjectStorage {
  /** "local" or "s3", for logs and errors. */
  readonly kind: string;
  /** Store bytes under key, replacing any previous object (atomically: readers see the old or the new bytes). */
  put(key: string, data: Uint8Array): Promise<void>;
  /** The object's bytes; throws GnnopsError NOT_FOUND when the key is absent. */
  get(key: string): Promise<Uint8Array>;
  exists(key: string): Promise<boolean>;
  /** Keys starting with prefix (default: all), sorted. */
  list(prefix?: string): Promise<string[]>;
  /** Remove the object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}
