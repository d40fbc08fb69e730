import { Deployment } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { render, resolveDeployConfig } from '../src/index.js';

// Jaeger v2 (jaegertracing/jaeger v2.13.0): internal/storage/elasticsearch/config/config.go reads
// `auth.basic.username` / `auth.basic.password`; the config here fills them from ES_USERNAME / ES_PASSWORD.
function manifests(settings: object) {
  const [file] = render('jaeger-v2', resolveDeployConfig({ jaeger: { via: 'manifests', settings } }));
  const docs = parseAllDocuments(file?.content ?? '').map((d) => d.toJS());
  const deployment = new Deployment(docs.find((d) => d.kind === 'Deployment'));
  const service = new Service(docs.find((d) => d.kind === 'Service'));
  deployment.validate();
  service.validate();
  const config = parse(docs.find((d) => d.kind === 'ConfigMap').data['config.yaml']);
  const container = deployment.spec?.template.spec?.containers[0];
  if (!container) throw new Error('no container');
  return { file, config, container, service };
}

const elasticsearch = (extra: object = {}) => ({
  strategy: 'production',
  storage: { type: 'elasticsearch', serverUrls: ['https://es.observability.svc:9200'], ...extra },
});

describe('jaeger-v2 manifests', () => {
  it('every receiver the config listens on is a container port and a Service port (Thrift HTTP 14268 too)', () => {
    const { config, container, service } = manifests({});
    const endpoint = config.receivers.jaeger.protocols.thrift_http.endpoint as string;
    expect(endpoint).toMatch(/:-14268\}$/);
    expect(container.ports).toContainEqual(expect.objectContaining({ containerPort: 14268 }));
    expect(service.spec?.ports).toContainEqual(expect.objectContaining({ port: 14268, targetPort: 14268 }));
  });

  it('the Elasticsearch credentials come from storage.secretName, as the config reads them', () => {
    const { config, container, file } = manifests(elasticsearch({ secretName: 'es-creds' }));
    expect(config.extensions.jaeger_storage.backends.store.elasticsearch.auth.basic).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Jaeger's own ${env:NAME} syntax
      username: '${env:ES_USERNAME:-}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Jaeger's own ${env:NAME} syntax
      password: '${env:ES_PASSWORD:-}',
    });
    for (const key of ['ES_USERNAME', 'ES_PASSWORD']) {
      expect(container.env).toContainEqual({
        name: key,
        valueFrom: { secretKeyRef: { name: 'es-creds', key } },
      });
    }
    expect(file?.content).toContain('kubectl create secret generic es-creds -n observability');
  });

  it('without a secretName the default Secret is read if it exists (an unsecured Elasticsearch needs none)', () => {
    const { container } = manifests(elasticsearch());
    expect(container.env).toContainEqual({
      name: 'ES_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'jaeger-es-credentials', key: 'ES_PASSWORD', optional: true } },
    });
  });

  it('in-memory storage sets no credentials', () => {
    const { container } = manifests({});
    expect(container.env?.map((e) => e.name)).not.toContain('ES_USERNAME');
  });
});
