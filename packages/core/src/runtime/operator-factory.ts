/** Creates the operator instance of any kind. */
import { KeyedProcessOperator, TimestampsAndWatermarksOperator } from './keyed-operators.js';
import { createOperator as createBasicOperator } from './operators.js';
import type { OperatorInstance, OperatorInstanceInit } from './operators.js';

/** The operator instance for `init.node.kind`. */
export function createOperator(init: OperatorInstanceInit): OperatorInstance {
  switch (init.node.kind) {
    case 'keyedProcess':
      return new KeyedProcessOperator(init);
    case 'timestampsAndWatermarks':
      return new TimestampsAndWatermarksOperator(init);
    case 'source':
    case 'map':
    case 'flatMap':
    case 'filter':
    case 'sink':
    case 'sideOutput':
      return createBasicOperator(init);
  }
}
