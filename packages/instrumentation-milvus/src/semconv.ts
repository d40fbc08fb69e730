/*
 * Attribute names that are not (yet) stable in @opentelemetry/semantic-conventions, copied here so the package
 * does not depend on the `incubating` entry point, and Milvus-specific names under `db.milvus.*`. Internal: the
 * package exports only its own `db.milvus.*` names (src/index.ts), so upstream's stay upstream's.
 */

/**
 * Number of rows returned by the operation.
 *
 * @experimental This attribute is experimental in the semantic conventions and may change.
 */
export const ATTR_DB_RESPONSE_RETURNED_ROWS = 'db.response.returned_rows' as const;

/**
 * `db.system.name` value for Milvus. Not in the semantic-conventions registry of well-known systems.
 *
 * @experimental
 */
export const DB_SYSTEM_NAME_VALUE_MILVUS = 'milvus' as const;

/* Milvus-specific attributes. All experimental: names may change in a minor release. */

/** Maximum number of hits per query vector (`limit`/`topk`) of a search, or rows of a query. */
export const ATTR_DB_MILVUS_LIMIT = 'db.milvus.limit' as const;
/** Number of results skipped (`offset`). */
export const ATTR_DB_MILVUS_OFFSET = 'db.milvus.offset' as const;
/** Number of query vectors (nq) of a search; for a hybrid search, of its first sub-request. */
export const ATTR_DB_MILVUS_NQ = 'db.milvus.nq' as const;
/** Number of elements of the first dense query vector (search) or the vector field's dimension (create collection). */
export const ATTR_DB_MILVUS_VECTOR_DIMENSION = 'db.milvus.vector.dimension' as const;
/** The vector field searched. */
export const ATTR_DB_MILVUS_ANNS_FIELD = 'db.milvus.anns_field' as const;
/** Distance metric of a search or an index (`L2`, `IP`, `COSINE`, …). */
export const ATTR_DB_MILVUS_METRIC_TYPE = 'db.milvus.metric_type' as const;
/** Number of sub-requests (ANN searches) of a hybrid search. */
export const ATTR_DB_MILVUS_SEARCH_REQUESTS = 'db.milvus.search.requests' as const;
/** Rerank strategy of a hybrid search (`rrf`, `weighted`, …). */
export const ATTR_DB_MILVUS_RERANK_STRATEGY = 'db.milvus.rerank.strategy' as const;
/** Field the search results are grouped by. */
export const ATTR_DB_MILVUS_GROUP_BY_FIELD = 'db.milvus.group_by_field' as const;
/** Partitions the operation is restricted to. */
export const ATTR_DB_MILVUS_PARTITION_NAMES = 'db.milvus.partition_names' as const;
/** Consistency level requested (`Strong`, `Bounded`, `Session`, `Eventually`). */
export const ATTR_DB_MILVUS_CONSISTENCY_LEVEL = 'db.milvus.consistency_level' as const;
/** Fields requested in the results (names only). */
export const ATTR_DB_MILVUS_OUTPUT_FIELDS = 'db.milvus.output_fields' as const;
/** Number of rows sent by an insert or upsert. */
export const ATTR_DB_MILVUS_ROW_COUNT = 'db.milvus.row_count' as const;
/** Rows inserted, as reported by the server. */
export const ATTR_DB_MILVUS_INSERT_COUNT = 'db.milvus.insert_count' as const;
/** Rows upserted, as reported by the server. */
export const ATTR_DB_MILVUS_UPSERT_COUNT = 'db.milvus.upsert_count' as const;
/** Rows deleted, as reported by the server. */
export const ATTR_DB_MILVUS_DELETE_COUNT = 'db.milvus.delete_count' as const;
/** Index type of create index (`IVF_FLAT`, `HNSW`, `AUTOINDEX`, …). */
export const ATTR_DB_MILVUS_INDEX_TYPE = 'db.milvus.index.type' as const;
/** Index name of create, describe or drop index. */
export const ATTR_DB_MILVUS_INDEX_NAME = 'db.milvus.index.name' as const;
/** Field of create, describe or drop index. */
export const ATTR_DB_MILVUS_FIELD_NAME = 'db.milvus.field_name' as const;
/** The legacy Milvus error code name (`CollectionNotExists`, `UnexpectedError`, …) of a failed call. */
export const ATTR_DB_MILVUS_ERROR_CODE = 'db.milvus.error_code' as const;
