// A float64 TypeInformation for tests (type id 'test.float64').
import type { DataInput, DataOutput } from '../../src/types/data-view.js';
import type { TypeInformation } from '../../src/types/type-information.js';

export const numbers: TypeInformation<number> = {
  name: 'number',
  createSerializer: () => ({
    typeId: 'test.float64',
    version: 1,
    serialize: (value: number, out: DataOutput) => out.writeFloat64(value),
    deserialize: (input: DataInput) => input.readFloat64(),
    snapshot: () => ({ typeId: 'test.float64', version: 1 }),
    readerFor: () => (input: DataInput) => input.readFloat64(),
  }),
};
