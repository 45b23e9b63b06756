/*
 * Whole-template checks: snapshots a reviewer reads, determinism, and cdk-nag.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SemanticSearchStack } from '../examples/app';
import { ConnectorBlueprint, MlConnector } from '../src';
import { templateJsonWithoutHashes } from './util';

test('snapshot: the example app (the search chain: domain, Titan and Claude connectors and models, pipelines, index, provider)', () => {
  const app = new App();
  const stack = new SemanticSearchStack(app, 'SemanticSearchExample');
  expect(templateJsonWithoutHashes(stack)).toMatchSnapshot();
});

test('snapshot: three connectors on an imported domain share one provider', () => {
  const app = new App();
  const stack = new Stack(app, 'Shared', { env: { account: '111122223333', region: 'eu-west-1' } });
  const domain = opensearch.Domain.fromDomainEndpoint(stack, 'Domain', 'https://search-prod-abc123.eu-west-1.es.amazonaws.com');
  for (const name of ['embedding', 'rerank', 'qa']) {
    new MlConnector(stack, name, { domain, blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: name }) });
  }
  expect(templateJsonWithoutHashes(stack)).toMatchSnapshot();
});

test('two synths of the same app are byte-identical', () => {
  const synthOnce = () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ml-'));
    const app = new App({ outdir });
    new SemanticSearchStack(app, 'SemanticSearchExample');
    app.synth();
    const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.json')).sort();
    return files.map((f) => [f, fs.readFileSync(path.join(outdir, f), 'utf8')]);
  };
  const first = synthOnce();
  const second = synthOnce();
  expect(first.map(([f]) => f)).toContain('SemanticSearchExample.template.json');
  expect(second).toEqual(first);
});

test('cdk-nag AwsSolutions: no errors and no warnings from our constructs', () => {
  const app = new App();
  const stack = new Stack(app, 'Nag', { env: { account: '111122223333', region: 'us-east-1' } });
  const domain = opensearch.Domain.fromDomainEndpoint(stack, 'Domain', 'https://search-nag-abc123.us-east-1.es.amazonaws.com');
  new MlConnector(stack, 'QA', { domain, blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e' }) });
  new MlConnector(stack, 'Other', { domain, blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'f' }) });
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  app.synth();
  const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
  expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  expect(warnings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
});
