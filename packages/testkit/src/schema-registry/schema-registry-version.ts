/**
 * The pinned Apicurio Registry version (the Confluent-compatible schema registry on Maven Central).
 * 2.6.13.Final runs on Java 17 (3.x needs Java 21+) and serves the Confluent API at `/apis/ccompat/v7`.
 */
export const APICURIO_REGISTRY_VERSION = '2.6.13.Final';

/** The Maven coordinates resolved, for messages and the README. */
export const APICURIO_REGISTRY_ARTIFACT = `io.apicurio:apicurio-registry-app:${APICURIO_REGISTRY_VERSION}:tar.gz:all`;

/** The runnable jar inside the unpacked tarball. */
export const APICURIO_RUNNER_JAR = `apicurio-registry-app-${APICURIO_REGISTRY_VERSION}-runner.jar`;

/** The path of the Confluent-compatible API under the server root. */
export const CCOMPAT_PATH = '/apis/ccompat/v7';
