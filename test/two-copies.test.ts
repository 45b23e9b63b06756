/*
 * An app may load two copies of this library: two packages that each depend on it, each with its
 * own copy, while aws-cdk-lib and constructs (peer dependencies) are loaded once. The constructs of
 * one copy must then find and use those of the other: a model on the other copy's connector, the
 * stack's one provider, one role mapping per domain, one data access policy per collection.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as aoss from 'aws-cdk-lib/aws-opensearchserverless';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as first from '../src';
import { resourcesOfType } from './util';

type Library = typeof first;

/** The packages src/ imports that are peer dependencies: one copy of each, shared by both copies of the library. */
function peerModules(): string[] {
  const names = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {visit(file);} else if (file.endsWith('.ts')) {
        for (const match of fs.readFileSync(file, 'utf8').matchAll(/from '((?:aws-cdk-lib|constructs)(?:\/[^']*)?)'/g)) names.add(match[1]);
      }
    }
  };
  visit(path.join(__dirname, '..', 'src'));
  return [...names];
}

/** src/ loaded a second time, in its own module registry, with the same aws-cdk-lib and constructs. */
function loadSecondCopy(): Library {
  const peers = peerModules().map((name) => [name, jest.requireActual(name)] as const);
  let copy: Library | undefined;
  jest.isolateModules(() => {
    for (const [name, module] of peers) jest.doMock(name, () => module);
    copy = jest.requireActual<Library>('../src');
  });
  return copy!;
}

const second = loadSecondCopy();

function testStack(): Stack {
  return new Stack(new App(), 'TwoCopies', { env: { account: '111122223333', region: 'us-east-1' } });
}

/** A domain of this account with fine-grained access control, imported: the master user's secret maps the provider (masterUser()). */
function importedDomain(stack: Stack, name = 'search'): opensearch.IDomain {
  return opensearch.Domain.fromDomainAttributes(stack, `Domain-${name}`, {
    domainArn: `arn:aws:es:us-east-1:111122223333:domain/${name}`,
    domainEndpoint: `https://search-${name}-abc123.us-east-1.es.amazonaws.com`,
  });
}

/** The mapping of the provider with the master user's secret, as a user of copy `lib` writes it. */
function masterUser(lib: Library, stack: Stack) {
  const id = 'MasterUser';
  const secret = (stack.node.tryFindChild(id) as secretsmanager.ISecret | undefined)
    ?? secretsmanager.Secret.fromSecretCompleteArn(stack, id, 'arn:aws:secretsmanager:us-east-1:111122223333:secret:master-AbCdEf');
  return lib.FineGrainedAccess.masterUserSecret(secret);
}

function titan(lib: Library) {
  return lib.ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 512 });
}

/**
 * Two connectors on one domain with fine-grained access control, and on each the model of the
 * other copy; `a` and `b` are the libraries that make the first and the second of each.
 */
function crossedApp(a: Library, b: Library): Stack {
  const stack = testStack();
  const domain = importedDomain(stack);
  const one = new a.MlConnector(stack, 'One', { domain, fineGrainedAccess: masterUser(a, stack), blueprint: titan(a) });
  const two = new b.MlConnector(stack, 'Two', { domain, fineGrainedAccess: masterUser(b, stack), blueprint: titan(b) });
  new b.MlModel(stack, 'ModelOnOne', { connector: one, verify: b.ModelVerification.predict() });
  new a.MlModel(stack, 'ModelOnTwo', { connector: two });
  return stack;
}

test('the second copy is a copy: its classes are not the first one\'s', () => {
  expect(second.MlConnector).not.toBe(first.MlConnector);
  const stack = testStack();
  const connector = new second.MlConnector(stack, 'C', { domain: importedDomain(stack), blueprint: titan(second) });
  expect(connector instanceof first.MlConnector).toBe(false);
  expect(first.MlConnector.isMlConnector(connector)).toBe(true);
  expect(first.MlConnector.isMlConnector(stack)).toBe(false);
  const group = new second.MlModelGroup(stack, 'G', { domain: importedDomain(stack, 'other') });
  const model = new second.MlModel(stack, 'M', { connector });
  expect([first.MlModelGroup.isMlModelGroup(group), first.MlModel.isMlModel(model), first.MlModel.isMlModel(group)]).toEqual([true, true, false]);
});

test('models on the other copy\'s connectors: one provider, one role mapping for the domain, the same template as with one copy', () => {
  const stack = crossedApp(first, second);
  expect(resourcesOfType(stack, 'AWS::Lambda::Function')).toHaveLength(1);
  const [[mappingId, ...others]] = [resourcesOfType(stack, 'Custom::OpenSearchMlRoleMapping').map(([id]) => id)];
  expect(others).toEqual([]);
  const models = resourcesOfType(stack, 'Custom::OpenSearchMlModel');
  expect(models).toHaveLength(2);
  for (const [, model] of models) {
    expect(model.DependsOn).toContain(mappingId);
    // The blueprint's dimension and probe reached the model across the copies.
    expect(model.Properties.model.model_config.embedding_dimension).toBe(512);
  }
  expect(Template.fromStack(stack).toJSON()).toEqual(Template.fromStack(crossedApp(first, first)).toJSON());
});

