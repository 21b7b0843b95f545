import { ConfigError } from '@sluice/core';
import { SchemaRegistryClient } from '../registry/schema-registry-client.js';
import type { SchemaRegistryClientOptions } from '../registry/schema-registry-client.js';

/** A registry: its URL, a client to share, or client options. */
export type SchemaRegistryOption = string | SchemaRegistryClient | SchemaRegistryClientOptions;

/** The client for a registry option; `identityMapCapacity` applies when the client is created here. */
export function toClient(registry: SchemaRegistryOption, identityMapCapacity: number | undefined): SchemaRegistryClient {
  if (registry instanceof SchemaRegistryClient) return registry;
  if (typeof registry === 'string') {
    return SchemaRegistryClient.create({ url: registry, ...(identityMapCapacity === undefined ? {} : { identityMapCapacity }) });
  }
  if (typeof registry === 'object' && registry !== null && typeof registry.url === 'string') {
    return SchemaRegistryClient.create({
      ...registry,
      ...(identityMapCapacity === undefined || registry.identityMapCapacity !== undefined ? {} : { identityMapCapacity }),
    });
  }
  throw new ConfigError('Option registry must be a URL, a SchemaRegistryClient or client options with a url.', {
    option: 'registry',
  });
}
