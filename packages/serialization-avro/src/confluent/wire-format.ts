/**
 * The Confluent wire format: byte 0 is the magic byte 0x00, bytes 1-4 the schema id (big-endian
 * int32), then the Avro binary body.
 */
import { AvroErrorCode, AvroSerdeError } from '../errors.js';
import { hex } from '../internal/excerpt.js';

/** The magic byte of the Confluent wire format. */
export const MAGIC_BYTE = 0;
/** Length of the header (magic byte + schema id). */
export const HEADER_LENGTH = 5;

/** Reads the schema id of a wire-format message; `SERDE_MAGIC_BYTE` for anything else. */
export function readSchemaId(message: Uint8Array): number {
  if (message.length < HEADER_LENGTH || message[0] !== MAGIC_BYTE) {
    const found =
      message.length === 0
        ? 'an empty message'
        : message[0] !== MAGIC_BYTE
          ? `0x${(message[0] as number).toString(16).padStart(2, '0')} (first bytes: ${hex(message)})`
          : `only ${message.length} bytes (${hex(message)})`;
    throw new AvroSerdeError(
      `Magic byte mismatch: expected a Confluent wire-format message starting with magic byte 0x00 and a 4-byte schema id, found ${found}. ` +
        'The message was not written by a Confluent/registry Avro serializer (raw Avro needs AvroDeserializationSchema).',
      { code: AvroErrorCode.SERDE_MAGIC_BYTE },
    );
  }
  // Big-endian int32 (signed, as Java's ByteBuffer#getInt reads it).
  return ((message[1] as number) << 24) | ((message[2] as number) << 16) | ((message[3] as number) << 8) | (message[4] as number);
}

/** The header for `schemaId`: magic byte and the big-endian schema id. */
export function wireHeader(schemaId: number): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(schemaId, 1);
  return out;
}
