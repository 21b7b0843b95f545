// The public entry point of the example connector: every public name is listed here.
export { LineFileSource } from './line-file-source.js';
export type { LineFileSourceOptions } from './line-file-source.js';
export { DirectorySink } from './directory-sink.js';
export type { DirectorySinkOptions, FileTransaction } from './directory-sink.js';
