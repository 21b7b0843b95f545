// The Avro schemas of the example and the TypeScript types of their records (see the
// @sluice/serialization-avro README for how Avro values map to JavaScript).

const ORDER_LINE = {
  type: 'record',
  name: 'OrderLine',
  fields: [
    { name: 'sku', type: 'string' },
    { name: 'quantity', type: 'int' },
    { name: 'unitPrice', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
  ],
} as const;

/** Version 1 of the order schema: what the producers (here `produceOrders`) write. */
export const ORDER_V1 = {
  type: 'record',
  name: 'Order',
  namespace: 'example.shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'placedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'lines', type: { type: 'array', items: ORDER_LINE } },
  ],
} as const;

/**
 * Version 2, the job's reader schema: adds `currency` with a default. Records written with version 1
 * are resolved to it (Avro schema resolution), so they read with `currency: 'EUR'`.
 */
export const ORDER = {
  ...ORDER_V1,
  fields: [...ORDER_V1.fields, { name: 'currency', type: 'string', default: 'EUR' }],
} as const;

/** What the job writes: one total per order. */
export const ORDER_TOTAL = {
  type: 'record',
  name: 'OrderTotal',
  namespace: 'example.shop',
  fields: [
    { name: 'orderId', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'items', type: 'int' },
    { name: 'total', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
    { name: 'currency', type: 'string' },
    { name: 'placedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
} as const;

/** One line of an order; `unitPrice` is a decimal: its exact text with 2 fraction digits, e.g. `"4.20"`. */
export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: string;
}

/** An order as the job reads it (schema {@link ORDER}). */
export interface Order {
  readonly id: number;
  readonly customer: string;
  readonly placedAt: Date;
  readonly lines: readonly OrderLine[];
  readonly currency: string;
}

/** An order as producers write it (schema {@link ORDER_V1}: no currency yet). */
export type OrderV1 = Omit<Order, 'currency'>;

/** The job's output record (schema {@link ORDER_TOTAL}). */
export interface OrderTotal {
  readonly orderId: number;
  readonly customer: string;
  readonly items: number;
  readonly total: string;
  readonly currency: string;
  readonly placedAt: Date;
}
