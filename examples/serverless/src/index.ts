/**
 * The bundle's entry (`dist/handler.mjs`, Lambda handler `handler.handler`). Order matters: tracing first, so the
 * preset patches the Milvus SDK when the handler's module loads it.
 */
import './tracing.ts';

export { handler } from './handler.ts';
