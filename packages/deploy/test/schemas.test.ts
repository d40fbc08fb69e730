import { composeSpecSchema } from '@milvus-otel/stack';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { render, resolveDeployConfig, validateText } from '../src/index.js';
import { CASES } from './cases.js';

const KINDS = { Deployment, Service, ConfigMap } as const;

function docsOf(target: Parameters<typeof render>[0], input: object) {
  return render(target, resolveDeployConfig(input)).flatMap((file) =>
    file.path.endsWith('.yaml')
      ? parseAllDocuments(file.content).map((d) => ({ path: file.path, doc: d.toJS() }))
      : [],
  );
}

describe.each(Object.entries(CASES))('schemas: %s', (_name, input) => {
  it('the compose file is valid against the Compose Specification (compose-go schema)', () => {
    const compose = render('compose', resolveDeployConfig(input)).find((f) => f.path === 'compose.yaml');
    const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(
      composeSpecSchema(),
    );
    expect(validate(parse(compose?.content ?? '')), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('every Deployment, Service and ConfigMap is valid against the Kubernetes OpenAPI schemas (kubernetes-models)', () => {
    const docs = [...docsOf('jaeger-v2', input), ...docsOf('k8s-apps', input)];
    expect(docs.length).toBeGreaterThanOrEqual(3);
    for (const { path, doc } of docs) {
      const Model = KINDS[doc.kind as keyof typeof KINDS];
      expect(Model, `${path}: ${doc.kind}`).toBeDefined();
      expect(() => new Model(doc).validate(), `${path}: ${doc.kind}/${doc.metadata.name}`).not.toThrow();
    }
  });

  it('the Jaeger Operator CRs have the shape of jaegertracing.io/v1 Jaeger', () => {
    for (const { doc } of docsOf('jaeger-operator', input)) {
      expect(doc).toMatchObject({
        apiVersion: 'jaegertracing.io/v1',
        kind: 'Jaeger',
        metadata: { name: expect.any(String) },
      });
      expect(['allInOne', 'production']).toContain(doc.spec.strategy);
      expect(['memory', 'elasticsearch']).toContain(doc.spec.storage.type);
      expect(doc.spec.sampling.options.default_strategy.type).toMatch(/^(probabilistic|ratelimiting)$/);
    }
  });

  it('the Milvus CR and the Helm values carry a trace section valid for their Milvus version', () => {
    const config = resolveDeployConfig(input);
    for (const target of ['milvus-operator', 'helm', 'milvus-config'] as const) {
      for (const file of render(target, config)) {
        const report = validateText(file.path, file.content, config.milvus.version);
        expect(report.issues, `${target}/${file.path}`).toEqual([]);
        expect(report.kind, `${target}/${file.path}`).toBeDefined();
      }
    }
    const [cr] = docsOf('milvus-operator', input);
    expect(cr?.doc).toMatchObject({
      apiVersion: 'milvus.io/v1beta1',
      kind: 'Milvus',
      spec: { mode: 'standalone' },
    });
  });
});

describe('kubernetes-models catches what it should', () => {
  it('rejects a Deployment without a selector', () => {
    expect(() =>
      new Deployment({ metadata: { name: 'x' }, spec: { template: {} } } as never).validate(),
    ).toThrow();
  });
});
