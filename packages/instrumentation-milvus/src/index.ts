export { MilvusInstrumentation } from './instrumentation.ts';
// The package's own attribute names; the copied upstream ones stay internal.
export {
  ATTR_DB_MILVUS_ANNS_FIELD,
  ATTR_DB_MILVUS_CONSISTENCY_LEVEL,
  ATTR_DB_MILVUS_DELETE_COUNT,
  ATTR_DB_MILVUS_ERROR_CODE,
  ATTR_DB_MILVUS_FIELD_NAME,
  ATTR_DB_MILVUS_GROUP_BY_FIELD,
  ATTR_DB_MILVUS_INDEX_NAME,
  ATTR_DB_MILVUS_INDEX_TYPE,
  ATTR_DB_MILVUS_INSERT_COUNT,
  ATTR_DB_MILVUS_LIMIT,
  ATTR_DB_MILVUS_METRIC_TYPE,
  ATTR_DB_MILVUS_NQ,
  ATTR_DB_MILVUS_OFFSET,
  ATTR_DB_MILVUS_OUTPUT_FIELDS,
  ATTR_DB_MILVUS_PARTITION_NAMES,
  ATTR_DB_MILVUS_RERANK_STRATEGY,
  ATTR_DB_MILVUS_ROW_COUNT,
  ATTR_DB_MILVUS_SEARCH_REQUESTS,
  ATTR_DB_MILVUS_UPSERT_COUNT,
  ATTR_DB_MILVUS_VECTOR_DIMENSION,
} from './semconv.ts';
export type {
  MilvusInstrumentationConfig,
  MilvusRequestHook,
  MilvusRequestHookInformation,
  MilvusResponseHook,
  MilvusResponseHookInformation,
} from './types.ts';
