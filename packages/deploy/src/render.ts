import { samplingStrategiesFile } from '@milvus-otel/config/server';
import { jsonFile, type RenderedFile } from './files.js';
import type { DeployConfig } from './settings.js';
import { renderKubernetesApps } from './targets/apps.js';
import { renderCompose } from './targets/compose.js';
import { renderJaegerOperator, renderJaegerV2 } from './targets/jaeger.js';
import { type HelmOptions, renderHelm, renderMilvusConfig, renderMilvusOperator } from './targets/milvus.js';

export interface Target {
  readonly description: string;
  readonly render: (config: DeployConfig, options?: RenderOptions) => RenderedFile[];
}

/** Inputs beyond the config that some targets take. */
export type RenderOptions = HelmOptions;

export const TARGETS = {
  compose: {
    description: 'docker compose stack: Milvus standalone + Jaeger v2 + Prometheus + Redis (+ apps)',
    render: renderCompose,
  },
  'milvus-config': {
    description: 'Milvus trace section: user.yaml overlay and milvus.yaml snippet',
    render: renderMilvusConfig,
  },
  helm: {
    description:
      'Milvus Helm values (extraConfigFiles.user.yaml, chart pinned per Milvus line): new release and helm upgrade --reuse-values',
    render: renderHelm,
  },
  'jaeger-operator': {
    description: 'Jaeger Operator CRs (jaegertracing.io/v1): allInOne + memory, production + Elasticsearch',
    render: renderJaegerOperator,
  },
  'jaeger-v2': {
    description: 'Jaeger v2 without an operator: ConfigMap + Deployment + Service',
    render: renderJaegerV2,
  },
  'milvus-operator': {
    description: 'Milvus Operator CR (milvus.io/v1beta1) with spec.config.trace',
    render: renderMilvusOperator,
  },
  'k8s-apps': {
    description: 'Deployment + Service per app, OTEL env wired to the collector',
    render: renderKubernetesApps,
  },
  sampling: {
    description: "Jaeger's remote sampling strategies file (per service / operation)",
    render: (c) => [jsonFile('sampling-strategies.json', samplingStrategiesFile(c.jaeger.settings))],
  },
} as const satisfies Record<string, Target>;

export type TargetName = keyof typeof TARGETS;
export const TARGET_NAMES = Object.keys(TARGETS) as TargetName[];

/** Renders one target, or all of them each in its own folder, from a resolved config (see resolveDeployConfig). */
export function render(
  target: TargetName | 'all',
  config: DeployConfig,
  options: RenderOptions = {},
): RenderedFile[] {
  if (target === 'all') {
    return TARGET_NAMES.flatMap((name) =>
      TARGETS[name].render(config, options).map((f) => ({ ...f, path: `${name}/${f.path}` })),
    );
  }
  return TARGETS[target].render(config, options);
}
