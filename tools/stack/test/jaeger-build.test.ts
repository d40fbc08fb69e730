import { describe, expect, it } from 'vitest';
import { jaegerBuildGoMod } from '../src/install.ts';

describe('jaegerBuildGoMod', () => {
  it('requires Jaeger and carries over its Go version and every replace directive', () => {
    const upstream = [
      'module github.com/jaegertracing/jaeger',
      '',
      'go 1.24.6',
      '',
      'require (',
      '\tgithub.com/spf13/viper v1.21.0',
      ')',
      '',
      'replace github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0',
      '',
      'replace (',
      '\texample.com/a => example.com/a v1.0.0',
      '\texample.com/b => ../b',
      ')',
    ].join('\n');
    expect(jaegerBuildGoMod(upstream)).toBe(
      [
        'module milvus-otel.local/jaeger-build',
        '',
        'go 1.24.6',
        '',
        'require github.com/jaegertracing/jaeger v1.76.0',
        '',
        'replace github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0',
        'replace example.com/a => example.com/a v1.0.0',
        'replace example.com/b => ../b',
        '',
      ].join('\n'),
    );
  });
});
