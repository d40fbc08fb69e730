import packageJson from '../package.json' with { type: 'json' };

/** The instrumentation scope name of the spans. */
export const PACKAGE_NAME: string = packageJson.name;
/** The instrumentation scope version of the spans. */
export const PACKAGE_VERSION: string = packageJson.version;
