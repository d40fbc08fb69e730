/*
 * Which SDK methods are wrapped, and how operations are grouped for their attributes. Method names only: nothing
 * here reads a request.
 */

/**
 * Public client methods that get a span, across all supported lines (a method missing from a line is skipped), by
 * the SDK class that defines them. Aliases the SDK assigns per instance (`hybridSearch`, `listCollections`,
 * `loadCollectionSync` in 2.4+, …) call these and are traced under the name of the method they alias. Iterators are
 * not wrapped: each page they fetch is a `search`/`query` span of its own.
 */
const OPERATION_GROUPS = {
  // GRPCClient
  client: [
    'getVersion',
    'checkHealth',
    'runAnalyzer',
    'addFileResource',
    'removeFileResource',
    'listFileResources',
  ],
  database: [
    'createDatabase',
    'dropDatabase',
    'listDatabases',
    'describeDatabase',
    'alterDatabase',
    'dropDatabaseProperties',
  ],
  // createCollection is defined on MilvusClient.
  collection: [
    'createCollection',
    'hasCollection',
    'showCollections',
    'describeCollection',
    'batchDescribeCollections',
    'getCollectionStatistics',
    'loadCollection',
    'loadCollectionAsync',
    'loadCollectionSync',
    'releaseCollection',
    'renameCollection',
    'dropCollection',
    'truncateCollection',
    'alterCollection',
    'alterCollectionProperties',
    'dropCollectionProperties',
    'alterCollectionFieldProperties',
    'alterCollectionSchema',
    'addCollectionField',
    'addCollectionFields',
    'dropCollectionField',
    'addCollectionFunction',
    'alterCollectionFunction',
    'dropCollectionFunction',
    'addFunctionField',
    'dropFunctionField',
    'createAlias',
    'describeAlias',
    'dropAlias',
    'alterAlias',
    'listAliases',
    'compact',
    'getCompactionState',
    'getCompactionStateWithPlans',
    'getLoadState',
    'getLoadingProgress',
    'getReplicas',
    'refreshLoad',
    'createSnapshot',
    'describeSnapshot',
    'dropSnapshot',
    'listSnapshots',
    'restoreSnapshot',
    'getRestoreSnapshotState',
    'listRestoreSnapshotJobs',
    'pinSnapshotData',
    'unpinSnapshotData',
    'refreshExternalCollection',
    'getRefreshExternalCollectionProgress',
    'listRefreshExternalCollectionJobs',
  ],
  data: [
    'insert',
    'upsert',
    'delete',
    'deleteEntities',
    'search',
    'hybridSearch',
    'query',
    'get',
    'count',
    'flush',
    'flushSync',
    'flushAll',
    'flushAllSync',
    'getFlushState',
    'getFlushAllState',
    'bulkInsert',
    'listImportTasks',
    'getImportState',
    'getMetric',
    'getQuerySegmentInfo',
    'getPersistentSegmentInfo',
    'loadBalance',
  ],
  index: [
    'createIndex',
    'describeIndex',
    'dropIndex',
    'listIndexes',
    'getIndexState',
    'getIndexBuildProgress',
    'getIndexStatistics',
    'alterIndex',
    'alterIndexProperties',
    'dropIndexProperties',
  ],
  partition: [
    'createPartition',
    'hasPartition',
    'listPartitions',
    'showPartitions',
    'getPartitionStatistics',
    'loadPartitions',
    'loadPartitionsSync',
    'releasePartitions',
    'dropPartition',
  ],
  // Resource groups and replication.
  resourceGroup: [
    'createResourceGroup',
    'updateResourceGroups',
    'dropResourceGroup',
    'describeResourceGroup',
    'listResourceGroups',
    'transferNode',
    'transferReplica',
    'dropAllResourceGroups',
    'updateReplicateConfiguration',
    'getReplicateConfiguration',
  ],
  // Users, roles, privileges.
  user: [
    'createUser',
    'updateUser',
    'deleteUser',
    'listUsers',
    'describeUser',
    'selectUser',
    'createRole',
    'dropRole',
    'alterRole',
    'describeRole',
    'selectRole',
    'hasRole',
    'listRoles',
    'addUserToRole',
    'removeUserFromRole',
    'grantPrivilege',
    'revokePrivilege',
    'grantPrivilegeV2',
    'revokePrivilegeV2',
    'grantRolePrivilege',
    'revokeRolePrivilege',
    'selectGrant',
    'listGrants',
    'dropAllRoles',
    'createPrivilegeGroup',
    'dropPrivilegeGroup',
    'listPrivilegeGroups',
    'addPrivilegesToGroup',
    'removePrivilegesFromGroup',
    'backupRBAC',
    'restoreRBAC',
  ],
} as const satisfies Record<string, readonly string[]>;

/** Every traced method: the operation names of `db.operation.name`. */
export const OPERATIONS: ReadonlySet<string> = new Set(Object.values(OPERATION_GROUPS).flat());

/**
 * RPCs the client starts on its own: `Connect` at construction (and its follow-ups: client telemetry timers,
 * global-cluster topology) and the 3.x telemetry heartbeat. They run with tracing suppressed, so they neither
 * start root spans nor carry the caller's trace context.
 */
export const BACKGROUND_METHODS: ReadonlySet<string> = new Set(['connect', 'sendTelemetryHeartbeat']);

/** Operations with search attributes (limit, vectors, metric, …) and search results. */
export const SEARCH_OPERATIONS: ReadonlySet<string> = new Set(['search', 'hybridSearch']);

/** Operations whose `filter`/`expr` goes into `db.query.text` with `captureFilter`. */
export const FILTER_OPERATIONS: ReadonlySet<string> = new Set([
  'search',
  'hybridSearch',
  'query',
  'get',
  'count',
  'delete',
  'deleteEntities',
]);

/** Index calls on one index, with its field, name, type and metric: all but the listing ones (`listIndexes`). */
export const INDEX_OPERATIONS: ReadonlySet<string> = new Set(
  OPERATION_GROUPS.index.filter((operation) => !operation.startsWith('list')),
);
