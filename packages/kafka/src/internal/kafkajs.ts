/**
 * kafkajs, loaded for this package in one place: right after `kafkajs-send-grouping.js`,
 * `kafkajs-produce-encoding.js`, `kafkajs-record-decoding.js` and `kafkajs-fetch-decoding.js`,
 * which must run before kafkajs's producer, network, record batch, fetch and consumer modules
 * load. Modules of this package take kafkajs's values from here (types come from `'kafkajs'` directly: a type import loads nothing); lint enforces it.
 *
 * The default export, not named imports: kafkajs is CommonJS, and Node's ESM loader does not see
 * every name (`ConfigResourceTypes`) as a named export.
 */
import './kafkajs-send-grouping.js';
import './kafkajs-produce-encoding.js';
import './kafkajs-record-decoding.js';
import './kafkajs-fetch-decoding.js';
import kafkajs from 'kafkajs';

export { kafkajs };
