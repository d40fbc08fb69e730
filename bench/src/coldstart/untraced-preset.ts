/**
 * Stands in for @milvus-otel/node in the untraced (and auto-instrumentations) builds of the serverless example's
 * handler: `withLambdaTracing` returns the handler as it is, so nothing of the preset is loaded.
 */
export const withLambdaTracing = <H>(handler: H): H => handler;
