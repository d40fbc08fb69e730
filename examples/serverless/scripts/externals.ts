/**
 * Packages left out of the bundle: they are required from node_modules at run time (see scripts/build.ts for why)
 * and `pnpm package` puts them, with their own dependencies, into the zip.
 */
export const RUNTIME_EXTERNALS = [
  '@zilliz/milvus2-sdk-node',
  // The Milvus SDK loads gRPC anyway: the preset's OTLP/gRPC exporter then shares that copy instead of the bundle
  // carrying (and a cold start loading) a second one.
  '@grpc/grpc-js',
] as const;
