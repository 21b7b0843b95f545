import { ARTIFACTS, VERSIONS } from '../versions.js';

/** The pinned Apicurio Registry version (see `VERSIONS.apicurioRegistry`). */
export const APICURIO_REGISTRY_VERSION = VERSIONS.apicurioRegistry;

/** The Maven coordinates resolved, for messages and the README. */
export const APICURIO_REGISTRY_ARTIFACT = ARTIFACTS.schemaRegistry[0];

/** The runnable jar inside the unpacked tarball. */
export const APICURIO_RUNNER_JAR = `apicurio-registry-app-${APICURIO_REGISTRY_VERSION}-runner.jar`;

/** The path of the Confluent-compatible API under the server root. */
export const CCOMPAT_PATH = '/apis/ccompat/v7';
