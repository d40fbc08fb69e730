/**
 * Sets up OpenTelemetry for the function. The bundle's entry imports this module FIRST, so the preset's require
 * hook is in place before the Milvus SDK (kept outside the bundle, loaded with require) is loaded and patched.
 *
 * The service name is OTEL_SERVICE_NAME, or the Lambda function's name when that is unset.
 */
import { register } from '@milvus-otel/node';

export const otel = register({
  serviceName: process.env.OTEL_SERVICE_NAME || process.env.AWS_LAMBDA_FUNCTION_NAME || undefined,
});
