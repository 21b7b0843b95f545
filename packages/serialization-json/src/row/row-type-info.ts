import type { TypeInformation } from '@sluice/core';
import { parseExactJson } from '../internal/exact-json-parser.js';
import { decodeUtf8, encodeUtf8 } from '../internal/parse-json.js';
import { textTypeInfo } from '../internal/type-info.js';
import { fieldTypeName } from './json-field-types.js';
import type { JsonRow, JsonRowFields } from './json-field-types.js';
import { readRow } from './row-reader.js';
import { writeRow } from './row-writer.js';

/** The `TypeInformation` of rows with `fields`: state stores each row as its exact JSON text (v1). */
export function rowTypeInfo<TFields extends JsonRowFields>(fields: TFields): TypeInformation<JsonRow<TFields>> {
  const name = fieldTypeName({ kind: 'row', fields });
  return textTypeInfo<JsonRow<TFields>>({
    name: `json-${name}`,
    typeId: 'sluice.serialization-json.row',
    params: { type: name },
    encode: (row) => encodeUtf8(writeRow(row as Record<string, unknown>, fields, '$')),
    decode: (bytes) =>
      readRow(parseExactJson(decodeUtf8(bytes)) as Record<string, unknown>, fields, {
        path: '$',
        options: { failOnMissingField: false },
      }) as JsonRow<TFields>,
  });
}
