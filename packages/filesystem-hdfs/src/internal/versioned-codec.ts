/**
 * The version header of this package's state codecs: a varuint version first, decoders per known
 * version, `STATE_UNKNOWN_VERSION` for others and `STATE_CORRUPT` for truncated or trailing bytes.
 */
import { CoreErrorCode, DataInput, StateError } from '@sluice/core';

/** Decodes `bytes` written by any version in `decoders` (keyed by version); `what` names the state in errors. */
export function decodeVersioned<T>(
  bytes: Uint8Array,
  what: string,
  decoders: Readonly<Record<number, (input: DataInput) => T>>,
): T {
  const input = new DataInput(bytes);
  let version: number;
  try {
    version = input.readVarUint();
  } catch (cause) {
    throw new StateError(`${what} is empty or unreadable.`, { code: CoreErrorCode.STATE_CORRUPT, cause });
  }
  const decode = decoders[version];
  const known = Object.keys(decoders).map(Number);
  if (decode === undefined) {
    throw new StateError(
      `${what} has version ${version}; this release reads versions ${Math.min(...known)}..${Math.max(...known)}. ` +
        'Restore with the release that wrote the checkpoint, or a newer one.',
      { code: CoreErrorCode.STATE_UNKNOWN_VERSION },
    );
  }
  try {
    const value = decode(input);
    input.assertEnd();
    return value;
  } catch (cause) {
    throw new StateError(`${what} (version ${version}) is truncated or has trailing bytes.`, {
      code: CoreErrorCode.STATE_CORRUPT,
      cause,
    });
  }
}