test('a connector of one copy takes the blueprint, access and collection objects of the other', () => {
  const build = (a: Library, b: Library) => {
    const stack = testStack();
    const domain = importedDomain(stack);
    new a.MlConnector(stack, 'OnDomain', { domain, fineGrainedAccess: masterUser(b, stack), blueprint: titan(b) });
    const cfn = new aoss.CfnCollection(stack, 'Collection', { name: 'vectors', type: 'VECTORSEARCH' });
    new a.MlConnector(stack, 'OnCollection', {
      collection: b.ServerlessCollection.fromCfnCollection(cfn), collectionDataAccess: b.CollectionDataAccess.createPolicy(), blueprint: titan(b),
    });
    return stack;
  };
  expect(Template.fromStack(build(first, second)).toJSON()).toEqual(Template.fromStack(build(first, first)).toJSON());
});

test('a connector imported by one copy carries a model of the other', () => {
  const build = (a: Library, b: Library) => {
    const stack = testStack();
    const domain = importedDomain(stack);
    new a.MlConnector(stack, 'Own', { domain, fineGrainedAccess: masterUser(a, stack), blueprint: titan(a) });
    const imported = a.MlConnector.fromConnectorAttributes(stack, 'Imported', { connectorId: 'abc', domain, fineGrainedAccess: masterUser(a, stack) });
    new b.MlModel(stack, 'Model', { connector: imported, modelConfig: { embeddingDimension: 384 } });
    return stack;
  };
  const stack = build(first, second);
  expect(resourcesOfType(stack, 'Custom::OpenSearchMlRoleMapping')).toHaveLength(1);
  expect(Template.fromStack(stack).toJSON()).toEqual(Template.fromStack(build(first, first)).toJSON());
});

test('a model group of one copy: a model of the other is checked against its domain', () => {
  const stack = testStack();
  const domain = importedDomain(stack);
  const group = new first.MlModelGroup(stack, 'Group', { domain: importedDomain(stack, 'other') });
  const connector = new second.MlConnector(stack, 'C', { domain, blueprint: titan(second) });
  expect(() => new second.MlModel(stack, 'M', { connector, modelGroup: group }))
    .toThrow(/modelGroup TwoCopies\/Group is on another domain or collection than connector TwoCopies\/C/);
  const sameDomain = new first.MlModelGroup(stack, 'SameDomain', { domain });
  new second.MlModel(stack, 'Fine', { connector, modelGroup: sameDomain });
});

test('connectors of both copies on one collection share one data access policy', () => {
  const stack = testStack();
  const cfn = new aoss.CfnCollection(stack, 'Collection', { name: 'vectors', type: 'VECTORSEARCH' });
  for (const [lib, id] of [[first, 'One'], [second, 'Two']] as const) {
    new lib.MlConnector(stack, id, { collection: lib.ServerlessCollection.fromCfnCollection(cfn), blueprint: titan(lib) });
  }
  expect(resourcesOfType(stack, 'AWS::OpenSearchServerless::AccessPolicy')).toHaveLength(1);
  expect(resourcesOfType(stack, 'AWS::Lambda::Function')).toHaveLength(1);
});

test('the search chain across copies: a pipeline, index and search pipelines of one copy on a model of the other, one security role', () => {
  const build = (a: Library, b: Library) => {
    const stack = testStack();
    const domain = importedDomain(stack);
    const connector = new a.MlConnector(stack, 'C', { domain, fineGrainedAccess: masterUser(a, stack), blueprint: titan(a) });
    const model = new a.MlModel(stack, 'M', { connector });
    const ingestPipeline = new b.IngestPipeline(stack, 'P', { processors: [b.IngestProcessor.textEmbedding({ model, fieldMap: { text: 'embedding' } })] });
    const search = new a.SearchPipeline(stack, 'S', { processors: [a.SearchProcessor.neuralQueryEnricher({ defaultModel: model })] });
    new b.VectorIndex(stack, 'I', { ingestPipeline, defaultSearchPipeline: search });
    return stack;
  };
  const stack = build(first, second);
  expect(resourcesOfType(stack, 'Custom::OpenSearchMlSecurityRole')).toHaveLength(1);
  // The index took its vector field from the other copy's pipeline and model.
  expect(resourcesOfType(stack, 'Custom::OpenSearchIndex')[0][1].Properties.index.mappings.properties.embedding.dimension).toBe(512);
  expect(Template.fromStack(stack).toJSON()).toEqual(Template.fromStack(build(first, first)).toJSON());
});
